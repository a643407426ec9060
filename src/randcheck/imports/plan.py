"""Rows of exports become ledger events: read, merged by task, placed in time, checked.

The steps, each over every row before the next, so that every problem is found in
one pass:

1. **Read** each row's cells by its mapping (:mod:`randcheck.imports.values`): a bad
   date, USCC, class, mode or result phrase is a problem naming the row and column.
2. **Merge** by task id: rows of several files may speak of one task (a tasks file
   and a results file). A task's fields (its entity, team, inspection day …) must
   agree wherever they are given; a later row that contradicts an earlier one is a
   problem. Result entries (a result, when it was entered, a correction of it) add
   up: a task may have several.
3. **Build** the events of each task (:func:`_task_events`), each carrying the row it
   came from (``source``: file, sheet, row), at the time its cell gives. A date
   without a time of day gets the fixed time of :data:`SLOTS`, so that events of one
   day keep the order of the flow.
4. **Place** all events in time order, check each payload with its model, and leave
   out those the ledger already holds (:class:`LedgerIndex`): importing the same file
   twice adds nothing, and an overlapping later export adds only what is new.

With ``skip_bad_rows`` a bad row is left out whole and the steps run again without
it (a row left out may leave another without what it needed).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError

from randcheck.errors import InputError, Problem
from randcheck.imports.fields import (
    CORRECTION_FIELDS,
    FIELDS,
    RECTIFICATION_FIELDS,
    TEAM_FIELDS,
    shows,
)
from randcheck.imports.mapping import Mapping
from randcheck.imports.sources import SourceFile, SourceTable
from randcheck.imports.values import (
    Moment,
    Vocabulary,
    check_uscc,
    parse_moment,
    split_items,
    split_people,
)
from randcheck.ledger.chain import GENESIS, LedgerEvent
from randcheck.ledger.events import (
    PAYLOADS,
    SHANGHAI,
    EventType,
    Provenance,
    aware,
    describe_errors,
    dump_payload,
)
from randcheck.models import EntityClass
from randcheck.models.fields import text_problem
from randcheck.models.vocab import NOT_RECORDED, Evidence, Mode, Outcome, Withheld

T = EventType

SLOTS: dict[str, dt.time] = {
    "DRAW_REVEALED": dt.time(7, 0),
    "TASK_DISPATCHED": dt.time(8, 0),
    "INSPECTION_STARTED": dt.time(9, 0),
    "INSPECTION_COMPLETED": dt.time(12, 0),
    "RESULT_RECORDED": dt.time(14, 0),
    "RECTIFICATION_ORDERED": dt.time(14, 30),
    "CORRECTION_REQUESTED": dt.time(15, 0),
    "CORRECTION_APPROVED": dt.time(16, 0),
    "CORRECTED_RESULT": dt.time(16, 30),
    "RECTIFICATION_COMPLETED": dt.time(17, 0),
    "DISCLOSURE_PUBLISHED": dt.time(18, 0),
}
"""The time of day (China Standard Time) an event gets when its cell gives only a date:
the order of the flow, so that events of one day stay in that order. A corrected
result (recorded after the approval of its correction) is ``CORRECTED_RESULT``."""

RANK = {name: n for n, name in enumerate(SLOTS)}
_EARLIEST = dt.datetime(1, 1, 2, tzinfo=SHANGHAI)
"""Events at the same moment are placed in the order of :data:`SLOTS`."""

IMPORTS_SUBJECT = "imports"
"""The subject of ``RECORDS_IMPORTED`` events."""

_READERS_NEEDING_VOCAB = {"outcome": Outcome, "mode": Mode, "class": EntityClass}


# --- what the ledger already holds --------------------------------------------------


def _moment_key(moment: dt.datetime) -> dt.datetime:
    """A moment as compared and hashed: aware (aware datetimes compare as instants;
    cheaper than ``timestamp()``, which the import would call a million times)."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=SHANGHAI)


