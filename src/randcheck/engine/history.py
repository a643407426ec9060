"""Deprecated: moved, and re-exported here for one release (0.2); importing it warns.

New home: randcheck.draw.history. See CHANGELOG.md.
"""

import warnings

from randcheck.draw.history import (
    COLUMNS,
    History,
    Inspection,
    history_of,
    load_history,
    save_history,
)

MOVED_TO = "randcheck.draw.history"
warnings.warn(
    f"{__name__} is deprecated: import from {MOVED_TO} (see CHANGELOG.md)",
    DeprecationWarning,
    stacklevel=2,
)


__all__ = [
    "COLUMNS",
    "History",
    "Inspection",
    "history_of",
    "load_history",
    "save_history",
]
