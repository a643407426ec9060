"""Reading records and importing them: the functions the command line and the audit use.

- :func:`read_records`: the plan of an import (events, problems, evidence), touching
  no ledger;
- :func:`records_ledger`: an in-memory ledger filled from files (an outside auditor
  auditing a published disclosure table alone: ``randcheck audit --records``);
- :func:`import_records`: into a ledger, all or none, adding only what it lacks.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import gc
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from randcheck.errors import InputError, Problem
from randcheck.imports.mapping import Mapping, resolve_mapping
from randcheck.imports.plan import (
    IMPORTS_SUBJECT,
    LedgerIndex,
    Plan,
    plan_import,
    problems_error,
)
from randcheck.imports.sources import SourceFile, open_source
from randcheck.ledger.chain import LedgerEvent
from randcheck.ledger.events import SHANGHAI, EventType, RecordsImported
from randcheck.ledger.store import Ledger

IMPORTER = "randcheck ledger import"
"""The actor of ``RECORDS_IMPORTED`` when no ``actor`` is given."""


def _open_all(
    paths: Sequence[Path | str], mapping: Mapping | None
) -> tuple[list[SourceFile], list[Problem]]:
    """Every file opened; a problem for each that cannot be (all of them listed)."""
    sources: list[SourceFile] = []
    problems: list[Problem] = []
    seen: dict[str, Path] = {}
    for given in paths:
        path = Path(given)
        try:
            source = open_source(path, mapping)
        except InputError as exc:
            reason = exc.what + (f" ({exc.hint})" if exc.hint else "")
            problems.append(Problem(exc.where or str(path), None, None, reason))
            continue
        if source.sha256 in seen:
            problems.append(
                Problem(str(path), None, None, f"the same bytes as {seen[source.sha256]}")
            )
            continue
        seen[source.sha256] = path
        for table in source.tables:
            for field, first, second in table.fit.duplicates:
                problems.append(
                    Problem(
                        table.where,
                        table.header_row,
                        table.headers[second],
                        f"a second column for {field} (the first is {table.headers[first]!r}, "
                        f"column {first + 1}): which one holds the records is not clear",
                    )
                )
        sources.append(source)
    if not paths:
        problems.append(Problem("(no file)", None, None, "give at least one file to import"))
    return sources, problems


def read_records(
    paths: Sequence[Path | str],
    mapping: str | Mapping | None = None,
    *,
    skip_bad_rows: bool = False,
    ledger_events: Iterable[LedgerEvent] = (),
) -> Plan:
    """What importing ``paths`` would do, against a ledger holding ``ledger_events``
    (none: a new ledger). Nothing is written. ``plan.problems`` lists every problem
    (file, row, column, reason); with ``skip_bad_rows`` bad rows are left out and
    listed in ``plan.skipped`` instead (a problem of a whole file is never skipped).

    ``mapping``: a shipped mapping's name, a YAML file, a :class:`Mapping`, or None
    to pick, for each table, the shipped mapping its headers fit best. Who acts in an
    event: the inspector or department its row names, else the mapping's
    ``default_actor``.
    """
    chosen = resolve_mapping(mapping)
    with _bulk():
        sources, problems = _open_all(paths, chosen)
        index = LedgerIndex.of(ledger_events)
        return plan_import(
            sources, index, skip_bad_rows=skip_bad_rows, default_actor=None, problems=problems
        )


@contextlib.contextmanager
def _bulk() -> Iterator[None]:
    """No cyclic garbage collection while an import builds its millions of small objects
    (none of them cyclic garbage): each full collection would walk them all, again and
    again, for a third of the import's time."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def entries(plan: Plan, actor: str | None = None, now: dt.datetime | None = None) -> list[Any]:
    """The plan's new events, then one ``RECORDS_IMPORTED`` per file (its actor: who
    imports, default :data:`IMPORTER`), ready for :meth:`Ledger.append_many` (in that
    order: the numbers the plan gave them)."""
    out: list[Any] = [(e.kind, e.actor, e.model, e.subject, e.time) for e in plan.added]
    moment = now or dt.datetime.now(SHANGHAI).replace(microsecond=0)
    for _, payload in plan.imports:
        out.append(
            (
                EventType.RECORDS_IMPORTED,
                actor or IMPORTER,
                RecordsImported.model_validate(payload),
                IMPORTS_SUBJECT,
                moment,
            )
        )
    return out


def records_ledger(
    paths: Sequence[Path | str],
    mapping: str | Mapping | None = None,
    *,
    skip_bad_rows: bool = False,
    actor: str | None = None,
) -> tuple[Ledger, Plan]:
    """An in-memory ledger holding the records of ``paths`` (for an audit of records
    alone: nothing is written), and the plan that filled it. Its ``RECORDS_IMPORTED``
    events bear the time of the last record, so the same files give the same head (a
    fingerprint of what was judged). Problems raise
    :class:`~randcheck.imports.plan.ImportProblems` listing them all."""
    from randcheck.ledger.stores.memory import MemoryLedger

    plan = read_records(paths, mapping, skip_bad_rows=skip_bad_rows)
    if plan.problems:
        raise problems_error(plan.problems)
    ledger = MemoryLedger(", ".join(Path(p).name for p in paths))
    # dated by the records themselves, not the clock: the same files give the same head
    last = max((e.time for e in plan.added), default=None)
    ledger.append_many(entries(plan, actor, now=last))
    return ledger, plan


@dataclass
class ImportReport:
    """What an import did."""

    plan: Plan
    appended: list[LedgerEvent]

    @property
    def added(self) -> int:
        return len(self.plan.added)

    @property
    def present(self) -> int:
        return self.plan.present


def import_records(
    ledger: Ledger,
    paths: Sequence[Path | str],
    mapping: str | Mapping | None = None,
    *,
    skip_bad_rows: bool = False,
    actor: str | None = None,
) -> ImportReport:
    """Import ``paths`` into ``ledger``: all or none (one transaction), only the events
    it does not hold yet, then one ``RECORDS_IMPORTED`` per file (none for a file whose
    bytes were imported before and add nothing now). ``actor``: who imports. Problems
    raise :class:`~randcheck.imports.plan.ImportProblems` listing them all, and
    nothing is written.
    """
    plan = read_records(paths, mapping, skip_bad_rows=skip_bad_rows, ledger_events=ledger.events())
    return apply_plan(ledger, plan, actor)


def apply_plan(ledger: Ledger, plan: Plan, actor: str | None = None) -> ImportReport:
    """Append what ``plan`` adds to ``ledger``, the ledger it was planned against (its
    head is checked: a correction names its result by number). Problems in the plan
    raise :class:`~randcheck.imports.plan.ImportProblems` and nothing is written."""
    if plan.problems:
        raise problems_error(plan.problems)
    if ledger.readonly:
        raise InputError("the ledger was opened read-only; nothing can be imported into it")
    if ledger.head != plan.base:
        raise InputError(
            "the ledger changed after the import was prepared (another writer?)",
            where=str(ledger.path),
            hint="run the import again; run one import into a ledger at a time",
        )
    with _bulk():
        batch = entries(plan, actor)
        appended = ledger.append_many(batch) if batch else []
    return ImportReport(plan, appended)
