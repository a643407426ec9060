"""西平县 Xiping county (Zhumadian, Henan): 西环〔2024〕3号 西平县污染源日常监管随机抽查制度.

Issued 2024-01-12. Source: shared/seeds/001_f166962c744db354.txt.

一(四)3 "每季度至少对本辖区的特殊监管对象抽查一次" is ambiguous. The default
reading: at least one special entity is drawn each quarter (a draw among
them, 抽查一次). The other reading, each special entity once a quarter, ships
as the variant ``xiping.each_special_quarterly`` (:data:`EACH_SPECIAL_QUARTERLY`).
"""

from __future__ import annotations

import datetime as dt

from randcheck.models import EntityClass, ProductionStatus
from randcheck.policies.model import (
    Classification,
    ClassPrecedence,
    Condition,
    Confidential,
    CoverageCycle,
    DatedObligation,
    Deadline,
    DrawBase,
    InspectorPool,
    InspectorSelection,
    Level,
    ListFixed,
    NotSpecified,
    Policy,
    QuarterlyMinimum,
    QuarterlyShare,
    RandomDraw,
    Requirement,
    StaffMultiple,
    YearlyDate,
    cite,
    leave_out,
)

SOURCE = "001_f166962c744db354.txt"
c = cite("西平县 随机抽查制度", SOURCE)
KEY, GENERAL, SPECIAL = EntityClass.KEY, EntityClass.GENERAL, EntityClass.SPECIAL
SPECIAL_QUARTERLY = "每季度至少对本辖区的特殊监管对象抽查一次"

# Clauses of the document that no rule encodes, each with the reason (Catala's "angle mort").
skip = leave_out("西平县 随机抽查制度")
NOT_MODELLED = (
    skip(
        "一(二)",
        "what is inspected (重点对…污染防治设施运行情况…进行抽查): the content of each visit; the base (所有污染源) is read in 一(一) and the items are the item list",
    ),
    skip(
        "二(三)",
        "penalties (发现一起，查处一起，依法从严从重处理处罚): case handling after the inspection, outside the draw's records",
    ),
    skip(
        "二(七)",
        "the old monthly/quarterly inspection frequencies no longer apply (不再执行): a repeal, nothing to check",
    ),
    skip(
        "三(一)",
        "work requirement (提高思想认识): attitude and working mechanisms, not measurable from records",
    ),
    skip("三(二)", "work requirement (严格责任落实): responsibility, not measurable from records"),
    skip(
        "三(三)",
        "a checkable requirement not yet encoded: follow-up visits after rectification (整改回访) and results entered in the credit record (纳入企业社会信用记录); no deadline is given",
    ),
    skip(
        "三(四)", "publicity and training (加强宣传培训): not shown by the records randcheck keeps"
    ),
)

