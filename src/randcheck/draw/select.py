"""The draw: which entities are inspected this quarter, and by whom.

Given a seed (see :mod:`randcheck.randomness`), everything here is a pure
function of the policy, the registry snapshot, the history and the period, so
anyone holding them can compute the same draw:

1. Eligibility. Per class: the entities of the policy's base (operating, 在产 or
   seasonal, unless its DrawBase rule takes in more, 西平 一(二)), inside the
   campaign's tag filter if there is one (获嘉 第十一条), under the item cap
   (本溪 七(一)4).
2. Quotas (:mod:`randcheck.draw.quotas`).
3. Ranking. Each class's eligible entities in consistent-sampling ticket order
   under the seed (:func:`randcheck.sampling.consistent_order`), in levels: those
   that must be drawn this quarter to fit the visits their coverage cycle still
   needs into the quarters left; then, where the class's share counts only the
   entities in a scope (睢县 三(二)1 国控级以上), in-scope entities until the
   share's number is reached; then the others not yet covered in their cycle;
   then the rest. The first ``quota`` are drawn (draw v2; v1, for older
   receipts, has only the levels of entities the cycle needs and the rest).
   Drawn entities meeting the policy's non-site criteria (获嘉 第十五条, 本溪
   七(三)) go to the non-site list.
4. Teams (:mod:`randcheck.draw.teams`), for on-site tasks, classes in the order
   key, special, general and entities in rank order: the inspectors of the pool
   (qualified per the policy; of the entity's division when inspectors carry
   one) in their own ticket order under ``seed + "|" + uscc``, skipping
   declared conflicts (the recusal is recorded) and those at capacity; the
   least-loaded are taken, ticket order breaking ties, so no inspector has more
   than one task above another where conflicts allow. Team size is the
   policy's (本溪: at least 2), else 2.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from randcheck.draw.history import History
from randcheck.draw.quotas import CLASS_ORDER, ClassPool, ClassQuota, CycleNeeds, compute_quota
from randcheck.draw.teams import TeamBuilder, TieOrder, eligible_inspectors, team_size
from randcheck.errors import DrawError
from randcheck.models import EntityClass
from randcheck.models.vocab import Mode
from randcheck.periods import Quarter
from randcheck.policies.model import (
    OPERATING_BASE,
    ItemCap,
    NonSite,
    Policy,
    QuarterlyShare,
    base_statuses,
)
from randcheck.registry import EntityFilter, Registry
from randcheck.sampling import order_distinct

DRAW_V1 = "randcheck-draw-v1"
"""Ranking in two levels: entities the coverage cycle still needs, then the rest."""
DRAW_V2 = "randcheck-draw-v2"
"""Ranking in three levels: entities that must be drawn this quarter for their cycle,
then the other entities the cycle still needs, then the rest (issue 13)."""
DRAW_VERSION = DRAW_V2
"""The version new draws use; receipts of every version in :data:`DRAW_VERSIONS` verify."""
DRAW_VERSIONS = (DRAW_V1, DRAW_V2)


@dataclass(frozen=True)
class Recusal:
    """An inspector passed over for a task because of a declared conflict."""

    inspector_id: str
    reason: str


@dataclass(frozen=True)
class Task:
    """One drawn entity: its class, how it is inspected, and its team."""

    task_id: str
    uscc: str
    entity_class: EntityClass
    mode: Mode
    rank: int
    uncovered: bool
    team: tuple[str, ...] = ()
    recusals: tuple[Recusal, ...] = ()
    due_now: bool | None = None
    """Drawn because its cycle needs it this quarter (draw v2; None under v1)."""

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "task_id": self.task_id,
            "uscc": self.uscc,
            "class": self.entity_class.value,
            "mode": self.mode.value,
            "rank": self.rank,
            "uncovered": self.uncovered,
        }
        if self.due_now is not None:
            data["due_now"] = self.due_now
        data["team"] = list(self.team)
        data["recusals"] = [vars(r) for r in self.recusals]
        return data


@dataclass
class DrawResult:
    """A draw: the quotas, the tasks in order, and the inputs it rests on."""

    policy_id: str
    policy_version: str
    period: Quarter
    jurisdiction: str | None
    quotas: list[ClassQuota]
    tasks: list[Task] = field(default_factory=list)

    def result_json(self) -> dict[str, Any]:
        """What the result digest covers: the tasks in order."""
        return {"tasks": [t.to_json() for t in self.tasks]}

    @property
    def on_site(self) -> list[Task]:
        return [t for t in self.tasks if t.mode is Mode.ON_SITE]

    @property
    def non_site(self) -> list[Task]:
        return [t for t in self.tasks if t.mode is Mode.NON_SITE]


def _rows(registry: Registry, jurisdiction: str | None) -> Sequence[int]:
    """The registry rows a draw looks at: its jurisdiction's, or all."""
    if jurisdiction is None:
        return range(registry.entity_count)
    return registry.rows_where("division_code", jurisdiction)