@dataclass
class LedgerIndex:
    """What a ledger already holds, as far as an import needs it: events by (type,
    subject, moment) to leave duplicates out, each task's results (a correction names
    the one it corrects), the files imported (by SHA-256), and the last number."""

    by_moment: dict[tuple[str, str, dt.datetime], list[tuple[dict[str, Any], int]]] = field(
        default_factory=dict
    )
    results: dict[str, list[tuple[dt.datetime, int, int]]] = field(default_factory=dict)
    """task -> (moment, rank, seq) of its results"""
    imports: dict[str, int] = field(default_factory=dict)
    last_seq: int = 0
    head: str = GENESIS

    @classmethod
    def of(cls, events: Iterable[LedgerEvent]) -> LedgerIndex:
        index = cls()
        for event in events:
            index.add(event.type.value, event.subject, event.time, event.payload, event.seq)
            if event.type is T.RECORDS_IMPORTED:
                index.imports.setdefault(event.payload["sha256"], event.seq)
            index.last_seq, index.head = event.seq, event.hash
        return index

    def add(
        self, kind: str, subject: str, moment: dt.datetime, payload: dict[str, Any], seq: int
    ) -> None:
        at = _moment_key(moment)
        self.by_moment.setdefault((kind, subject, at), []).append((payload, seq))
        if kind == T.RESULT_RECORDED.value:
            self.results.setdefault(subject, []).append((at, RANK["RESULT_RECORDED"], seq))

    def find(
        self, kind: str, subject: str, moment: dt.datetime
    ) -> list[tuple[dict[str, Any], int]]:
        return self.by_moment.get((kind, subject, _moment_key(moment)), [])

    def last_result(self, subject: str, at: dt.datetime, rank: int) -> int | None:
        """The number of the task's latest result before (``at``, ``rank``)."""
        found = [(m, r, s) for m, r, s in self.results.get(subject, []) if (m, r) < (at, rank)]
        return max(found)[2] if found else None


# --- rows -------------------------------------------------------------------------------


@dataclass
class TableInfo:
    """One table read: which file (by index), its mapping's fit, the data rows read."""

    number: int
    file_number: int
    table: SourceTable
    rows: int = 0

    @property
    def where(self) -> str:
        return self.table.where

    def header(self, name: str) -> str:
        index = self.table.fit.columns.get(name)
        return self.table.headers[index] if index is not None else FIELDS[name].zh


@dataclass
class RowRecord:
    """One data row, read: its values by canonical field (dates as :data:`Moment`)."""

    info: TableInfo
    number: int
    task_id: str
    values: dict[str, Any]
    source: Provenance

    @property
    def key(self) -> tuple[int, int]:
        return (self.info.number, self.number)


@dataclass
class _Reader:
    mapping: Mapping
    empties: frozenset[str]
    vocabularies: dict[str, Vocabulary]

    @classmethod
    def of(cls, mapping: Mapping) -> _Reader:
        vocabularies = {}
        for name, spec in FIELDS.items():
            enum = _READERS_NEEDING_VOCAB.get(spec.kind) or (
                Withheld if spec.kind == "withheld" else None
            )
            if enum is not None:
                vocabularies[name] = Vocabulary(enum, mapping.values.get(name, {}))
        return cls(mapping, frozenset(mapping.empty), vocabularies)

    def value(self, name: str, raw: Any) -> Any:
        """A cell's value for field ``name``; None when blank; ``ValueError`` when bad."""
        if isinstance(raw, str):
            text = raw.strip()
            if not text or text in self.empties:
                return None
        elif raw is None:
            return None
        else:
            text = ""
        kind = FIELDS[name].kind
        if kind == "date":
            return parse_moment(raw)
        if kind == "uscc":
            return check_uscc(text or str(raw))
        text = text or str(raw)
        problem = text_problem(text)
        if problem:
            raise ValueError(problem)
        if kind == "text":
            return text
        if kind == "list":
            return split_items(text) if name == "items" else split_people(text)
        return self.vocabularies[name].read(text)


def _derived_id(values: dict[str, Any], names: list[str]) -> str | None:
    parts = []
    for name in names:
        value = values.get(name)
        if value is None:
            return None
        if FIELDS[name].kind == "date":
            parts.append(value[0].strftime("%Y%m%d"))
        elif isinstance(value, list):
            parts.append("+".join(value))
        else:
            parts.append(str(value))
    return "-".join(parts)


