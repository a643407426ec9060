"""Inspection history: what was inspected when, the input to quotas and coverage.

A history is a list of earlier inspections (entity, date, items, on-site or
non-site). It comes from a file (CSV or JSON) or from a ledger. Its digest,
like the registry's, does not depend on the order of the records, and a
receipt records it so a draw can be re-checked against the same history.
"""

from __future__ import annotations

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
from randcheck.io.safe import MAX_HISTORY_BYTES, check_input_file, load_json
from randcheck.io.tables import open_csv
from randcheck.models.fields import USCC, parse_date_value, text_problem
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
_SPELLINGS = {spelling.casefold(): field for field, names in COLUMNS.items() for spelling in names}
_REQUIRED = ("uscc", "date")
_JSON_TYPES: dict[str, tuple[type, ...]] = {
    "uscc": (str,),
    "date": (str,),
    "mode": (str,),
    "items": (list,),
    "task_id": (str, type(None)),
}
_TYPE_NAMES = {
    "uscc": "a text",
    "date": "a date as text (YYYY-MM-DD)",
    "mode": "a text",
    "items": "a list of item codes",
    "task_id": "a text or null",
}


def _described(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, int | float):
        return f"the number {value!r}"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "an object"
    return repr(value) if len(repr(value)) <= 40 else repr(value)[:37] + "…"


def _json_records(path: Path, problems: list[Problem]) -> list[tuple[int, dict[str, object]]]:
    """Entries of a JSON history, numbered from 1; an entry of the wrong shape is a problem."""
    data = load_json(path, "history file", MAX_HISTORY_BYTES)
    records = data.get("inspections") if isinstance(data, dict) else data
    if not isinstance(records, list):
        raise InputError(
            "expected a list of inspections, or an object with an 'inspections' list",
            where=str(path),
            hint="see save_history for the format",
        )
    if isinstance(data, dict):
        extra = sorted(set(data) - {"format", "inspections"})
        if extra:
            raise InputError(
                f"unknown key(s) {', '.join(map(repr, extra))} beside 'inspections'",
                where=str(path),
            )
        if data.get("format", "randcheck-history") != "randcheck-history":
            raise InputError(
                f"format {data.get('format')!r} is not randcheck-history", where=str(path)
            )
    rows: list[tuple[int, dict[str, object]]] = []
    for number, record in enumerate(records, start=1):
        if not isinstance(record, dict):
            problems.append(
                Problem(str(path), number, None, f"entry is {_described(record)}, not an object")
            )
            continue
        bad = False
        for key, value in record.items():
            wanted = _JSON_TYPES.get(key)
            if wanted is None:
                problems.append(
                    Problem(
                        str(path),
                        number,
                        key,
                        f"unknown key; an inspection has {', '.join(COLUMNS)}",
                    )
                )
                bad = True
            elif not isinstance(value, wanted) or isinstance(value, bool):
                problems.append(
                    Problem(
                        str(path), number, key, f"{_described(value)} is not {_TYPE_NAMES[key]}"
                    )
                )
                bad = True
            elif key == "items" and not all(isinstance(v, str) for v in value):  # type: ignore[attr-defined]
                problems.append(Problem(str(path), number, key, "every item code must be a text"))
                bad = True
        if not bad:
            rows.append((number, record))
    return rows


def _csv_records(path: Path, problems: list[Problem]) -> list[tuple[int, dict[str, object]]]:
    """Rows of a CSV history, numbered as a spreadsheet shows them (the header is row 1)."""
    header, lines = open_csv(path, "history file", MAX_HISTORY_BYTES)
    if not header:
        raise InputError("the file is empty (no header row)", where=str(path))
    names: dict[int, str] = {}
    for index, text in enumerate(header):
        label = text.replace("\ufeff", "").strip()
        field = _SPELLINGS.get(label.casefold())
        if not label.isprintable():
            label = repr(label)
        if field is None:
            if label:
                problems.append(
                    Problem(
                        str(path),
                        1,
                        label,
                        "unknown column; a history has "
                        + ", ".join(f"{zh} ({en})" for zh, en in COLUMNS.values()),
                    )
                )
            continue
        if field in names.values():
            problems.append(Problem(str(path), 1, label, f"column for {field} given twice"))
            continue
        names[index] = field
    for field in _REQUIRED:
        if field not in names.values():
            zh, en = COLUMNS[field]
            problems.append(Problem(str(path), 1, f"{zh} ({en})", "required column is missing"))
    if problems:
        return []
    width = max((i + 1 for i, text in enumerate(header) if text.strip()), default=0)
    rows: list[tuple[int, dict[str, object]]] = []
    for number, cells in lines:
        if not any(c.strip() for c in cells):
            continue  # a blank line
        beyond = [i for i in range(width, len(cells)) if cells[i].strip()]
        if beyond:
            problems.extend(
                Problem(
                    str(path),
                    number,
                    f"column {i + 1}",
                    f"a value beyond the header's {width} columns",
                )
                for i in beyond
            )
            continue
        record: dict[str, object] = {
            names[i]: c for i, c in enumerate(cells) if i in names and c.strip()
        }
        if "items" in record:
            record["items"] = tuple(p.strip() for p in str(record["items"]).split(";") if p.strip())
        rows.append((number, record))
    return rows


def load_history(path: Path | str) -> History:
    """A history from CSV (Chinese or English headers) or JSON; every bad row reported.

    The file is read safely (:mod:`randcheck.io.safe`: a regular file of at most
    256 MiB, strict UTF-8 or GB18030 for CSV, strict JSON). Every entry must be an
    inspection: an unknown key or column, a value of the wrong type, a bad date or
    USCC, or an entry that is not an object is a problem naming the entry (JSON,
    from 1) or row (CSV, the header is row 1); a file with any problem loads
    nothing.
    """
    path = Path(path)
    suffix = path.suffix.lower()
    check_input_file(path, "history file", MAX_HISTORY_BYTES)
    problems: list[Problem] = []
    if suffix == ".json":
        rows = _json_records(path, problems)
    elif suffix == ".csv":
        rows = _csv_records(path, problems)
    else:
        raise InputError(
            f"cannot read {path.suffix or 'a file without an extension'}",
            where=str(path),
            hint="give .csv or .json",
        )
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
        why = _text_problem(inspection)
        if why is not None:
            problems.append(Problem(str(path), number, why[0], why[1]))
            continue
        good.append(inspection)
    if problems:
        raise ProblemsFound(str(path), problems, hint="correct the entries listed")
    return History(good)


def _text_problem(inspection: Inspection) -> tuple[str, str] | None:
    """A control character in an item code or task id (they are published and printed)."""
    for item in inspection.items:
        why = text_problem(item)
        if why:
            return "items", why
    if inspection.task_id is not None:
        why = text_problem(inspection.task_id)
        if why:
            return "task_id", why
    return None


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
