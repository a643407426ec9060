"""One judge per rule kind, found in one table.

:data:`JUDGES` maps each rule kind the verdict measures to the function that
measures it; :data:`NOT_MEASURED` maps the kinds it does not measure to the
reason shown beside them. Every kind of :data:`randcheck.policies.model.AnyRule`
is in exactly one of the two (a test holds this), so a new rule kind cannot
fall through unjudged. A judge may also decline a rule of its kind (return
``None``) when that rule sets nothing to measure, for example a ``Team`` rule
with no minimum size; the rule then gets its kind's ``NOT_MEASURED`` reason.

Population-wide arithmetic is done here in Python: quarterly shares per class,
yearly counts against the staff multiple, the joint-inspection share, the share
of results published, the same-item cap, dated obligations met (plans, draws,
reports) and coverage cycles. Per-record rules (deadlines, teams, the sealed
list, confidentiality, non-site mode) are judged on the violations that
:mod:`randcheck.audit.obligations` found through durable-rules.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeAlias

from randcheck.audit.facts import Facts, snapshot
from randcheck.audit.obligations import Violation
from randcheck.audit.verdict import RuleVerdict, Status
from randcheck.calendar import WorkingCalendar
from randcheck.ledger.events import EventType
from randcheck.periods import Quarter
from randcheck.policies.dates import cycle_of, instances
from randcheck.policies.describe import describe
from randcheck.policies.model import (
    AnyRule,
    Classification,
    ClassPrecedence,
    Confidential,
    CoverageCycle,
    CreditPush,
    DatedObligation,
    Deadline,
    Disclosure,
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
    Replacement,
    Requirement,
    ResultsImmutable,
    Rule,
    StaffMultiple,
    Team,
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

    @property
    def quarters_all(self) -> list[Quarter]:
        """The quarters judged: the one asked for, or the year's four."""
        return (
            [Quarter(self.year, self.quarter)]
            if self.quarter
            else list(Quarter(self.year, 1).year_quarters())
        )

    @property
    def quarters(self) -> list[Quarter]:
        """The judged quarters that have ended by ``as_of``."""
        return [q for q in self.quarters_all if q.end <= self.as_of]


Judge: TypeAlias = Callable[[Context, Any], RuleVerdict | None]


def _pct(x: float) -> str:
    return f"{x * 100:.1f} %"


# --- aggregates ------------------------------------------------------------------


def quarterly(ctx: Context, rule: QuarterlyShare | QuarterlyMinimum) -> RuleVerdict:
    """Entities drawn per quarter: a share of the class (with a registry snapshot), or a count."""
    if not ctx.quarters:
        return RuleVerdict(
            rule,
            Status.NOT_ENOUGH_DATA,
            required=describe(rule),
            note="no quarter of the period has ended",
        )
    cls = rule.entity_class.value
    parts, failing, missing_base = [], [], False
    for q in ctx.quarters:
        drawn = sum(
            1
            for t, day in ctx.facts.dispatched.items()
            if q.contains(day) and ctx.facts.class_of.get(t) == cls
        )
        if isinstance(rule, QuarterlyMinimum):
            parts.append(f"{q.label}: {drawn}")
            if drawn < rule.count:
                failing.append(q.label)
            continue
        snap = snapshot(ctx.facts, q.end)
        base = (snap or {}).get("class_counts", {}).get(cls)
        if not base:
            missing_base = True
            continue
        if rule.scope:
            return RuleVerdict(
                rule,
                Status.NOT_ENOUGH_DATA,
                required=describe(rule),
                note="the ledger does not record which entities are in the rule's scope",
            )
        parts.append(f"{q.label}: {drawn}/{base} = {_pct(drawn / base)}")
        if drawn < math.ceil(round(rule.min_fraction * base, 9)):
            failing.append(q.label)
    if missing_base and not parts:
        return RuleVerdict(
            rule,
            Status.NOT_ENOUGH_DATA,
            required=describe(rule),
            note="no registry snapshot with class counts before the quarter ended",
        )
    return RuleVerdict(
        rule, Status.FAIL if failing else Status.PASS, "; ".join(parts), describe(rule), failing
    )


