"""本溪市 Benxi city (Liaoning): 生态环境执法“双随机、一公开”工作实施方案（试行）, from 2025.

Source: shared/seeds/004_e931121260d324b8.txt.
"""

from __future__ import annotations

import datetime as dt

from randcheck.models import EntityClass
from randcheck.models.vocab import ReplacementReason
from randcheck.policies.model import (
    BeforeYearEnd,
    Classification,
    ClassPrecedence,
    Condition,
    Confidential,
    CoverageCycle,
    DatedObligation,
    Deadline,
    Disclosure,
    InspectorPool,
    ItemCap,
    Level,
    ListFixed,
    NoMinimum,
    NonSite,
    NotSpecified,
    Policy,
    QuarterlyShare,
    QuarterMonthDay,
    RandomDraw,
    Replacement,
    Requirement,
    Team,
    YearlyDate,
    cite,
    leave_out,
)

SOURCE = "004_e931121260d324b8.txt"
c = cite("本溪市 实施方案", SOURCE)
KEY, GENERAL, SPECIAL = EntityClass.KEY, EntityClass.GENERAL, EntityClass.SPECIAL

# Clauses of the document that no rule encodes, each with the reason (Catala's "angle mort").
skip = leave_out("本溪市 实施方案")
NOT_MODELLED = (
    skip("一", "guiding ideology (指导思想): states aims, no checkable requirement"),
    skip(
        "三",
        "scope (适用范围): which checks must be random and which are exempt (投诉举报, 专项检查 …); used to read the other rules, not a rule itself",
    ),
    skip(
        "五",
        "division of duties between the city bureau, the 市执法队 and the county branches (职责分工): organisational, not measurable from records",
    ),
    skip(
        "七(七)",
        "archiving (归档要求): lists, plans, registries and case files bound and archived, paper and electronic; the records do not show it",
    ),
)

