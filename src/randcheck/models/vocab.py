"""The words the policies, the draw and the ledger share: result phrases, modes of
inspection, reasons to replace an inspector, grounds to withhold a result.

They sit with the models so that a policy can name them without importing the
engine that acts on them.
"""

from __future__ import annotations

from randcheck.models.fields import LabelledEnum


class Outcome(LabelledEnum):
    """The three standard result phrases (获嘉 第二十一条)."""

    NO_PROBLEM = ("NO_PROBLEM", "未发现问题")
    RECTIFY = ("RECTIFY", "发现问题已责令整改")
    CASE_FILED = ("CASE_FILED", "发现违法行为已立案调查")


class Mode(LabelledEnum):
    """现场 on-site, or 非现场 by online monitoring, power use, drones (获嘉 第十五条)."""

    ON_SITE = ("ON_SITE", "现场检查", "现场")
    NON_SITE = ("NON_SITE", "非现场检查", "非现场")


class ReplacementReason(LabelledEnum):
    """Why a drawn inspector was replaced (青岛 七(一); 获嘉 第十二条; 本溪 七(二))."""

    POST_CHANGE = ("POST_CHANGE", "岗位调整")
    WORK_CONFLICT = ("WORK_CONFLICT", "工作冲突")
    HEALTH = ("HEALTH", "健康状况")
    RECUSAL = ("RECUSAL", "执法回避", "回避")
    OTHER = ("OTHER", "其他")


class Withheld(LabelledEnum):
    """Why a result may be left out of disclosure (获嘉 第二十一条)."""

    SECRET = ("SECRET", "涉及保密", "保密")
    NATIONAL_SECURITY = ("NATIONAL_SECURITY", "国家安全")
    PUBLIC_SAFETY = ("PUBLIC_SAFETY", "公共安全")


__all__ = ["Mode", "Outcome", "ReplacementReason", "Withheld"]


NOT_RECORDED = "未记录"
"""What a payload field the models require holds when imported records do not say (an
inspection's team in a disclosure table, a correction's reason): the evidence is not
listed in the import's ``shows``, and the audit never counts it as a person."""


class Evidence(LabelledEnum):
    """What a body of records can show. A ledger kept by randcheck shows everything it
    records; records imported from elsewhere (a platform's export, a published
    disclosure table) show only what their columns hold, and a rule that needs
    evidence they lack is NOT_ENOUGH_DATA, naming it (randcheck.audit.evidence)."""

    DRAWS = ("DRAWS", "抽取记录", "draw")
    DISPATCH = ("DISPATCH", "任务派发记录", "dispatch")
    TEAMS = ("TEAMS", "检查人员", "team", "inspectors")
    CLASSES = ("CLASSES", "监管类别", "class", "entity_class")
    INSPECTIONS = ("INSPECTIONS", "检查记录", "inspection")
    MODES = ("MODES", "检查方式", "mode")
    ITEMS = ("ITEMS", "检查事项", "item")
    RESULTS = ("RESULTS", "检查结果", "result")
    RESULT_DATES = ("RESULT_DATES", "结果录入日期", "result_date")
    CORRECTIONS = ("CORRECTIONS", "结果更正记录", "correction")
    RECTIFICATIONS = ("RECTIFICATIONS", "整改记录", "rectification")
    DISCLOSURES = ("DISCLOSURES", "公开记录", "disclosure")
    ACCESS = ("ACCESS", "名单查阅记录", "list_access")
    REPLACEMENTS = ("REPLACEMENTS", "人员调整记录", "replacement")
    JOINT = ("JOINT", "联合抽查记录", "joint")
    FILINGS = ("FILINGS", "计划、报告报送记录", "filing", "report")
    SIGNATURES = ("SIGNATURES", "被检查对象签字", "signature")
    EXCEPTIONS = ("EXCEPTIONS", "例外情况说明", "exception")
    SNAPSHOTS = ("SNAPSHOTS", "名录库快照", "snapshot")
