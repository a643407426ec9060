"""青岛西海岸新区 Qingdao West Coast New Area (Shandong): 青环西新字〔2020〕29号.

青岛西海岸新区2020年“双随机、一公开”工作实施方案, issued 2020-04-08.
Source: shared/seeds/003_acc1b6dfbda5c8de.txt.

The document states no confidentiality rule and no team size; none is applied.
It has no special class: only key (重点排污单位) and general (一般排污单位) ratios.
"""

from __future__ import annotations

import datetime as dt

from randcheck.models import EntityClass
from randcheck.models.vocab import ReplacementReason
from randcheck.policies.model import (
    DatedObligation,
    Deadline,
    InspectorSelection,
    Level,
    ListFixed,
    MonthlyBy,
    NotSpecified,
    Policy,
    QuarterEnd,
    QuarterlyShare,
    QuarterStartWithin,
    RandomDraw,
    Replacement,
    Requirement,
    ResultsImmutable,
    StaffMultiple,
    YearlyDate,
    cite,
    leave_out,
)

SOURCE = "003_acc1b6dfbda5c8de.txt"
c = cite("青岛西海岸新区 实施方案", SOURCE)
KEY, GENERAL = EntityClass.KEY, EntityClass.GENERAL

# Clauses of the document that no rule encodes, each with the reason (Catala's "angle mort").
skip = leave_out("青岛西海岸新区 实施方案")
NOT_MODELLED = (
    skip(
        "二(一)",
        "the item list is the city bureau's (根据《青岛市生态环境局…事项清单》执行): an external document, nothing to check here",
    ),
    skip(
        "七(二)",
        "a checkable requirement not yet encoded: inspections by the standard, record forms filled in, rectification entered, records filed and archived (立卷、归档和保管); archiving is not in the ledger",
    ),
)

POLICY_2020_1 = Policy(
    id="qingdao_west_coast",
    name_zh="青岛西海岸新区2020年“双随机、一公开”工作实施方案",
    name_en="Qingdao West Coast New Area: 2020 random inspection scheme",
    level=Level.NEW_AREA,
    document_title="关于印发《青岛西海岸新区2020年“双随机、一公开”工作实施方案》的通知",
    document_number="青环西新字〔2020〕29号",
    issued=dt.date(2020, 4, 8),
    effective_from=dt.date(2020, 4, 8),
    version="2020.1",
    source_file=SOURCE,
    notes=(
        "No confidentiality rule and no team size are stated; teams use the engine's default "
        "of two inspectors.",
        "No special class is defined; special entities, if recorded, have no minimum here.",
    ),
    not_modelled=NOT_MODELLED,
    rules=(
        Requirement(
            id="modules",
            title="Two modules: routine random inspection and comprehensive enforcement",
            topic="modules",
            citation=c("一", "目前省系统具备抽查功能的有“随机抽查”和“综合执法”两个模块"),
        ),
        DatedObligation(
            id="pool.entities_update",
            title="Entity pool changes filed within 15 days of each quarter's start",
            obligation="pool_update",
            when=QuarterStartWithin(days=15, working=False),
            citation=c(
                "二(二)", "大队综合科会同各中队统一录入系统，并于每季度初 15 日内报支队备案"
            ),
            interpretation="15 日 is counted in calendar days: the text says 日, not 工作日.",
        ),
        DatedObligation(
            id="pool.inspectors_update",
            title="Inspector pool changes filed within 15 days of each quarter's start",
            obligation="pool_update",
            when=QuarterStartWithin(days=15, working=False),
            citation=c("二(三)", "每季度初 15 日内将“执法人员名录库”更新情况报支队备案"),
            interpretation="15 日 is counted in calendar days.",
        ),
        DatedObligation(
            id="pool.inspector_count",
            title="The on-staff inspector total updated every 15 January",
            obligation="inspector_count",
            when=YearlyDate(month=1, day=15),
            citation=c("二(三)", "每年 1 月 15 日集中更新在编在岗执法人员总数并报支队备案"),
        ),
        QuarterlyShare(
            id="key.quarterly_share",
            title="Key entities: at least 25 % each quarter",
            entity_class=KEY,
            min_fraction=0.25,
            citation=c(
                "三(一)",
                "按照每季度重点排污单位抽查数量不低于 25%、全年一般排污单位抽查数量不低于全市在编在岗执法人员数量的 5 倍抽查比例",
            ),
        ),
        StaffMultiple(
            id="general.yearly_count",
            title="General entities: at least 5 × the on-staff inspectors a year",
            entity_class=GENERAL,
            multiple=5,
            basis="on_staff",
            citation=c(
                "三(一)",
                "全年一般排污单位抽查数量不低于全市在编在岗执法人员数量的 5 倍",
            ),
            interpretation=(
                "全市 counts the city's on-staff officers; randcheck counts the on-staff "
                "inspectors of the registry it is given, which should be the city's for a "
                "city-level draw."
            ),
        ),
        RandomDraw(
            id="draw.random",
            title="The routine module's entity list is drawn at random: every task drawn, every drawn task inspected",
            citation=c("三(一)", "随机抽查现场检查企业名单"),
        ),
        ListFixed(
            id="draw.list_fixed",
            title="Once drawn, entities and inspectors are not changed at will",
            changes_approved_by="分管负责人",
            citation=c("三(一)", "检查对象和执法检查人员一经确定不得随意更改"),
        ),
        InspectorSelection(
            id="inspectors.drawn",
            title="Routine module: the branch draws its inspectors at random",
            module="routine",
            method="drawn",
            citation=c("三(一)", "分局利用平台随机抽取本辖区执法检查人员"),
        ),
        InspectorSelection(
            id="inspectors.matched",
            title="Comprehensive module: inspectors are matched directly, not drawn",
            module="comprehensive",
            method="matched",
            citation=c("三(二)", "支队直接匹配执法人员"),
        ),
        ResultsImmutable(
            id="results.immutable",
            title="Recorded results are not changed; an error needs a signed written request",
            correction_approved_by="主要负责人",
            citation=c(
                "四",
                "检查结果一经录入不得随意修改，检查结果录入确有错误的，各中队须及时提出书面申请，经本部门主要负责人签字确认后",
            ),
        ),
        Requirement(
            id="inspection.entity_signs",
            title="The inspected entity signs the inspection record",
            topic="entity_signature",
            citation=c("四", "要求被检查对象在《现场检查记录表》上签字"),
        ),
        Deadline(
            id="rectification.deadline",
            title="Rectification within 3 months; otherwise reason and progress recorded",
            obligation="rectification",
            amount=3,
            unit="months",
            after="result_recorded",
            citation=c(
                "四",
                "原则上 3 个月内完成环境问题及环境违法行为整改，尚未完成整改的，填报原因和阶段性进展情况",
            ),
            interpretation=(
                "The 3 months run from the result that found the problem; a late rectification "
                "passes when a progress record with its reason exists by the deadline."
            ),
        ),
        DatedObligation(
            id="report.monthly_dispatch",
            title="The monthly dispatch table for the previous month by the 5th",
            obligation="monthly_dispatch",
            when=MonthlyBy(day=5),
            citation=c("五", "每月 5 日前报送上月随机抽查工作调度表"),
        ),
        DatedObligation(
            id="report.quarterly",
            title="The quarterly report within 10 days of the quarter's start",
            obligation="quarterly_report",
            when=QuarterStartWithin(days=10, working=False),
            citation=c("五", "每季度开始后 10 日内报送季度报表"),
            interpretation="10 日 is counted in calendar days; the report covers the quarter before.",
        ),
        NotSpecified(
            id="disclosure.deadline",
            title="Results published 'as soon as possible': no deadline",
            topic="disclosure_deadline",
            stated="尽快",
            citation=c("六", "尽快登录系统录入检查结果并依法公开抽查检查结果"),
        ),
        Replacement(
            id="team.replacement",
            title="Replacement only for post change, work conflict, health or recusal; chosen, signed off",
            method="chosen",
            approval_by="分管负责人",
            reasons=(
                ReplacementReason.POST_CHANGE,
                ReplacementReason.WORK_CONFLICT,
                ReplacementReason.HEALTH,
                ReplacementReason.RECUSAL,
            ),
            citation=c(
                "七(一)",
                "因岗位调整、工作冲突、健康状况、执法回避等特殊情况无法继续履行检查职责的，经本部门分管负责人签字确认后，可调整更换",
            ),
            interpretation="调整更换人员在具备执法资格的其他执法人员中选派，无须摇号抽取: chosen, not drawn.",
        ),
        Requirement(
            id="tasks.late_reporting",
            title="Inspections not reported in time count as tasks not completed",
            topic="late_reporting",
            citation=c("七(三)", "未在规定时间内完成向省系统报送现场检查情况的,视为未完成任务"),
        ),
    ),
)


