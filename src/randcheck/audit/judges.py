"""One judge per rule kind, found in one table.

:data:`JUDGES` maps each rule kind the verdict measures to the function that
measures it; :data:`NOT_MEASURED` maps the kinds it does not measure to the
reason shown beside them. Every kind of :data:`randcheck.policies.model.AnyRule`
is in at least one of the two (a test holds this), so a new rule kind cannot
fall through unjudged. A judge may decline a rule of its kind (return ``None``)
when that rule sets nothing to measure, for example a ``Team`` rule with no
minimum size; the rule is then NOT_MEASURED with its kind's reason.

A judge says PASS or FAIL only on evidence that was present and measured:

- counts are of what happened: distinct entities inspected (an inspection ended
  or a result recorded) in the period, never tasks dispatched;
- without the evidence a measurement needs, the verdict is NOT_ENOUGH_DATA and
  says which evidence is missing (a registry snapshot, list-access records, the
  registry's positive-list flags …);
- NOT_APPLICABLE only when the rule does not apply to the period (nothing due
  yet, no problem found to rectify);
- a rule the records cannot show at all is NOT_MEASURED, with what a bureau
  would show instead.

Population-wide arithmetic is done here in Python: quarterly shares per class,
yearly counts against the staff multiple, the joint-inspection share, the share
of results published, the same-item cap, dated obligations met (plans, draws,
reports, the quarter's work) and coverage cycles. Per-record rules (deadlines,
teams, the sealed list, confidentiality, non-site mode, the random draw itself)
are judged on the violations :mod:`randcheck.audit.obligations` found through
durable-rules, for the tasks of the period.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from itertools import pairwise
from typing import Any, TypeAlias

from randcheck.audit.evidence import EVERYTHING, describe_lack, lacking
from randcheck.audit.facts import Facts, TaskFacts, per_inspector, snapshot
from randcheck.audit.obligations import Violation
from randcheck.audit.verdict import RuleVerdict, Status
from randcheck.calendar import WorkingCalendar
from randcheck.ledger.events import EventType
from randcheck.models.vocab import Evidence
from randcheck.periods import Quarter
from randcheck.policies.dates import cycle_of, instances
from randcheck.policies.describe import describe
from randcheck.policies.model import (
    OPERATING_BASE,
    AnyRule,
    Classification,
    ClassPrecedence,
    Confidential,
    CoverageCycle,
    CreditPush,
    DatedObligation,
    Deadline,
    Disclosure,
    DrawBase,
    InspectorPool,
    InspectorSelection,
    ItemCap,
    JointShare,
    ListFixed,
    NoMinimum,
    NonSite,
    NotSpecified,
    Policy,
    QuarterlyMinimum,
    QuarterlyShare,
    QuarterMonthDay,
    QuarterStartWithin,
    RandomDraw,
    Replacement,
    Requirement,
    ResultsImmutable,
    Rule,
    StaffMultiple,
    Strength,
    Team,
    YearlyDate,
    base_statuses,
    years_after,
)
from randcheck.registry import Registry


@dataclass
class Context:
    """What every judge reads: the policy, the ledger's facts and violations, the period."""

    policy: Policy
    facts: Facts
    violations: list[Violation]
    year: int
    quarter: int | None
    as_of: dt.date
    calendar: WorkingCalendar
    registry: Registry | None = None
    evidence: frozenset[Evidence] = EVERYTHING
    """What the records can show (:func:`randcheck.audit.evidence.shown_by`)."""

    def __post_init__(self) -> None:
        self.quarters_all = (
            [Quarter(self.year, self.quarter)]
            if self.quarter
            else list(Quarter(self.year, 1).year_quarters())
        )
        """The quarters judged: the one asked for, or the year's four."""
        self.quarters = [q for q in self.quarters_all if q.end <= self.as_of]
        """The judged quarters that have ended by ``as_of``."""
        self.start, self.end = self.quarters_all[0].start, self.quarters_all[-1].end
        self._tasks = [t for t in self.facts.tasks.values() if self.in_period(t.day)]

    def in_period(self, day: dt.date | None) -> bool:
        return day is not None and self.start <= day <= self.end

    def tasks(self) -> list[TaskFacts]:
        """The period's tasks: dispatched in it (or, with no dispatch, inspected in it)."""
        return self._tasks

    def inspected(self, start: dt.date, end: dt.date) -> list[TaskFacts]:
        """Tasks whose inspection happened from ``start`` to ``end``."""
        return [
            t
            for t in self.facts.tasks.values()
            if t.inspected is not None and start <= t.inspected <= end
        ]


Judge: TypeAlias = Callable[[Context, Any], RuleVerdict | None]


def _pct(x: float) -> str:
    return f"{x * 100:.1f} %"


def _tally(rule: AnyRule, total: int, at_fault: list[str], what: str, required: str) -> RuleVerdict:
    """PASS when nothing of ``total`` is at fault, else FAIL naming it; measured as a tally."""
    return RuleVerdict(
        rule,
        Status.FAIL if at_fault else Status.PASS,
        f"{total - len(at_fault)}/{total} {what}",
        required,
        sorted(at_fault),
    )


