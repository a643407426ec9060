"""The built-in demo: one synthetic county and a reproducible quarter.

Everything is deterministic so the demo prints the same thing every run. The
demo's secrets are derived from fixed text: a real operator draws them from the
operating system (:func:`randcheck.randomness.new_secret`) and keeps them
secret until the inspections start.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any

from randcheck.draw.history import History, Inspection
from randcheck.draw.receipt import seal
from randcheck.draw.select import DrawResult
from randcheck.ledger.store import Ledger
from randcheck.periods import Quarter
from randcheck.policies.model import Policy
from randcheck.randomness import canonical_digest
from randcheck.registry import Registry

DEMO_SEED = "randcheck-demo"
DEMO_ENTITIES = 500
DEMO_INSPECTORS = 40


@cache
def demo_registry() -> Registry:
    """A county of 500 entities and 40 inspectors (seed ``randcheck-demo``)."""
    from randcheck.synth import generate_registry

    return generate_registry(DEMO_ENTITIES, DEMO_INSPECTORS, seed=DEMO_SEED, jurisdictions=1)


def demo_secret(period: Quarter) -> str:
    """A fixed secret per quarter, for the demo only."""
    return hashlib.sha256(f"{DEMO_SEED}|secret|{period.label}".encode()).hexdigest()


def demo_public_randomness(period: Quarter) -> str:
    """Twenty fixed 'dice' digits per quarter, for the demo only."""
    digest = hashlib.sha256(f"{DEMO_SEED}|dice|{period.label}".encode()).hexdigest()
    return str(int(digest, 16))[:20]


def demo_history(policy: Policy, registry: Registry, period: Quarter) -> History:
    """Inspections of the quarters before ``period``, drawn as the demo draws them.

    The quarters run from the start of the policy's first year (so coverage cycles
    have their past) to the quarter before ``period``.
    """
    history = History()
    current = Quarter(max(policy.effective_from.year, period.year - 2), 1)
    while current < period:
        _, result = seal(
            policy,
            registry,
            current,
            secret=demo_secret(current),
            public_randomness=demo_public_randomness(current),
            history=history,
        )
        middle = current.start + dt.timedelta(days=35)
        history = history + History(
            Inspection(
                uscc=t.uscc,
                date=middle + dt.timedelta(days=t.rank % 25),
                mode=t.mode,
                task_id=t.task_id,
            )
            for t in result.tasks
        )
        current = current.next()
    return history


@dataclass(frozen=True)
class Planted:
    """A fault the demo plants on purpose, and the violation that should catch it."""

    task_id: str
    kind: str
    what: str


def record_quarter(
    ledger: Ledger,
    policy: Policy,
    registry: Registry,
    period: Quarter,
    result: DrawResult,
    sealed: Mapping[str, Any] | None = None,
) -> list[Planted]:
    """Record the quarter's work in ``ledger``: on time, except a few planted faults.

    ``sealed``: the sealed receipt, whose commitment and digest the ``DRAW_SEALED``
    event records (without it, placeholders: a ledger for the audit alone).

    The faults are those the policy's own rules forbid: late result entries where
    it has a result-entry deadline, a late disclosure where it has a disclosure
    deadline, a replacement that breaks its replacement rule.
    """
    from randcheck.audit.obligations import Obligations
    from randcheck.calendar import default_calendar

    calendar = default_calendar()
    obligations = Obligations(policy, calendar)
    start = period.start

    def at(day: dt.date, hour: int = 10) -> dt.datetime:
        return dt.datetime(day.year, day.month, day.day, hour)

    def add(
        kind: str,
        actor: str,
        payload: dict[str, Any],
        when: dt.datetime,
        subject: str | None = None,
    ) -> None:
        ledger.append(kind, actor=actor, payload=payload, time=when, subject=subject)

    snapshot = registry.snapshot_payload()
    add(
        "REGISTRY_SNAPSHOT",
        "执法大队",
        snapshot,
        at(dt.date(period.year, 1, 10)),
        subject="registry",
    )
    add(
        "ITEM_LIST_PUBLISHED",
        "执法大队",
        {"items": [i.name for i in registry.items] or ["污染源日常监管"], "year": period.year},
        at(dt.date(period.year, 1, 3)),
        subject="items",
    )
    add(
        "REGISTRY_SNAPSHOT",
        "执法大队",
        snapshot,
        at(start + dt.timedelta(days=2)),
        subject="registry",
    )
    add(
        "PLAN_PUBLISHED",
        "执法大队",
        {"year": period.year, "quarter": period.quarter},
        at(start + dt.timedelta(days=2)),
        subject="plan",
    )
    add(
        "REPORT_SUBMITTED",
        "执法大队",
        {"kind": "QUARTERLY", "period": period.previous().label},
        at(start + dt.timedelta(days=4)),
        subject="reports",
    )
    add(  # 青岛 五: the quarterly report published on the bureau's website
        "REPORT_SUBMITTED",
        "宣教中心",
        {"kind": "QUARTERLY_PUBLISHED", "period": period.previous().label},
        at(start + dt.timedelta(days=6)),
        subject="reports",
    )
    add(
        "REPORT_SUBMITTED",
        "执法大队",
        {"kind": "QUARTERLY_PLAN", "period": period.label},
        at(start + dt.timedelta(days=3)),
        subject="reports",
    )
    draw_id = f"{period.label}-draw"
    add(
        "DRAW_SEALED",
        "执法大队",
        {
            "draw_id": draw_id,
            "period": period.label,
            "commitment": sealed["commitment"] if sealed else "0" * 64,
            "receipt_digest": canonical_digest(sealed) if sealed else "0" * 64,
        },
        at(start + dt.timedelta(days=6)),
    )
    add(
        "DRAW_REVEALED",
        "执法大队",
        {"draw_id": draw_id, "tasks": [t.task_id for t in result.tasks]},
        at(start + dt.timedelta(days=9)),
    )
    add(  # 本溪 七(二): the draw filed with the city's enforcement team
        "REPORT_SUBMITTED",
        "执法大队",
        {"kind": "DRAW_FILING", "period": period.label},
        at(start + dt.timedelta(days=9), 15),
        subject="reports",
    )
    for month in range(period.first_month, period.last_month + 1):
        previous = dt.date(period.year, month, 1) - dt.timedelta(days=1)
        add(
            "REPORT_SUBMITTED",
            "执法大队",
            {"kind": "MONTHLY_DISPATCH", "period": f"{previous.year}-{previous.month:02d}"},
            at(dt.date(period.year, month, 3)),
            subject="reports",
        )

    planted: list[Planted] = []
    on_site = [t for t in result.tasks if t.team]
    late_entry = {t.task_id for t in on_site[1:3]} if obligations.entry else set()
    late_disclosure = {on_site[4].task_id} if obligations.disclosure and len(on_site) > 4 else set()
    bad_change = (
        on_site[6].task_id
        if (obligations.approval_rule or obligations.redraw_rule) and len(on_site) > 6
        else None
    )
    # Inspections spread over the quarter so that every one, its result and its
    # disclosure are done by the 25th of the last month (本溪 六(一)2), planted faults apart.
    finish = dt.date(period.year, period.last_month, 25) - dt.timedelta(days=21)
    span = max(1, calendar.working_days_between(start + dt.timedelta(days=9), finish).days - 3)
    for n, task in enumerate(result.tasks):
        dispatched = start + dt.timedelta(days=9)
        add(
            "TASK_DISPATCHED",
            "执法大队",
            {
                "task_id": task.task_id,
                "uscc": task.uscc,
                "entity_name": registry.name_of(task.uscc),
                "inspectors": list(task.team),
                "entity_class": task.entity_class.value,
                "mode": task.mode.value,
                "draw_id": draw_id,
                "period": period.label,
            },
            at(dispatched),
        )
        if task.team:  # the team reads the list to prepare the visit, recorded with its role
            add(
                "LIST_ACCESSED",
                task.team[0],
                {
                    "draw_id": draw_id,
                    "task_id": task.task_id,
                    "role": "TEAM",
                    "purpose": "准备检查",
                },
                at(dispatched, 15),
                subject=task.task_id,
            )
        if task.task_id == bad_change:
            spare = next(
                i.inspector_id
                for i in registry.inspectors
                if i.inspector_id not in task.team and i.qualified
            )
            add(
                "INSPECTOR_REPLACED",
                "执法大队",
                {
                    "task_id": task.task_id,
                    "removed": task.team[0],
                    "added": spare,
                    "reason": "HEALTH",
                },
                at(dispatched + dt.timedelta(days=1)),
            )
            planted.append(
                Planted(
                    task.task_id,
                    "list.unapproved_change",
                    "an inspector swapped without approval or a new draw",
                )
            )
        day = calendar.add_working_days(dispatched, 3 + (n * 7) % span).date
        team = list(task.team) or ["非现场监控"]
        if task.task_id == bad_change:  # the swapped-in inspector went
            team = [spare, *team[1:]]
        add(
            "INSPECTION_STARTED",
            team[0],
            {"task_id": task.task_id, "inspectors": team, "mode": task.mode.value},
            at(day, 9),
        )
        add(
            "INSPECTION_COMPLETED",
            team[0],
            {"task_id": task.task_id, "inspectors": team, "mode": task.mode.value},
            at(day, 16),
        )
        entry = calendar.add_working_days(day, 9 if task.task_id in late_entry else 2).date
        if task.task_id in late_entry:
            planted.append(
                Planted(
                    task.task_id, "result_entry.late", "the result entered 9 working days after"
                )
            )
        outcome = "RECTIFY" if n % 6 == 5 else "NO_PROBLEM"
        add(
            "RESULT_RECORDED", team[0], {"task_id": task.task_id, "outcome": outcome}, at(entry, 11)
        )
        if outcome == "RECTIFY":
            add("RECTIFICATION_ORDERED", team[0], {"task_id": task.task_id}, at(entry, 12))
            add(
                "RECTIFICATION_COMPLETED",
                "中队",
                {"task_id": task.task_id},
                at(calendar.add_days(entry, 40).date),
            )
        published = calendar.add_working_days(
            entry, 30 if task.task_id in late_disclosure else 5
        ).date
        if task.task_id in late_disclosure:
            planted.append(
                Planted(
                    task.task_id, "disclosure.late", "the result published 30 working days later"
                )
            )
        add(
            "DISCLOSURE_PUBLISHED",
            "宣教中心",
            {"task_ids": [task.task_id]},
            at(published),
            subject=task.task_id,
        )
    # One joint task a quarter beside the department's own draw: a 50 % share of tasks
    # (获嘉 通知 二 counts tasks, 附件1 one own task a quarter).
    for k in range(1):
        add(
            "JOINT_INSPECTION_INITIATED",
            "执法大队",
            {
                "task_id": f"{period.label}-JOINT-{k + 1:04d}",
                "departments": ["生态环境", "市场监管"],
                "lead": "生态环境",
            },
            at(start + dt.timedelta(days=20)),
        )
    add(  # 青岛 二(二): the squads report their entity updates at the quarter's end
        "REPORT_SUBMITTED",
        "中队",
        {"kind": "SQUAD_QUARTER_END", "period": period.label},
        at(period.end - dt.timedelta(days=1)),
        subject="reports",
    )
    last = dt.date(period.year, period.last_month, 20)
    add(
        "REPORT_SUBMITTED",
        "执法大队",
        {"kind": "QUARTERLY_RESULTS", "period": period.label},
        at(last),
        subject="reports",
    )
    return sorted(planted, key=lambda p: (p.task_id, p.kind))
