"""Deprecated: moved, and re-exported here for one release (0.2); importing it warns.

New home: randcheck.policies.jurisdictions.xiping_2024. See CHANGELOG.md.
"""

import warnings

from randcheck.policies.jurisdictions.xiping_2024 import (
    EACH_SPECIAL_QUARTERLY,
    GENERAL,
    KEY,
    POLICY,
    SOURCE,
    SPECIAL,
    SPECIAL_QUARTERLY,
)

MOVED_TO = "randcheck.policies.jurisdictions.xiping_2024"
warnings.warn(
    f"{__name__} is deprecated: import from {MOVED_TO} (see CHANGELOG.md)",
    DeprecationWarning,
    stacklevel=2,
)


__all__ = [
    "EACH_SPECIAL_QUARTERLY",
    "GENERAL",
    "KEY",
    "POLICY",
    "SOURCE",
    "SPECIAL",
    "SPECIAL_QUARTERLY",
]