def _non_site(policy: Policy, registry: Registry, usccs: Iterable[str]) -> set[str]:
    """Those of ``usccs`` meeting any of the policy's non-site criteria."""
    tests = [
        (registry.column(c.field), c.truth())
        for rule in policy.rules_of(NonSite)
        for c in rule.any_of
    ]
    if not tests:
        return set()
    out: set[str] = set()
    for uscc in usccs:
        row = registry.row_of(uscc)
        if row is not None and any(truth[column[row]] for column, truth in tests):
            out.add(uscc)
    return out


def class_pools(
    policy: Policy,
    registry: Registry,
    period: Quarter,
    history: History,
    *,
    jurisdiction: str | None = None,
    campaign: EntityFilter | None = None,
) -> dict[EntityClass, ClassPool]:
    """Per class: operating entities and those eligible for this draw."""
    allowed = (
        set(registry.select(campaign)) if campaign is not None and not campaign.empty else None
    )
    cap = policy.one(ItemCap)
    capped: set[str] = set()
    if cap is not None:
        # One visit covers every item (一证式监管), so an entity's visits this year count.
        this_year = history.before(period.start).between(dt.date(period.year, 1, 1), period.start)
        capped = {u for u, n in this_year.items() if n >= cap.max_per_year}
    scope_rules = {r.entity_class: r.scope for r in policy.rules_of(QuarterlyShare) if r.scope}
    operating = base_statuses(policy)
    label = "operating" if set(operating) <= set(OPERATING_BASE) else "registered (not closed)"
    pools = {cls: ClassPool(in_scope={}, base_label=label) for cls in EntityClass}
    scope_flags: dict[EntityClass, dict[str, bool]] = {cls: {} for cls in EntityClass}
    scope_tests = {
        cls: [(registry.column(c.field), c.truth()) for c in scope]
        for cls, scope in scope_rules.items()
    }
    ids, classes = registry.column("uscc"), registry.column("entity_class")
    statuses = registry.column("production_status")
    for row in _rows(registry, jurisdiction):
        uscc, cls, status = ids[row], classes[row], statuses[row]
        if status not in operating:
            continue
        pool = pools[cls]
        pool.operating.append(uscc)
        if cls in scope_rules:
            scope_flags[cls][uscc] = all(truth[column[row]] for column, truth in scope_tests[cls])
        if allowed is not None and uscc not in allowed:
            continue
        if cap is not None and cls not in cap.exempt and uscc in capped:
            continue
        pool.eligible.append(uscc)
    for cls, flags in scope_flags.items():
        pools[cls].in_scope = flags
    return pools


def _ranked(
    eligible: Sequence[str],
    needs: CycleNeeds,
    seed: str,
    quota: int,
    v2: bool,
    scoped: tuple[Sequence[str], int] = ((), 0),
) -> list[str]:
    """The first ``quota`` eligible entities, level by level, ticket order within a level.

    v2: those the coverage cycle needs this quarter; then, where the class's share
    counts only the entities in its scope (睢县 三(二)1 国控级以上), in-scope entities
    until the share's number is reached (those the cycle needs first); then the others
    the cycle still needs; then the rest. v1: those the cycle still needs, then the
    rest. Consistent sampling orders a level as it would the whole, so only each
    level's first tickets are sorted.
    """
    in_scope, wanted = scoped if v2 else ((), 0)
    now = [u for u in eligible if u in needs.now] if v2 and needs.now else []
    first: list[str] = order_distinct(now, seed, quota) if now else []
    if wanted:
        taken = set(first)
        scope = set(in_scope)
        short = wanted - sum(1 for u in first if u in scope)
        for level in (
            [u for u in in_scope if u not in taken and u in needs.uncovered],
            [u for u in in_scope if u not in taken and u not in needs.uncovered],
        ):
            if short <= 0 or len(first) >= quota:
                break
            picked = order_distinct(level, seed, min(short, quota - len(first)))
            first += picked
            short -= len(picked)
    taken = set(first)
    rest_levels = (
        [
            [u for u in eligible if u in needs.uncovered and u not in taken],
            [u for u in eligible if u not in needs.uncovered and u not in taken],
        ]
        if needs.uncovered
        else [[u for u in eligible if u not in taken]]
    )
    for level in rest_levels:
        if len(first) >= quota:
            break
        first += order_distinct(level, seed, quota - len(first))
    return first


