"""获嘉县 Huojia county (Xinxiang, Henan): the 2023 notice, its plan (附件1) and rules (附件2).

新乡市生态环境局获嘉分局《关于进一步做好2023年“双随机、一公开”监管工作的通知》,
附件1 2023年抽查工作计划, 附件2 “双随机、一公开”抽查实施细则 (25 articles).
Source: shared/seeds/002_768c4a83a957913c.txt.
"""

from __future__ import annotations

import datetime as dt

from randcheck.models import EntityClass, ProductionStatus
from randcheck.models.vocab import Outcome, ReplacementReason, Withheld
from randcheck.policies.model import (
    Classification,
    ClassPrecedence,
    Condition,
    Confidential,
    CoverageCycle,
    CreditPush,
    DatedObligation,
    Deadline,
    Disclosure,
    DrawBase,
    InspectorPool,
    JointShare,
    Level,
    NonSite,
    Policy,
    QuarterlyShare,
    RandomDraw,
    Replacement,
    Requirement,
    Team,
    YearlyDate,
    cite,
    leave_out,
)

SOURCE = "002_768c4a83a957913c.txt"
notice = cite("获嘉县 通知", SOURCE)
plan = cite("获嘉县 附件1", SOURCE)
rules = cite("获嘉县 细则", SOURCE)

KEY, GENERAL, SPECIAL = EntityClass.KEY, EntityClass.GENERAL, EntityClass.SPECIAL
RATIOS = (
    "每季度至少对辖区内纳入检查对象名录库25%的重点监管对象、10%的一般监管对象、"
    "50%的特殊监管对象进行抽查"
)
CYCLES = "确保重点监管对象1年抽查1次，一般监管对象2至3年抽查1次，特殊监管对象1年抽查2次"

# Clauses of the document that no rule encodes, each with the reason (Catala's "angle mort").
notice_gap = leave_out("获嘉县 通知")
rules_gap = leave_out("获嘉县 细则")
NOT_MODELLED = (
    notice_gap(
        "一(二)",
        "platform upkeep (完善平台建设): registries and item list adjusted, third-party experts marked; no date or measure given",
    ),
    notice_gap(
        "一(三)",
        "task names set in the platform so the credit publicity system shows them (规范派发任务名称设定): a wording convention of the provincial platform",
    ),
    notice_gap(
        "二(一)",
        "joint supervision (强化联合监管): the joint item list adjusted and departments chosen with judgement; no number (the 35 % target of 二 is encoded)",
    ),
    notice_gap(
        "二(二)",
        "a joint inspection plan for the year agreed with other departments (制定本年度部门联合抽查计划): no date given",
    ),
    notice_gap(
        "二(三)",
        "how joint inspections are carried out (符合各部门行政执法程序规定, 数据共享): procedure, not shown by the records",
    ),
    notice_gap(
        "三(一)",
        "daily supervision by non-site means (监控、无人机、遥感、大数据): encouraged, not required; non-site mode is modelled from 细则 第十五条",
    ),
    notice_gap(
        "三(二)",
        "organisation and results told to the inspected entity in one form (“一表告知”): a checkable requirement not yet encoded (no event records the notice to the entity)",
    ),
    notice_gap(
        "三(三)",
        "integrity (强化廉洁自律): no obstruction of business, trade secrets kept, no gifts; conduct the records do not show",
    ),
    rules_gap("第一条", "purpose and legal basis (为加强…根据…): no requirement"),
    rules_gap(
        "第二条",
        "definitions of 双随机 and 一公开, and the base (污染源, 包括排污单位和建设项目): used by the models, not a rule",
    ),
    rules_gap("第三条", "the mechanism stated (建立健全…新型生态环境监管执法机制): no requirement"),
    rules_gap(
        "第四条",
        "principles (依法实施、公开透明、注重实效): their duties are the rules of 第八、十四、二十条",
    ),
    rules_gap(
        "第六条",
        "work through the provincial 双随机系统 so every step leaves a trace (全过程留痕): the platform's duty; randcheck's ledger is such a trace",
    ),
    rules_gap(
        "第七条",
        "definition of 一单两库 and the systems that hold them: used by the models, not a rule",
    ),
    rules_gap(
        "第八条",
        "the item list built from the national catalogue with its elements (检查机构、检查事项…抽查依据): the item model carries them; the list's publication is dated in 第十六条",
    ),
    rules_gap(
        "第十三条",
        "inspections in the 一证式监管 / 一体化执法 mode covering the listed matters: the content of a visit, not shown by the records",
    ),
    rules_gap(
        "第十七条",
        "a checkable requirement not yet encoded: the order of the steps (plan, task, draw, inspection entered in the system, results published, follow-up) as a sequence check on each task",
    ),
    rules_gap(
        "第十八条",
        "a checkable requirement not yet encoded: problems found are ordered to be corrected and followed up to completion (责令改正, 督促整改到位); no period is given",
    ),
    rules_gap(
        "第十九条",
        "coordination with assistance, cross-checks, campaigns and permits (统筹衔接): no measurable duty",
    ),
    rules_gap(
        "第二十三条",
        "no obstruction of business, trade and technical secrets kept (依法保守…商业秘密): conduct the records do not show",
    ),
    rules_gap(
        "第二十四条",
        "staff discipline (不准参与或接受被抽查对象的宴请…): conduct the records do not show",
    ),
    rules_gap("第二十五条", "entry into force (自发布之日起施行): the policy's effective date"),
)

