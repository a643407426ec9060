"""The draw: which entities are inspected this quarter, and by whom.

Given a seed (see :mod:`randcheck.randomness`), everything here is a pure
function of the policy, the registry snapshot, the history and the period, so
anyone holding them can compute the same draw:

1. Eligibility. Per class: operating entities (在产 or seasonal), inside the
   campaign's tag filter if there is one (获嘉 第十一条), under the item cap
   (本溪 七(一)4).
2. Quotas (:mod:`randcheck.engine.quotas`).
3. Ranking. Each class's eligible entities in consistent-sampling ticket order
   under the seed (:func:`randcheck.sampling.consistent_order`), those not yet
   covered in their cycle first; the first ``quota`` are drawn. Drawn entities
   meeting the policy's non-site criteria (获嘉 第十五条, 本溪 七(三)) go to the
   non-site list.
4. Teams, for on-site tasks, classes in the order key, special, general and
   entities in rank order: the inspectors of the pool (qualified per the policy;
   of the entity's division when inspectors carry one) in their own ticket
   order under ``seed + "|" + uscc``, skipping declared conflicts (the recusal
   is recorded) and those at capacity; the least-loaded are taken, ticket order
   breaking ties, so no inspector has more than one task above another where
   conflicts allow. Team size is the policy's (本溪: at least 2), else 2.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from randcheck.engine.history import History
from randcheck.engine.quotas import CLASS_ORDER, ClassPool, ClassQuota, compute_quota
from randcheck.errors import DrawError
from randcheck.models import EntityClass, Inspector, ProductionStatus
from randcheck.models.vocab import Mode, ReplacementReason
from randcheck.periods import Quarter
from randcheck.policies.model import (
    InspectorPool,
    ItemCap,
    ListFixed,
    NonSite,
    Policy,
    QuarterlyShare,
    Replacement,
    Team,
)
from randcheck.registry import EntityFilter, Registry
from randcheck.sampling import order_distinct

DRAW_VERSION = "randcheck-draw-v1"

TieOrder = Callable[[list[str], str], Iterable[str]]
"""(inspectors of equal load, the entity's seed) -> those inspectors in the order to take them."""
DEFAULT_TEAM_SIZE = 2


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

    def to_json(self) -> dict[str, Any]:
        return {
            "task_id": self.task_id,
            "uscc": self.uscc,
            "class": self.entity_class.value,
            "mode": self.mode.value,
            "rank": self.rank,
            "uncovered": self.uncovered,
            "team": list(self.team),
            "recusals": [vars(r) for r in self.recusals],
        }


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
    pools = {cls: ClassPool(in_scope={}) for cls in EntityClass}
    scope_flags: dict[EntityClass, dict[str, bool]] = {cls: {} for cls in EntityClass}
    scope_tests = {
        cls: [(registry.column(c.field), c.truth()) for c in scope]
        for cls, scope in scope_rules.items()
    }
    ids, classes = registry.column("uscc"), registry.column("entity_class")
    statuses = registry.column("production_status")
    operating = tuple(s for s in ProductionStatus if s.operating)
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


def eligible_inspectors(
    policy: Policy, inspectors: Sequence[Inspector], jurisdiction: str | None
) -> list[Inspector]:
    """The inspectors who may be drawn: qualified per the policy, of the jurisdiction."""
    rule = policy.one(InspectorPool)
    need_certificate = rule.require_certificate if rule else True
    need_on_staff = rule.require_on_staff if rule else True
    chosen = []
    for inspector in inspectors:
        if jurisdiction is not None and inspector.region not in (None, jurisdiction):
            continue
        if inspector.auxiliary:
            continue  # auxiliaries assist; they are not drawn as enforcement officers
        if need_certificate and not inspector.has_certificate:
            continue
        if need_on_staff and not inspector.on_staff:
            continue
        chosen.append(inspector)
    return chosen


def team_size(policy: Policy) -> int:
    rule = policy.one(Team)
    return rule.min_size if rule and rule.min_size else DEFAULT_TEAM_SIZE


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
) -> DrawResult:
    """The draw for ``period`` under ``seed``: quotas, ranked entities and teams.

    ``departments``: a joint inspection (获嘉 通知 二, 第十五条): entities drawn once,
    each team holding at least one inspector from every department's roster.
    ``expertise``: a campaign's wanted 业务专长 (获嘉 第十一条): inspectors with any
    of it are taken first.
    ``tie_order``: for simulation only, how inspectors of equal load are ordered
    for a task, given them and the entity's seed; the default, and the only order
    a receipt can carry, is their tickets under that seed.
    """
    history = history or History()
    pools = class_pools(
        policy, registry, period, history, jurisdiction=jurisdiction, campaign=campaign
    )
    inspectors = eligible_inspectors(
        policy, registry.inspectors_of_region(jurisdiction), jurisdiction
    )
    quotas: list[ClassQuota] = []
    drawn: list[tuple[str, EntityClass, int, bool]] = []
    for cls in CLASS_ORDER:
        quota, uncovered = compute_quota(policy, cls, pools[cls], period, history, inspectors)
        quotas.append(quota)
        if quota.quota == 0:
            continue
        # Those the coverage cycle needs now come first, each part in ticket order;
        # consistent sampling orders a part as it would the whole, so only the
        # quota's first tickets are sorted.
        eligible = pools[cls].eligible
        must = [u for u in eligible if u in uncovered] if uncovered else []
        first = order_distinct(must, seed, quota.quota)
        if len(first) < quota.quota:
            rest = [u for u in eligible if u not in uncovered] if uncovered else eligible
            first += order_distinct(rest, seed, quota.quota - len(first))
        drawn += [(u, cls, n, u in uncovered) for n, u in enumerate(first, start=1)]
    non_site = _non_site(policy, registry, (uscc for uscc, *_ in drawn))
    label = f"{period.label}-{jurisdiction or 'ALL'}"
    result = DrawResult(policy.id, policy.version, period, jurisdiction, quotas)
    size = max(team_size(policy), len(departments))
    teams = _Teams(inspectors, expertise, capacity, tie_order or order_distinct)
    for number, (uscc, cls, rank, uncovered_) in enumerate(drawn, start=1):
        task_id = f"{label}-{number:05d}"
        if uscc in non_site:
            result.tasks.append(Task(task_id, uscc, cls, Mode.NON_SITE, rank, uncovered_))
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
            Task(task_id, uscc, cls, Mode.ON_SITE, rank, uncovered_, team, recusals)
        )
    return result