def read_rows(info: TableInfo, problems: list[Problem]) -> list[RowRecord]:
    """Every data row of a table, read; a problem for each bad cell (the row then left
    out of the records returned, its problems kept)."""
    table = info.table
    mapping = table.fit.mapping
    reader = _Reader.of(mapping)
    columns = list(table.fit.columns.items())
    derive = mapping.task_id_from
    out: list[RowRecord] = []
    for number, row in table.rows:
        info.rows += 1
        values: dict[str, Any] = {}
        bad = False
        for name, index in columns:
            raw = row[index] if index < len(row) else ""
            try:
                value = reader.value(name, raw)
            except ValueError as exc:
                problems.append(Problem(info.where, number, table.headers[index], str(exc)))
                bad = True
                continue
            if value is not None:
                values[name] = value
        task_id = values.get("task_id")
        if task_id is None and derive and not bad:
            task_id = _derived_id(values, derive)
        if task_id is None and not bad:
            if derive and "task_id" not in table.fit.columns:
                empty = [info.header(n) for n in derive if n not in values]
                reason = f"{'、'.join(empty)} empty: the task is named by {', '.join(derive)}"
                problems.append(Problem(info.where, number, empty[0], reason))
            else:
                problems.append(
                    Problem(info.where, number, info.header("task_id"), "the task id is empty")
                )
            bad = True
        if bad:
            continue
        assert task_id is not None
        source = Provenance(file=table.name, sheet=table.sheet, row=number)
        out.append(RowRecord(info, number, task_id, values, source))
    return out


# --- tasks --------------------------------------------------------------------------------


@dataclass
class Entry:
    """One result entry of a task: the result, when entered, and its correction."""

    row: RowRecord
    values: dict[str, Any]

    def same(self, other: Entry) -> bool:
        return self.values == other.values


@dataclass
class Task:
    task_id: str
    fields: dict[str, tuple[Any, RowRecord]] = field(default_factory=dict)
    present: set[str] = field(default_factory=set)
    """fields whose columns some row of the task had"""
    entries: list[Entry] = field(default_factory=list)

    def get(self, name: str) -> Any:
        found = self.fields.get(name)
        return None if found is None else found[0]

    def row_of(self, name: str) -> RowRecord | None:
        found = self.fields.get(name)
        return None if found is None else found[1]


def _shown(value: Any) -> str:
    if isinstance(value, tuple):  # a moment
        moment, has_time = value
        return str(moment.isoformat(sep=" ") if has_time else moment.date().isoformat())
    if isinstance(value, list):
        return "、".join(value)
    return str(value)


ENTRY_FIELDS = tuple(n for n, s in FIELDS.items() if s.scope == "entry")
TASK_FIELDS = tuple(n for n, s in FIELDS.items() if s.scope == "task" and n != "task_id")


def merge(rows: Iterable[RowRecord], problems: list[Problem]) -> dict[str, Task]:
    """Rows merged by task id; a row contradicting an earlier row of its task is a
    problem (and is left out)."""
    tasks: dict[str, Task] = {}
    for row in rows:
        task = tasks.get(row.task_id)
        if task is None:
            task = tasks[row.task_id] = Task(row.task_id)
        clashes = []
        for name in TASK_FIELDS:
            value = row.values.get(name)
            if value is None:
                continue
            earlier = task.fields.get(name)
            if earlier is not None and earlier[0] != value:
                first = earlier[1]
                clashes.append(
                    Problem(
                        row.info.where,
                        row.number,
                        row.info.header(name),
                        f"task {task.task_id}: {_shown(value)} here, but "
                        f"{_shown(earlier[0])} in {first.info.where} row {first.number}",
                    )
                )
        if clashes:
            problems.extend(clashes)
            continue
        for name in TASK_FIELDS:
            value = row.values.get(name)
            if value is not None and name not in task.fields:
                task.fields[name] = (value, row)
        task.present.update(row.info.table.fit.columns)
        entry_values = {n: row.values[n] for n in ENTRY_FIELDS if n in row.values}
        if entry_values:
            if "result" not in entry_values:
                given = "、".join(row.info.header(n) for n in entry_values)
                problems.append(
                    Problem(
                        row.info.where,
                        row.number,
                        row.info.header("result"),
                        f"the result is empty but {given} is given",
                    )
                )
                continue
            entry = Entry(row, entry_values)
            if not any(e.same(entry) for e in task.entries):
                task.entries.append(entry)
    return tasks