POLICY_2023_1 = Policy(
    id="huojia",
    name_zh="获嘉县生态环境“双随机、一公开”抽查实施细则",
    name_en="Huojia county: random inspection rules (2023)",
    level=Level.COUNTY,
    document_title="关于进一步做好2023年“双随机、一公开”监管工作的通知（附件1 抽查工作计划，附件2 实施细则）",
    document_number=None,
    issued=None,
    effective_from=dt.date(2023, 1, 1),
    version="2023.1",
    source_file=SOURCE,
    notes=(
        "The notice is undated; 2023 is the plan year it sets, so effective_from is 2023-01-01.",
        "Team size is not stated: teams use the engine's default of two inspectors.",
        "获嘉 states no 'list fixed once drawn' rule (its 保密 rule is 第二十二条); none is applied.",
    ),
    not_modelled=NOT_MODELLED,
    rules=(
        # 通知 一: the department's own random-inspection mechanism
        Requirement(
            id="plan.covers_all_items",
            title="The annual plan covers 100 % of the inspection items and is made public",
            topic="annual_plan",
            citation=notice("一(一)", "原则上，抽查计划要100%覆盖抽查事项，并及时向社会公开"),
        ),
        CreditPush(
            id="credit.push_steps",
            title="After each task, push results in order: 发布结果, 基础库推送, 任务推送",
            steps=("发布结果", "基础库推送", "任务推送"),
            citation=notice(
                "一(四)",
                "每次完成当月或季双随机任务后，要及时依次进行“发布结果”、“基础库推送”、“任务推送”",
            ),
        ),
        JointShare(
            id="joint.share",
            title="Target (力争): joint inspections initiated at least 35 % of own tasks + joint",
            min_fraction=0.35,
            citation=notice(
                "二",
                "部门联合抽查发起事项频次占比力争达到总频次（本部门抽查频次+部门联合抽查发起频次）35%以上",
            ),
            interpretation=(
                "力争 (strive for): a target, reported met or missed apart from the obligations. "
                "Frequencies are counted as tasks, as 附件1 counts the department's own work "
                "(one random-inspection task a quarter, 202201–202204): joint inspections "
                "initiated / (own draws sealed + joint inspections initiated) over the year. "
                "The per-visit reading is the variant huojia.joint_share_per_visit."
            ),
        ),
        # 附件1 and 细则 第十四条: ratios and cycles
        QuarterlyShare(
            id="key.quarterly_share",
            title="Key entities: at least 25 % each quarter",
            entity_class=KEY,
            min_fraction=0.25,
            citation=rules("第十四条", RATIOS),
        ),
        QuarterlyShare(
            id="general.quarterly_share",
            title="General entities: at least 10 % each quarter",
            entity_class=GENERAL,
            min_fraction=0.10,
            citation=rules("第十四条", RATIOS),
        ),
        QuarterlyShare(
            id="special.quarterly_share",
            title="Special entities: at least 50 % each quarter",
            entity_class=SPECIAL,
            min_fraction=0.50,
            citation=rules("第十四条", RATIOS),
        ),
        CoverageCycle(
            id="key.coverage",
            title="Each key entity once a year",
            entity_class=KEY,
            times=1,
            years=1,
            citation=rules("第十四条", CYCLES),
        ),
        CoverageCycle(
            id="general.coverage",
            title="Each general entity once every 2–3 years (read: within 3 years)",
            entity_class=GENERAL,
            times=1,
            years=3,
            citation=rules("第十四条", CYCLES),
            interpretation=(
                "2至3年抽查1次 is read as its outer bound: each general entity at least once in "
                "every 3 years. The stricter reading (within 2 years) ships as the variant "
                "huojia.general_two_year_cycle."
            ),
        ),
        CoverageCycle(
            id="special.coverage",
            title="Each special entity twice a year",
            entity_class=SPECIAL,
            times=2,
            years=1,
            citation=rules("第十四条", CYCLES),
        ),
        # 细则 第九条: the entity registry and its classes
        Classification(
            id="class.key",
            title="Key: by emissions and impact, as the law requires (permit key management)",
            entity_class=KEY,
            any_of=(
                Condition(field="permit_class", op="eq", value="KEY_MANAGEMENT"),
                Condition(field="key_emitter_list"),
            ),
            citation=rules(
                "第九条(一)",
                "重点监管对象：按照法律法规要求，依据排污单位污染物的产生量、排放量，以及对环境影响程度等因素确定",
            ),
            interpretation=(
                "The text names factors, not a list. Read as the legal instruments built on "
                "them: 排污许可重点管理 and the 重点排污单位名录."
            ),
        ),
        Classification(
            id="class.special",
            title="Special: serious violations, strong complaints, high attention, low credit",
            entity_class=SPECIAL,
            any_of=(
                Condition(field="criminal_record"),
                Condition(field="repeated_complaints"),
                Condition(field="media_exposure"),
                Condition(field="credit_rating", op="in", value=["WARNING", "BAD"]),
            ),
            citation=rules(
                "第九条(一)",
                "特殊监管单位：生态环境违法问题严重、群众普遍反映强烈、社会关注度高、环境信用评级低的排污单位",
            ),
            interpretation=(
                "违法问题严重 = a criminal or serious violation record; 群众普遍反映强烈 = "
                "repeated complaints; 社会关注度高 = media exposure; 环境信用评级低 = the two "
                "lower credit levels, 环保警示 and 环保不良."
            ),
        ),
        ClassPrecedence(
            id="class.precedence",
            title="Special before key; general otherwise",
            order=(SPECIAL, KEY),
            default=GENERAL,
            citation=rules(
                "第九条(一)",
                "一般监管对象：除重点监管对象外，各级生态环境保护部门认为应当列入日常监管的排污单位",
            ),
            interpretation=(
                "An entity meeting both the key and the special criteria is special: the "
                "special class carries the higher frequency (第十五条 要加大抽查频次)."
            ),
        ),
        # 细则 第十条: the inspector registry
        InspectorPool(
            id="inspectors.pool",
            title="All on-staff enforcement officers; an auxiliary pool of experts may assist",
            require_certificate=True,
            require_on_staff=True,
            auxiliary_allowed=True,
            citation=rules(
                "第十条(一)",
                "原则上要将本单位所有在编在岗在职且负有生态环境执法和现场检查职责的执法人员全部纳入",
            ),
            interpretation=(
                "Auxiliary inspectors (辅助检查人员名录库: monitoring bodies, experts) may join a "
                "team but are not counted toward its size."
            ),
        ),
        Requirement(
            id="inspectors.yearly_count",
            title="Each inspector's yearly number of inspections is recorded",
            topic="inspector_counts",
            citation=rules("第十条(二)", "建立检查人员年度检查次数标记制度"),
        ),
        # 细则 第五条: on-site checks are random checks, in principle
        RandomDraw(
            id="draw.random",
            title="In principle every on-site check is a random check: every task drawn, every drawn task inspected",
            citation=rules(
                "第五条",
                "原则上，除国家和省组织开展的重大专项活动、投诉举报、上级或其他部门转办交办、突发环境事件、数据分析或监测发现的问题线索等情形外，其他生态环境领域的现场检查，包括日常监督管理检查、监督执法检查、专项执法行动和部门联合检查等活动，均要采取随机抽查方式",
            ),
            interpretation=(
                "原则上: a check of the listed kinds made outside the draw is excused when its "
                "reason is recorded (an EXCEPTION_RECORDED event naming draw.random and the task)."
            ),
        ),
        # 细则 第十一条: targeted campaigns
        Requirement(
            id="draw.campaign_filters",
            title="Campaigns draw within tag filters; routine draws use no pre-set filter",
            topic="campaign_filters",
            citation=rules(
                "第十一条",
                "在开展日常监督检查时，不提前设定范围条件，随机抽取被检查对象、随机选派检查人员",
            ),
        ),
        # 细则 第十二条: recusal
        Team(
            id="team.recusal",
            title="An inspector with an interest in the entity recuses",
            min_size=None,
            recusal=True,
            citation=rules("第十二条", "检查人员与被检查对象有利害关系的，应依法回避"),
        ),
        Replacement(
            id="team.replacement",
            title="A recused inspector is replaced by a new draw",
            method="drawn_again",
            reasons=(ReplacementReason.RECUSAL,),
            citation=rules("第十二条", "确定不参与本次抽查的，再次由“双随机系统”抽查替代检查人员"),
            interpretation=(
                "The text also allows swapping entities with another inspector; randcheck "
                "implements the withdrawal-and-redraw route."
            ),
        ),
        # 细则 第十五条: frequency and non-site supervision
        NonSite(
            id="non_site.eligible",
            title="High credit, weather grade A or positive list: may be supervised non-site",
            any_of=(
                Condition(field="credit_rating", op="eq", value="EXCELLENT"),
                Condition(field="weather_grade", op="eq", value="A"),
                Condition(field="positive_list"),
            ),
            on_site_allowed="yes",
            citation=rules(
                "第十五条",
                "对企业环境信用评级高、重污染天气绩效A级、列入正面清单、绿色发展排行靠前、"
                "上一年度随机抽查无问题以及上级生态环境部门检查无问题的企业，可利用在线监控、"
                "用电监控、无人机巡检、走航车监测等非现场监管手段开展抽查工作",
            ),
            interpretation=(
                "可 (may): such entities are drawn to a separate non-site list; on-site "
                "inspection stays allowed. 信用评级高 = 环保诚信. Green ranking and last year's "
                "results are not registry fields; tag such entities positive_list if the "
                "bureau treats them alike."
            ),
        ),
        Requirement(
            id="joint.once",
            title="Joint inspections: entities drawn once, inspectors dispatched once, one publication",
            topic="joint_inspection",
            citation=rules(
                "第十五条",
                "做到“检查对象一次性抽取、执法人员一次性选派、检查结果一次性公示”",
            ),
        ),
        # 细则 第十六条
        DatedObligation(
            id="plan.next_year_counts",
            title="Next year's counts fixed by the end of December",
            obligation="annual_plan",
            when=YearlyDate(month=12, day=31, of="next_year_plan"),
            citation=rules(
                "第十六条",
                "每年12 月底前，按照本细则确定的抽查比例、频次，确定下一年度被抽查单位数量、家次",
            ),
        ),
        # 细则 第四章: disclosure
        Deadline(
            id="disclosure.deadline",
            title="Results published within 20 working days after the task is completed",
            obligation="disclosure",
            amount=20,
            unit="working_days",
            after="task_completed",
            citation=rules(
                "第二十条",
                "在抽查任务完成后的 20 个工作日内，通过地方政府或相关部门规定的平台将抽查情况和查处结果向社会公开",
            ),
            interpretation=(
                "抽查任务 is read as one inspection task (one entity's visit): completed when "
                "its result is recorded."
            ),
        ),
        Disclosure(
            id="disclosure.phrases",
            title="Standard phrases; secret, national or public security may be withheld",
            phrases={
                Outcome.NO_PROBLEM: "未发现问题",
                Outcome.RECTIFY: "发现问题已责令整改",
                Outcome.CASE_FILED: "发现违法行为已立案调查",
            },
            may_withhold=(Withheld.SECRET, Withheld.NATIONAL_SECURITY, Withheld.PUBLIC_SAFETY),
            citation=rules(
                "第二十一条",
                "公开信息可采用“未发现问题”、“发现问题已责令整改”、“发现违法行为已立案调查”等简要方式进行表述",
            ),
        ),
        # 细则 第二十二条: confidentiality
        Confidential(
            id="draw.confidential",
            title="The list is secret to the inspected entities until the inspection",
            citation=rules("第二十二条", "抽查工作实施前，随机抽查名单应对被抽查对象保密"),
        ),
    ),
)

