"""A published table as data: a title, (key, header) columns, rows of plain values.

Plans, disclosures, reports and the schedule are built as tables here, in
:mod:`randcheck.publish`, and written to files by :mod:`randcheck.report.files`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any


@dataclass
class Table:
    """A table: ``columns`` are (key, header) pairs; rows map keys to plain values."""

    title: str
    columns: Sequence[tuple[str, str]]
    rows: list[dict[str, Any]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def headers(self) -> list[str]:
        return [header for _, header in self.columns]

    def values(self) -> list[list[Any]]:
        return [[plain(row.get(key)) for key, _ in self.columns] for row in self.rows]

    def to_json(self) -> dict[str, Any]:
        return {
            "title": self.title,
            "columns": [{"key": k, "header": h} for k, h in self.columns],
            "rows": [{k: plain(row.get(k)) for k, _ in self.columns} for row in self.rows],
            "notes": self.notes,
        }


def plain(value: Any) -> Any:
    """A cell as written: "" for None, 是/否 for booleans, lists joined with 、."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, list | tuple | set | frozenset):
        return "、".join(str(plain(v)) for v in value)
    return value if isinstance(value, int | float) else str(value)