def _missing(rule: AnyRule, evidence: str) -> RuleVerdict:
    return RuleVerdict(rule, Status.NOT_ENOUGH_DATA, required=describe(rule), note=evidence)


# --- aggregates ------------------------------------------------------------------


def quarterly(ctx: Context, rule: QuarterlyShare | QuarterlyMinimum) -> RuleVerdict:
    """Distinct entities of the class inspected in each quarter: a share of the class's
    base (from a registry snapshot), or a count."""
    if not ctx.quarters:
        return _missing(rule, "no quarter of the period has ended")
    scoped: set[str] | None = None
    if isinstance(rule, QuarterlyShare) and rule.scope:
        if ctx.registry is None:
            fields = ", ".join(sorted({c.field for c in rule.scope}))
            return _missing(rule, f"who is in the rule's scope ({fields}): give --registry")
        scoped = _in_scope(ctx, rule)
    broad = not set(base_statuses(ctx.policy)) <= set(OPERATING_BASE)
    counts_key = "registered_counts" if broad else "class_counts"
    cls = rule.entity_class.value
    parts, failing, unknown_class, missing_base = [], [], 0, False
    for q in ctx.quarters:
        done = ctx.inspected(q.start, q.end)
        entities = {t.uscc for t in done if t.entity_class == cls}
        if scoped is not None:
            entities &= scoped
        unknown_class += sum(1 for t in done if t.entity_class is None)
        if isinstance(rule, QuarterlyMinimum):
            parts.append(f"{q.label}: {len(entities)} inspected")
            if len(entities) < rule.count:
                failing.append(q.label)
            continue
        base: int | None = (
            len(scoped)
            if scoped is not None
            else ((snapshot(ctx.facts, q.end) or {}).get(counts_key) or {}).get(cls)
        )
        if not base:
            missing_base = True
            continue
        parts.append(f"{q.label}: {len(entities)}/{base} = {_pct(len(entities) / base)}")
        if len(entities) < math.ceil(round(rule.min_fraction * base, 9)):
            failing.append(q.label)
    if missing_base and not parts:
        what = "in scope in the registry" if scoped is not None else f"{counts_key} by class"
        return _missing(
            rule,
            f"no base to measure on: no entities {what} (REGISTRY_SNAPSHOT by the quarter's end)",
        )
    if failing and unknown_class:
        return _missing(
            rule,
            f"{unknown_class} inspected task(s) carry no entity class (TASK_DISPATCHED."
            "entity_class): the shortfall may be theirs",
        )
    return RuleVerdict(
        rule, Status.FAIL if failing else Status.PASS, "; ".join(parts), describe(rule), failing
    )


def _in_scope(ctx: Context, rule: QuarterlyShare) -> set[str]:
    """Entities of the rule's class, in the policy's base, meeting all of its scope
    conditions, from the registry (睢县 三(二)1 国控级以上: control_level)."""
    assert ctx.registry is not None
    registry, base = ctx.registry, set(base_statuses(ctx.policy))
    tests = [(registry.column(c.field), c.truth()) for c in rule.scope]
    return {
        uscc
        for row, (uscc, cls, status) in enumerate(
            zip(
                registry.column("uscc"),
                registry.column("entity_class"),
                registry.column("production_status"),
            )
        )
        if cls is rule.entity_class
        and status in base
        and all(truth[column[row]] for column, truth in tests)
    }


def staff(ctx: Context, rule: StaffMultiple) -> RuleVerdict:
    """Distinct entities of the class inspected in the year against a multiple of the staff."""
    end = dt.date(ctx.year, 12, 31)
    if ctx.as_of < end:
        return _missing(rule, "the year is not over")
    snap = snapshot(ctx.facts, end) or {}
    if rule.of == "city":
        count = snap.get("city_on_staff_inspectors")
        if count is None:
            return _missing(
                rule,
                "the city's on-staff inspector count (REGISTRY_SNAPSHOT.city_on_staff_inspectors): "
                "the rule counts 全市, not one branch",
            )
    else:
        key = "on_staff_inspectors" if rule.basis == "on_staff" else "certified_inspectors"
        count = snap.get(key)
    if count is None:
        return _missing(rule, "no registry snapshot with the inspector count (REGISTRY_SNAPSHOT)")
    cls = rule.entity_class.value
    done = ctx.inspected(dt.date(ctx.year, 1, 1), end)
    entities = {t.uscc for t in done if t.entity_class == cls}
    need = math.ceil(rule.multiple * count)
    return RuleVerdict(
        rule,
        Status.PASS if len(entities) >= need else Status.FAIL,
        f"{len(entities)} entities inspected",
        f">= {need} ({rule.multiple:g} x {count})",
    )


