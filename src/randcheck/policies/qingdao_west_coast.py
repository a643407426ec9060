"""Deprecated: moved, and re-exported here for one release (0.2); importing it warns.

New home: randcheck.policies.jurisdictions.qingdao_west_coast_2020. See CHANGELOG.md.
"""

import warnings

from randcheck.policies.jurisdictions.qingdao_west_coast_2020 import (
    GENERAL,
    KEY,
    POLICY,
    SOURCE,
)

MOVED_TO = "randcheck.policies.jurisdictions.qingdao_west_coast_2020"
warnings.warn(
    f"{__name__} is deprecated: import from {MOVED_TO} (see CHANGELOG.md)",
    DeprecationWarning,
    stacklevel=2,
)


__all__ = [
    "GENERAL",
    "KEY",
    "POLICY",
    "SOURCE",
]
