"""一公开: what a bureau publishes and files, as tables.

- :mod:`~randcheck.publish.schedule`: every dated obligation of a year (and ICS);
- :mod:`~randcheck.publish.tables`: the item list, plans, the disclosure, reports;
- :mod:`~randcheck.publish.table`: the :class:`Table` they are built as.

Tables are written to XLSX, CSV or JSON by :mod:`randcheck.report.files`.
"""

from randcheck.publish.schedule import Scheduled, schedule, schedule_table, to_ics
from randcheck.publish.table import Table

__all__ = ["Scheduled", "Table", "schedule", "schedule_table", "to_ics"]