POLICY_2024_1 = Policy(
    id="xiping",
    name_zh="西平县污染源日常监管随机抽查制度",
    name_en="Xiping county: random inspections of pollution sources",
    level=Level.COUNTY,
    document_title="驻马店市生态环境局西平分局关于印发《西平县污染源日常监管随机抽查制度》的通知",
    document_number="西环〔2024〕3号",
    issued=dt.date(2024, 1, 12),
    effective_from=dt.date(2024, 1, 12),
    version="2024.1",
    source_file=SOURCE,
    notes=("Team size is not stated: teams use the engine's default of two inspectors.",),
    not_modelled=NOT_MODELLED,
    rules=(
        Requirement(
            id="scope.routine_only",
            title="Routine supervision only: not campaigns, case handling or complaints",
            topic="scope",
            citation=c(
                "一(一)",
                "开展专项执法检查、环境违法案件查处、环境执法后督察、环境信访案件查处等非日常监督检查工作时，不适用本实施方案",
            ),
        ),
        Classification(
            id="class.key",
            title="City-controlled (市控) and higher entities must be key",
            entity_class=KEY,
            any_of=(
                Condition(field="control_level", op="in", value=["CITY", "PROVINCIAL", "NATIONAL"]),
            ),
            citation=c("一(三)", "其中市控及以上重点企业必须作为重点排污单位"),
        ),
        ClassPrecedence(
            id="class.precedence",
            title="Three classes: general, key, special",
            order=(SPECIAL, KEY),
            default=GENERAL,
            citation=c("一(三)", "企业分类（分一般排污企业、重点排污企业和特殊监管对象）"),
            interpretation=(
                "Only the key class has a stated criterion; special entities are those the "
                "bureau records as special."
            ),
        ),
        InspectorPool(
            id="inspectors.pool",
            title="Inspectors: staff holding an administrative enforcement certificate",
            require_certificate=True,
            require_on_staff=True,
            auxiliary_allowed=False,
            citation=c(
                "一(三)",
                "执法检查人员数据库原则上由西平县环境监察大队具有行政执法资格证的工作人员构成",
            ),
        ),
        DatedObligation(
            id="plan.next_year_count",
            title="Next year's count fixed by the end of December and filed upward",
            obligation="annual_plan",
            when=YearlyDate(month=12, day=31, of="next_year_plan"),
            citation=c(
                "一(四)",
                "每年12月底前，按照本单位确定的抽查比例，确定下一年度被抽查单位数量",
            ),
        ),
        QuarterlyShare(
            id="key.quarterly_share",
            title="Key entities: at least 20 % each quarter",
            entity_class=KEY,
            min_fraction=0.20,
            citation=c("一(四)1", "每季度至少对本辖区20%的重点排污单位进行抽查"),
        ),
        CoverageCycle(
            id="key.coverage",
            title="All key entities once a year, in principle",
            entity_class=KEY,
            times=1,
            years=1,
            citation=c("一(四)1", "原则上应保证每年对辖区所有重点排污单位进行一遍巡查"),
        ),
        StaffMultiple(
            id="general.yearly_count",
            title="General entities: at least 1 : 10 (yearly count = 10 × inspectors)",
            entity_class=GENERAL,
            multiple=10,
            basis="certified",
            citation=c("一(四)2", "至少按照1:10的比例确定年度被抽查单位数量"),
            interpretation=(
                "1:10 is read as in 睢县 三(二)2, inspectors : entities inspected per year; the "
                "inspectors are those of the registry, certificate holders (一(三))."
            ),
        ),
        NotSpecified(
            id="special.quarterly_share",
            title="Special entities: an 'appropriately higher' ratio",
            topic="quarterly_share",
            entity_class=SPECIAL,
            stated="适度提高抽查比例",
            citation=c("一(四)3", "对存在环境违法问题和环境管理问题的污染源，应适度提高抽查比例"),
        ),
        QuarterlyMinimum(
            id="special.quarterly",
            title="Special entities: at least one drawn each quarter",
            entity_class=SPECIAL,
            count=1,
            citation=c("一(四)3", SPECIAL_QUARTERLY),
            interpretation=(
                "Ambiguous. Read as one check among the special entities each quarter "
                "(抽查一次 = one draw). The other reading, each special entity once a quarter, "
                "is the variant xiping.each_special_quarterly."
            ),
        ),
        RandomDraw(
            id="draw.random",
            title="Entities and inspectors drawn at random: every task drawn, every drawn task inspected",
            citation=c("二(一)", "随机抽取检查对象和执法检查人员"),
        ),
        ListFixed(
            id="draw.list_fixed",
            title="Once drawn, the list is not changed at will",
            citation=c("二(一)", "污染源日常环境监管随机抽查名单一经确定，不得随意变更"),
        ),
        InspectorSelection(
            id="inspectors.drawn",
            title="Inspectors are drawn at random",
            citation=c("二(一)", "随机抽取检查对象和执法检查人员"),
        ),
        Deadline(
            id="result_entry.deadline",
            title="Results uploaded within 7 working days after the on-site inspection ends",
            obligation="result_entry",
            amount=7,
            unit="working_days",
            after="inspection_completed",
            citation=c(
                "二(二)",
                "现场抽查工作结束后，实施抽查部门在7个工作日内将抽查结果上传到“河南省生态环境执法一体化”平台",
            ),
        ),
        Confidential(
            id="draw.confidential",
            title="The list is secret to the entities before the on-site inspection",
            citation=c("二(四)", "在现场检查工作实施前，随机抽查名单应对被抽查单位保密"),
        ),
        Requirement(
            id="inspection.joint_monitoring",
            title="Monitoring together with the inspection",
            topic="joint_monitoring",
            citation=c("二(五)", "对被抽查单位同步开展监测和监察"),
        ),
        NotSpecified(
            id="disclosure.deadline",
            title="Disclosure 'timely': no deadline",
            topic="disclosure_deadline",
            stated="及时",
            citation=c("二(六)", "将随机抽查情况和查处结果及时向社会公开"),
        ),
    ),
)