# --- events ---------------------------------------------------------------------------------


@dataclass
class Planned:
    """An event to append: what, when, from which row, and which payload fields the
    records actually gave (``known``: compared to leave out what the ledger holds)."""

    kind: EventType
    slot: str
    subject: str
    time: dt.datetime
    actor: str
    payload: dict[str, Any]
    row: RowRecord
    known: frozenset[str]
    refers: Planned | None = None
    """a correction's approval: the request it approves"""
    seq: int = 0
    new: bool = False
    model: Any = None

    @property
    def order(self) -> tuple[dt.datetime, int, int, int]:
        return (_moment_key(self.time), RANK[self.slot], *self.row.key)


def _at(moment: Moment, slot: str) -> dt.datetime:
    """When an event happened: the cell's time, or the date at the slot's time of day."""
    when, has_time = moment
    if has_time:
        return aware(when)
    return dt.datetime.combine(when.date(), SLOTS[slot], tzinfo=SHANGHAI)


def _team(task: Task) -> list[str]:
    """The task's inspectors, identified as well as the records allow: by 人员编号 (the
    registry's id), else 执法证号, else names."""
    for name in TEAM_FIELDS:
        people = task.get(name)
        if people:
            return list(people)
    return []


class _Builder:
    """The events of each task (see :func:`_task_events`)."""

    def __init__(self, default_actor: str, problems: list[Problem]) -> None:
        self.default_actor = default_actor
        self.problems = problems

    def problem(self, row: RowRecord, name: str | None, reason: str) -> None:
        column = row.info.header(name) if name else None
        self.problems.append(Problem(row.info.where, row.number, column, reason))

    def events(self, task: Task) -> list[Planned]:
        out: list[Planned] = []
        t = task.task_id
        team = _team(task)
        names = task.get("inspector_names") or []
        department = task.get("department")
        office = department or self.default_actor
        person = names[0] if names else (team[0] if team else office)
        inspection = task.get("inspection_date")
        completed = task.get("inspection_end") or inspection

        def add(
            kind: EventType,
            slot: str,
            moment: Moment,
            actor: str,
            payload: dict[str, Any],
            row: RowRecord,
            known: Iterable[str],
            subject: str = t,
        ) -> Planned:
            planned = Planned(
                kind, slot, subject, _at(moment, slot), actor, payload, row, frozenset(known)
            )
            out.append(planned)
            return planned

        def present(name: str) -> bool:
            return name in task.present

        # TASK_DISPATCHED: the dispatch date, else the earliest date the row has
        uscc_row = task.row_of("uscc")
        if uscc_row is not None:
            when = None
            for name in ("dispatch_date", "draw_date", "inspection_date", "inspection_end"):
                when = when or task.get(name)
            if when is None:
                dates = [e.values.get("result_date") for e in task.entries]
                dates += [task.get(n) for n in (*RECTIFICATION_FIELDS, "disclosure_date")]
                found = [d for d in dates if isinstance(d, tuple)]
                when = min(found, key=lambda m: aware(m[0])) if found else None
            if when is None:
                self.problem(
                    uscc_row,
                    None,
                    f"task {t}: no date (下达日期, 抽取日期, 检查日期, 结果录入日期 …) to place "
                    "its dispatch in time",
                )
            else:
                payload = {
                    "task_id": t,
                    "uscc": task.get("uscc"),
                    "entity_name": task.get("entity_name"),  # as the platform recorded it
                    "inspectors": team,
                    "entity_class": task.get("entity_class"),
                    "items": task.get("items") or [],
                    "mode": task.get("mode") or Mode.ON_SITE.value,
                    "draw_id": task.get("draw_id"),
                }
                known = {"task_id", "uscc"}
                known |= {"inspectors"} if team else set()
                known |= {k for k, f in (("entity_class", "entity_class"), ("items", "items"),
                          ("mode", "mode"), ("draw_id", "draw_id")) if present(f)}  # fmt: skip
                add(T.TASK_DISPATCHED, "TASK_DISPATCHED", when, office, payload, uscc_row, known)

        # INSPECTION_STARTED and _COMPLETED: the inspection date (and end date)
        if inspection is not None and completed is not None:
            row = task.row_of("inspection_date")
            assert row is not None
            inspectors = team or [NOT_RECORDED]
            mode = task.get("mode") or Mode.ON_SITE.value
            known = {"task_id"} | ({"inspectors"} if team else set())
            known |= {"mode"} if present("mode") else set()
            started = {"task_id": t, "mode": mode, "inspectors": inspectors}
            add(T.INSPECTION_STARTED, "INSPECTION_STARTED", inspection, person, started, row, known)
            done = {**started, "items": task.get("items") or []}
            known |= {"items"} if present("items") else set()
            add(T.INSPECTION_COMPLETED, "INSPECTION_COMPLETED", completed, person, done, row, known)

        # RESULT_RECORDED for each entry; a correction's request and approval before it
        fallback = completed
        first_problem: Planned | None = None
        first_result: Planned | None = None
        for entry in sorted(task.entries, key=lambda e: self._entry_order(e, fallback)):
            planned = self._entry(task, entry, fallback, person, office, add)
            if planned is None:
                continue
            first_result = first_result or planned
            if first_problem is None and planned.payload["outcome"] == Outcome.RECTIFY.value:
                first_problem = planned

        # RECTIFICATION_ORDERED and _COMPLETED
        rect = [n for n in RECTIFICATION_FIELDS if present(n)]
        given = [n for n in RECTIFICATION_FIELDS if task.get(n) is not None]
        if rect and (given or first_problem is not None):
            row = task.row_of(given[0]) if given else None
            row = row or (first_problem.row if first_problem else None)
            assert row is not None
            # without its own date, the order follows the result that found the problem
            ordered = task.get("rectification_ordered")
            after = first_problem or first_result
            if ordered is None and after is not None:
                ordered = (after.time, True)
            ordered = ordered or completed
            if ordered is None:
                self.problem(row, given[0] if given else None, f"task {t}: no date to place its "
                             "rectification order in time (责令整改日期, 检查结果 …)")  # fmt: skip
            else:
                parts = [task.get("rectification_requirement")]
                deadline = task.get("rectification_deadline")
                if deadline is not None:
                    parts.append(f"整改期限 {_shown(deadline)}")
                text = "；".join(p for p in parts if p) or None
                known = {"task_id"}
                if present("rectification_requirement") or present("rectification_deadline"):
                    known.add("requirement")
                payload = {"task_id": t, "requirement": text}
                add(T.RECTIFICATION_ORDERED, "RECTIFICATION_ORDERED", ordered, office, payload,
                    row, known)  # fmt: skip
            finished = task.get("rectification_completed")
            if finished is not None:
                done_row = task.row_of("rectification_completed")
                assert done_row is not None
                add(T.RECTIFICATION_COMPLETED, "RECTIFICATION_COMPLETED", finished, office,
                    {"task_id": t}, done_row, {"task_id"})  # fmt: skip

        # DISCLOSURE_PUBLISHED
        published = task.get("disclosure_date")
        if published is not None:
            row = task.row_of("disclosure_date")
            assert row is not None
            payload = {"task_ids": [t], "channel": task.get("disclosure_channel")}
            known = {"task_ids"} | ({"channel"} if present("disclosure_channel") else set())
            add(T.DISCLOSURE_PUBLISHED, "DISCLOSURE_PUBLISHED", published, office, payload, row,
                known)  # fmt: skip
        return out

    @staticmethod
    def _entry_order(entry: Entry, fallback: Moment | None) -> tuple[dt.datetime, int]:
        v = entry.values
        moment: Moment | None = (
            v.get("result_date")
            or v.get("correction_approved")
            or v.get("correction_requested")
            or fallback
        )
        slot = "CORRECTED_RESULT" if "correction_requested" in v else "RESULT_RECORDED"
        return (_at(moment, slot) if moment else _EARLIEST, RANK[slot])

    def _entry(
        self,
        task: Task,
        entry: Entry,
        fallback: Moment | None,
        person: str,
        office: str,
        add: Any,
    ) -> Planned | None:
        v, row, t = entry.values, entry.row, task.task_id
        requested: Moment | None = v.get("correction_requested")
        approved: Moment | None = v.get("correction_approved")
        corrected = requested is not None
        if requested is None:
            stray = [n for n in CORRECTION_FIELDS if n in v]
            if stray:
                self.problem(row, stray[0], "a correction without its request date (更正申请日期)")
                return None
        slot = "CORRECTED_RESULT" if corrected else "RESULT_RECORDED"
        moment: Moment | None = v.get("result_date") or approved or requested or fallback
        if moment is None:
            reason = f"task {t}: no date (结果录入日期 or 检查日期) to place the result in time"
            self.problem(row, "result", reason)
            return None
        if requested is not None:
            asked = _at(requested, "CORRECTION_REQUESTED")
            if approved is not None and _at(approved, "CORRECTION_APPROVED") < asked:
                self.problem(row, "correction_approved", "the correction is approved before "
                             "it was requested (更正申请日期)")  # fmt: skip
                return None
            if approved is None and "correction_approver" in v:
                self.problem(row, "correction_approver", "an approver without the approval "
                             "date (更正批准日期)")  # fmt: skip
                return None
            if _at(moment, slot) < asked:
                self.problem(row, "result_date", "the corrected result is entered before its "
                             "correction was requested (更正申请日期)")  # fmt: skip
                return None
            reason = v.get("correction_reason") or NOT_RECORDED
            known = {"task_id"} | ({"reason"} if "correction_reason" in v else set())
            asking = {"task_id": t, "result_seq": 0, "reason": reason}
            kind = T.CORRECTION_REQUESTED
            request = add(kind, "CORRECTION_REQUESTED", requested, person, asking, row, known)
            if approved is not None:
                approver = v.get("correction_approver") or NOT_RECORDED
                known = {"task_id"} | ({"approved_by"} if "correction_approver" in v else set())
                approval = add(T.CORRECTION_APPROVED, "CORRECTION_APPROVED", approved,
                               v.get("correction_approver") or office,
                               {"task_id": t, "request_seq": 0, "approved_by": approver}, row,
                               known)  # fmt: skip
                approval.refers = request
        payload = {
            "task_id": t,
            "outcome": v["result"],
            "facts": v.get("facts"),
            "handling": v.get("handling"),
            "withheld": v.get("withheld"),
        }
        present = row.info.table.fit.columns
        known = {"task_id", "outcome"} | {
            n for n in ("facts", "handling", "withheld") if n in present
        }
        planned: Planned = add(T.RESULT_RECORDED, slot, moment, person, payload, row, known)
        return planned