def joint(ctx: Context, rule: JointShare) -> RuleVerdict:
    """Joint inspections initiated against all of the year's (获嘉 通知 二: tasks against
    tasks, its own work counted as the draws it made; the per-visit reading counts visits)."""
    joint_ = sum(1 for day in ctx.facts.joint if day.year == ctx.year)
    visits = sum(
        1 for t in ctx.facts.tasks.values() if t.day and t.day.year == ctx.year and not t.joint
    )
    if rule.counting == "tasks":
        own = sum(1 for _, period in ctx.facts.sealed.values() if period.startswith(str(ctx.year)))
        unit = "own draws (tasks)"
        if not own and visits:
            return _missing(
                rule,
                f"{visits} task(s) dispatched in {ctx.year} but no draw sealed (DRAW_SEALED): "
                "the department's own tasks are not recorded",
            )
    else:
        own, unit = visits, "own visits"
    total = own + joint_
    if not total:
        return _missing(
            rule, f"no draw sealed and no joint inspection initiated in {ctx.year} (DRAW_SEALED)"
        )
    share = joint_ / total
    return RuleVerdict(
        rule,
        Status.PASS if share >= rule.min_fraction else Status.FAIL,
        f"{joint_} joint / ({own} {unit} + {joint_} joint) = {_pct(share)}",
        f">= {_pct(rule.min_fraction)}",
    )


def unchanged(ctx: Context, rule: ResultsImmutable) -> RuleVerdict:
    """青岛 四 检查结果一经录入不得随意修改: every result of the period's tasks recorded once,
    or changed only after a correction was requested and approved. randcheck's own ledger
    refuses an unapproved change; a platform's imported records can show one."""
    tasks = [t for t in ctx.tasks() if t.result_seqs]
    if not tasks:
        return _missing(rule, "no inspection result recorded in the period (RESULT_RECORDED)")
    changed = [t.task_id for t in tasks if t.changed_unapproved]
    return _tally(
        rule,
        len(tasks),
        changed,
        "tasks' results unchanged or changed only with an approved correction",
        f"a result changed only after a written request approved by "
        f"{rule.correction_approved_by or 'the approver'}",
    )


def published(ctx: Context, rule: Disclosure) -> RuleVerdict | None:
    """The share of the period's recorded results (not withheld) that were disclosed."""
    if not rule.published_share:
        return None
    due = [t for t in ctx.tasks() if t.result is not None and not t.withheld]
    if not due:
        return _missing(rule, "no inspection result recorded in the period (RESULT_RECORDED)")
    missing = sorted(t.task_id for t in due if t.disclosed is None or t.disclosed > ctx.as_of)
    share = 1 - len(missing) / len(due)
    return RuleVerdict(
        rule,
        Status.PASS if share >= (rule.published_share or 0) else Status.FAIL,
        f"{len(due) - len(missing)}/{len(due)} = {_pct(share)}",
        describe(rule),
        missing,
    )


ALL_ITEMS = "(every item)"


def cap(ctx: Context, rule: ItemCap) -> RuleVerdict:
    """Inspections of one entity for one item in the year against the cap (本溪 七(一)4).

    An inspection that records no items counts against every item of the entity
    (one visit covers every item, 一证式监管)."""
    exempt = {c.value for c in rule.exempt}
    visits: dict[str, list[tuple[str, ...]]] = {}
    for task in ctx.inspected(dt.date(ctx.year, 1, 1), dt.date(ctx.year, 12, 31)):
        if task.entity_class not in exempt and task.uscc is not None:
            visits.setdefault(task.uscc, []).append(task.items)
    if not visits:
        return _missing(rule, f"no inspection of a capped class in {ctx.year}")
    over: list[str] = []
    most = 0
    for uscc, items in visits.items():
        counts: Counter[str] = Counter()
        for recorded in items:
            counts.update(recorded or (ALL_ITEMS,))
        wide = counts[ALL_ITEMS]
        per_item = {i: n + wide for i, n in counts.items() if i != ALL_ITEMS} or {ALL_ITEMS: wide}
        worst = max(per_item.values())
        most = max(most, worst)
        if worst > rule.max_per_year:
            over.append(uscc)
    return RuleVerdict(
        rule,
        Status.FAIL if over else Status.PASS,
        f"most inspections of one entity for one item: {most}",
        describe(rule),
        sorted(over),
    )


def _window_start(rule: DatedObligation, label: str, due: dt.date) -> dt.date | None:
    """The earliest day a filing with no period label counts for this instance: the first
    day of the month before the due date's (a pool update is reported at the quarter's
    end and filed within 15 days of the next, 青岛 二(二)/(三))."""
    if isinstance(rule.when, QuarterStartWithin | YearlyDate):
        first = due.replace(day=1)
        return (first - dt.timedelta(days=1)).replace(day=1)
    return None


def _filed_by(facts: Facts, rule: DatedObligation, label: str, due: dt.date) -> bool:
    wanted = FILED[rule.obligation]
    since = _window_start(rule, label, due) if wanted[1] is None else None
    for kind, day, p in facts.filed:
        if kind is not wanted[0] or day > due or (since is not None and day < since):
            continue
        if rule.obligation in FILED_WITH and p.get(FILED_WITH[rule.obligation]) is None:
            continue  # a snapshot that does not carry what this filing reports
        if wanted[1] is None or wanted[1](p, label):
            return True
    return False


def _quarter_done(ctx: Context, label: str, due: dt.date) -> bool | None:
    """本溪 六(一)2: the quarter's tasks inspected and their results published by ``due``;
    None when the quarter had no task."""
    quarter = Quarter.parse(label)
    tasks = [t for t in ctx.facts.tasks.values() if t.day and quarter.contains(t.day)]
    if not tasks:
        return None
    for t in tasks:
        if t.inspected is None or t.inspected > due:
            return False
        if not t.withheld and (t.disclosed is None or t.disclosed > due):
            return False
    return True


