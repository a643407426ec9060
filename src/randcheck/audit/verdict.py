"""The verdict as data: every rule of a policy judged, with what was measured.

Each rule gets one status:

- ``PASS`` / ``FAIL``: measured against what the rule requires;
- ``NOT_APPLICABLE``: the rule sets nothing to measure (not specified, no
  minimum, a duty randcheck records but does not measure, nothing due yet);
- ``NOT_ENOUGH_DATA``: the ledger does not hold what the measurement needs
  (no registry snapshot with class counts, a period not yet over).

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
