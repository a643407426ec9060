"""The verdict: every rule of a policy judged against a ledger, citing its clause.

Per-record rules come from :mod:`randcheck.engine.obligations` (durable-rules);
population-wide arithmetic is done here in Python: quarterly shares per class,
yearly counts against the staff multiple, the joint-inspection share, the
share of results published, the same-item cap, and dated obligations met
(plans, draws, reports). Each rule gets one status:

- ``PASS`` / ``FAIL``: measured against what the rule requires;
- ``NOT_APPLICABLE``: the rule sets nothing to measure (not specified, no
  minimum, a duty randcheck records but does not measure, nothing due yet);
- ``NOT_ENOUGH_DATA``: the ledger does not hold what the measurement needs
  (no registry snapshot with class counts, a period not yet over).
"""

from __future__ import annotations

import datetime as dt
import html
import math
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from randcheck.calendar import WorkingCalendar, default_calendar
from randcheck.engine.events import EventType
from randcheck.engine.ledger import LedgerEvent
from randcheck.engine.obligations import Monitor, Obligations, Violation
from randcheck.engine.schedule import instances
from randcheck.models.fields import LabelledEnum
from randcheck.periods import Quarter
from randcheck.policies.describe import describe
from randcheck.policies.model import (
    AnyRule,
    Confidential,
    CoverageCycle,
    DatedObligation,
    Deadline,
    Disclosure,
    ItemCap,
    JointShare,
    ListFixed,
    NonSite,
    Policy,
    QuarterlyMinimum,
    QuarterlyShare,
    Replacement,
    Requirement,
    StaffMultiple,
    Team,
)
from randcheck.registry import Registry


class Status(LabelledEnum):
    PASS = ("PASS", "通过")
    FAIL = ("FAIL", "未通过")
    NOT_APPLICABLE = ("NOT_APPLICABLE", "不适用")
    NOT_ENOUGH_DATA = ("NOT_ENOUGH_DATA", "数据不足")


@dataclass
class RuleVerdict:
    """One rule: its status, what was measured and required, who is at fault, its source."""

    rule: AnyRule
    status: Status
    measured: str = ""
    required: str = ""
    subjects: list[str] = field(default_factory=list)
    note: str = ""

    def to_json(self) -> dict[str, Any]:
        return {
            "rule": self.rule.id,
            "title": self.rule.title,
            "status": self.status.value,
            "measured": self.measured,
            "required": self.required,
            "subjects": self.subjects,
            "note": self.note,
            "citation": self.rule.citation.model_dump(),
            "interpretation": self.rule.interpretation,
        }


@dataclass
class Verdict:
    """Every rule of the policy, judged for a year (or one quarter) as of a date."""

    policy: Policy
    year: int
    quarter: int | None
    as_of: dt.date
    rules: list[RuleVerdict]
    violations: list[Violation]
    inspector_counts: dict[str, int] = field(default_factory=dict)

    @property
    def passed(self) -> bool:
        return all(r.status is not Status.FAIL for r in self.rules)

    def counts(self) -> dict[str, int]:
        counted = Counter(r.status.value for r in self.rules)
        return {s.value: counted.get(s.value, 0) for s in Status}

    def to_json(self) -> dict[str, Any]:
        return {
            "policy": {"id": self.policy.id, "version": self.policy.version},
            "year": self.year,
            "quarter": self.quarter,
            "as_of": self.as_of.isoformat(),
            "passed": self.passed,
            "counts": self.counts(),
            "rules": [r.to_json() for r in self.rules],
            "violations": [
                {"rule": v.rule_id, "kind": v.kind, "task_id": v.task_id, "detail": v.detail}
                for v in self.violations
            ],
            "inspector_counts": self.inspector_counts,
        }

    def title(self) -> str:
        period = f"{self.year}年第{self.quarter}季度" if self.quarter else f"{self.year}年"
        return f"{self.policy.name_zh} — {period} 合规判定 (as of {self.as_of})"

    def to_markdown(self) -> str:
        lines = [
            f"# {self.title()}",
            "",
            f"Policy `{self.policy.id}` {self.policy.version}. "
            + ", ".join(f"{k}: {v}" for k, v in self.counts().items()),
            "",
            "| rule | status | measured | required | at fault | clause | source |",
            "|---|---|---|---|---|---|---|",
        ]
        for r in self.rules:
            cells = [
                f"`{r.rule.id}` {r.rule.title}",
                r.status.label,
                r.measured or r.note,
                r.required,
                ", ".join(r.subjects[:10]) + (" …" if len(r.subjects) > 10 else ""),
                str(r.rule.citation),
                r.rule.citation.quote,
            ]
            lines.append(
                "| " + " | ".join(c.replace("|", "\\|").replace("\n", " ") for c in cells) + " |"
            )
        return "\n".join(lines) + "\n"

    def to_html(self) -> str:
        """A self-contained HTML page (no external files)."""
        colour = {
            "PASS": "#1a7f37",
            "FAIL": "#cf222e",
            "NOT_APPLICABLE": "#6e7781",
            "NOT_ENOUGH_DATA": "#9a6700",
        }
        headers = (
            "rule 规则",
            "status 结论",
            "measured 实测",
            "required 要求",
            "at fault 涉及",
            "clause 条款",
            "source 原文",
        )
        rows = []
        for r in self.rules:
            cells = [
                f"{r.rule.id} {r.rule.title}",
                r.status.label,
                r.measured or r.note,
                r.required,
                ", ".join(r.subjects[:20]),
                str(r.rule.citation),
                r.rule.citation.quote,
            ]
            tds = [f"<td>{html.escape(c)}</td>" for c in cells]
            tds[1] = (
                f'<td style="color:{colour[r.status.value]}"><b>{html.escape(cells[1])}</b></td>'
            )
            rows.append("<tr>" + "".join(tds) + "</tr>")
        counts = html.escape(", ".join(f"{k}: {v}" for k, v in self.counts().items()))
        style = (
            "body{font-family:sans-serif;margin:2em}table{border-collapse:collapse}"
            "td,th{border:1px solid #d0d7de;padding:4px 8px;vertical-align:top}"
        )
        title = html.escape(self.title())
        return (
            f'<!DOCTYPE html>\n<html lang="zh-CN"><head><meta charset="utf-8"><title>{title}'
            f"</title><style>{style}</style></head><body><h1>{title}</h1>"
            f"<p>{html.escape(self.policy.id)} {html.escape(self.policy.version)}; {counts}</p>"
            "<table><tr>"
            + "".join(f"<th>{h}</th>" for h in headers)
            + "</tr>"
            + "".join(rows)
            + "</table></body></html>\n"
        )