def dated(ctx: Context, rule: DatedObligation) -> RuleVerdict:
    """Each instance of a dated obligation due by ``as_of``, done on time or not."""
    in_force = [
        (label, due)
        for label, due in instances(rule, ctx.year, ctx.quarters_all, ctx.calendar)
        if ctx.policy.in_force(due)
    ]
    due_now = [(label, due) for label, due in in_force if due <= ctx.as_of]
    if not due_now:
        note = (
            "nothing due yet"
            if in_force
            else f"nothing due while in force ({ctx.policy.in_force_text})"
        )
        return RuleVerdict(rule, Status.NOT_APPLICABLE, required=describe(rule), note=note)
    if rule.obligation == "quarter_results" and isinstance(rule.when, QuarterMonthDay):
        done = {label: _quarter_done(ctx, label, due) for label, due in due_now}
        measured_ = {k: v for k, v in done.items() if v is not None}
        if not measured_:
            return _missing(rule, "no task dispatched in the quarter(s) due (TASK_DISPATCHED)")
        late = sorted(k for k, v in measured_.items() if not v)
        return RuleVerdict(
            rule,
            Status.FAIL if late else Status.PASS,
            f"{len(measured_) - len(late)}/{len(measured_)} quarter(s): every task inspected "
            "and its result published by the date",
            describe(rule),
            late,
        )
    late = [label for label, due in due_now if not _filed_by(ctx.facts, rule, label, due)]
    measured = f"{len(due_now) - len(late)}/{len(due_now)} on time"
    return RuleVerdict(rule, Status.FAIL if late else Status.PASS, measured, describe(rule), late)


def _report(kind: str) -> Any:
    return lambda p, label: p.get("kind") == kind and p.get("period") == label


FILED: dict[str, tuple[EventType, Any]] = {
    "item_list": (EventType.ITEM_LIST_PUBLISHED, lambda p, label: str(p.get("year")) == label),
    "annual_plan": (
        EventType.PLAN_PUBLISHED,
        lambda p, label: str(p.get("year")) == label and p.get("quarter") is None,
    ),
    "quarterly_plan": (
        EventType.PLAN_PUBLISHED,
        lambda p, label: f"{p.get('year')}Q{p.get('quarter')}" == label,
    ),
    "draw": (EventType.DRAW_SEALED, lambda p, label: p.get("period") == label),
    "quarter_results": (EventType.REPORT_SUBMITTED, _report("QUARTERLY_RESULTS")),
    "quarterly_plan_report": (EventType.REPORT_SUBMITTED, _report("QUARTERLY_PLAN")),
    "quarter_results_report": (EventType.REPORT_SUBMITTED, _report("QUARTERLY_RESULTS")),
    "squad_quarter_end": (EventType.REPORT_SUBMITTED, _report("SQUAD_QUARTER_END")),
    "quarterly_report": (EventType.REPORT_SUBMITTED, _report("QUARTERLY")),
    "monthly_dispatch": (EventType.REPORT_SUBMITTED, _report("MONTHLY_DISPATCH")),
    "yearly_report": (EventType.REPORT_SUBMITTED, _report("YEARLY")),
    "pool_update": (EventType.REGISTRY_SNAPSHOT, None),
    "inspector_count": (EventType.REGISTRY_SNAPSHOT, None),
    "result_entry": (EventType.RESULT_RECORDED, None),
    "disclosure": (EventType.DISCLOSURE_PUBLISHED, None),
    "rectification": (EventType.RECTIFICATION_COMPLETED, None),
}
"""Which event files each dated obligation, and which of its instances it files (a
filing with no label counts only inside its window: see :func:`_window_start`)."""

FILED_WITH: dict[str, str] = {
    # 青岛 二(三) 集中更新在编在岗执法人员总数: the count itself, not any snapshot
    "inspector_count": "on_staff_inspectors",
}
"""The payload field a filing must carry to file the obligation."""


def requirement(ctx: Context, rule: Requirement) -> RuleVerdict | None:
    """A requirement the records can show, by its topic (:data:`REQUIREMENT_TOPICS`);
    None for one they cannot."""
    measure = REQUIREMENT_TOPICS.get(rule.topic)
    return measure(ctx, rule) if measure else None


def _inspector_counts(ctx: Context, rule: Requirement) -> RuleVerdict:
    """获嘉 第十条(二) 建立检查人员年度检查次数标记制度: each inspection of the year names
    who made it, so each inspector's yearly count can be kept; one that names nobody
    cannot be counted to anyone."""
    done = [
        t
        for t in ctx.facts.tasks.values()
        if t.completed is not None and t.completed.year == ctx.year
    ]
    if not done:
        return _missing(rule, f"no inspection completed in {ctx.year} (INSPECTION_COMPLETED)")
    counts = per_inspector(ctx.facts, ctx.year)
    unnamed = sorted(t.task_id for t in done if not t.inspected_by)
    measured = (
        f"{len(counts)} inspectors; {min(counts.values())}–{max(counts.values())} "
        "inspections each (see inspector_counts)"
        if counts
        else "no inspector named"
    )
    if unnamed:
        measured += f"; {len(unnamed)} of {len(done)} inspection(s) name no inspector"
    status = Status.FAIL if unnamed else Status.PASS
    return RuleVerdict(
        rule, status, measured, "every inspection counted to its inspectors", unnamed
    )