def staff(ctx: Context, rule: StaffMultiple) -> RuleVerdict:
    """Entities of the class inspected in the year against a multiple of the staff."""
    end = dt.date(ctx.year, 12, 31)
    if ctx.as_of < end:
        return RuleVerdict(
            rule, Status.NOT_ENOUGH_DATA, required=describe(rule), note="the year is not over"
        )
    snap = snapshot(ctx.facts, end) or {}
    count = snap.get("on_staff_inspectors" if rule.basis == "on_staff" else "certified_inspectors")
    if count is None:
        return RuleVerdict(
            rule,
            Status.NOT_ENOUGH_DATA,
            required=describe(rule),
            note="no registry snapshot with the inspector count",
        )
    cls = rule.entity_class.value
    done = len(
        {
            ctx.facts.uscc_of[t]
            for t, day in ctx.facts.dispatched.items()
            if day.year == ctx.year and ctx.facts.class_of.get(t) == cls
        }
    )
    need = math.ceil(rule.multiple * count)
    return RuleVerdict(
        rule,
        Status.PASS if done >= need else Status.FAIL,
        f"{done} entities inspected",
        f">= {need} ({rule.multiple:g} x {count})",
    )


def joint(ctx: Context, rule: JointShare) -> RuleVerdict:
    """Joint inspections initiated against all inspections of the year."""
    own = sum(1 for day in ctx.facts.dispatched.values() if day.year == ctx.year)
    total = own + ctx.facts.joint
    if not total:
        return RuleVerdict(
            rule, Status.NOT_ENOUGH_DATA, required=describe(rule), note="no inspections"
        )
    share = ctx.facts.joint / total
    return RuleVerdict(
        rule,
        Status.PASS if share >= rule.min_fraction else Status.FAIL,
        f"{ctx.facts.joint} joint / {total} = {_pct(share)}",
        f">= {_pct(rule.min_fraction)}",
    )


def published(ctx: Context, rule: Disclosure) -> RuleVerdict | None:
    """The share of recorded results (not withheld) that were disclosed."""
    if not rule.published_share:
        return None
    due = [t for t in ctx.facts.results if t not in ctx.facts.withheld]
    if not due:
        return RuleVerdict(rule, Status.NOT_APPLICABLE, note="no result recorded yet")
    missing = sorted(t for t in due if t not in ctx.facts.disclosed)
    share = 1 - len(missing) / len(due)
    return RuleVerdict(
        rule,
        Status.PASS if share >= (rule.published_share or 0) else Status.FAIL,
        f"{len(due) - len(missing)}/{len(due)} = {_pct(share)}",
        describe(rule),
        missing,
    )


def cap(ctx: Context, rule: ItemCap) -> RuleVerdict:
    """Visits to one entity in the year against the cap."""
    per_entity: Counter[str] = Counter()
    for task, day in ctx.facts.completed.items():
        cls = ctx.facts.class_of.get(task)
        if day.year == ctx.year and cls not in {c.value for c in rule.exempt}:
            per_entity[ctx.facts.uscc_of.get(task, task)] += 1
    over = sorted(u for u, n in per_entity.items() if n > rule.max_per_year)
    most = max(per_entity.values(), default=0)
    return RuleVerdict(
        rule,
        Status.FAIL if over else Status.PASS,
        f"most visits to one entity: {most}",
        describe(rule),
        over,
    )


def dated(ctx: Context, rule: DatedObligation) -> RuleVerdict:
    """Each instance of a dated obligation due by ``as_of``, filed on time or not."""
    due_now = [
        (label, due)
        for label, due in instances(rule, ctx.year, ctx.quarters_all)
        if due <= ctx.as_of
    ]
    if not due_now:
        return RuleVerdict(
            rule, Status.NOT_APPLICABLE, required=describe(rule), note="nothing due yet"
        )
    late = [
        label for label, due in due_now if not _filed_by(ctx.facts, rule.obligation, label, due)
    ]
    measured = f"{len(due_now) - len(late)}/{len(due_now)} on time"
    return RuleVerdict(rule, Status.FAIL if late else Status.PASS, measured, describe(rule), late)


def _filed_by(facts: Facts, obligation: str, label: str, due: dt.date) -> bool:
    wanted = FILED[obligation]
    for kind, day, p in facts.filed:
        if kind is not wanted[0] or day > due:
            continue
        if wanted[1] is None or wanted[1](p, label):
            return True
    return False


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
    "quarterly_report": (EventType.REPORT_SUBMITTED, _report("QUARTERLY")),
    "monthly_dispatch": (EventType.REPORT_SUBMITTED, _report("MONTHLY_DISPATCH")),
    "yearly_report": (EventType.REPORT_SUBMITTED, _report("YEARLY")),
    "pool_update": (EventType.REGISTRY_SNAPSHOT, None),
    "inspector_count": (EventType.REGISTRY_SNAPSHOT, None),
    "result_entry": (EventType.RESULT_RECORDED, None),
    "disclosure": (EventType.DISCLOSURE_PUBLISHED, None),
    "rectification": (EventType.RECTIFICATION_COMPLETED, None),
}
"""Which event files each dated obligation, and which of its instances it files."""