@dataclass
class _Facts:
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


def _day(event: LedgerEvent) -> dt.date:
    return event.time.astimezone(dt.timezone(dt.timedelta(hours=8))).date()


def _gather(events: Iterable[LedgerEvent], monitor: Monitor) -> _Facts:
    facts = _Facts()
    for event in events:
        monitor.feed(event)
        p, day, kind = event.payload, _day(event), event.type
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


def _snapshot(facts: _Facts, by: dt.date) -> dict[str, Any] | None:
    earlier = [p for day, p in facts.snapshots if day <= by]
    return earlier[-1] if earlier else None


def _pct(x: float) -> str:
    return f"{x * 100:.1f} %"


class _Judge:
    def __init__(
        self,
        policy: Policy,
        facts: _Facts,
        violations: list[Violation],
        year: int,
        quarter: int | None,
        as_of: dt.date,
        calendar: WorkingCalendar,
    ) -> None:
        self.policy, self.facts, self.violations = policy, facts, violations
        self.year, self.quarter, self.as_of, self.calendar = year, quarter, as_of, calendar
        quarters = [Quarter(year, quarter)] if quarter else list(Quarter(year, 1).year_quarters())
        self.quarters = [q for q in quarters if q.end <= as_of]

    def judge(self, rule: AnyRule) -> RuleVerdict:
        if isinstance(rule, QuarterlyShare | QuarterlyMinimum):
            return self.quarterly(rule)
        if isinstance(rule, StaffMultiple):
            return self.staff(rule)
        if isinstance(rule, JointShare):
            return self.joint(rule)
        if isinstance(rule, Disclosure) and rule.published_share:
            return self.published(rule)
        if isinstance(rule, ItemCap):
            return self.cap(rule)
        if isinstance(rule, DatedObligation):
            return self.dated(rule)
        if isinstance(rule, Requirement) and rule.topic == "inspector_counts":
            counts = self.facts.per_inspector
            if not counts:
                return RuleVerdict(rule, Status.NOT_ENOUGH_DATA, note="no inspection completed")
            measured = (
                f"{len(counts)} inspectors; {min(counts.values())}–{max(counts.values())} "
                "inspections each (see inspector_counts)"
            )
            return RuleVerdict(rule, Status.PASS, measured, "each inspector's count recorded")
        kinds = self.violation_kinds(rule)
        if kinds is not None:
            at_fault = sorted({v.task_id for v in self.violations if v.kind in kinds})
            found = [v for v in self.violations if v.kind in kinds]
            status = Status.FAIL if found else Status.PASS
            measured = (
                f"{len(found)} violation(s): " + ", ".join(sorted({v.kind for v in found}))
                if found
                else "no violation"
            )
            return RuleVerdict(rule, status, measured, describe(rule), at_fault)
        return RuleVerdict(rule, Status.NOT_APPLICABLE, note=_why_not_measured(rule))

    def violation_kinds(self, rule: AnyRule) -> set[str] | None:
        if isinstance(rule, Deadline):
            return {f"{rule.obligation}.late", f"{rule.obligation}.missing"}
        if isinstance(rule, Team) and rule.min_size:
            return {"team.too_small"}
        if isinstance(rule, ListFixed) and not rule.changes_approved_by:
            return {"list.off_list_task"}
        if isinstance(rule, ListFixed):
            return {"list.unapproved_change", "list.off_list_task"}
        if isinstance(rule, Replacement | ListFixed) and (
            getattr(rule, "approval_by", None)
            or getattr(rule, "changes_approved_by", None)
            or getattr(rule, "method", None) == "drawn_again"
        ):
            return {"list.unapproved_change"}
        if isinstance(rule, Confidential):
            return {"confidential.early_access"}
        if isinstance(rule, NonSite) and rule.on_site_allowed == "complaint_only":
            return {"non_site.on_site"}
        return None

    def quarterly(self, rule: QuarterlyShare | QuarterlyMinimum) -> RuleVerdict:
        if not self.quarters:
            return RuleVerdict(
                rule,
                Status.NOT_ENOUGH_DATA,
                required=describe(rule),
                note="no quarter of the period has ended",
            )
        cls = rule.entity_class.value
        parts, failing, missing_base = [], [], False
        for q in self.quarters:
            drawn = sum(
                1
                for t, day in self.facts.dispatched.items()
                if q.contains(day) and self.facts.class_of.get(t) == cls
            )
            if isinstance(rule, QuarterlyMinimum):
                parts.append(f"{q.label}: {drawn}")
                if drawn < rule.count:
                    failing.append(q.label)
                continue
            snapshot = _snapshot(self.facts, q.end)
            base = (snapshot or {}).get("class_counts", {}).get(cls)
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

    def staff(self, rule: StaffMultiple) -> RuleVerdict:
        end = dt.date(self.year, 12, 31)
        if self.as_of < end:
            return RuleVerdict(
                rule, Status.NOT_ENOUGH_DATA, required=describe(rule), note="the year is not over"
            )
        snapshot = _snapshot(self.facts, end) or {}
        staff = snapshot.get(
            "on_staff_inspectors" if rule.basis == "on_staff" else "certified_inspectors"
        )
        if staff is None:
            return RuleVerdict(
                rule,
                Status.NOT_ENOUGH_DATA,
                required=describe(rule),
                note="no registry snapshot with the inspector count",
            )
        cls = rule.entity_class.value
        done = len(
            {
                self.facts.uscc_of[t]
                for t, day in self.facts.dispatched.items()
                if day.year == self.year and self.facts.class_of.get(t) == cls
            }
        )
        need = math.ceil(rule.multiple * staff)
        return RuleVerdict(
            rule,
            Status.PASS if done >= need else Status.FAIL,
            f"{done} entities inspected",
            f">= {need} ({rule.multiple:g} x {staff})",
        )

    def joint(self, rule: JointShare) -> RuleVerdict:
        own = sum(1 for day in self.facts.dispatched.values() if day.year == self.year)
        total = own + self.facts.joint
        if not total:
            return RuleVerdict(
                rule, Status.NOT_ENOUGH_DATA, required=describe(rule), note="no inspections"
            )
        share = self.facts.joint / total
        return RuleVerdict(
            rule,
            Status.PASS if share >= rule.min_fraction else Status.FAIL,
            f"{self.facts.joint} joint / {total} = {_pct(share)}",
            f">= {_pct(rule.min_fraction)}",
        )

    def published(self, rule: Disclosure) -> RuleVerdict:
        due = [t for t in self.facts.results if t not in self.facts.withheld]
        if not due:
            return RuleVerdict(rule, Status.NOT_APPLICABLE, note="no result recorded yet")
        missing = sorted(t for t in due if t not in self.facts.disclosed)
        share = 1 - len(missing) / len(due)
        return RuleVerdict(
            rule,
            Status.PASS if share >= (rule.published_share or 0) else Status.FAIL,
            f"{len(due) - len(missing)}/{len(due)} = {_pct(share)}",
            describe(rule),
            missing,
        )

    def cap(self, rule: ItemCap) -> RuleVerdict:
        per_entity: Counter[str] = Counter()
        for task, day in self.facts.completed.items():
            cls = self.facts.class_of.get(task)
            if day.year == self.year and cls not in {c.value for c in rule.exempt}:
                per_entity[self.facts.uscc_of.get(task, task)] += 1
        over = sorted(u for u, n in per_entity.items() if n > rule.max_per_year)
        most = max(per_entity.values(), default=0)
        return RuleVerdict(
            rule,
            Status.FAIL if over else Status.PASS,
            f"most visits to one entity: {most}",
            describe(rule),
            over,
        )

    def dated(self, rule: DatedObligation) -> RuleVerdict:
        due_now = [
            (label, due)
            for label, due in instances(rule, self.year, self.quarters_all())
            if due <= self.as_of
        ]
        if not due_now:
            return RuleVerdict(
                rule, Status.NOT_APPLICABLE, required=describe(rule), note="nothing due yet"
            )
        late = [label for label, due in due_now if not self.filed_by(rule.obligation, label, due)]
        measured = f"{len(due_now) - len(late)}/{len(due_now)} on time"
        return RuleVerdict(
            rule, Status.FAIL if late else Status.PASS, measured, describe(rule), late
        )

    def quarters_all(self) -> list[Quarter]:
        return (
            [Quarter(self.year, self.quarter)]
            if self.quarter
            else list(Quarter(self.year, 1).year_quarters())
        )

    def filed_by(self, obligation: str, label: str, due: dt.date) -> bool:
        wanted = _FILED[obligation]
        for kind, day, p in self.facts.filed:
            if kind is not wanted[0] or day > due:
                continue
            if wanted[1] is None or wanted[1](p, label):
                return True
        return False


