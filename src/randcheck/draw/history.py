"""Inspection history: what was inspected when, the input to quotas and coverage.

A history is a list of earlier inspections (entity, date, items, on-site or
non-site). It comes from a file (CSV or JSON) or from a ledger. Its digest,
like the registry's, does not depend on the order of the records, and a
receipt records it so a draw can be re-checked against the same history.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import json
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Annotated

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationError

from randcheck.errors import InputError, Problem, ProblemsFound
from randcheck.io.atomic import atomic_write
from randcheck.models.fields import USCC, parse_date_value
from randcheck.models.vocab import Mode
from randcheck.periods import Quarter


class Inspection(BaseModel):
    """One earlier inspection of an entity."""

    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=True)

    uscc: USCC = Field(title="统一社会信用代码")
    date: Annotated[dt.date, BeforeValidator(parse_date_value)] = Field(title="检查日期")
    mode: Mode = Field(Mode.ON_SITE, title="检查方式")
    items: tuple[str, ...] = Field((), title="检查事项")
    task_id: str | None = Field(None, title="任务编号")

    @property
    def period(self) -> Quarter:
        return Quarter.of(self.date)


class History:
    """Earlier inspections, with counts by entity and period."""

    def __init__(self, inspections: Iterable[Inspection] = ()) -> None:
        self._inspections = tuple(inspections)

    def __len__(self) -> int:
        return len(self._inspections)

    def __iter__(self) -> Iterator[Inspection]:
        return iter(self._inspections)

    def __add__(self, other: History) -> History:
        return History((*self._inspections, *other._inspections))

    def between(self, start: dt.date, end: dt.date) -> Counter[str]:
        """How many inspections each entity had from ``start`` to ``end`` inclusive."""
        return Counter(i.uscc for i in self._inspections if start <= i.date <= end)

    def before(self, day: dt.date) -> History:
        return History(i for i in self._inspections if i.date < day)

    def last_dates(self) -> dict[str, dt.date]:
        """Each entity's latest inspection date."""
        last: dict[str, dt.date] = {}
        for i in self._inspections:
            if i.date > last.get(i.uscc, dt.date.min):
                last[i.uscc] = i.date
        return last

    def item_counts(self, year: int) -> Counter[tuple[str, str]]:
        """(entity, item) -> inspections in ``year`` (本溪 七(一)4)."""
        counts: Counter[tuple[str, str]] = Counter()
        for i in self._inspections:
            if i.date.year == year:
                counts.update((i.uscc, item) for item in i.items or ("*",))
        return counts

    @property
    def digest(self) -> str:
        """SHA-256 of the sorted canonical lines ``H\\t[uscc,date,mode,[items],task]``."""
        h = hashlib.sha256(b"randcheck-history-v1\n")
        lines = sorted(
            json.dumps(
                [i.uscc, i.date.isoformat(), i.mode.value, list(i.items), i.task_id],
                ensure_ascii=False,
                separators=(",", ":"),
            )
            for i in self._inspections
        )
        for line in lines:
            h.update(f"H\t{line}\n".encode())
        return h.hexdigest()


COLUMNS = {
    "uscc": ("统一社会信用代码", "uscc"),
    "date": ("检查日期", "date"),
    "mode": ("检查方式", "mode"),
    "items": ("检查事项", "items"),
    "task_id": ("任务编号", "task_id"),
}


def load_history(path: Path | str) -> History:
    """A history from CSV (Chinese or English headers) or JSON; every bad row reported."""
    path = Path(path)
    if not path.is_file():
        raise InputError(f"history file {path} does not exist", where=str(path))
    rows: list[tuple[int, dict[str, object]]] = []
    if path.suffix.lower() == ".json":
        try:
            data = json.loads(path.read_text(encoding="utf-8-sig"))
        except json.JSONDecodeError as exc:
            raise InputError(f"not valid JSON ({exc})", where=str(path)) from None
        records = data.get("inspections") if isinstance(data, dict) else data
        if not isinstance(records, list):
            raise InputError("expected a list of inspections", where=str(path))
        rows = [(n, r) for n, r in enumerate(records, start=1) if isinstance(r, dict)]
    elif path.suffix.lower() == ".csv":
        with path.open(newline="", encoding="utf-8-sig") as handle:
            reader = csv.reader(handle)
            header = next(reader, [])
            names = {}
            for index, text in enumerate(header):
                for field, spellings in COLUMNS.items():
                    if text.strip() in spellings:
                        names[index] = field
            for number, cells in enumerate(reader, start=2):
                record: dict[str, object] = {
                    names[i]: c for i, c in enumerate(cells) if i in names and c
                }
                if "items" in record:
                    record["items"] = tuple(p for p in str(record["items"]).split(";") if p)
                rows.append((number, record))
    else:
        raise InputError(f"cannot read {path.suffix}", where=str(path), hint="give .csv or .json")
    problems: list[Problem] = []
    good: list[Inspection] = []
    for number, record in rows:
        try:
            inspection = Inspection.model_validate(record)
        except ValidationError as exc:
            for error in exc.errors(include_url=False):
                column = str(error["loc"][0]) if error["loc"] else None
                problems.append(
                    Problem(
                        str(path), number, column, str(error["msg"]).removeprefix("Value error, ")
                    )
                )
            continue
        good.append(inspection)
    if problems:
        raise ProblemsFound(str(path), problems, hint="correct the rows listed")
    return History(good)


def save_history(history: History, path: Path | str) -> None:
    """Write a history as JSON (atomically)."""
    records = [
        {
            "uscc": i.uscc,
            "date": i.date.isoformat(),
            "mode": i.mode.value,
            "items": list(i.items),
            "task_id": i.task_id,
        }
        for i in sorted(history, key=lambda i: (i.date, i.uscc))
    ]
    with atomic_write(Path(path)) as temp:
        temp.write_text(
            json.dumps(
                {"format": "randcheck-history", "inspections": records},
                ensure_ascii=False,
                indent=1,
            ),
            encoding="utf-8",
        )


def history_of(inspections: Sequence[tuple[str, dt.date]]) -> History:
    """A history from (uscc, date) pairs: convenient in tests and notebooks."""
    return History(Inspection(uscc=u, date=d) for u, d in inspections)