POLICY_2025_1 = Policy(
    id="benxi",
    name_zh="本溪市生态环境执法“双随机、一公开”工作实施方案（试行）",
    name_en="Benxi city: environmental enforcement random inspection scheme (trial)",
    level=Level.CITY,
    document_title="本溪市生态环境执法“双随机、一公开”工作实施方案（试行）",
    document_number=None,
    issued=None,
    effective_from=dt.date(2025, 1, 1),
    version="2025.1",
    source_file=SOURCE,
    notes=("The ratios apply from 2025 (七(一) 2025年起); effective_from is 2025-01-01.",),
    not_modelled=NOT_MODELLED,
    rules=(
        # 二 总体目标
        Disclosure(
            id="disclosure.all_results",
            title="From 2025, 100 % of the year's results are published",
            published_share=1.0,
            citation=c(
                "二",
                "2025年起，全市生态环境执法领域“双随机、一公开”监管工作实现常态化，年度抽查结果100％公开",
            ),
        ),
        # 六(一) item list and quarterly plan
        DatedObligation(
            id="items.by_jan_5",
            title="The item list is made by 5 January",
            obligation="item_list",
            when=YearlyDate(month=1, day=5),
            citation=c("六(一)1", "随机抽查事项清单应于每年1月5日前制定完成"),
        ),
        DatedObligation(
            id="plan.quarterly",
            title="The quarterly plan is made by the 5th of the quarter's first month",
            obligation="quarterly_plan",
            when=QuarterMonthDay(month="first", day=5),
            citation=c("六(一)2", "于每季度首月5日前制定完成季度“双随机、一公开”抽查工作计划"),
        ),
        DatedObligation(
            id="quarter.results",
            title="The quarter's inspections done and results published by the 25th of its last month",
            obligation="quarter_results",
            when=QuarterMonthDay(month="last", day=25),
            citation=c("六(一)2", "于每季度最后一个月25日前完成本季度检查工作计划，并公示检查结果"),
        ),
        # 六(二) the entity registry and its classes
        Classification(
            id="class.key",
            title="Key: key-emitter list, permit key management, 两高, hazardous waste, tailings, …",
            entity_class=KEY,
            any_of=(
                Condition(field="key_emitter_list"),
                Condition(field="permit_class", op="eq", value="KEY_MANAGEMENT"),
                Condition(field="two_high"),
                Condition(field="hazardous_waste"),
                Condition(field="tailings_pond"),
                Condition(field="hazardous_chemicals"),
                Condition(field="heavy_metals"),
                Condition(field="landfill"),
                Condition(field="legacy_mine"),
                Condition(field="important_facility"),
            ),
            citation=c(
                "六(二)",
                "重点监管对象：包括纳入重点排污单位名录、实行排污许可重点管理、涉及“两高”项目、危险废物、"
                "尾矿库(含燃煤发电企业湿式贮灰库)、危化品、重金属、垃圾填埋场、历史遗留问题较多的矿山和"
                "重要环保设施企业等重点行业企业及其他应当进行重点监管的被检查对象",
            ),
            interpretation=(
                "及其他应当进行重点监管的 leaves the class open: an entity meeting none of the "
                "listed criteria may still be recorded key; classification reports it, as a "
                "proposal, not a fault."
            ),
        ),
        Classification(
            id="class.special",
            title="Special: listed for supervision, media or complaints, crime, dishonest, high risk",
            entity_class=SPECIAL,
            any_of=(
                Condition(field="supervised_listing_last_year"),
                Condition(field="media_exposure"),
                Condition(field="repeated_complaints"),
                Condition(field="criminal_record"),
                Condition(field="seriously_dishonest"),
                Condition(field="high_environmental_risk"),
            ),
            citation=c(
                "六(二)",
                "特殊监管对象：包括上一年度被国家、省、市挂牌督办的；被媒体曝光或群众反复投诉的；"
                "有涉刑等严重违法违规记录的；信用评价为严重失信的；环境风险等级高及其他需要进行特殊监管的被检查对象",
            ),
        ),
        ClassPrecedence(
            id="class.precedence",
            title="General: neither key nor special; special before key",
            order=(SPECIAL, KEY),
            default=GENERAL,
            citation=c("六(二)", "一般监管对象：包括未列入重点、特殊监管的其他被检查对象"),
            interpretation=(
                "The text does not rank key and special; an entity meeting both is special, the "
                "class that may be inspected at any time (七(一)3)."
            ),
        ),
        # 六(三) the inspector registry
        InspectorPool(
            id="inspectors.pool",
            title="Staff with enforcement qualification and those in daily supervision",
            require_certificate=True,
            require_on_staff=True,
            auxiliary_allowed=False,
            citation=c(
                "六(三)", "检查人员名录库包括所有具有行政执法资格的工作人员和从事日常监管的工作人员"
            ),
            interpretation=(
                "Teams are drawn from on-staff inspectors holding a certificate; staff in daily "
                "supervision without one are in the registry but not drawn as enforcers."
            ),
        ),
        # 七(一) ratios
        QuarterlyShare(
            id="key.quarterly_share",
            title="Key entities: at least 25 % each quarter",
            entity_class=KEY,
            min_fraction=0.25,
            citation=c(
                "七(一)1", "各县（市）区生态环境分局每季度至少对辖区内25%的重点监管对象进行抽查"
            ),
        ),
        CoverageCycle(
            id="key.coverage",
            title="All key entities once a year",
            entity_class=KEY,
            times=1,
            years=1,
            citation=c("七(一)1", "原则上每年对辖区内所有重点监管对象进行一次全覆盖检查"),
        ),
        NotSpecified(
            id="general.quarterly_share",
            title="General entities: the ratio is set locally",
            topic="quarterly_share",
            entity_class=GENERAL,
            stated="自行确定抽查比例",
            citation=c(
                "七(一)2",
                "各县（市）区生态环境分局可根据区域生态环境质量、污染源数量、检查人员数量、行政区面积及三年内实现辖区一般监管对象全覆盖检查等因素，自行确定抽查比例",
            ),
        ),
        CoverageCycle(
            id="general.coverage",
            title="All general entities within three years",
            entity_class=GENERAL,
            times=1,
            years=3,
            citation=c("七(一)2", "三年内实现辖区一般监管对象全覆盖检查"),
        ),
        NoMinimum(
            id="special.no_minimum",
            title="Special entities: no minimum; inspections may start any time",
            entity_class=SPECIAL,
            citation=c(
                "七(一)3",
                "特殊监管对象：不设置抽查最低次数限制，市执法队和各县（市）区生态环境分局可以在随机抽查的基础上，随时发起检查任务",
            ),
        ),
        ItemCap(
            id="cap.same_item",
            title="Same entity, same item: at most 2 inspections a year (special exempt)",
            max_per_year=2,
            exempt=(SPECIAL,),
            citation=c(
                "七(一)4",
                "原则上在同一年度对同一监管对象的相同监管事项，抽查次数不超过2次，特殊监管对象不受此限制",
            ),
        ),
        # 四 基本原则: routine checks are random checks
        RandomDraw(
            id="draw.random",
            title="In principle every routine check is a random check: every task drawn, every drawn task inspected",
            citation=c("四", "原则上所有日常检查都纳入随机抽查范围"),
            interpretation=(
                "原则上: a routine check made outside the draw is excused when its reason is "
                "recorded (an EXCEPTION_RECORDED event naming draw.random and the task); the "
                "exempt kinds of check are those 三 lists (投诉举报, 专项检查 …)."
            ),
        ),
        # 七(二) the draw
        DatedObligation(
            id="draw.by_10th",
            title="Entities and inspectors drawn by the 10th of the quarter's first month",
            obligation="draw",
            when=QuarterMonthDay(month="first", day=10),
            citation=c("七(二)", "被抽查对象名单和检查人员名单应在每季度首月10日前完成抽取工作"),
        ),
        ListFixed(
            id="draw.list_fixed",
            title="Once drawn, fixed; changes (recusal etc.) need the deputy head's approval",
            changes_approved_by="分管负责同志",
            citation=c(
                "七(二)",
                "随机抽取的监管对象、检查人员一经确定，不得随意变更。如因执法回避等特殊情况，需经本部门分管负责同志同意后，方可对抽取名单进行调整更换",
            ),
        ),
        Replacement(
            id="team.replacement",
            title="Replacements (recusal etc.) with the deputy head's approval",
            method="chosen",
            approval_by="分管负责同志",
            reasons=(ReplacementReason.RECUSAL, ReplacementReason.OTHER),
            citation=c("七(二)", "需经本部门分管负责同志同意后，方可对抽取名单进行调整更换"),
            interpretation="The text does not say how the replacement is found; it is chosen and approved.",
        ),
        # 七(三) positive list
        NonSite(
            id="non_site.positive_list",
            title="Positive-list entities: non-site means; on site only on a complaint",
            any_of=(Condition(field="positive_list"),),
            on_site_allowed="complaint_only",
            citation=c(
                "七(三)",
                "对纳入正面清单内的企业，除信访举报外，优先使用“非现场”监管手段进行监管，原则上不进行现场执法检查",
            ),
        ),
        # 七(四) flow
        Requirement(
            id="flow",
            title="Registries, list and plan, publish, draw, inspect, publish, follow up, report, archive",
            topic="flow",
            citation=c(
                "七(四)",
                "建立检查对象名录库和检查人员名录库——制定随机抽查事项清单和计划——公开抽查事项清单和计划——随机抽取被检查对象和检查人员——检查人员实施检查——公示检查结果——依法对检查中发现的问题进行后续处理——形成工作报告——完善档案",
            ),
        ),
        # 七(五) teams
        Team(
            id="team.size",
            title="Teams of at least 2 (a leader and members); recusal on conflict of interest",
            min_size=2,
            recusal=True,
            citation=c(
                "七(五)",
                "检查人员执行抽查任务时组成检查小组，小组由小组长和成员组成，检查小组不少于2人。检查人员与检查对象有利害关系的，应当回避",
            ),
        ),
        Confidential(
            id="draw.confidential",
            title="Inspectors keep confidentiality discipline",
            citation=c("七(五)", "检查人员应遵守工作纪律、廉洁纪律、保密纪律"),
            interpretation=(
                "本溪 names 保密纪律 among inspectors' duties without saying what is secret; read "
                "as the common rule that the drawn list stays secret until the inspection."
            ),
        ),
        # 七(六) reporting the plan and the results
        DatedObligation(
            id="report.quarterly_plan",
            title="The inspection plan reported to the city by the 5th of the quarter's first month",
            obligation="quarterly_plan_report",
            when=QuarterMonthDay(month="first", day=5),
            citation=c("七(六)", "应在每季度首月5日前，将检查计划报市执法队牵头部门汇总公开"),
        ),
        DatedObligation(
            id="report.quarterly_results",
            title="The results reported to the city by the 25th of the quarter's last month",
            obligation="quarter_results_report",
            when=QuarterMonthDay(month="last", day=25),
            citation=c(
                "七(六)", "应在每季度最后一个月25日前，将检查结果报市执法队牵头部门汇总公开"
            ),
        ),
        # 八 保障措施
        DatedObligation(
            id="report.yearly",
            title="The year's work reported to the city bureau before year end",
            obligation="yearly_report",
            when=BeforeYearEnd(),
            citation=c(
                "八(一)",
                "应当在每年年底前，将本年度本部门开展“双随机、一公开”监管工作情况向市生态环境局报告",
            ),
        ),
        Deadline(
            id="disclosure.deadline",
            title="Results published within 20 working days from the end of the inspection",
            obligation="disclosure",
            amount=20,
            unit="working_days",
            after="inspection_completed",
            citation=c("八(二)", "在检查结束之日起20个工作日内依法向社会公开检查结果"),
        ),
    ),
)