def _entity_signature(ctx: Context, rule: Requirement) -> RuleVerdict:
    """青岛 四: the entity signs the record of each inspection."""
    done = [t for t in ctx.tasks() if t.completed is not None]
    if not done:
        return _missing(rule, "no inspection completed in the period (INSPECTION_COMPLETED)")
    unsigned = [t.task_id for t in done if t.signed_by_entity is False]
    return _tally(
        rule,
        len(done),
        unsigned,
        "records signed by the entity",
        "every inspection record signed by the entity",
    )


def _rectification_ordered(ctx: Context, rule: Requirement) -> RuleVerdict:
    """获嘉 第十八条: a problem found is ordered corrected (RECTIFICATION_ORDERED)."""
    results = [t for t in ctx.tasks() if t.result is not None]
    if not results:
        return _missing(rule, "no inspection result recorded in the period (RESULT_RECORDED)")
    problems = [t for t in results if t.result == "RECTIFY"]
    if not problems:
        return RuleVerdict(
            rule, Status.NOT_APPLICABLE, note="no problem found in the period's results"
        )
    unordered = sorted(t.task_id for t in problems if t.rectification_ordered is None)
    return _tally(
        rule,
        len(problems),
        unordered,
        "problems ordered corrected",
        "every problem found ordered corrected (责令改正)",
    )


def _flow_order(ctx: Context, rule: Requirement) -> RuleVerdict:
    """获嘉 第十七条: the steps in order: draw, dispatch, inspection, result, publication."""
    tasks = [t for t in ctx.tasks() if t.dispatched is not None]
    if not tasks:
        return _missing(rule, "no task dispatched in the period (TASK_DISPATCHED)")
    out_of_order = []
    for t in tasks:
        sealed = ctx.facts.sealed.get(t.draw_id or "", (None, ""))[0]
        steps = [sealed, t.dispatched, t.started or t.completed, t.completed, t.result_day,
                 t.disclosed]  # fmt: skip
        present = [d for d in steps if d is not None]
        if present != sorted(present):
            out_of_order.append(t.task_id)
    return _tally(
        rule,
        len(tasks),
        out_of_order,
        "tasks in the order of the flow",
        "draw, dispatch, inspection, result, publication, in that order",
    )


def _filed_for_each(ctx: Context, rule: Requirement) -> RuleVerdict:
    """A filing the text asks for each quarter, with no date: present by the audit date.

    本溪 七(二) "抽查结果报市执法队备案": each quarter's draw filed (DRAW_FILING);
    青岛 五 "宣教中心…向社会公示季度报表": each quarterly report filed, then published
    (QUARTERLY_PUBLISHED)."""
    reports = [(p.get("kind"), p.get("period")) for k, _, p in ctx.facts.filed
               if k is EventType.REPORT_SUBMITTED]  # fmt: skip
    if rule.topic == "draw_filing":
        wanted = sorted({period for _, period in ctx.facts.sealed.values()
                         if any(q.label == period for q in ctx.quarters_all)})  # fmt: skip
        kind, what = "DRAW_FILING", "draw sealed (DRAW_SEALED)"
    else:
        wanted = sorted({str(period) for kind_, period in reports if kind_ == "QUARTERLY"})
        kind, what = "QUARTERLY_PUBLISHED", "quarterly report filed (REPORT_SUBMITTED QUARTERLY)"
    if not wanted:
        return _missing(rule, f"no {what} in the period")
    missing = [p for p in wanted if (kind, p) not in reports]
    return RuleVerdict(
        rule,
        Status.FAIL if missing else Status.PASS,
        f"{len(wanted) - len(missing)}/{len(wanted)} filed by {ctx.as_of}",
        f"a {kind} report for each",
        missing,
    )


def _gap_coverage(ctx: Context, rule: CoverageCycle) -> RuleVerdict:
    """Per entity: no more than ``years`` years between its inspections, from when the rule
    applies to it (the policy in force, or its start 投产时间 if later) to the year's end or
    ``as_of``. Before the ledger's first record nothing is known."""
    assert ctx.registry is not None
    registry, base = ctx.registry, set(base_statuses(ctx.policy))
    until = min(ctx.as_of, dt.date(ctx.year, 12, 31))
    days: dict[str, list[dt.date]] = {}
    for t in ctx.facts.tasks.values():
        if t.uscc and t.inspected is not None and t.inspected <= until:
            days.setdefault(t.uscc, []).append(t.inspected)
    first_record = min(
        [d for _, d, _ in ctx.facts.filed] + [d for v in days.values() for d in v],
        default=until,
    )
    over, unknown, members = [], 0, 0
    starts = registry.column("production_start")
    in_force = ctx.policy.effective_from
    for row, (uscc, cls, status) in enumerate(
        zip(
            registry.column("uscc"),
            registry.column("entity_class"),
            registry.column("production_status"),
        )
    ):
        if cls is not rule.entity_class or status not in base:
            continue
        members += 1
        # the entity's clock starts when the rule applies to it: the policy in force,
        # or the entity started later; the ledger shows inspections from its first record
        clock = max(starts[row] or in_force, in_force)
        points = sorted(days.get(uscc, []))
        if first_record <= clock:
            points = [clock, *points]
        elif not points:
            if years_after(first_record, rule.years) < until:
                over.append(uscc)  # no inspection in more than the cycle of records
            else:
                unknown += 1
            continue
        if any(years_after(a, rule.years) < b for a, b in pairwise([*points, until])):
            over.append(uscc)
    measured = (
        f"{members - len(over) - unknown}/{members} within {rule.years} years of their last "
        f"inspection by {until}"
    )
    if over:
        return RuleVerdict(rule, Status.FAIL, measured, describe(rule), sorted(over))
    if unknown:
        return RuleVerdict(
            rule,
            Status.NOT_ENOUGH_DATA,
            measured,
            describe(rule),
            note=f"{unknown} entities not inspected in the ledger, whose records begin "
            f"{first_record}: the ledger must reach back {rule.years} years, or to the "
            "entity's start",
        )
    return RuleVerdict(rule, Status.PASS, measured, describe(rule))


