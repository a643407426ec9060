"""Deprecated: moved, and re-exported here for one release (0.2); importing it warns.

New home: randcheck.policies.jurisdictions.benxi_2025. See CHANGELOG.md.
"""

import warnings

from randcheck.policies.jurisdictions.benxi_2025 import (
    GENERAL,
    KEY,
    POLICY,
    SOURCE,
    SPECIAL,
)

MOVED_TO = "randcheck.policies.jurisdictions.benxi_2025"
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
    "SPECIAL",
]
