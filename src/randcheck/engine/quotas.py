"""Deprecated: moved, and re-exported here for one release (0.2); importing it warns.

New home: randcheck.draw.quotas (cycle_of: randcheck.policies.dates). See CHANGELOG.md.
"""

import warnings

from randcheck.draw.quotas import (
    CLASS_ORDER,
    ClassPool,
    ClassQuota,
    QuotaTerm,
    compute_quota,
    count_inspectors,
)
from randcheck.policies.dates import (
    Cycle,
    cycle_of,
)

MOVED_TO = "randcheck.draw.quotas (cycle_of: randcheck.policies.dates)"
warnings.warn(
    f"{__name__} is deprecated: import from {MOVED_TO} (see CHANGELOG.md)",
    DeprecationWarning,
    stacklevel=2,
)


__all__ = [
    "CLASS_ORDER",
    "ClassPool",
    "ClassQuota",
    "Cycle",
    "QuotaTerm",
    "compute_quota",
    "count_inspectors",
    "cycle_of",
]