def _list_and_plan(ctx: Context, rule: Requirement) -> RuleVerdict:
    """本溪 八(二): the year's item list and each ended quarter's plan published (及时: no
    date, so present by the audit date)."""
    published = {
        (k, str(p.get("year")), p.get("quarter"))
        for k, _, p in ctx.facts.filed
        if k in (EventType.ITEM_LIST_PUBLISHED, EventType.PLAN_PUBLISHED)
    }
    wanted = [(EventType.ITEM_LIST_PUBLISHED, str(ctx.year), None, str(ctx.year))] + [
        (EventType.PLAN_PUBLISHED, str(q.year), q.quarter, q.label) for q in ctx.quarters
    ]
    missing = [label for k, y, q, label in wanted if (k, y, q) not in published]
    return _tally(
        rule,
        len(wanted),
        missing,
        f"published by {ctx.as_of}",
        "the item list and each quarter's plan published",
    )


REQUIREMENT_TOPICS: dict[str, Callable[[Context, Requirement], RuleVerdict]] = {
    "inspector_counts": _inspector_counts,
    "entity_signature": _entity_signature,
    "rectification_ordered": _rectification_ordered,
    "flow_order": _flow_order,
    "draw_filing": _filed_for_each,
    "quarterly_report_published": _filed_for_each,
    "list_and_plan_published": _list_and_plan,
}
"""Requirement topic -> its measure; a topic not here is one the records cannot show."""


def coverage(ctx: Context, rule: CoverageCycle) -> RuleVerdict:
    """Coverage in the cycle ending in or after the year: every member of the base, M times
    (fixed windows); or, for a per-entity cycle, no gap longer than the cycle."""
    if ctx.registry is None:
        return _missing(rule, "the registry's entity list: audit with --registry")
    if rule.measure == "gap":
        return _gap_coverage(ctx, rule)
    registry, base = ctx.registry, set(base_statuses(ctx.policy))
    cycle = cycle_of(rule, ctx.policy, Quarter(ctx.year, 4))
    members = [
        u
        for u, c, s in zip(
            registry.column("uscc"),
            registry.column("entity_class"),
            registry.column("production_status"),
        )
        if c is rule.entity_class and s in base
    ]
    seen: Counter[str] = Counter(t.uscc for t in ctx.inspected(cycle.start, cycle.end) if t.uscc)
    short = sorted(u for u in members if seen[u] < rule.times)
    verdict = RuleVerdict(
        rule,
        Status.FAIL if short else Status.PASS,
        f"{len(members) - len(short)}/{len(members)} covered by {min(ctx.as_of, cycle.end)}",
        describe(rule),
        short,
    )
    if ctx.as_of < cycle.end:
        verdict.status, verdict.note = Status.NOT_ENOUGH_DATA, f"the cycle runs to {cycle.end}"
    return verdict


# --- per-record rules, judged on the violations durable-rules found ---------------


def violation_kinds(rule: AnyRule) -> set[str] | None:
    """The violation kinds (:mod:`randcheck.audit.obligations`) that break ``rule``, if any."""
    if isinstance(rule, Deadline):
        return {f"{rule.obligation}.late", f"{rule.obligation}.missing"}
    if isinstance(rule, Team) and rule.min_size:
        return {"team.too_small"}
    if isinstance(rule, ListFixed) and not rule.changes_approved_by:
        return {"list.off_list_task", "list.unapproved_change"}
    if isinstance(rule, ListFixed):
        return {"list.unapproved_change", "list.off_list_task"}
    if isinstance(rule, Replacement) and (rule.approval_by or rule.method == "drawn_again"):
        return {"list.unapproved_change"}
    if isinstance(rule, Confidential):
        return {"confidential.early_access"}
    if isinstance(rule, NonSite) and rule.on_site_allowed == "complaint_only":
        return {"non_site.on_site"}
    if isinstance(rule, RandomDraw):
        return {"task.not_drawn", "task.uninspected"}
    return None


