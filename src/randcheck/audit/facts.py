"""What the aggregates read from a ledger, gathered in one pass over its events.

Counts are of what happened, not of what was planned: a task counts as an
inspection only once it was inspected (``INSPECTION_COMPLETED``, or a result
recorded for it), on the day it was; the same entity inspected twice in a period
is one entity inspected.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from randcheck.audit.obligations import Monitor
from randcheck.ledger.chain import LedgerEvent
from randcheck.ledger.events import EventType
from randcheck.models.vocab import NOT_RECORDED


@dataclass
class TaskFacts:
    """One task as the ledger tells it."""

    task_id: str
    uscc: str | None = None
    entity_class: str | None = None
    mode: str = "ON_SITE"
    draw_id: str | None = None
    joint: bool = False
    dispatched: dt.date | None = None
    items: tuple[str, ...] = ()
    started: dt.date | None = None
    completed: dt.date | None = None
    result: str | None = None
    result_day: dt.date | None = None
    withheld: bool = False
    disclosed: dt.date | None = None
    signed_by_entity: bool | None = None
    inspected_by: tuple[str, ...] = ()
    """The inspectors the inspection's record names (an import's placeholder left out)."""
    rectification_ordered: dt.date | None = None
    result_seqs: list[int] = field(default_factory=list)
    """Every RESULT_RECORDED of the task, by event number."""
    corrections: dict[int, int] = field(default_factory=dict)
    """CORRECTION_REQUESTED event number -> the result event it asks to correct."""
    approved: set[int] = field(default_factory=set)
    """The correction requests approved (CORRECTION_APPROVED)."""
    changed_unapproved: list[int] = field(default_factory=list)
    """Results recorded over an earlier one with no approved correction of it: only an
    imported record can show one (randcheck's own ledger refuses it)."""

    @property
    def inspected(self) -> dt.date | None:
        """The day the entity was inspected: the inspection's end, else its result's day."""
        return self.completed or self.result_day

    @property
    def day(self) -> dt.date | None:
        """The day the task belongs to a period by: its dispatch, else its inspection."""
        return self.dispatched or self.inspected


@dataclass
class Facts:
    """Everything the aggregates read, per task and per draw."""

    tasks: dict[str, TaskFacts] = field(default_factory=dict)
    joint: list[dt.date] = field(default_factory=list)
    sealed: dict[str, tuple[dt.date, str]] = field(default_factory=dict)
    revealed: dict[str, dt.date] = field(default_factory=dict)
    access_records: list[tuple[dt.date, dict[str, Any]]] = field(default_factory=list)
    snapshots: list[tuple[dt.date, dict[str, Any]]] = field(default_factory=list)
    filed: list[tuple[EventType, dt.date, dict[str, Any]]] = field(default_factory=list)
    exceptions: dict[tuple[str, str], str] = field(default_factory=dict)
    imported_draws: set[str] = field(default_factory=set)
    """Draws known only from an imported record (a platform's draw batch), not sealed."""

    def task(self, task_id: str) -> TaskFacts:
        found = self.tasks.get(task_id)
        if found is None:
            found = self.tasks[task_id] = TaskFacts(task_id)
        return found


FILED_KINDS = (
    EventType.ITEM_LIST_PUBLISHED,
    EventType.PLAN_PUBLISHED,
    EventType.DRAW_SEALED,
    EventType.REPORT_SUBMITTED,
    EventType.REGISTRY_SNAPSHOT,
)


def gather(events: Iterable[LedgerEvent], monitor: Monitor) -> Facts:
    """Feed every event to the per-record ``monitor`` and gather the facts in one pass."""
    facts = Facts()
    for event in events:
        monitor.feed(event)
        p, day, kind = event.payload, event.day, event.type
        if kind is EventType.TASK_DISPATCHED:
            task = facts.task(p["task_id"])
            task.uscc, task.dispatched = p["uscc"], task.dispatched or day
            task.entity_class = p.get("entity_class") or task.entity_class
            task.mode = p.get("mode") or task.mode
            task.draw_id, task.joint = p.get("draw_id"), bool(p.get("joint"))
            task.items = tuple(p.get("items") or ())
        elif kind is EventType.INSPECTION_STARTED:
            task = facts.task(p["task_id"])
            task.started = task.started or day
        elif kind is EventType.INSPECTION_COMPLETED:
            task = facts.task(p["task_id"])
            if task.completed is None:
                task.completed = day
                task.inspected_by = tuple(i for i in p.get("inspectors", []) if i != NOT_RECORDED)
            task.items = tuple(p.get("items") or ()) or task.items
            task.signed_by_entity = bool(p.get("signed_by_entity", True))
        elif kind is EventType.RESULT_RECORDED:
            task = facts.task(p["task_id"])
            task.result, task.withheld = p["outcome"], bool(p.get("withheld"))
            task.result_day = task.result_day or day
            if task.result_seqs:
                last = task.result_seqs[-1]
                if not any(
                    target == last and request in task.approved
                    for request, target in task.corrections.items()
                ):
                    task.changed_unapproved.append(event.seq)
            task.result_seqs.append(event.seq)
        elif kind is EventType.CORRECTION_REQUESTED:
            facts.task(p["task_id"]).corrections[event.seq] = p["result_seq"]
        elif kind is EventType.CORRECTION_APPROVED:
            facts.task(p["task_id"]).approved.add(p["request_seq"])
        elif kind is EventType.RECTIFICATION_ORDERED:
            task = facts.task(p["task_id"])
            task.rectification_ordered = task.rectification_ordered or day
        elif kind is EventType.DISCLOSURE_PUBLISHED:
            for task_id in p["task_ids"]:
                task = facts.task(task_id)
                task.disclosed = task.disclosed or day
        elif kind is EventType.JOINT_INSPECTION_INITIATED:
            facts.joint.append(day)
        elif kind is EventType.DRAW_SEALED:
            facts.sealed[p["draw_id"]] = (day, p["period"])
        elif kind is EventType.DRAW_REVEALED:
            facts.revealed.setdefault(p["draw_id"], day)
            if p.get("source") is not None:
                facts.imported_draws.add(p["draw_id"])
        elif kind is EventType.LIST_ACCESSED:
            facts.access_records.append((day, p))
        elif kind is EventType.REGISTRY_SNAPSHOT:
            facts.snapshots.append((day, p))
        elif kind is EventType.EXCEPTION_RECORDED:
            for subject in p["subjects"]:
                facts.exceptions[(p["rule_id"], subject)] = p["reason"]
        if kind in FILED_KINDS:
            facts.filed.append((kind, day, p))
    return facts


def snapshot(facts: Facts, by: dt.date) -> dict[str, Any] | None:
    """The last registry snapshot recorded on or before ``by``."""
    earlier = [p for day, p in facts.snapshots if day <= by]
    return earlier[-1] if earlier else None


def per_inspector(facts: Facts, year: int) -> Counter[str]:
    """Each inspector's inspections completed in ``year`` (获嘉 第十条(二) 年度检查次数)."""
    return Counter(
        i
        for t in facts.tasks.values()
        if t.completed is not None and t.completed.year == year
        for i in t.inspected_by
    )