# --- placing ---------------------------------------------------------------------------------


@dataclass
class FileInfo:
    """One file of an import: what ``RECORDS_IMPORTED`` says of it."""

    number: int
    source: SourceFile = field(repr=False)
    mappings: list[str]
    shows: list[Evidence]
    rows: int = 0
    added: int = 0
    present: int = 0
    skipped: list[int] = field(default_factory=list)
    already: int | None = None
    """the number of the RECORDS_IMPORTED event that imported these bytes before"""

    @property
    def name(self) -> str:
        return self.source.path.name


@dataclass
class Plan:
    """What an import would do: every event in time order (``new`` ones to append), the
    problems, the rows left out, and what each file shows."""

    files: list[FileInfo]
    events: list[Planned]
    problems: list[Problem]
    skipped: list[Problem]
    warnings: list[str]
    imports: list[tuple[FileInfo, dict[str, Any]]]
    """(file, RECORDS_IMPORTED payload) to append after the events"""
    base: str = GENESIS
    """the head of the ledger planned against: the plan holds only on that ledger"""

    @property
    def added(self) -> list[Planned]:
        return [e for e in self.events if e.new]

    @property
    def present(self) -> int:
        return sum(1 for e in self.events if not e.new)

    @property
    def shows(self) -> list[Evidence]:
        found = {e for f in self.files for e in f.shows}
        return [e for e in Evidence if e in found]