def plan_draw(
    policy: Policy,
    registry: Registry,
    period: Quarter,
    seed: str,
    *,
    history: History | None = None,
    jurisdiction: str | None = None,
    campaign: EntityFilter | None = None,
    capacity: int | None = None,
    departments: Sequence[str] = (),
    expertise: frozenset[str] = frozenset(),
    tie_order: TieOrder | None = None,
    algorithm: str = DRAW_VERSION,
) -> DrawResult:
    """The draw for ``period`` under ``seed``: quotas, ranked entities and teams.

    ``departments``: a joint inspection (获嘉 通知 二, 第十五条): entities drawn once,
    each team holding at least one inspector from every department's roster.
    ``expertise``: a campaign's wanted 业务专长 (获嘉 第十一条): inspectors with any
    of it are taken first.
    ``tie_order``: for simulation only, how inspectors of equal load are ordered
    for a task, given them and the entity's seed; the default, and the only order
    a receipt can carry, is their tickets under that seed.
    ``algorithm``: the draw version (:data:`DRAW_VERSIONS`); a receipt is verified
    under the version it names.
    """
    if algorithm not in DRAW_VERSIONS:
        raise DrawError(
            f"unknown draw algorithm {algorithm!r}",
            hint=f"randcheck knows {', '.join(DRAW_VERSIONS)}",
        )
    policy.check_in_force(period.year, period.quarter)
    history = history or History()
    pools = class_pools(
        policy, registry, period, history, jurisdiction=jurisdiction, campaign=campaign
    )
    inspectors = eligible_inspectors(
        policy, registry.inspectors_of_region(jurisdiction), jurisdiction
    )
    quotas: list[ClassQuota] = []
    drawn: list[tuple[str, EntityClass, int, bool, bool | None]] = []
    v2 = algorithm == DRAW_V2
    for cls in CLASS_ORDER:
        quota, needs = compute_quota(policy, cls, pools[cls], period, history, inspectors)
        quotas.append(quota)
        if quota.quota == 0:
            continue
        pool = pools[cls]
        share = policy.class_rule(QuarterlyShare, cls)
        scoped: tuple[list[str], int] = ([], 0)
        if share is not None and share.scope:
            term = next(t for t in quota.terms if t.rule_id == share.id)
            scoped = ([u for u in pool.eligible if pool.in_scope.get(u, False)], term.count)
        first = _ranked(pool.eligible, needs, seed, quota.quota, v2, scoped)
        drawn += [
            (u, cls, n, u in needs.uncovered, (u in needs.now) if v2 else None)
            for n, u in enumerate(first, start=1)
        ]
    non_site = _non_site(policy, registry, (uscc for uscc, *_ in drawn))
    label = f"{period.label}-{jurisdiction or 'ALL'}"
    result = DrawResult(policy.id, policy.version, period, jurisdiction, quotas)
    size = max(team_size(policy), len(departments))
    teams = TeamBuilder(inspectors, expertise, capacity, tie_order or order_distinct)
    for number, (uscc, cls, rank, uncovered_, now) in enumerate(drawn, start=1):
        task_id = f"{label}-{number:05d}"
        if uscc in non_site:
            result.tasks.append(
                Task(task_id, uscc, cls, Mode.NON_SITE, rank, uncovered_, due_now=now)
            )
            continue
        entity_seed = f"{seed}|{uscc}"
        recusals = tuple(
            Recusal(i, "declared conflict of interest (利害关系, 回避)")
            for i in teams.conflicted(uscc, entity_seed)
        )
        picked: list[str] = []
        for department in departments:
            member = next(
                (
                    i
                    for i in teams.candidates(uscc, entity_seed)
                    if teams.department_of[i] == department
                ),
                None,
            )
            if member is None:
                if teams.free_count(uscc) >= size:
                    raise DrawError(
                        f"no eligible inspector of department {department!r} for entity {uscc}",
                        hint="add that department's inspectors to the registry (部门 column)",
                    )
                break
            picked.append(member)
        for i in teams.candidates(uscc, entity_seed):
            if len(picked) >= size:
                break
            if i not in picked:
                picked.append(i)
        if len(picked) < size:
            raise DrawError(
                f"too few eligible inspectors for entity {uscc} (task {task_id}): "
                f"{teams.free_count(uscc)} available, a team needs {size}",
                hint="add qualified inspectors to the registry, raise their capacity, "
                "or check declared conflicts",
            )
        team = tuple(picked)
        teams.assign(team)
        result.tasks.append(
            Task(task_id, uscc, cls, Mode.ON_SITE, rank, uncovered_, team, recusals, now)
        )
    return result
