"""Deprecated: moved, and re-exported here for one release (0.2); importing it warns.

New home: randcheck.audit (renderers: randcheck.report.verdict). See CHANGELOG.md.
"""

import warnings

from randcheck.audit.run import (
    audit,
)
from randcheck.audit.verdict import (
    RuleVerdict,
    Status,
    Verdict,
)

MOVED_TO = "randcheck.audit (renderers: randcheck.report.verdict)"
warnings.warn(
    f"{__name__} is deprecated: import from {MOVED_TO} (see CHANGELOG.md)",
    DeprecationWarning,
    stacklevel=2,
)


__all__ = [
    "RuleVerdict",
    "Status",
    "Verdict",
    "audit",
]
