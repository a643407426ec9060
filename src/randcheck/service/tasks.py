"""Tasks as the ledger tells them, and the rule that guards the sealed list.

A task's state (its team, whether it was dispatched, started, ended, its results) is
read from its events every time: the ledger is the only record, so two service
processes never disagree about it.

The sealed list: until a task's inspection starts (or its draw is revealed), which
entity it visits is shown only to the task's own team and to approvers, and every
read of it through the service is recorded in the ledger as ``LIST_ACCESSED``
(抽查名单查阅: who, in which role, when, why). Everyone else sees the task without
its entity, and the ledger's events with that entity withheld.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from randcheck.draw.history import History, Inspection
from randcheck.ledger.chain import LedgerEvent
from randcheck.ledger.events import AccessRole, EventType
from randcheck.ledger.store import Ledger
from randcheck.service.auth import Principal
from randcheck.service.roles import Role


@dataclass
class TaskState:
    """One dispatched task, as its events tell it."""

    task_id: str
    uscc: str
    mode: str
    draw_id: str | None = None
    period: str | None = None
    entity_class: str | None = None
    team: list[str] = field(default_factory=list)
    items: list[str] = field(default_factory=list)
    dispatched_at: dt.datetime | None = None
    started_at: dt.datetime | None = None
    completed_at: dt.datetime | None = None
    completed_items: list[str] = field(default_factory=list)
    results: list[int] = field(default_factory=list)
    rectification: str | None = None

    @property
    def status(self) -> str:
        if self.results:
            return "result_recorded"
        if self.completed_at is not None:
            return "completed"
        if self.started_at is not None:
            return "started"
        return "dispatched"

    def to_json(self) -> dict[str, Any]:
        """The task without its entity (see :func:`entity_visible`)."""
        return {
            "task_id": self.task_id,
            "draw_id": self.draw_id,
            "period": self.period,
            "mode": self.mode,
            "entity_class": self.entity_class,
            "team": list(self.team),
            "items": list(self.items),
            "status": self.status,
            "dispatched_at": _iso(self.dispatched_at),
            "started_at": _iso(self.started_at),
            "completed_at": _iso(self.completed_at),
            "results": list(self.results),
            "rectification": self.rectification,
        }


def _iso(moment: dt.datetime | None) -> str | None:
    return moment.isoformat() if moment else None


def apply(tasks: dict[str, TaskState], event: LedgerEvent) -> None:
    """Update ``tasks`` with one event (events in chain order)."""
    p = event.payload
    kind = event.type
    if kind is EventType.TASK_DISPATCHED:
        tasks[p["task_id"]] = TaskState(
            task_id=p["task_id"],
            uscc=p["uscc"],
            mode=p.get("mode", "ON_SITE"),
            draw_id=p.get("draw_id"),
            period=p.get("period"),
            entity_class=p.get("entity_class"),
            team=list(p.get("inspectors", [])),
            items=list(p.get("items", [])),
            dispatched_at=event.time,
        )
        return
    task = tasks.get(event.task_id or "")
    if task is None:
        return
    if kind is EventType.INSPECTOR_REPLACED:
        task.team = [p["added"] if i == p["removed"] else i for i in task.team]
    elif kind is EventType.INSPECTION_STARTED:
        task.started_at = task.started_at or event.time
    elif kind is EventType.INSPECTION_COMPLETED:
        task.completed_at = event.time
        task.completed_items = list(p.get("items", []))
    elif kind is EventType.RESULT_RECORDED:
        task.results.append(event.seq)
    elif kind is EventType.RECTIFICATION_ORDERED:
        task.rectification = "ordered"
    elif kind is EventType.RECTIFICATION_PROGRESS:
        task.rectification = task.rectification or "ordered"
    elif kind is EventType.RECTIFICATION_COMPLETED:
        task.rectification = "completed"


def tasks_from(events: Iterable[LedgerEvent]) -> dict[str, TaskState]:
    """Every dispatched task, in one pass over the events."""
    tasks: dict[str, TaskState] = {}
    for event in events:
        apply(tasks, event)
    return tasks


def task_of(ledger: Ledger, task_id: str) -> TaskState | None:
    """One task from its own events (None: never dispatched)."""
    tasks: dict[str, TaskState] = {}
    for event in ledger.events_for(task_id):
        apply(tasks, event)
    return tasks.get(task_id)


def revealed_draws(events: Iterable[LedgerEvent]) -> set[str]:
    return {e.payload["draw_id"] for e in events if e.type is EventType.DRAW_REVEALED}


def draw_revealed(ledger: Ledger, draw_id: str | None) -> bool:
    if draw_id is None:
        return False
    return any(e.type is EventType.DRAW_REVEALED for e in ledger.events_for(draw_id))


def sealed(task: TaskState, revealed: bool) -> bool:
    """Whether the task's entity is still kept from all but its team and approvers."""
    return task.started_at is None and not revealed


def access_role(task: TaskState, who: Principal) -> AccessRole:
    """The role a read of the task's entity is recorded with."""
    if who.role is Role.INSPECTOR and who.name in task.team:
        return AccessRole.TEAM
    if who.role is Role.APPROVER:
        return AccessRole.APPROVER
    return AccessRole.OTHER


def entity_visible(task: TaskState, who: Principal, revealed: bool) -> bool:
    """The rule: a sealed task's entity is shown to its team and to approvers only."""
    if not sealed(task, revealed):
        return who.role is not Role.PUBLIC
    return access_role(task, who) in (AccessRole.TEAM, AccessRole.APPROVER)


def record_reads(
    ledger: Ledger,
    reads: list[TaskState],
    who: Principal,
    purpose: str,
    moment: dt.datetime,
) -> list[LedgerEvent]:
    """``LIST_ACCESSED`` for every task whose entity is about to be shown: written before
    anything is shown, in one transaction, so no read goes unrecorded."""
    entries: list[tuple[Any, str, dict[str, Any], str | None, dt.datetime | None]] = [
        (
            EventType.LIST_ACCESSED,
            who.actor,
            {
                "draw_id": task.draw_id or task.task_id,
                "task_id": task.task_id,
                "role": access_role(task, who).value,
                "purpose": purpose,
            },
            task.task_id,
            moment,
        )
        for task in reads
    ]
    return ledger.append_many(entries) if entries else []


def history_from(events: Iterable[LedgerEvent]) -> History:
    """The inspections the ledger holds (each completed task: its entity, day, mode, items):
    the history a new draw rests on."""
    tasks: dict[str, TaskState] = {}
    done: list[Inspection] = []
    for event in events:
        apply(tasks, event)
        if event.type is EventType.INSPECTION_COMPLETED and event.task_id in tasks:
            task = tasks[event.task_id]
            done.append(
                Inspection(
                    uscc=task.uscc,
                    date=event.day,
                    mode=event.payload.get("mode", task.mode),
                    items=tuple(event.payload.get("items") or task.items),
                    task_id=task.task_id,
                )
            )
    return History(done)


def withheld(event: LedgerEvent, tasks: dict[str, TaskState], revealed: set[str]) -> dict[str, Any]:
    """An event as served by the ledger endpoint: a sealed task's dispatch with its entity
    withheld (``payload.uscc`` null, ``withheld`` naming it); every other event whole."""
    data = event.to_json()
    if event.type is EventType.TASK_DISPATCHED:
        task = tasks.get(event.payload["task_id"])
        if task is not None and sealed(task, task.draw_id in revealed):
            data["payload"] = {**data["payload"], "uscc": None}
            data["withheld"] = ["payload.uscc"]
    return data
