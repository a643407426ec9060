"""Deprecated: moved, and re-exported here for one release (0.2); importing it warns.

New home: randcheck.publish.tables. See CHANGELOG.md.
"""

import warnings

from randcheck.publish.tables import (
    PHRASES,
    annual_plan_table,
    credit_push_table,
    disclosure_table,
    item_list_table,
    monthly_dispatch_table,
    plan_counts,
    quarterly_plan_table,
    quarterly_report_table,
    work_report_table,
    yearly_report_table,
)

MOVED_TO = "randcheck.publish.tables"
warnings.warn(
    f"{__name__} is deprecated: import from {MOVED_TO} (see CHANGELOG.md)",
    DeprecationWarning,
    stacklevel=2,
)


__all__ = [
    "PHRASES",
    "annual_plan_table",
    "credit_push_table",
    "disclosure_table",
    "item_list_table",
    "monthly_dispatch_table",
    "plan_counts",
    "quarterly_plan_table",
    "quarterly_report_table",
    "work_report_table",
    "yearly_report_table",
]
