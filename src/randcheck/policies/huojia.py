"""Deprecated: moved, and re-exported here for one release (0.2); importing it warns.

New home: randcheck.policies.jurisdictions.huojia_2023. See CHANGELOG.md.
"""

import warnings

from randcheck.policies.jurisdictions.huojia_2023 import (
    CYCLES,
    GENERAL,
    GENERAL_TWO_YEAR_CYCLE,
    KEY,
    POLICY,
    RATIOS,
    SOURCE,
    SPECIAL,
)

MOVED_TO = "randcheck.policies.jurisdictions.huojia_2023"
warnings.warn(
    f"{__name__} is deprecated: import from {MOVED_TO} (see CHANGELOG.md)",
    DeprecationWarning,
    stacklevel=2,
)


__all__ = [
    "CYCLES",
    "GENERAL",
    "GENERAL_TWO_YEAR_CYCLE",
    "KEY",
    "POLICY",
    "RATIOS",
    "SOURCE",
    "SPECIAL",
]
