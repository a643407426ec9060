"""Deprecated: moved, and re-exported here for one release (0.2); importing it warns.

New home: randcheck.draw.classify. See CHANGELOG.md.
"""

import warnings

from randcheck.draw.classify import (
    ClassificationReport,
    Match,
    Proposal,
    classify,
)

MOVED_TO = "randcheck.draw.classify"
warnings.warn(
    f"{__name__} is deprecated: import from {MOVED_TO} (see CHANGELOG.md)",
    DeprecationWarning,
    stacklevel=2,
)


__all__ = [
    "ClassificationReport",
    "Match",
    "Proposal",
    "classify",
]
