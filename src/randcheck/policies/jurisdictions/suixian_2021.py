"""睢县 Suixian county (Shangqiu, Henan): 环境保护局“双随机一公开”工作实施细则.

Undated; it cites the 5th plenum of the 19th Central Committee, so it was
issued after October 2020. Source: shared/seeds/000_455e1a041ffaddf1.txt.
"""

from __future__ import annotations

import datetime as dt

from randcheck.models import EntityClass
from randcheck.policies.model import (
    Classification,
    ClassPrecedence,
    Condition,
    Confidential,
    CoverageCycle,
    Deadline,
    InspectorSelection,
    Level,
    ListFixed,
    NotSpecified,
    Policy,
    QuarterlyShare,
    RandomDraw,
    Requirement,
    StaffMultiple,
    cite,
    leave_out,
)

SOURCE = "000_455e1a041ffaddf1.txt"
c = cite("睢县 实施细则", SOURCE)
KEY, GENERAL, SPECIAL = EntityClass.KEY, EntityClass.GENERAL, EntityClass.SPECIAL

# Clauses of the document that no rule encodes, each with the reason (Catala's "angle mort").
skip = leave_out("睢县 实施细则")
NOT_MODELLED = (
    skip("一", "guiding ideology (指导思想): states aims, no checkable requirement"),
    skip(
        "二",
        "aims (目标任务): build the system, regulate enforcement, join the county market-supervision platform; no measurable duty",
    ),
    skip(
        "三(一)",
        "a leadership group set up (成立领导小组) with named members: an organisational fact the ledger does not record",
    ),
    skip(
        "三(三)",
        "the two registries and the item list kept and updated (建立“两库一单”, 实行动态管理): no date or frequency to check; the registry models carry them",
    ),
    skip(
        "四(一)",
        "work requirement (统一思想认识, 明确职能职责): attitude and division of duties, not measurable from records",
    ),
    skip(
        "四(二)",
        "work discipline and performance evaluation (严肃工作纪律): disciplinary, not shown by the records randcheck keeps",
    ),
    skip(
        "四(三)", "publicity and training (加强宣传培训): not shown by the records randcheck keeps"
    ),
)