def _evidence(ctx: Context, rule: AnyRule) -> str | None:
    """What a per-record rule needs to have been measured; None when it is there."""
    tasks = ctx.tasks()
    if not tasks:
        return "no task dispatched in the period (TASK_DISPATCHED)"
    if isinstance(rule, Deadline):
        if rule.obligation == "rectification":
            if not any(t.result is not None for t in tasks):
                return "no inspection result recorded in the period (RESULT_RECORDED)"
            return None  # results without a problem: see by_violations
        if rule.obligation == "disclosure" and rule.after == "task_completed":
            if not any(t.result is not None for t in tasks):
                return "no inspection result recorded in the period (RESULT_RECORDED)"
            return None
        if not any(t.completed is not None for t in tasks):
            return "no inspection completed in the period (INSPECTION_COMPLETED)"
    if isinstance(rule, Team) and not any(t.mode == "ON_SITE" for t in tasks):
        return "no on-site task dispatched in the period"
    if isinstance(rule, ListFixed) and not any(t.draw_id in ctx.facts.revealed for t in tasks):
        return "no task dispatched under a revealed draw (DRAW_REVEALED, TASK_DISPATCHED.draw_id)"
    if isinstance(rule, Confidential):
        draws = {t.draw_id for t in tasks if t.draw_id}
        if not any(p.get("draw_id") in draws for _, p in ctx.facts.access_records):
            return (
                "no record of who read the sealed list (LIST_ACCESSED): "
                "the confidentiality trail is missing"
            )
    if isinstance(rule, NonSite):
        if ctx.registry is None:
            return "positive-list flags: give --registry"
        if not any(t.started is not None or t.completed is not None for t in tasks):
            return "no inspection started in the period (INSPECTION_STARTED)"
    return None


def by_violations(ctx: Context, rule: AnyRule) -> RuleVerdict | None:
    """PASS when the period's tasks show no violation of the rule's kinds, FAIL naming them;
    NOT_ENOUGH_DATA when the records the rule needs are not there."""
    kinds = violation_kinds(rule)
    if kinds is None:
        return None
    found = [
        v
        for v in ctx.violations
        if v.kind in kinds
        and (v.task_id not in ctx.facts.tasks or ctx.in_period(ctx.facts.tasks[v.task_id].day))
    ]
    if not found and (missing := _evidence(ctx, rule)) is not None:
        return _missing(rule, missing)
    problems = ("RECTIFY", "CASE_FILED")
    if (
        not found
        and isinstance(rule, Deadline)
        and rule.obligation == "rectification"
        and not any(t.result in problems for t in ctx.tasks())
    ):
        return RuleVerdict(
            rule,
            Status.NOT_APPLICABLE,
            required=describe(rule),
            note="no problem found in the period's results: nothing to rectify",
        )
    at_fault = sorted({v.task_id for v in found})
    status = Status.FAIL if found else Status.PASS
    measured = (
        f"{len(found)} violation(s): " + ", ".join(sorted({v.kind for v in found}))
        if found
        else f"no violation in {len(ctx.tasks())} task(s)"
    )
    return RuleVerdict(rule, status, measured, describe(rule), at_fault)


JUDGES: dict[type[Rule], Judge] = {
    QuarterlyShare: quarterly,
    QuarterlyMinimum: quarterly,
    StaffMultiple: staff,
    JointShare: joint,
    Disclosure: published,
    ResultsImmutable: unchanged,
    ItemCap: cap,
    DatedObligation: dated,
    Requirement: requirement,
    CoverageCycle: coverage,
    Deadline: by_violations,
    Team: by_violations,
    ListFixed: by_violations,
    Replacement: by_violations,
    Confidential: by_violations,
    NonSite: by_violations,
    RandomDraw: by_violations,
}
"""Rule kind -> its judge. A judge returning None leaves the rule NOT_MEASURED."""

NOT_MEASURED: dict[type[Rule], str] = {
    NotSpecified: "the document sets no number: nothing to fail",
    NoMinimum: "no minimum is set",
    Requirement: "the records cannot show it",
    Classification: "a classification criterion, applied to the registry "
    "(randcheck registry classify)",
    ClassPrecedence: "a classification rule, applied to the registry",
    InspectorPool: "applied when teams are drawn (a receipt verifies it)",
    InspectorSelection: "applied when teams are drawn (a receipt verifies it)",
    CreditPush: "pushes happen in the credit publicity system, outside the ledger; "
    "a bureau shows that system's records",
    Disclosure: "phrases and withholding are applied when publishing (randcheck disclose)",
    Team: "recusal is applied when teams are drawn (a receipt records it)",
    Replacement: "no approver and no method named: nothing to check",
    NonSite: "non-site supervision is allowed, not required",
    DrawBase: "applied when drawing and in the base of shares and coverage",
}
"""Rule kind -> why a rule of it (or one its judge declines) is not measured."""