def _report(kind: str) -> Any:
    return lambda p, label: p.get("kind") == kind and p.get("period") == label


_FILED: dict[str, tuple[EventType, Any]] = {
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


def _why_not_measured(rule: AnyRule) -> str:
    kind = type(rule).__name__
    reasons = {
        "NotSpecified": "the document sets no number",
        "NoMinimum": "no minimum is set",
        "Requirement": "a duty randcheck records but does not measure",
        "Classification": "a classification criterion (see `randcheck registry classify`)",
        "ClassPrecedence": "a classification rule",
        "CoverageCycle": "needs the registry's entity list (audit with --registry)",
        "InspectorPool": "applied when teams are drawn",
        "InspectorSelection": "applied when teams are drawn",
        "CreditPush": "pushes happen outside the ledger",
        "Disclosure": "phrases and withholding are applied when publishing",
        "ResultsImmutable": "enforced by the ledger itself (a second result is refused)",
        "Team": "recusal is applied when teams are drawn",
        "Replacement": "no approver named: nothing to check",
        "NonSite": "non-site supervision is allowed, not required",
    }
    return reasons.get(kind, "not measured")


def audit(
    policy: Policy,
    events: Iterable[LedgerEvent],
    year: int,
    *,
    quarter: int | None = None,
    as_of: dt.date | None = None,
    registry: Registry | None = None,
    calendar: WorkingCalendar | None = None,
) -> Verdict:
    """Judge every rule of ``policy`` against a ledger's events, as of a date."""
    calendar = calendar or default_calendar()
    as_of = as_of or dt.date.today()
    monitor = Monitor(Obligations(policy, calendar, registry))
    facts = _gather(events, monitor)
    violations = monitor.violations(as_of)
    judge = _Judge(policy, facts, violations, year, quarter, as_of, calendar)
    results = [judge.judge(rule) for rule in policy.rules]
    if registry is not None:
        for verdict in (r for r in results if isinstance(r.rule, CoverageCycle)):
            _coverage(verdict, policy, registry, facts, year, as_of)
    return Verdict(policy, year, quarter, as_of, results, violations, dict(facts.per_inspector))


def _coverage(
    verdict: RuleVerdict,
    policy: Policy,
    registry: Registry,
    facts: _Facts,
    year: int,
    as_of: dt.date,
) -> None:
    """Coverage in the cycle ending in or after ``year``: every operating member, M times."""
    from randcheck.engine.quotas import cycle_of

    rule = verdict.rule
    assert isinstance(rule, CoverageCycle)
    cycle = cycle_of(rule, policy, Quarter(year, 4))
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
    for task, day in facts.completed.items():
        if cycle.start <= day <= cycle.end:
            seen[facts.uscc_of.get(task, "")] += 1
    short = sorted(u for u in members if seen[u] < rule.times)
    verdict.measured = (
        f"{len(members) - len(short)}/{len(members)} covered by {min(as_of, cycle.end)}"
    )
    verdict.required = describe(rule)
    if as_of < cycle.end:
        verdict.status, verdict.note = Status.NOT_ENOUGH_DATA, f"the cycle runs to {cycle.end}"
    else:
        verdict.status = Status.FAIL if short else Status.PASS
    verdict.subjects = short