POLICY_2021_1 = Policy(
    id="suixian",
    name_zh="睢县环境保护局“双随机一公开”工作实施细则",
    name_en="Suixian county: rules for double-random, one-public inspections",
    level=Level.COUNTY,
    document_title="睢县环境保护局 “双随机一公开”工作实施细则",
    document_number=None,
    issued=None,
    effective_from=dt.date(2021, 1, 1),
    version="2021.1",
    source_file=SOURCE,
    notes=(
        "Undated: it cites the 5th plenum of the 19th CPC Central Committee (October 2020); "
        "effective_from is taken as 2021-01-01.",
        "Team size is not stated: teams use the engine's default of two inspectors.",
    ),
    not_modelled=NOT_MODELLED,
    rules=(
        # 三(二) ratios
        QuarterlyShare(
            id="key.quarterly_share",
            title="National-controlled key entities: 25 % each quarter",
            entity_class=KEY,
            min_fraction=0.25,
            scope=(Condition(field="control_level", op="eq", value="NATIONAL"),),
            citation=c("三(二)1", "每季度对本辖区 25% 的国控级以上重点环境监管对象进行抽查"),
            interpretation=(
                "国控级以上 limits the 25 % to key entities under national control; other key "
                "entities are reached by the yearly coverage rule below."
            ),
        ),
        CoverageCycle(
            id="key.coverage",
            title="Every key entity once a year, in principle",
            entity_class=KEY,
            times=1,
            years=1,
            citation=c("三(二)1", "原则上对本辖区重点环境监管对象应保证当年检查一遍"),
        ),
        Classification(
            id="class.key",
            title="National-controlled (国控) entities are key",
            entity_class=KEY,
            any_of=(Condition(field="control_level", op="eq", value="NATIONAL"),),
            citation=c("三(二)1", "每季度对本辖区 25% 的国控级以上重点环境监管对象进行抽查"),
            interpretation="国控级以上重点环境监管对象 implies national-controlled entities are key.",
        ),
        ClassPrecedence(
            id="class.precedence",
            title="Key by its criterion; general otherwise",
            order=(SPECIAL, KEY),
            default=GENERAL,
            citation=c(
                "三(二)3",
                "存在环境违法问题和环境管理问题的环境监管对象，应适度提高抽查比例",
            ),
            interpretation=(
                "The text defines no special criterion; special entities are those the bureau "
                "records as special (with violations or management problems)."
            ),
        ),
        StaffMultiple(
            id="general.yearly_count",
            title="General entities: yearly count = 10 × on-staff inspectors (1 : 10)",
            entity_class=GENERAL,
            multiple=10,
            basis="on_staff",
            citation=c(
                "三(二)2",
                "按照 1：10（在编在岗的环境监察人员数量：被抽查单位数量）的比例确定年度被抽查单位 数量",
            ),
        ),
        NotSpecified(
            id="special.quarterly_share",
            title="Special entities: an 'appropriately higher' ratio, no number",
            topic="quarterly_share",
            entity_class=SPECIAL,
            stated="适度提高抽查比例",
            citation=c(
                "三(二)3", "存在环境违法问题和环境管理问题的环境监管对象，应适度提高抽查比例"
            ),
        ),
        # 三(四) the draw
        InspectorSelection(
            id="inspectors.drawn",
            title="Inspectors are drawn at random",
            module="routine",
            method="drawn",
            citation=c(
                "三(四)",
                "对环境监管对象进行随机抽查的同时，实现环境监察人员的随机选派",
            ),
        ),
        RandomDraw(
            id="draw.random",
            title="Entities are inspected by random draw: every task drawn, every drawn task inspected",
            citation=c("三(四)", "对环境监管对象进行随机抽查的同时，实现环境监察人员的随机选派"),
            interpretation=(
                "A task dispatched without a sealed and revealed draw is not a random inspection; "
                "a drawn entity left uninspected at its quarter's end defeats the draw."
            ),
        ),
        ListFixed(
            id="draw.list_fixed",
            title="Once drawn, the entities are not changed at will",
            citation=c("三(四)", "随机抽查对象一经确定，不得随意变更"),
        ),
        Deadline(
            id="result_entry.deadline",
            title="Results entered within 7 working days after the on-site inspection ends",
            obligation="result_entry",
            amount=7,
            unit="working_days",
            after="inspection_completed",
            citation=c(
                "三(四)",
                "现场抽查工作结束后，应在 7 个工作日内完成环境监管对象日常监管动态信息的录入与更新工作",
            ),
        ),
        # 三(五) violations
        Requirement(
            id="results.credit_record",
            title="Violations ordered corrected; results enter the credit record",
            topic="credit_record",
            citation=c("三(五)", "将随机抽查结果纳入市场主体的社会信用记录"),
        ),
        NotSpecified(
            id="rectification.deadline",
            title="Rectification: 'immediately', no period",
            topic="rectification_deadline",
            stated="立即改正",
            citation=c("三(五)", "责令环境监管对象立即改正，提出整改要求"),
        ),
        # 三(六) confidentiality
        Confidential(
            id="draw.confidential",
            title="The list is secret to the entities before the on-site inspection",
            citation=c("三(六)", "在现场抽查工作实施前，随机抽查名单应对被抽查对象保密"),
        ),
        # 三(七) disclosure
        NotSpecified(
            id="disclosure.deadline",
            title="Disclosure 'timely': no deadline",
            topic="disclosure_deadline",
            stated="及时",
            citation=c("三(七)", "将随机抽查情况和查处结果及时向社会公开"),
        ),
    ),
)


# 2021.2 (randcheck 0.2, issue 13): no rule that 国控 entities are key (the text has
# none: 三(二)1 draws 25 % of the key entities that are 国控级以上, which the registry's
# 控制级别 shows). 2021.1 stays, so receipts drawn under it still verify.
POLICY = POLICY_2021_1.revised(
    "2021.2",
    {
        "class.precedence": {
            "title": "Key and special as the bureau records them; general otherwise"
        },
        "results.credit_record": {
            "evidence": "the entries in the market entity's credit record (社会信用记录)"
        },
    },
    remove=["class.key"],
    add=[],
    reason="睢县 三(二)1 defines no key criterion; 国控 only scopes the 25 % (issue 13)",
    notes=(
        "The base of shares and coverage is the operating entities (在产, seasonal): the "
        "text does not put entities under construction or suspended in it (no DrawBase rule).",
    ),
)
POLICIES = (POLICY_2021_1, POLICY)

ALL_KEY_ENTITIES = POLICY.with_changes(
    {"key.quarterly_share": {"scope": []}},
    name="all_key_entities",
    reason="睢县 三(二)1 25 % read over all key entities, not only those 国控级以上",
)