class _Teams:
    """Inspectors grouped by (expertise unmatched, load), for least-loaded-first teams.

    A team is the free inspectors ordered by (unmatched, load, ticket under the
    entity's seed). Tickets are computed only for the groups that are reached:
    consistent sampling orders a group as it would the whole list.
    """

    def __init__(
        self,
        inspectors: Sequence[Inspector],
        expertise: frozenset[str],
        capacity: int | None,
        tie_order: TieOrder,
    ) -> None:
        self.capacity = capacity
        self.tie_order = tie_order
        self.department_of = {i.inspector_id: i.department for i in inspectors}
        self.load: Counter[str] = Counter()
        self.penalty = {
            i.inspector_id: (1 << 40) if expertise and not (i.expertise & expertise) else 0
            for i in inspectors
        }
        # Each level's inspectors in insertion order (a dict, not a set), so that
        # the order a tie_order receives is the same in every process.
        self.levels: dict[int, dict[str, None]] = {}
        for inspector_id, penalty in self.penalty.items():
            self.levels.setdefault(penalty, {})[inspector_id] = None
        self.conflicts: dict[str, list[str]] = {}
        for inspector in inspectors:
            for uscc in inspector.conflicts:
                self.conflicts.setdefault(uscc, []).append(inspector.inspector_id)

    def conflicted(self, uscc: str, entity_seed: str) -> list[str]:
        """Inspectors who declared a conflict with the entity, in its ticket order."""
        declared = self.conflicts.get(uscc)
        return order_distinct(declared, entity_seed) if declared else []

    def _free(self, inspectors: Iterable[str], uscc: str) -> list[str]:
        """Those of ``inspectors`` free for the entity: no declared conflict, under capacity."""
        excluded = self.conflicts.get(uscc, ())
        free = [i for i in inspectors if i not in excluded] if excluded else list(inspectors)
        if self.capacity is None:
            return free
        return [i for i in free if self.load[i] < self.capacity]

    def candidates(self, uscc: str, entity_seed: str) -> Iterator[str]:
        """Free inspectors for the entity: least loaded first, ticket order within a load."""
        for level in sorted(self.levels):
            yield from self.tie_order(self._free(self.levels[level], uscc), entity_seed)

    def free_count(self, uscc: str) -> int:
        return len(self._free(self.penalty, uscc))

    def assign(self, team: Sequence[str]) -> None:
        for i in team:
            level = self.penalty[i] + self.load[i]
            members = self.levels[level]
            del members[i]
            if not members:
                del self.levels[level]
            self.load[i] += 1
            self.levels.setdefault(level + 1, {})[i] = None


