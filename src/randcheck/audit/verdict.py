"""The verdict as data: every rule of a policy judged, with what was measured.

Each rule gets one status:

- ``PASS`` / ``FAIL``: measured against what the rule requires;
- ``NOT_APPLICABLE``: the rule does not apply to the period (nothing due yet,
  no problem found to rectify);
- ``NOT_ENOUGH_DATA``: the evidence the measurement needs is missing, and the
  verdict says which (a registry snapshot with class counts, list-access
  records, the registry's positive-list flags, a period not yet over);
- ``NOT_MEASURED``: the records cannot show it at all (the document sets no
  number; a duty such as archiving or a camera on the inspector), with what a
  bureau would show instead; or a rule applied when drawing, not auditing.

Each rule keeps its strength (:class:`~randcheck.policies.model.Strength`): a
target (力争) or a preference (优先) that is missed is reported apart from the
obligations and does not fail the verdict; a 原则上 miss whose reason was
recorded is excused.

How each rule kind is judged is in :mod:`randcheck.audit.judges`; renderers
(Markdown, HTML, terminal tables) are in :mod:`randcheck.report.verdict`.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from randcheck.audit.obligations import Violation
from randcheck.models.fields import LabelledEnum
from randcheck.policies.model import AnyRule, Policy


class Status(LabelledEnum):
    PASS = ("PASS", "通过")
    FAIL = ("FAIL", "未通过")
    NOT_APPLICABLE = ("NOT_APPLICABLE", "不适用")
    NOT_ENOUGH_DATA = ("NOT_ENOUGH_DATA", "数据不足")
    NOT_MEASURED = ("NOT_MEASURED", "无法测量")


@dataclass
class RuleVerdict:
    """One rule: its status, what was measured and required, who is at fault, its source."""

    rule: AnyRule
    status: Status
    measured: str = ""
    required: str = ""
    subjects: list[str] = field(default_factory=list)
    note: str = ""

    @property
    def binding(self) -> bool:
        """An obligation (plain or 原则上), not a target or a preference."""
        return self.rule.strength.binding

    @property
    def failed(self) -> bool:
        """A binding rule that failed: what makes the verdict fail."""
        return self.binding and self.status is Status.FAIL

    @property
    def missed(self) -> bool:
        """A target (力争) or preference (优先) not met: reported, not failed."""
        return not self.binding and self.status is Status.FAIL

    @property
    def status_text(self) -> str:
        """The status as shown: targets read met / missed, obligations pass / fail."""
        if not self.binding and self.status is Status.PASS:
            return f"MET / 达到 ({self.rule.strength.label})"
        if self.missed:
            return f"MISSED / 未达到 ({self.rule.strength.label})"
        return self.status.label

    def to_json(self) -> dict[str, Any]:
        return {
            "rule": self.rule.id,
            "title": self.rule.title,
            "strength": self.rule.strength.value,
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
        """No binding rule failed (targets and preferences missed do not count)."""
        return not any(r.failed for r in self.rules)

    @property
    def targets_met(self) -> bool:
        """No target (力争) or preference (优先) was missed."""
        return not any(r.missed for r in self.rules)

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
            "targets_met": self.targets_met,
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
