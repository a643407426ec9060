"""获嘉县 通知, 附件1 and 实施细则, clause by clause."""

from __future__ import annotations

from randcheck.models import EntityClass
from randcheck.models.vocab import Outcome, Withheld
from randcheck.policies import get_policy
from randcheck.policies.model import YearlyDate
from tests.policies.conftest import expect

P = "huojia"


def test_notice_1_1_plan_covers_all_items() -> None:
    expect(P, "plan.covers_all_items", "一(一)")


def test_notice_1_4_push_results_in_three_steps() -> None:
    expect(P, "credit.push_steps", "一(四)", steps=("发布结果", "基础库推送", "任务推送"))


def test_notice_2_joint_inspections_at_least_35_percent() -> None:
    expect(P, "joint.share", "二", min_fraction=0.35)


def test_article_14_quarterly_shares_25_10_50() -> None:
    expect(P, "key.quarterly_share", "第十四条", min_fraction=0.25, entity_class=EntityClass.KEY)
    expect(P, "general.quarterly_share", "第十四条", min_fraction=0.10)
    expect(P, "special.quarterly_share", "第十四条", min_fraction=0.50)


def test_article_14_cycles_once_a_year_within_three_years_twice_a_year() -> None:
    expect(P, "key.coverage", "第十四条", times=1, years=1)
    expect(P, "general.coverage", "第十四条", times=1, years=3)
    expect(P, "special.coverage", "第十四条", times=2, years=1)
    expect(get_policy("huojia.general_two_year_cycle"), "general.coverage", "第十四条", years=2)


def test_article_9_classes() -> None:
    expect(P, "class.key", "第九条(一)", entity_class=EntityClass.KEY)
    rule = expect(P, "class.special", "第九条(一)", entity_class=EntityClass.SPECIAL)
    assert any(c.field == "credit_rating" for c in rule.any_of)  # type: ignore[union-attr]
    expect(P, "class.precedence", "第九条(一)", default=EntityClass.GENERAL)


def test_article_10_inspectors_on_staff_with_auxiliary_pool_and_yearly_counts() -> None:
    expect(P, "inspectors.pool", "第十条(一)", require_on_staff=True, auxiliary_allowed=True)
    expect(P, "inspectors.yearly_count", "第十条(二)")


def test_article_11_routine_draws_use_no_filter() -> None:
    expect(P, "draw.campaign_filters", "第十一条")


def test_article_12_recusal_and_replacement_by_a_new_draw() -> None:
    expect(P, "team.recusal", "第十二条", recusal=True)
    expect(
        P,
        "team.replacement",
        "第十二条",
        method="drawn_again",
        reasons=(),  # 第十二条 speaks of recusal and forbids no other reason
    )


def test_article_15_non_site_for_high_credit_grade_a_positive_list_and_joint_once() -> None:
    rule = expect(P, "non_site.eligible", "第十五条", on_site_allowed="yes")
    fields = {c.field for c in rule.any_of}  # type: ignore[union-attr]
    assert fields == {"credit_rating", "weather_grade", "positive_list"}
    expect(P, "joint.once", "第十五条")


def test_article_16_next_years_counts_by_end_of_december() -> None:
    expect(
        P,
        "plan.next_year_counts",
        "第十六条",
        when=YearlyDate(month=12, day=31, of="next_year_plan"),
    )


def test_article_20_disclosure_within_20_working_days_of_the_task() -> None:
    expect(
        P, "disclosure.deadline", "第二十条", amount=20, unit="working_days", after="task_completed"
    )


def test_article_21_standard_phrases_and_what_may_be_withheld() -> None:
    rule = expect(P, "disclosure.phrases", "第二十一条")
    assert rule.phrases == {  # type: ignore[union-attr]
        Outcome.NO_PROBLEM: "未发现问题",
        Outcome.RECTIFY: "发现问题已责令整改",
        Outcome.CASE_FILED: "发现违法行为已立案调查",
    }
    assert set(rule.may_withhold) == set(Withheld)  # type: ignore[union-attr]


def test_article_22_confidential() -> None:
    expect(P, "draw.confidential", "第二十二条")


def test_no_list_fixed_rule_is_invented() -> None:
    assert "draw.list_fixed" not in [r.id for r in get_policy(P).rules]