# 2023.2 (randcheck 0.2): the base is every entity 纳入检查对象名录库, not only the
# operating ones (issue 13). 2023.1 stays, so receipts drawn under it still verify.
POLICY = POLICY_2023_1.revised(
    "2023.2",
    {
        "general.coverage": {
            "measure": "gap",
            "interpretation": (
                "2至3年抽查1次, read at its outer bound, per entity: no more than 3 years "
                "between its inspections (or since it started). Fixed 3-year windows, which "
                "allow gaps of nearly 6 years, are the variant huojia.general_fixed_windows; "
                "within 2 years is huojia.general_two_year_cycle."
            ),
        },
        "plan.covers_all_items": {
            "evidence": "the annual plan set beside the item list: every 抽查事项 in it"
        },
        "draw.campaign_filters": {
            "evidence": "the receipts: a routine draw carries no campaign filter"
        },
        "joint.once": {"evidence": "the joint task's one draw, one dispatch and one publication"},
        "team.replacement": {
            "reasons": [],
            "interpretation": (
                "第十二条 speaks of recusal and forbids no other reason, so none is refused. "
                "The text also allows swapping entities with another inspector; randcheck "
                "implements the withdrawal-and-redraw route."
            ),
        },
    },
    add=[
        DrawBase(
            id="draw.base",
            title="The base: every entity in the registry but the closed ones (纳入检查对象名录库)",
            statuses=(
                ProductionStatus.OPERATING,
                ProductionStatus.SEASONAL,
                ProductionStatus.SUSPENDED,
                ProductionStatus.UNDER_CONSTRUCTION,
            ),
            citation=rules("第十四条", "每季度至少对辖区内纳入检查对象名录库25%的重点监管对象"),
            interpretation=(
                "Suspended (停产) and under-construction (在建) entities stay in the registry, so "
                "in the base, and may be drawn (a visit checks the suspension or the works); "
                "closed ones leave the registry. Operating entities only is the variant "
                "huojia.operating_only."
            ),
        ),
        Requirement(
            id="flow.order",
            title="The steps in order: plan, task, draw, inspection entered, results published, handling",
            topic="flow_order",
            citation=rules(
                "第十七条",
                "（三）随机抽取检查对象和检查人员；（四）开展随机抽查，并通过移动执法终端将检查情况录入“双随机系统”；（五）抽查结果公示",
            ),
            interpretation=(
                "Measured per task on the dates the ledger records: the draw sealed, the task "
                "dispatched, the inspection, the result and its publication, in that order."
            ),
        ),
        Requirement(
            id="rectification.ordered",
            title="A problem found is ordered corrected, and followed up",
            topic="rectification_ordered",
            citation=rules(
                "第十八条", "发现环境管理问题的，应当责令改正，提出整改要求，督促整改到位"
            ),
            interpretation=(
                "Measured: every result that found a problem (发现问题已责令整改) has its "
                "RECTIFICATION_ORDERED. 督促整改到位 sets no period, so completion is not timed."
            ),
        ),
    ],
    reason=(
        "获嘉 第十四条 takes its base as the entities 纳入检查对象名录库; 第十二条 forbids no "
        "reason; 第十七条 and 第十八条 are checkable"
    ),
    not_modelled=[n for n in NOT_MODELLED if n.clause not in ("第十七条", "第十八条")],
)
POLICIES = (POLICY_2023_1, POLICY)

GENERAL_FIXED_WINDOWS = POLICY.with_changes(
    {"general.coverage": {"measure": "window"}},
    name="general_fixed_windows",
    reason="获嘉 第十四条 2至3年 read as fixed 3-year windows from 2023 (randcheck 0.1's reading)",
)

OPERATING_ONLY = POLICY.with_changes(
    {"draw.base": {"statuses": [ProductionStatus.OPERATING, ProductionStatus.SEASONAL]}},
    name="operating_only",
    reason="获嘉 第十四条's base read as the operating entities only (randcheck 0.1's reading)",
)

GENERAL_TWO_YEAR_CYCLE = POLICY.with_changes(
    {"general.coverage": {"years": 2, "title": "Each general entity once every 2 years"}},
    name="general_two_year_cycle",
    reason="获嘉 第十四条 2至3年抽查1次 read at its stricter bound: within 2 years",
)

JOINT_SHARE_PER_VISIT = POLICY.with_changes(
    {"joint.share": {"counting": "visits"}},
    name="joint_share_per_visit",
    reason=(
        "获嘉 通知 二 本部门抽查频次 read as entity visits (each dispatched task) rather than "
        "the department's own random-inspection tasks (its draws, as 附件1 counts them)"
    ),
)
