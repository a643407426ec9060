"""Ledger events: what happens in the flow, each with a validated payload.

The flow of 获嘉 第十七条 and 本溪 七(四): item list and plans published, registry
snapshot, draw announced (the commitment published before the draw), sealed and
revealed (with who looked at the list before the visit: the confidentiality
trail), task dispatched, inspector replaced, inspection started and completed,
result recorded (never edited: a correction is requested and approved, 青岛 四),
rectification ordered, progressing and completed, disclosure published, reports
submitted, joint inspections initiated. The subject of every task event is the task id.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from randcheck.errors import LedgerError
from randcheck.models.fields import LabelledEnum
from randcheck.models.vocab import Evidence, Mode, Outcome, ReplacementReason, Withheld


class EventType(LabelledEnum):
    """Event types, in the order of the flow."""

    ITEM_LIST_PUBLISHED = ("ITEM_LIST_PUBLISHED", "抽查事项清单公开")
    PLAN_PUBLISHED = ("PLAN_PUBLISHED", "抽查计划公开")
    REGISTRY_SNAPSHOT = ("REGISTRY_SNAPSHOT", "名录库快照")
    DRAW_ANNOUNCED = ("DRAW_ANNOUNCED", "抽查公告/承诺")
    DRAW_SEALED = ("DRAW_SEALED", "抽取结果封存")
    DRAW_REVEALED = ("DRAW_REVEALED", "抽取结果揭示")
    LIST_ACCESSED = ("LIST_ACCESSED", "抽查名单查阅")
    JOINT_INSPECTION_INITIATED = ("JOINT_INSPECTION_INITIATED", "部门联合抽查发起")
    TASK_DISPATCHED = ("TASK_DISPATCHED", "检查任务派发")
    INSPECTOR_REPLACED = ("INSPECTOR_REPLACED", "检查人员调整")
    INSPECTION_STARTED = ("INSPECTION_STARTED", "检查开始")
    INSPECTION_COMPLETED = ("INSPECTION_COMPLETED", "检查结束")
    RESULT_RECORDED = ("RESULT_RECORDED", "检查结果录入")
    CORRECTION_REQUESTED = ("CORRECTION_REQUESTED", "结果更正申请")
    CORRECTION_APPROVED = ("CORRECTION_APPROVED", "结果更正批准")
    RECTIFICATION_ORDERED = ("RECTIFICATION_ORDERED", "责令整改")
    RECTIFICATION_PROGRESS = ("RECTIFICATION_PROGRESS", "整改进展")
    RECTIFICATION_COMPLETED = ("RECTIFICATION_COMPLETED", "整改完成")
    DISCLOSURE_PUBLISHED = ("DISCLOSURE_PUBLISHED", "检查结果公开")
    REPORT_SUBMITTED = ("REPORT_SUBMITTED", "报告报送")
    EXCEPTION_RECORDED = ("EXCEPTION_RECORDED", "例外情况说明")
    RECORDS_IMPORTED = ("RECORDS_IMPORTED", "外部记录导入")


class ReportKind(LabelledEnum):
    """Reports a bureau files (青岛 五; 本溪 七(六), 八(一))."""

    MONTHLY_DISPATCH = ("MONTHLY_DISPATCH", "月度调度表")
    QUARTERLY = ("QUARTERLY", "季度报表")
    YEARLY = ("YEARLY", "年度工作报告")
    QUARTERLY_PLAN = ("QUARTERLY_PLAN", "季度检查计划")
    QUARTERLY_RESULTS = ("QUARTERLY_RESULTS", "季度检查结果")
    QUARTERLY_PUBLISHED = ("QUARTERLY_PUBLISHED", "季度报表公示")
    DRAW_FILING = ("DRAW_FILING", "抽取结果备案")
    SQUAD_QUARTER_END = ("SQUAD_QUARTER_END", "中队季末报送")


class Provenance(BaseModel):
    """Where an imported event came from: the file, its sheet and row (``randcheck
    ledger import``). An event recorded in randcheck itself has none."""

    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=True)

    file: str = Field(min_length=1, description="the file's name as imported")
    sheet: str | None = Field(None, description="the XLSX sheet; None for CSV")
    row: int | None = Field(
        None,
        ge=1,
        description="the row's number in the sheet, the header being 1; None for a value "
        "given on the command line (``randcheck audit --class-counts``)",
    )


class _Payload(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=True)

    source: Provenance | None = Field(
        None, description="imported from records kept elsewhere: file, sheet, row"
    )


class ItemListPublished(_Payload):
    items: list[str] = Field(min_length=1)
    year: int


class PlanPublished(_Payload):
    year: int
    quarter: int | None = Field(None, ge=1, le=4, description="None for an annual plan")


class RegistrySnapshot(_Payload):
    digest: str = Field(pattern=r"^[0-9a-f]{64}$")
    entities: int = Field(ge=0)
    inspectors: int = Field(ge=0)
    class_counts: dict[str, int] = Field(
        default_factory=dict, description="operating entities per class: KEY, GENERAL, SPECIAL"
    )
    registered_counts: dict[str, int] | None = Field(
        None, description="entities per class in the registry but not closed (西平, 获嘉 bases)"
    )
    on_staff_inspectors: int | None = Field(None, ge=0)
    certified_inspectors: int | None = Field(None, ge=0)
    city_on_staff_inspectors: int | None = Field(
        None, ge=0, description="the whole city's on-staff inspectors (青岛 三(一) 全市)"
    )


HEX64 = r"^[0-9a-f]{64}$"
"""A SHA-256 digest: 64 lowercase hexadecimal digits."""


class DrawAnnounced(_Payload):
    """The announcement published before a draw (issue 14): the commitment to the
    secret and every input, the policy, and the public randomness still to come."""

    period: str = Field(min_length=1)
    commitment: str = Field(pattern=HEX64)
    announcement_digest: str = Field(pattern=HEX64, description="SHA-256 of the announcement")
    policy: str = Field(pattern=r"^[^@\s]+@[^@\s]+$", description="id@version")
    randomness: str = Field(
        min_length=1, description="the declared source, e.g. 福彩双色球 第2025123期"
    )
    randomness_at: dt.datetime | None = Field(
        None, description="when the public randomness will exist (naive: China Standard Time)"
    )

    @field_validator("randomness_at")
    @classmethod
    def _zoned(cls, value: dt.datetime | None) -> dt.datetime | None:
        return None if value is None else aware(value)


class DrawSealed(_Payload):
    draw_id: str
    period: str
    commitment: str = Field(pattern=HEX64)
    receipt_digest: str = Field(pattern=HEX64)
    announcement_digest: str | None = Field(
        None, pattern=HEX64, description="the announcement the draw was made under"
    )
    public_randomness: str | None = Field(None, description="the public randomness as drawn")


class DrawRevealed(_Payload):
    draw_id: str
    tasks: list[str] = Field(default_factory=list)


class AccessRole(LabelledEnum):
    """Why someone read the sealed list before the inspection (获嘉 第二十二条 and the others
    keep it secret "对被抽查对象"): the team and those who approve may read it when the
    read is recorded with the role; a filing the text itself asks for (本溪 七(二),
    抽查结果报市执法队备案) is no leak; the inspected entity must never see it early."""

    TEAM = ("TEAM", "检查组")
    APPROVER = ("APPROVER", "审批人")
    FILING = ("FILING", "备案")
    ENTITY = ("ENTITY", "被检查对象")
    OTHER = ("OTHER", "其他")


class ListAccessed(_Payload):
    draw_id: str
    purpose: str | None = None
    task_id: str | None = Field(None, description="the task the reader works on, if any")
    role: AccessRole | None = Field(None, description="the reader's role; None: not recorded")


class JointInspectionInitiated(_Payload):
    task_id: str
    departments: list[str] = Field(min_length=2)
    lead: str


class TaskDispatched(_Payload):
    task_id: str
    uscc: str
    entity_name: str | None = Field(
        None,
        min_length=1,
        description="the entity's name (企业名称) as the registry held it at the draw, so "
        "the ledger alone names what it discloses; None in ledgers written before it",
    )
    inspectors: list[str] = Field(default_factory=list, description="empty for a non-site task")
    entity_class: str | None = Field(None, description="KEY, GENERAL or SPECIAL")
    items: list[str] = Field(default_factory=list)
    mode: Mode = Mode.ON_SITE
    draw_id: str | None = None
    period: str | None = None
    joint: bool = False
    approved_by: str | None = Field(None, description="approval for a change after sealing")


class InspectorReplaced(_Payload):
    task_id: str
    removed: str
    added: str
    reason: ReplacementReason
    approved_by: str | None = None
    drawn: bool = Field(False, description="the replacement was drawn again (获嘉 第十二条)")


class InspectionStarted(_Payload):
    task_id: str
    mode: Mode = Mode.ON_SITE
    inspectors: list[str] = Field(min_length=1)
    complaint: bool = Field(False, description="prompted by a complaint (本溪 七(三) exception)")


class InspectionCompleted(_Payload):
    task_id: str
    mode: Mode = Mode.ON_SITE
    inspectors: list[str] = Field(min_length=1)
    items: list[str] = Field(default_factory=list)
    signed_by_entity: bool = Field(True, description="the entity signed the record (青岛 四)")


class ResultRecorded(_Payload):
    task_id: str
    outcome: Outcome
    facts: str | None = None
    handling: str | None = None
    withheld: Withheld | None = None


class CorrectionRequested(_Payload):
    task_id: str
    result_seq: int = Field(ge=1, description="the RESULT_RECORDED event to correct")
    reason: str


class CorrectionApproved(_Payload):
    task_id: str
    request_seq: int = Field(ge=1)
    approved_by: str


class RectificationOrdered(_Payload):
    task_id: str
    requirement: str | None = None


class RectificationProgress(_Payload):
    task_id: str
    note: str
    reason_not_done: str | None = None


class RectificationCompleted(_Payload):
    task_id: str


class DisclosurePublished(_Payload):
    task_ids: list[str] = Field(min_length=1)
    channel: str | None = None


class ReportSubmitted(_Payload):
    kind: ReportKind
    period: str = Field(description="2025-07 (month), 2025Q3 (quarter) or 2025 (year)")


class ExceptionRecorded(_Payload):
    """The reason a 原则上 rule was not followed for these subjects (tasks, entities or
    periods), recorded so the verdict can excuse the miss (青岛 四: 填报原因)."""

    rule_id: str = Field(min_length=1)
    subjects: list[str] = Field(min_length=1)
    reason: str = Field(min_length=2)
    approved_by: str | None = None


class RecordsImported(_Payload):
    """Records kept elsewhere came into the ledger (``randcheck ledger import``): which
    file, by which mapping, how many rows and events, and what evidence its columns
    hold. A rule needing evidence no import shows (and randcheck did not record
    itself) is NOT_ENOUGH_DATA."""

    file: str = Field(min_length=1)
    sha256: str = Field(pattern=r"^[0-9a-f]{64}$", description="the file's bytes")
    mapping: str = Field(min_length=1, description="the mapping's name (or file)")
    rows: int = Field(ge=0, description="rows read")
    events: int = Field(ge=0, description="events added (rows already imported add none)")
    skipped_rows: list[int] = Field(default_factory=list, description="bad rows left out")
    shows: list[Evidence] = Field(default_factory=list, description="evidence the columns hold")


PAYLOADS: dict[EventType, type[_Payload]] = {
    EventType.ITEM_LIST_PUBLISHED: ItemListPublished,
    EventType.PLAN_PUBLISHED: PlanPublished,
    EventType.REGISTRY_SNAPSHOT: RegistrySnapshot,
    EventType.DRAW_ANNOUNCED: DrawAnnounced,
    EventType.DRAW_SEALED: DrawSealed,
    EventType.DRAW_REVEALED: DrawRevealed,
    EventType.LIST_ACCESSED: ListAccessed,
    EventType.JOINT_INSPECTION_INITIATED: JointInspectionInitiated,
    EventType.TASK_DISPATCHED: TaskDispatched,
    EventType.INSPECTOR_REPLACED: InspectorReplaced,
    EventType.INSPECTION_STARTED: InspectionStarted,
    EventType.INSPECTION_COMPLETED: InspectionCompleted,
    EventType.RESULT_RECORDED: ResultRecorded,
    EventType.CORRECTION_REQUESTED: CorrectionRequested,
    EventType.CORRECTION_APPROVED: CorrectionApproved,
    EventType.RECTIFICATION_ORDERED: RectificationOrdered,
    EventType.RECTIFICATION_PROGRESS: RectificationProgress,
    EventType.RECTIFICATION_COMPLETED: RectificationCompleted,
    EventType.DISCLOSURE_PUBLISHED: DisclosurePublished,
    EventType.REPORT_SUBMITTED: ReportSubmitted,
    EventType.EXCEPTION_RECORDED: ExceptionRecorded,
    EventType.RECORDS_IMPORTED: RecordsImported,
}


def describe_errors(exc: ValidationError) -> str:
    """A pydantic error as ``field: message; …``, each naming the field."""
    return "; ".join(
        f"{'.'.join(str(p) for p in e['loc']) or 'payload'}: {e['msg']}" for e in exc.errors()
    )


def dump_payload(payload: BaseModel) -> dict[str, Any]:
    """A payload as stored: JSON data, without ``source`` unless it was imported (so a
    payload of randcheck's own reads, and hashes, as it did before provenance), and
    without a dispatch's ``entity_name`` when none was recorded (so a dispatch written
    before names were recorded reads, and hashes, as it did)."""
    data = payload.model_dump(mode="json")
    for key in OMITTED_WHEN_NONE:
        if data.get(key, 0) is None:
            del data[key]
    return data


OMITTED_WHEN_NONE = ("source", "entity_name")
"""Optional payload fields added after ledgers were written: left out when None."""


def validate_payload(kind: EventType, payload: BaseModel | dict[str, Any]) -> dict[str, Any]:
    """The payload as plain JSON data, checked against its event type's model."""
    model = PAYLOADS[kind]
    if isinstance(payload, BaseModel):
        if not isinstance(payload, model):
            raise LedgerError(
                f"a {kind.value} event takes a {model.__name__} payload, "
                f"not {type(payload).__name__}"
            )
        return dump_payload(payload)
    try:
        return dump_payload(model.model_validate(payload))
    except ValidationError as exc:
        raise LedgerError(
            f"bad {kind.value} payload: {describe_errors(exc)}",
            hint=f"see {model.__name__} in the docs",
        ) from None


def parse_payload(kind: EventType, data: dict[str, Any]) -> _Payload:
    """A stored payload back as its model (for rules and reports)."""
    return PAYLOADS[kind].model_validate(data)


SHANGHAI = dt.timezone(dt.timedelta(hours=8), "CST")
"""China Standard Time (UTC+8): naive times are taken to be in it."""


def aware(moment: dt.datetime) -> dt.datetime:
    """``moment`` with a time zone; a naive time is China Standard Time."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=SHANGHAI)