@dataclass(frozen=True)
class ReplacementRecord:
    """An inspector replaced after the draw, and how (获嘉 第十二条; 青岛 七(一); 本溪 七(二))."""

    task_id: str
    removed: str
    added: str
    reason: str
    method: str
    approved_by: str | None = None

    def to_json(self) -> dict[str, Any]:
        return dict(vars(self))


def replace_inspector(
    policy: Policy,
    registry: Registry,
    result: DrawResult,
    seed: str,
    task_id: str,
    removed: str,
    reason: ReplacementReason,
    *,
    approved_by: str | None = None,
    chosen: str | None = None,
) -> ReplacementRecord:
    """Replace ``removed`` on task ``task_id`` as the policy says; the task's team is updated.

    Drawn again: the next inspector in the entity's own ticket order who is
    eligible, free of conflict and not on the team. Chosen: ``chosen``, who must be
    eligible and free of conflict. Approval is required where the policy names an
    approver; the reason must be one the policy allows.
    """
    rule = policy.one(Replacement)
    fixed = policy.one(ListFixed)
    approver = (rule.approval_by if rule else None) or (
        fixed.changes_approved_by if fixed else None
    )
    index = next((n for n, t in enumerate(result.tasks) if t.task_id == task_id), None)
    if index is None:
        raise DrawError(f"no task {task_id} in this draw")
    task = result.tasks[index]
    if removed not in task.team:
        raise DrawError(f"{removed} is not on the team of task {task_id}")
    if rule is not None and rule.reasons and reason not in rule.reasons:
        allowed = ", ".join(r.label for r in rule.reasons)
        raise DrawError(
            f"{reason.label} is not a reason {policy.id} allows", hint=f"allowed: {allowed}"
        )
    if approver and not approved_by:
        source = f" ({rule.citation})" if rule else ""
        raise DrawError(
            f"replacing an inspector needs the approval of {approver}{source}",
            hint="give approved_by: who approved the change",
        )
    candidates = registry.inspectors_of_region(result.jurisdiction)
    pool = {i.inspector_id: i for i in eligible_inspectors(policy, candidates, result.jurisdiction)}
    busy = set(task.team)
    usable = [i for i in pool if i not in busy and task.uscc not in pool[i].conflicts]
    method = rule.method if rule else "drawn_again"
    if method == "drawn_again":
        order = order_distinct(usable, f"{seed}|{task.uscc}")
        if not order:
            raise DrawError(f"no eligible inspector left to replace {removed} on task {task_id}")
        added = order[0]
    else:
        if chosen is None:
            raise DrawError(f"{policy.id} replaces inspectors by choice: give the chosen inspector")
        if chosen not in usable:
            raise DrawError(
                f"{chosen} cannot join task {task_id}: not eligible, conflicted or on it"
            )
        added = chosen
    team = tuple(added if i == removed else i for i in task.team)
    result.tasks[index] = Task(
        task.task_id,
        task.uscc,
        task.entity_class,
        task.mode,
        task.rank,
        task.uncovered,
        team,
        task.recusals,
    )
    return ReplacementRecord(task_id, removed, added, reason.value, method, approved_by)
