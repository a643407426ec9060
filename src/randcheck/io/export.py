"""Deprecated: moved, and re-exported here for one release (0.2); importing it warns.

New home: randcheck.publish.table and randcheck.report.files. See CHANGELOG.md.
"""

import warnings

from randcheck.publish.table import (
    Table,
)
from randcheck.report.files import (
    write_table,
)

MOVED_TO = "randcheck.publish.table and randcheck.report.files"
warnings.warn(
    f"{__name__} is deprecated: import from {MOVED_TO} (see CHANGELOG.md)",
    DeprecationWarning,
    stacklevel=2,
)


__all__ = [
    "Table",
    "write_table",
]
