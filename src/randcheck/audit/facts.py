"""What the aggregates read from a ledger, gathered in one pass over its events."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from randcheck.audit.obligations import Monitor
from randcheck.ledger.chain import LedgerEvent
from randcheck.ledger.events import EventType


@dataclass
class Facts:
    """What the aggregates read from the ledger, gathered in one pass."""

    class_of: dict[str, str] = field(default_factory=dict)
    uscc_of: dict[str, str] = field(default_factory=dict)
    dispatched: dict[str, dt.date] = field(default_factory=dict)
    completed: dict[str, dt.date] = field(default_factory=dict)
    results: dict[str, str] = field(default_factory=dict)
    withheld: set[str] = field(default_factory=set)
    disclosed: set[str] = field(default_factory=set)
    joint: int = 0
    per_inspector: Counter[str] = field(default_factory=Counter)
    snapshots: list[tuple[dt.date, dict[str, Any]]] = field(default_factory=list)
    filed: list[tuple[EventType, dt.date, dict[str, Any]]] = field(default_factory=list)


def gather(events: Iterable[LedgerEvent], monitor: Monitor) -> Facts:
    facts = Facts()
    for event in events:
        monitor.feed(event)
        p, day, kind = event.payload, event.day, event.type
        if kind is EventType.TASK_DISPATCHED:
            facts.uscc_of[p["task_id"]] = p["uscc"]
            facts.dispatched[p["task_id"]] = day
            if p.get("entity_class"):
                facts.class_of[p["task_id"]] = p["entity_class"]
        elif kind is EventType.INSPECTION_COMPLETED:
            facts.completed[p["task_id"]] = day
            facts.per_inspector.update(p.get("inspectors", []))
        elif kind is EventType.RESULT_RECORDED:
            facts.results[p["task_id"]] = p["outcome"]
            if p.get("withheld"):
                facts.withheld.add(p["task_id"])
        elif kind is EventType.DISCLOSURE_PUBLISHED:
            facts.disclosed.update(p["task_ids"])
        elif kind is EventType.JOINT_INSPECTION_INITIATED:
            facts.joint += 1
        elif kind is EventType.REGISTRY_SNAPSHOT:
            facts.snapshots.append((day, p))
        if kind in (
            EventType.ITEM_LIST_PUBLISHED,
            EventType.PLAN_PUBLISHED,
            EventType.DRAW_SEALED,
            EventType.REPORT_SUBMITTED,
            EventType.REGISTRY_SNAPSHOT,
        ):
            facts.filed.append((kind, day, p))
    return facts


def snapshot(facts: Facts, by: dt.date) -> dict[str, Any] | None:
    """The last registry snapshot recorded on or before ``by``."""
    earlier = [p for day, p in facts.snapshots if day <= by]
    return earlier[-1] if earlier else None
