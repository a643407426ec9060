"""Deprecated: moved, and re-exported here for one release (0.2); importing it warns.

New home: randcheck.audit.obligations. See CHANGELOG.md.
"""

import warnings

from randcheck.audit.obligations import (
    DONE_BY,
    Due,
    Monitor,
    Obligations,
    Violation,
)

MOVED_TO = "randcheck.audit.obligations"
warnings.warn(
    f"{__name__} is deprecated: import from {MOVED_TO} (see CHANGELOG.md)",
    DeprecationWarning,
    stacklevel=2,
)


__all__ = [
    "DONE_BY",
    "Due",
    "Monitor",
    "Obligations",
    "Violation",
]