EACH_SPECIAL_QUARTERLY = POLICY_2024_1.with_changes(
    remove=["special.quarterly"],
    add=[
        QuarterlyShare(
            id="special.every_quarter",
            title="Each special entity once each quarter (100 % each quarter)",
            entity_class=SPECIAL,
            min_fraction=1.0,
            citation=c("一(四)3", SPECIAL_QUARTERLY),
            interpretation="The other reading of 一(四)3: every special entity, once a quarter.",
        )
    ],
    name="each_special_quarterly",
    reason="西平 一(四)3 read as: each special entity at least once each quarter",
)


# 2024.2 (randcheck 0.2, issue 13): the base is every 污染源, construction projects
# included (一(一), 一(二)); each special entity once a quarter (一(四)3, after
# "应适度提高抽查比例", as 二(七) speaks of each entity); inspectors need the
# certificate, not a place on the staff (一(三) says 工作人员). 2024.1 stays, so
# receipts drawn under it still verify.
EVERY_SPECIAL_QUARTER = QuarterlyShare(
    id="special.every_quarter",
    title="Each special entity once each quarter (100 % each quarter)",
    entity_class=SPECIAL,
    min_fraction=1.0,
    citation=c("一(四)3", SPECIAL_QUARTERLY),
    interpretation=(
        "每季度至少对本辖区的特殊监管对象抽查一次 follows 应适度提高抽查比例: a higher ratio "
        "than the key 20 %, so every special entity once a quarter. One draw among them a "
        "quarter is the variant xiping.one_special_a_quarter."
    ),
)
POLICY = POLICY_2024_1.revised(
    "2024.2",
    {
        "inspectors.pool": {"require_on_staff": False},
        "scope.routine_only": {
            "evidence": "the register of non-routine checks (专项执法, 案件查处, 信访) kept apart"
        },
        "inspection.joint_monitoring": {
            "evidence": "the monitoring report made with each inspection (监测报告)"
        },
    },
    remove=["special.quarterly"],
    add=[
        DrawBase(
            id="draw.base",
            title="The base: every pollution source in the registry, construction projects included",
            statuses=(
                ProductionStatus.OPERATING,
                ProductionStatus.SEASONAL,
                ProductionStatus.SUSPENDED,
                ProductionStatus.UNDER_CONSTRUCTION,
            ),
            citation=c("一(二)", "把本辖区内所有污染源作为随机抽查对象"),
            interpretation=(
                "所有污染源, which 一(一) says 包括排污单位和建设项目: every entity in the registry "
                "but the closed ones. Operating entities only is the variant xiping.operating_only."
            ),
        ),
        EVERY_SPECIAL_QUARTER,
        Requirement(
            id="rectification.follow_up",
            title="Problems found are handled and followed up with a return visit (整改回访)",
            topic="rectification_follow_up",
            evidence="the return-visit records (整改回访记录)",
            citation=c("三(三)", "有针对性的开展整改回访，确保整改落实"),
        ),
        Requirement(
            id="results.credit_record",
            title="Inspection results enter the enterprise credit record",
            topic="credit_record",
            evidence="the entries in the enterprise credit record (企业社会信用记录)",
            citation=c("三(三)", "将随机检查结果纳入企业社会信用记录"),
        ),
    ],
    reason="西平 一(一)/(二), 一(三) and 一(四)3 read as their words say (issue 13)",
    not_modelled=[n for n in NOT_MODELLED if n.clause not in ("一(二)", "三(三)")],
)
POLICIES = (POLICY_2024_1, POLICY)

ONE_SPECIAL_A_QUARTER = POLICY.with_changes(
    remove=["special.every_quarter"],
    add=[
        QuarterlyMinimum(
            id="special.quarterly",
            title="Special entities: at least one drawn each quarter",
            entity_class=SPECIAL,
            count=1,
            citation=c("一(四)3", SPECIAL_QUARTERLY),
            interpretation="The other reading of 一(四)3: one check among the special entities.",
        )
    ],
    name="one_special_a_quarter",
    reason="西平 一(四)3 抽查一次 read as one draw among the special entities (0.1's reading)",
)
OPERATING_ONLY = POLICY.with_changes(
    {"draw.base": {"statuses": [ProductionStatus.OPERATING, ProductionStatus.SEASONAL]}},
    name="operating_only",
    reason="西平 一(二)'s base read as the operating entities only (randcheck 0.1's reading)",
)
