"""Records kept elsewhere come into the ledger (``randcheck ledger import``).

A platform's export of tasks, inspections, results, rectifications and disclosures,
or a published disclosure table (CSV or XLSX, Chinese or English headers), becomes
ledger events in time order, each carrying its provenance (file, sheet, row), with
one ``RECORDS_IMPORTED`` per file declaring what evidence its columns hold.

- :mod:`~randcheck.imports.mapping`: which headers give which field (shipped
  mappings in ``mappings/*.yaml``, or a user's own file);
- :mod:`~randcheck.imports.sources`: reading the files;
- :mod:`~randcheck.imports.plan`: rows to events (merge by task, times, dedup);
- :mod:`~randcheck.imports.run`: :func:`read_records`, :func:`records_ledger`,
  :func:`import_records`.
"""

from __future__ import annotations

from randcheck.imports.fields import FIELDS
from randcheck.imports.mapping import Mapping, load_mapping, resolve_mapping, shipped_mappings
from randcheck.imports.plan import SLOTS, ImportProblems, Plan, Planned
from randcheck.imports.run import (
    ImportReport,
    apply_plan,
    entries,
    import_records,
    read_records,
    records_ledger,
)
from randcheck.models.vocab import NOT_RECORDED

__all__ = [
    "FIELDS",
    "NOT_RECORDED",
    "SLOTS",
    "ImportProblems",
    "ImportReport",
    "Mapping",
    "Plan",
    "Planned",
    "apply_plan",
    "entries",
    "import_records",
    "load_mapping",
    "read_records",
    "records_ledger",
    "resolve_mapping",
    "shipped_mappings",
]
