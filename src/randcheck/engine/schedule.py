"""Deprecated: moved, and re-exported here for one release (0.2); importing it warns.

New home: randcheck.publish.schedule (instances: randcheck.policies.dates). See CHANGELOG.md.
"""

import warnings

from randcheck.policies.dates import (
    instances,
)
from randcheck.publish.schedule import (
    COLUMNS,
    OBLIGATION_ZH,
    Scheduled,
    schedule,
    schedule_table,
    to_ics,
)

MOVED_TO = "randcheck.publish.schedule (instances: randcheck.policies.dates)"
warnings.warn(
    f"{__name__} is deprecated: import from {MOVED_TO} (see CHANGELOG.md)",
    DeprecationWarning,
    stacklevel=2,
)


__all__ = [
    "COLUMNS",
    "OBLIGATION_ZH",
    "Scheduled",
    "instances",
    "schedule",
    "schedule_table",
    "to_ics",
]
