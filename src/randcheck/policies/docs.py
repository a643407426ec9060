"""Deprecated: moved, and re-exported here for one release (0.2); importing it warns.

New home: randcheck.report.policy_pages. See CHANGELOG.md.
"""

import warnings

from randcheck.report.policy_pages import (
    policy_markdown,
    write_policy_pages,
)

MOVED_TO = "randcheck.report.policy_pages"
warnings.warn(
    f"{__name__} is deprecated: import from {MOVED_TO} (see CHANGELOG.md)",
    DeprecationWarning,
    stacklevel=2,
)


__all__ = [
    "policy_markdown",
    "write_policy_pages",
]