def _agrees(stored: dict[str, Any], planned: dict[str, Any], known: frozenset[str]) -> bool:
    return all(stored.get(k) == planned.get(k) for k in known)


def place(events: list[Planned], index: LedgerIndex, problems: list[Problem]) -> list[Planned]:
    """``events`` in time order, each checked by its model, numbered as they will be
    appended after ``index.last_seq``; those the ledger holds marked not new."""
    events.sort(key=lambda e: e.order)
    seq = index.last_seq
    placed: list[Planned] = []
    for event in events:
        payload = event.payload
        if event.kind is T.CORRECTION_REQUESTED:
            at = _moment_key(event.time)
            target = index.last_result(event.subject, at, RANK[event.slot])
            if target is None:
                problems.append(
                    Problem(
                        event.row.info.where,
                        event.row.number,
                        event.row.info.header("correction_requested"),
                        f"task {event.subject}: a correction, but the task has no earlier "
                        "result to correct",
                    )
                )
                continue
            payload = {**payload, "result_seq": target}
        elif event.kind is T.CORRECTION_APPROVED:
            if event.refers is None or not event.refers.seq:
                continue  # its request was refused above: that problem is listed
            payload = {**payload, "request_seq": event.refers.seq}
        try:
            model = PAYLOADS[event.kind].model_validate({**payload, "source": event.row.source})
        except ValidationError as exc:
            problems.append(
                Problem(
                    event.row.info.where,
                    event.row.number,
                    None,
                    f"{event.kind.value} refused: {describe_errors(exc)}",
                )
            )
            continue
        data = dump_payload(model)
        event.payload, event.model = data, model
        for stored, number in index.find(event.kind.value, event.subject, event.time):
            if _agrees(stored, data, event.known):
                event.seq = number
                break
        else:
            seq += 1
            event.seq, event.new = seq, True
            index.add(event.kind.value, event.subject, event.time, data, seq)
        placed.append(event)
    index.last_seq = seq
    return placed