# 2020.2 (randcheck 0.2, issue 13): 三(一) counts the whole city's on-staff officers
# (全市), so the yearly count is judged on the city's figures. 2020.1 stays.
POLICY = POLICY_2020_1.revised(
    "2020.2",
    {
        "general.yearly_count": {
            "of": "city",
            "interpretation": (
                "全市: the city's on-staff officers. The audit judges it on the city's count "
                "(REGISTRY_SNAPSHOT.city_on_staff_inspectors) and the entities in the ledger "
                "(the city's draws, 支队 on the provincial platform); a branch audited alone "
                "without the city's figures is NOT_ENOUGH_DATA. A draw counts the inspectors "
                "of the registry it is given, which should be the city's."
            ),
        },
        "modules": {"evidence": "the provincial platform's module of each task"},
        "tasks.late_reporting": {
            "evidence": "the provincial system's submission time of each inspection"
        },
        "team.replacement": {
            "other_reasons": True,
            "title": "Replacement for post change, work conflict, health, recusal or another "
            "stated reason (等特殊情况); chosen, signed off",
        },
    },
    add=[
        DatedObligation(
            id="pool.squad_reports",
            title="Each squad reports its entity updates at each quarter's end",
            obligation="squad_quarter_end",
            when=QuarterEnd(),
            citation=c("二(二)", "各中队将企业信息完善情况于每个季度末报大队综合科"),
        ),
        Requirement(
            id="report.quarterly_published",
            title="The quarterly report is published on the bureau's website",
            topic="quarterly_report_published",
            citation=c("五", "宣教中心通过青岛市生态环境局官网向社会公示季度报表"),
            interpretation=(
                "No date is given: each quarterly report filed has its publication "
                "(QUARTERLY_PUBLISHED) by the audit date."
            ),
        ),
    ],
    reason="青岛 三(一) 全市 staff; 七(一)'s list ends in 等特殊情况; 二(二), 五 (issue 13)",
    notes=(
        "The base of shares and coverage is the operating entities (在产, seasonal): the "
        "text does not put entities under construction or suspended in it (no DrawBase rule).",
    ),
)
POLICIES = (POLICY_2020_1, POLICY)
