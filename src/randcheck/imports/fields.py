"""The canonical fields a mapping names: what each column of an export may hold.

A mapping (:mod:`randcheck.imports.mapping`) says which headers give which of these
fields. Each field has a kind (how its cells are read), the evidence its column
shows (``RECORDS_IMPORTED.shows``: the audit judges a rule only on evidence some
import shows) and a scope: *task* fields say one thing of the whole task (its
entity, its team, the day it was inspected) and must agree wherever the task
appears; *entry* fields belong to one result entry (a result, its date, a
correction of it), and a task may have several.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from randcheck.models.vocab import Evidence

Kind = Literal["text", "uscc", "date", "list", "outcome", "mode", "class", "withheld"]
Scope = Literal["task", "entry"]


@dataclass(frozen=True)
class FieldSpec:
    """One canonical field: its name, Chinese name, how cells are read, what it shows."""

    name: str
    zh: str
    kind: Kind
    scope: Scope
    shows: Evidence | None = None
    help: str = ""


_E = Evidence
FIELDS: dict[str, FieldSpec] = {
    f.name: f
    for f in (
        FieldSpec("task_id", "任务编号", "text", "task", help="the task's id on the platform"),
        FieldSpec("task_name", "抽查任务名称", "text", "task", help="kept for reading only"),
        FieldSpec("entity_name", "检查对象名称", "text", "task", help="kept for reading only"),
        FieldSpec("uscc", "统一社会信用代码", "uscc", "task", help="the inspected entity"),
        FieldSpec("entity_class", "监管类别", "class", "task", _E.CLASSES),
        FieldSpec("draw_id", "抽查批次", "text", "task", _E.DRAWS, "the draw (batch) drawn in"),
        FieldSpec("draw_date", "抽取日期", "date", "task", help="when drawn (dispatch time)"),
        FieldSpec("dispatch_date", "下达日期", "date", "task", _E.DISPATCH),
        FieldSpec("department", "检查部门", "text", "task", help="who acts, when no person"),
        FieldSpec("inspector_names", "检查人员", "list", "task", _E.TEAMS),
        FieldSpec("inspector_certificates", "执法证号", "list", "task", _E.TEAMS),
        FieldSpec("inspector_ids", "人员编号", "list", "task", _E.TEAMS),
        FieldSpec("inspection_date", "检查日期", "date", "task", _E.INSPECTIONS),
        FieldSpec("inspection_end", "检查结束日期", "date", "task", _E.INSPECTIONS),
        FieldSpec("mode", "检查方式", "mode", "task", _E.MODES),
        FieldSpec("items", "检查事项", "list", "task", _E.ITEMS),
        FieldSpec("result", "检查结果", "outcome", "entry", _E.RESULTS),
        FieldSpec("facts", "违法事实", "text", "entry", _E.RESULTS),
        FieldSpec("handling", "查处结果", "text", "entry", _E.RESULTS),
        FieldSpec("withheld", "不予公开原因", "withheld", "entry", _E.RESULTS),
        FieldSpec("result_date", "结果录入日期", "date", "entry", _E.RESULT_DATES),
        FieldSpec("correction_requested", "更正申请日期", "date", "entry", _E.CORRECTIONS),
        FieldSpec("correction_reason", "更正原因", "text", "entry", _E.CORRECTIONS),
        FieldSpec("correction_approved", "更正批准日期", "date", "entry", _E.CORRECTIONS),
        FieldSpec("correction_approver", "更正批准人", "text", "entry", _E.CORRECTIONS),
        FieldSpec("rectification_ordered", "责令整改日期", "date", "task", _E.RECTIFICATIONS),
        FieldSpec("rectification_requirement", "整改要求", "text", "task", _E.RECTIFICATIONS),
        FieldSpec("rectification_deadline", "整改期限", "date", "task", _E.RECTIFICATIONS),
        FieldSpec("rectification_completed", "整改完成日期", "date", "task", _E.RECTIFICATIONS),
        FieldSpec("disclosure_date", "公示日期", "date", "task", _E.DISCLOSURES),
        FieldSpec("disclosure_channel", "公示渠道", "text", "task", _E.DISCLOSURES),
    )
}
"""Every field a mapping may name, in the order of the flow."""

TEAM_FIELDS = ("inspector_ids", "inspector_certificates", "inspector_names")
"""Who inspected, in the order they identify a person: the registry's 人员编号, then
the 执法证号, then names."""

RECTIFICATION_FIELDS = (
    "rectification_ordered",
    "rectification_requirement",
    "rectification_deadline",
    "rectification_completed",
)
CORRECTION_FIELDS = (
    "correction_requested",
    "correction_reason",
    "correction_approved",
    "correction_approver",
)


def shows(fields: set[str] | frozenset[str]) -> list[Evidence]:
    """The evidence columns for ``fields`` show, in the order of :class:`Evidence`."""
    found = {FIELDS[f].shows for f in fields if f in FIELDS}
    return [e for e in Evidence if e in found]