MEASURED_BY: dict[type[Rule], str] = {
    QuarterlyShare: "distinct entities of the class inspected each quarter, against the "
    "registry snapshot's count (or, with a scope, the registry's entities in it)",
    QuarterlyMinimum: "distinct entities of the class inspected each quarter",
    StaffMultiple: "distinct entities of the class inspected in the year, against the "
    "snapshot's inspector count",
    CoverageCycle: "each entity of the base (from --registry) inspected as often as the "
    "cycle asks, by the cycle's end",
    JointShare: "joint inspections initiated against own tasks (draws sealed) or visits",
    Disclosure: "results recorded in the period that were published",
    ItemCap: "inspections per entity and item in the year",
    DatedObligation: "the filing event by its date (one naming no period counts inside its window)",
    Deadline: "per task, durable-rules: the deadline counted from the inspection or "
    "result, on the official working-day calendar",
    Team: "per on-site task: the dispatched team's size",
    ListFixed: "per task: on the revealed list; the team unchanged without approval",
    Replacement: "per replacement: approval and method as the text says",
    Confidential: "per read of the sealed list (LIST_ACCESSED): who, in what role, "
    "before the inspection",
    NonSite: "per inspection of a positive-list entity (--registry): on site only on a complaint",
    RandomDraw: "per task: from a sealed and revealed draw, and inspected by its quarter's end",
    Requirement: "the records, where they can show it (inspector counts, the entity's signature)",
    ResultsImmutable: "per task: every result after the first follows an approved correction "
    "(randcheck's ledger refuses any other; imported records can show one)",
}
"""Rule kind -> how the verdict measures it, for the policy pages' fidelity tables."""


def measured_by(rule: AnyRule) -> str:
    """How the verdict measures ``rule`` (or why it does not), in a few words."""
    if isinstance(rule, Requirement) and rule.topic not in REQUIREMENT_TOPICS:
        return "not measured: " + _not_measured(rule).note
    if isinstance(rule, DatedObligation) and rule.obligation == "quarter_results":
        return "the quarter's tasks: each inspected, and its result published, by the date"
    if type(rule) in MEASURED_BY and not (
        (isinstance(rule, Disclosure) and not rule.published_share)
        or (isinstance(rule, Team) and not rule.min_size)
        or (isinstance(rule, NonSite) and rule.on_site_allowed != "complaint_only")
        or (isinstance(rule, Replacement) and violation_kinds(rule) is None)
    ):
        return MEASURED_BY[type(rule)]
    return "not measured: " + _not_measured(rule).note


def _not_measured(rule: AnyRule) -> RuleVerdict:
    reason = NOT_MEASURED.get(type(rule), "not measured")
    if isinstance(rule, NotSpecified):
        reason = f"the document sets no number ({rule.stated}): nothing to fail"
    if isinstance(rule, Requirement) and rule.evidence:
        reason = f"{reason}; a bureau shows instead: {rule.evidence}"
    return RuleVerdict(rule, Status.NOT_MEASURED, note=reason)


def _excuse(ctx: Context, verdict: RuleVerdict) -> RuleVerdict:
    """原则上: a miss whose reason was recorded (EXCEPTION_RECORDED) is excused."""
    rule = verdict.rule
    if rule.strength is not Strength.IN_PRINCIPLE or verdict.status is not Status.FAIL:
        return verdict
    reasons = {s: ctx.facts.exceptions.get((rule.id, s)) for s in verdict.subjects}
    excused = [s for s, why in reasons.items() if why]
    if not excused:
        return verdict
    left = [s for s in verdict.subjects if not reasons[s]]
    verdict.subjects = left
    verdict.note = (
        f"原则上: {len(excused)} exception(s) with a recorded reason "
        f"({', '.join(excused[:5])}{' …' if len(excused) > 5 else ''})"
    )
    if not left:
        verdict.status = Status.PASS
    return verdict


def _gate(ctx: Context, verdict: RuleVerdict) -> RuleVerdict:
    """A PASS or FAIL only on evidence the records show: records imported from elsewhere
    hold only their columns' evidence (:mod:`randcheck.audit.evidence`)."""
    if verdict.status not in (Status.PASS, Status.FAIL):
        return verdict
    missing = lacking(verdict.rule, ctx.evidence)
    if not missing:
        return verdict
    return RuleVerdict(
        verdict.rule,
        Status.NOT_ENOUGH_DATA,
        verdict.measured,
        verdict.required or describe(verdict.rule),
        note=describe_lack(missing),
    )


def _platform_draws(ctx: Context, verdict: RuleVerdict) -> RuleVerdict:
    """A task drawn by a platform (an imported draw batch) counts as drawn, on the
    platform's word: say so, since no commitment lets anyone verify that draw."""
    if not isinstance(verdict.rule, RandomDraw) or verdict.status not in (
        Status.PASS,
        Status.FAIL,
    ):
        return verdict
    on_word = sum(1 for t in ctx.tasks() if t.draw_id in ctx.facts.imported_draws)
    if on_word:
        said = (
            f"{on_word} task(s) drawn by the platform (imported draw records): their draws "
            "were not sealed with a commitment, so their randomness rests on its word"
        )
        verdict.note = f"{verdict.note}; {said}" if verdict.note else said
    return verdict


def judge(ctx: Context, rule: AnyRule) -> RuleVerdict:
    """The rule's verdict by its kind's judge, or NOT_MEASURED with the reason."""
    measure = JUDGES.get(type(rule))
    verdict = measure(ctx, rule) if measure else None
    if verdict is None:
        return _not_measured(rule)
    return _platform_draws(ctx, _gate(ctx, _excuse(ctx, verdict)))


def judge_all(ctx: Context, rules: Iterable[AnyRule]) -> list[RuleVerdict]:
    return [judge(ctx, rule) for rule in rules]
