"""Deprecated: moved, and re-exported here for one release (0.2); importing it warns.

New home: randcheck.rules_engine. See CHANGELOG.md.
"""

import warnings

from randcheck.rules_engine import (
    MARKER,
    Emit,
    Finding,
    RuleEngine,
)

MOVED_TO = "randcheck.rules_engine"
warnings.warn(
    f"{__name__} is deprecated: import from {MOVED_TO} (see CHANGELOG.md)",
    DeprecationWarning,
    stacklevel=2,
)


__all__ = [
    "MARKER",
    "Emit",
    "Finding",
    "RuleEngine",
]
