"""Deprecated: moved, and re-exported here for one release (0.2); importing it warns.

New home: randcheck.draw.select, randcheck.draw.teams, randcheck.draw.replace. See CHANGELOG.md.
"""

import warnings

from randcheck.draw.quotas import (
    CLASS_ORDER,
)
from randcheck.draw.replace import (
    ReplacementRecord,
    replace_inspector,
)
from randcheck.draw.select import (
    DRAW_VERSION,
    DrawResult,
    Recusal,
    Task,
    class_pools,
    plan_draw,
)
from randcheck.draw.teams import (
    DEFAULT_TEAM_SIZE,
    TieOrder,
    eligible_inspectors,
    team_size,
)

MOVED_TO = "randcheck.draw.select, randcheck.draw.teams, randcheck.draw.replace"
warnings.warn(
    f"{__name__} is deprecated: import from {MOVED_TO} (see CHANGELOG.md)",
    DeprecationWarning,
    stacklevel=2,
)


__all__ = [
    "CLASS_ORDER",
    "DEFAULT_TEAM_SIZE",
    "DRAW_VERSION",
    "DrawResult",
    "Recusal",
    "ReplacementRecord",
    "Task",
    "TieOrder",
    "class_pools",
    "eligible_inspectors",
    "plan_draw",
    "replace_inspector",
    "team_size",
]
