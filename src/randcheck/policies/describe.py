"""Plain-language values of rules, for tables, pages and verdicts."""

from __future__ import annotations

from typing import Any

from randcheck.policies.model import (
    AnyRule,
    BeforeYearEnd,
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
    MonthlyBy,
    NoMinimum,
    NonSite,
    NotSpecified,
    Policy,
    QuarterEnd,
    QuarterlyMinimum,
    QuarterlyShare,
    QuarterMonthDay,
    QuarterStartWithin,
    RandomDraw,
    Replacement,
    Requirement,
    ResultsImmutable,
    StaffMultiple,
    Team,
    YearlyDate,
)

_AFTER = {
    "inspection_completed": "after the inspection ends",
    "task_completed": "after the task is completed",
    "result_recorded": "after the result is recorded",
}


def _when(rule: DatedObligation) -> str:
    when = rule.when
    if isinstance(when, YearlyDate):
        suffix = " (next year's plan)" if when.of == "next_year_plan" else ""
        return f"by {when.day} {_MONTHS[when.month - 1]} each year{suffix}"
    if isinstance(when, QuarterMonthDay):
        return f"by the {_ordinal(when.day)} of each quarter's {when.month} month"
    if isinstance(when, QuarterStartWithin):
        unit = "working days" if when.working else "days"
        return f"within {when.days} {unit} of each quarter's start"
    if isinstance(when, MonthlyBy):
        return f"by the {_ordinal(when.day)} of each month, for the previous month"
    if isinstance(when, QuarterEnd):
        return "by the last day of each quarter"
    assert isinstance(when, BeforeYearEnd)
    return "before the end of each year"


_MONTHS = (
    "January February March April May June July August September October November December".split()
)


def _ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def _percent(x: float) -> str:
    return f"{x * 100:g} %"


def describe(rule: AnyRule) -> str:
    """The rule's value in a few words: ``KEY / 重点: >= 25 % each quarter``."""
    value: str
    if isinstance(rule, QuarterlyShare):
        scope = f" (of those with {', '.join(str(c) for c in rule.scope)})" if rule.scope else ""
        value = f"{rule.entity_class.label}: >= {_percent(rule.min_fraction)} each quarter{scope}"
    elif isinstance(rule, StaffMultiple):
        basis = "on-staff" if rule.basis == "on_staff" else "certified"
        value = f"{rule.entity_class.label}: >= {rule.multiple:g} x {basis} inspectors a year"
    elif isinstance(rule, CoverageCycle):
        value = f"{rule.entity_class.label}: each entity {rule.times} x in {rule.years} year(s)"
    elif isinstance(rule, QuarterlyMinimum):
        value = f"{rule.entity_class.label}: >= {rule.count} drawn each quarter"
    elif isinstance(rule, NoMinimum):
        value = f"{rule.entity_class.label}: no minimum; any time"
    elif isinstance(rule, NotSpecified):
        who = f"{rule.entity_class.label}: " if rule.entity_class else ""
        value = f"{who}{rule.topic.replace('_', ' ')} not specified (text: {rule.stated})"
    elif isinstance(rule, ItemCap):
        exempt = f"; exempt: {', '.join(c.label for c in rule.exempt)}" if rule.exempt else ""
        value = f"same entity, same item: <= {rule.max_per_year} a year{exempt}"
    elif isinstance(rule, Team):
        size = f">= {rule.min_size} inspectors" if rule.min_size else "size not stated"
        value = f"{size}; recusal {'required' if rule.recusal else 'not stated'}"
    elif isinstance(rule, InspectorPool):
        parts = [
            p
            for p, on in (
                ("certificate", rule.require_certificate),
                ("on staff", rule.require_on_staff),
            )
            if on
        ]
        extra = "; auxiliary inspectors may assist" if rule.auxiliary_allowed else ""
        value = f"requires {' and '.join(parts) or 'nothing'}{extra}"
    elif isinstance(rule, InspectorSelection):
        value = f"{rule.module} module: inspectors {rule.method}"
    elif isinstance(rule, Replacement):
        how = "drawn again" if rule.method == "drawn_again" else "chosen"
        approval = f", approved by {rule.approval_by}" if rule.approval_by else ""
        value = f"replacement {how}{approval}"
    elif isinstance(rule, ListFixed):
        approval = (
            f"; changes approved by {rule.changes_approved_by}" if rule.changes_approved_by else ""
        )
        value = f"list fixed once drawn{approval}"
    elif isinstance(rule, Confidential):
        value = "list secret until the inspection starts"
    elif isinstance(rule, NonSite):
        on_site = (
            "on site only on a complaint"
            if rule.on_site_allowed == "complaint_only"
            else "on site allowed"
        )
        value = f"non-site if {' or '.join(str(c) for c in rule.any_of)}; {on_site}"
    elif isinstance(rule, Deadline):
        unit = rule.unit.replace("_", " ")
        value = (
            f"{rule.obligation.replace('_', ' ')}: within {rule.amount} {unit} {_AFTER[rule.after]}"
        )
    elif isinstance(rule, DatedObligation):
        value = f"{rule.obligation.replace('_', ' ')}: {_when(rule)}"
    elif isinstance(rule, JointShare):
        unit = "own draws + joint" if rule.counting == "tasks" else "own visits + joint"
        value = f"joint inspections >= {_percent(rule.min_fraction)} of ({unit})"
    elif isinstance(rule, Disclosure):
        parts = []
        if rule.published_share:
            parts.append(f"{_percent(rule.published_share)} of results published")
        if rule.phrases:
            parts.append(" / ".join(rule.phrases.values()))
        if rule.may_withhold:
            parts.append("may withhold: " + ", ".join(w.zh for w in rule.may_withhold))
        value = "; ".join(parts)
    elif isinstance(rule, CreditPush):
        value = " -> ".join(rule.steps)
    elif isinstance(rule, ResultsImmutable):
        value = f"results never edited; corrections approved by {rule.correction_approved_by}"
    elif isinstance(rule, Classification):
        value = f"{rule.entity_class.label} if any of: {', '.join(str(c) for c in rule.any_of)}"
    elif isinstance(rule, ClassPrecedence):
        value = f"{' > '.join(c.label for c in rule.order)}; default {rule.default.label}"
    elif isinstance(rule, DrawBase):
        value = "base: " + ", ".join(s.label for s in rule.statuses)
    elif isinstance(rule, RandomDraw):
        value = "every task from a sealed and revealed draw; every drawn task inspected by its quarter's end"
    else:
        assert isinstance(rule, Requirement)
        value = f"{rule.topic}" + (f" (evidence: {rule.evidence})" if rule.evidence else "")
    return value


def rule_json(rule: AnyRule) -> dict[str, Any]:
    """A rule as a JSON object with its value in words and its citation."""
    data = rule.model_dump(mode="json")
    data["value"] = describe(rule)
    return data


def policy_summary(policy: Policy) -> dict[str, Any]:
    return {
        "id": policy.id,
        "name_zh": policy.name_zh,
        "name_en": policy.name_en,
        "level": policy.level.value,
        "document_number": policy.document_number,
        "issued": policy.issued.isoformat() if policy.issued else None,
        "effective_from": policy.effective_from.isoformat(),
        "version": policy.version,
        "variant_of": policy.variant_of,
        "rules": len(policy.rules),
    }