# 2025.2 (randcheck 0.2, issue 13): 六(二) does not rank special above key, so an
# entity meeting both keeps the key duty of yearly coverage (七(一)1). 2025.1 stays,
# so receipts drawn under it still verify.
POLICY = POLICY_2025_1.revised(
    "2025.2",
    {
        "flow": {"evidence": "each step's own record; the steps are measured by their rules"},
        "general.coverage": {
            "strength": "FACTOR",
            "title": "A factor for the general ratio: all general entities within three years",
            "interpretation": (
                "七(一)2 lets each branch set its general ratio itself, weighing 三年内实现…全覆盖 "
                "with other factors (等因素): a factor, not a rule of its own, so the verdict "
                "reports it and never fails on it. The draw uses it as the default ratio."
            ),
        },
        "team.replacement": {
            "method": "any",
            "other_reasons": True,
            "interpretation": (
                "七(二) names no method: a replacement may be chosen or drawn again, with the "
                "deputy head's approval; its 等特殊情况 allows another reason when stated."
            ),
        },
        "class.precedence": {
            "title": "General: neither key nor special; key before special",
            "order": [KEY, SPECIAL],
            "interpretation": (
                "The text does not rank key and special. An entity meeting both is proposed "
                "as key, so it keeps the key duty of yearly coverage (七(一)1); the special "
                "treatment (inspected any time, 七(一)3; no cap, 七(一)4) is not lost by the "
                "text, but one class per entity cannot carry both: the bureau may inspect it "
                "again outside the draw. Special first is the variant benxi.special_first."
            ),
        },
    },
    add=[
        Requirement(
            id="team.leader",
            title="Each team has a named leader (小组长) and members",
            topic="team_leader",
            evidence="the team list of each task naming its 小组长",
            citation=c("七(五)", "小组由小组长和成员组成"),
        ),
        Requirement(
            id="inspection.body_camera",
            title="Inspectors wear and run body cameras throughout an on-site inspection",
            topic="body_camera",
            evidence="the 执法记录仪 recording of each on-site inspection",
            citation=c("七(五)", "检查人员须全程佩戴和开启执法记录仪"),
        ),
        Requirement(
            id="records.archived",
            title="The year's lists, plans, registries, results and case files archived",
            topic="archiving",
            evidence="the archive: bound volumes, and the mobile platform's electronic files",
            citation=c("七(七)", "各项材料应装订成册统一归档保管"),
        ),
        Requirement(
            id="publish.list_and_plan",
            title="The item list and the plans published on the portal",
            topic="list_and_plan_published",
            citation=c("八(二)", "抽查事项清单和抽查工作计划应及时通过门户网站等媒介向社会公示"),
            interpretation=(
                "及时 sets no number: each year's item list and each ended quarter's plan are "
                "published (ITEM_LIST_PUBLISHED, PLAN_PUBLISHED) by the audit date."
            ),
        ),
        Requirement(
            id="draw.filing",
            title="Each quarter's draw filed with the city's enforcement team (备案)",
            topic="draw_filing",
            citation=c("七(二)", "抽查结果报市执法队备案"),
            interpretation=(
                "抽查结果 here is the draw's result (the drawn list): each quarter with a draw "
                "sealed has a DRAW_FILING report for it by the audit date. No date is given."
            ),
        ),
    ],
    reason="本溪 六(二) ranks neither class; 七(二) names no replacement method (issue 13)",
    notes=(
        "The base of shares and coverage is the operating entities (在产, seasonal): the "
        "text does not put entities under construction or suspended in it (no DrawBase rule).",
    ),
    not_modelled=[n for n in NOT_MODELLED if n.clause != "七(七)"],
)
POLICIES = (POLICY_2025_1, POLICY)

SPECIAL_FIRST = POLICY.with_changes(
    {"class.precedence": {"order": [SPECIAL, KEY]}},
    name="special_first",
    reason="本溪 六(二): an entity meeting both criteria classed special (0.1's reading)",
)