# --- the whole plan --------------------------------------------------------------------------


def plan_import(
    sources: Sequence[SourceFile],
    index: LedgerIndex,
    *,
    skip_bad_rows: bool,
    default_actor: str | None,
    problems: list[Problem],
) -> Plan:
    """Every step of the module's notes over ``sources``; ``problems`` holds the
    file-level problems found when opening them (they are never skipped)."""
    infos: list[TableInfo] = []
    files: list[FileInfo] = []
    for number, source in enumerate(sources):
        names = list(dict.fromkeys(t.fit.mapping.name for t in source.tables))
        present = {f for t in source.tables for f in t.fit.columns}
        files.append(FileInfo(number, source, names, shows(present)))
        for table in source.tables:
            infos.append(TableInfo(len(infos), number, table))
    row_problems: list[Problem] = []
    rows: list[RowRecord] = []
    for info in infos:
        rows.extend(read_rows(info, row_problems))
    for info in infos:
        files[info.file_number].rows += info.rows
    bad: set[tuple[str, int]] = set()
    seen: dict[Problem, None] = {}  # every problem of every pass, in order
    base = index
    while True:
        index = _copy(base)
        found = list(row_problems)
        kept = [r for r in rows if (r.info.where, r.number) not in bad]
        tasks = merge(kept, found)
        events: list[Planned] = []
        for task in tasks.values():
            events.extend(_Builder(_task_actor(task, default_actor), found).events(task))
        events.extend(_batches(tasks, default_actor))
        placed = place(events, index, found)
        seen.update(dict.fromkeys(found))
        newly = {(p.file, p.row) for p in found if p.row is not None} - bad
        if not found or not skip_bad_rows or not newly:
            break
        bad |= newly  # left out, the steps run again without them
    all_problems = problems + ([] if skip_bad_rows else found)
    skipped = list(seen) if skip_bad_rows else []
    by_file: dict[str, FileInfo] = {}
    for info in infos:
        by_file[info.where] = files[info.file_number]
    for problem in skipped:
        if problem.row is not None:
            owner = by_file.get(problem.file)
            if owner is not None and problem.row not in owner.skipped:
                owner.skipped.append(problem.row)
    for event in placed:
        owner = files[event.row.info.file_number]
        if event.new:
            owner.added += 1
        else:
            owner.present += 1
    plan = Plan(files, placed, all_problems, skipped, _warnings(placed, base), [], base.head)
    for file in files:
        file.skipped.sort()
        file.already = index.imports.get(file.source.sha256)
        if file.already is not None and not file.added:
            continue  # these bytes were imported before and add nothing now
        payload = {
            "file": file.name,
            "sha256": file.source.sha256,
            "mapping": ", ".join(file.mappings),
            "rows": file.rows,
            "events": file.added,
            "skipped_rows": file.skipped,
            "shows": [e.value for e in file.shows],
        }
        plan.imports.append((file, payload))
    return plan