def inspector_counts(ctx: Context, rule: Requirement) -> RuleVerdict | None:
    """Each inspector's count of completed inspections (the ``inspector_counts`` duty)."""
    if rule.topic != "inspector_counts":
        return None
    counts = ctx.facts.per_inspector
    if not counts:
        return RuleVerdict(rule, Status.NOT_ENOUGH_DATA, note="no inspection completed")
    measured = (
        f"{len(counts)} inspectors; {min(counts.values())}–{max(counts.values())} "
        "inspections each (see inspector_counts)"
    )
    return RuleVerdict(rule, Status.PASS, measured, "each inspector's count recorded")


def coverage(ctx: Context, rule: CoverageCycle) -> RuleVerdict | None:
    """Coverage in the cycle ending in or after the year: every operating member, M times."""
    if ctx.registry is None:
        return None
    registry = ctx.registry
    cycle = cycle_of(rule, ctx.policy, Quarter(ctx.year, 4))
    members = [
        u
        for u, c, s in zip(
            registry.column("uscc"),
            registry.column("entity_class"),
            registry.column("production_status"),
        )
        if c is rule.entity_class and s.operating
    ]
    seen: Counter[str] = Counter()
    for task, day in ctx.facts.completed.items():
        if cycle.start <= day <= cycle.end:
            seen[ctx.facts.uscc_of.get(task, "")] += 1
    short = sorted(u for u in members if seen[u] < rule.times)
    verdict = RuleVerdict(
        rule,
        Status.FAIL if short else Status.PASS,
        f"{len(members) - len(short)}/{len(members)} covered by {min(ctx.as_of, cycle.end)}",
        describe(rule),
        short,
        note=NOT_MEASURED[CoverageCycle],
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
        return {"list.off_list_task"}
    if isinstance(rule, ListFixed):
        return {"list.unapproved_change", "list.off_list_task"}
    if isinstance(rule, Replacement) and (rule.approval_by or rule.method == "drawn_again"):
        return {"list.unapproved_change"}
    if isinstance(rule, Confidential):
        return {"confidential.early_access"}
    if isinstance(rule, NonSite) and rule.on_site_allowed == "complaint_only":
        return {"non_site.on_site"}
    return None


def by_violations(ctx: Context, rule: AnyRule) -> RuleVerdict | None:
    """PASS when no violation of the rule's kinds was found, else FAIL naming the tasks."""
    kinds = violation_kinds(rule)
    if kinds is None:
        return None
    found = [v for v in ctx.violations if v.kind in kinds]
    at_fault = sorted({v.task_id for v in found})
    status = Status.FAIL if found else Status.PASS
    measured = (
        f"{len(found)} violation(s): " + ", ".join(sorted({v.kind for v in found}))
        if found
        else "no violation"
    )
    return RuleVerdict(rule, status, measured, describe(rule), at_fault)


JUDGES: dict[type[Rule], Judge] = {
    QuarterlyShare: quarterly,
    QuarterlyMinimum: quarterly,
    StaffMultiple: staff,
    JointShare: joint,
    Disclosure: published,
    ItemCap: cap,
    DatedObligation: dated,
    Requirement: inspector_counts,
    CoverageCycle: coverage,
    Deadline: by_violations,
    Team: by_violations,
    ListFixed: by_violations,
    Replacement: by_violations,
    Confidential: by_violations,
    NonSite: by_violations,
}
"""Rule kind -> its judge. A judge returning None leaves the rule NOT_APPLICABLE."""

NOT_MEASURED: dict[type[Rule], str] = {
    NotSpecified: "the document sets no number",
    NoMinimum: "no minimum is set",
    Requirement: "a duty randcheck records but does not measure",
    Classification: "a classification criterion (see `randcheck registry classify`)",
    ClassPrecedence: "a classification rule",
    CoverageCycle: "needs the registry's entity list (audit with --registry)",
    InspectorPool: "applied when teams are drawn",
    InspectorSelection: "applied when teams are drawn",
    CreditPush: "pushes happen outside the ledger",
    Disclosure: "phrases and withholding are applied when publishing",
    ResultsImmutable: "enforced by the ledger itself (a second result is refused)",
    Team: "recusal is applied when teams are drawn",
    Replacement: "no approver named: nothing to check",
    NonSite: "non-site supervision is allowed, not required",
}
"""Rule kind -> why a rule of it (or one its judge declines) is not measured."""


def judge(ctx: Context, rule: AnyRule) -> RuleVerdict:
    """The rule's verdict by its kind's judge, or NOT_APPLICABLE with the reason."""
    measure = JUDGES.get(type(rule))
    verdict = measure(ctx, rule) if measure else None
    if verdict is not None:
        return verdict
    return RuleVerdict(
        rule, Status.NOT_APPLICABLE, note=NOT_MEASURED.get(type(rule), "not measured")
    )