def _batches(tasks: dict[str, Task], default_actor: str | None) -> list[Planned]:
    """Each draw batch (抽查批次) the records name, as the reveal of its list: the tasks
    drawn in it, on the day of the earliest of them (its 抽取日期, else the dispatch …).
    It is the platform's word, not a draw randcheck can verify: the audit says so."""
    batches: dict[str, list[Task]] = {}
    for task in tasks.values():
        draw = task.get("draw_id")
        if draw:
            batches.setdefault(str(draw), []).append(task)
    out: list[Planned] = []
    for draw, members in batches.items():
        moments = [
            moment
            for task in members
            for name in ("draw_date", "dispatch_date", "inspection_date", "inspection_end")
            if isinstance(moment := task.get(name), tuple)
        ]
        row = members[0].row_of("draw_id")
        if not moments or row is None:
            continue  # no date to place it (each task's dispatch says so)
        first = min(moments, key=lambda m: aware(m[0]))
        payload = {"draw_id": draw, "tasks": sorted(t.task_id for t in members)}
        actor = _task_actor(members[0], default_actor)
        out.append(
            Planned(
                EventType.DRAW_REVEALED,
                "DRAW_REVEALED",
                draw,
                _at(first, "DRAW_REVEALED"),
                actor,
                payload,
                row,
                frozenset({"draw_id", "tasks"}),
            )
        )
    return out


def _task_actor(task: Task, given: str | None) -> str:
    if given:
        return given
    rows = [r for _, r in task.fields.values()] + [e.row for e in task.entries]
    return rows[0].info.table.fit.mapping.default_actor if rows else "平台导入"


def _copy(index: LedgerIndex) -> LedgerIndex:
    return LedgerIndex(
        {k: list(v) for k, v in index.by_moment.items()},
        {k: list(v) for k, v in index.results.items()},
        dict(index.imports),
        index.last_seq,
        index.head,
    )


def _warnings(events: list[Planned], before: LedgerIndex) -> list[str]:
    """Results changed without an approved correction: kept as the records show them,
    and said (the audit judges them: results.immutable)."""
    out: list[str] = []
    results: dict[str, int] = {k: len(v) for k, v in before.results.items()}
    for event in events:
        if event.kind is not T.RESULT_RECORDED:
            continue
        earlier = results.get(event.subject, 0)
        results[event.subject] = earlier + 1
        if event.new and earlier and event.slot != "CORRECTED_RESULT":
            out.append(
                f"task {event.subject}: the result changed to {event.payload['outcome']} "
                f"({event.row.info.where} row {event.row.number}) without an approved "
                "correction; kept as recorded, for the audit to judge"
            )
        elif (
            event.new
            and earlier
            and not any(e.kind is T.CORRECTION_APPROVED and e.row is event.row for e in events)
        ):
            out.append(
                f"task {event.subject}: the result changed ({event.row.info.where} row "
                f"{event.row.number}) while its correction was not approved; kept as recorded"
            )
    return out


def problems_error(problems: Sequence[Problem], *, limit: int = 50) -> InputError:
    """Every problem, listed (the first ``limit``), as one error: nothing was imported."""
    n = len(problems)
    shown = "\n".join(f"  {p}" for p in problems[:limit])
    more = f"\n  … and {n - limit} more" if n > limit else ""
    rows = any(p.row is not None for p in problems)
    return ImportProblems(
        list(problems),
        f"{n} problem{'s' if n != 1 else ''} found; nothing was imported.\n{shown}{more}",
        hint="correct the rows listed, or give --skip-bad-rows (skip_bad_rows=True) to "
        "import the good rows and list the rows left out"
        if rows
        else "correct the files listed (a problem of a whole file is never skipped)",
    )


class ImportProblems(InputError):
    """The records had problems; nothing was imported. ``problems`` lists them all."""

    def __init__(self, problems: list[Problem], what: str, hint: str) -> None:
        self.problems = problems
        super().__init__(what, hint=hint)
