"""本溪市 实施方案（试行）, clause by clause."""

from __future__ import annotations

from randcheck.models import EntityClass
from randcheck.policies import get_policy
from randcheck.policies.model import BeforeYearEnd, QuarterMonthDay, YearlyDate
from tests.policies.conftest import expect

P = "benxi"


def test_2_all_results_published_from_2025() -> None:
    expect(P, "disclosure.all_results", "二", published_share=1.0)


def test_6_1_item_list_by_5_january_plan_by_the_5th_results_by_the_25th() -> None:
    expect(P, "items.by_jan_5", "六(一)1", when=YearlyDate(month=1, day=5))
    expect(P, "plan.quarterly", "六(一)2", when=QuarterMonthDay(month="first", day=5))
    expect(P, "quarter.results", "六(一)2", when=QuarterMonthDay(month="last", day=25))


def test_6_2_key_and_special_criteria_and_general_as_the_rest() -> None:
    key = expect(P, "class.key", "六(二)", entity_class=EntityClass.KEY)
    assert len(key.any_of) == 10  # type: ignore[union-attr]
    special = expect(P, "class.special", "六(二)", entity_class=EntityClass.SPECIAL)
    assert len(special.any_of) == 6  # type: ignore[union-attr]
    # 六(二) does not rank key and special: an entity meeting both keeps the key duty
    expect(P, "class.precedence", "六(二)", order=(EntityClass.KEY, EntityClass.SPECIAL))
    expect(
        get_policy("benxi.special_first"),
        "class.precedence",
        "六(二)",
        order=(EntityClass.SPECIAL, EntityClass.KEY),
    )
    assert get_policy("benxi", version="2025.1").rule("class.precedence").order == (  # type: ignore[union-attr]
        EntityClass.SPECIAL,
        EntityClass.KEY,
    )


def test_6_3_inspector_registry() -> None:
    expect(P, "inspectors.pool", "六(三)", require_certificate=True)


def test_7_1_1_key_25_percent_a_quarter_and_all_once_a_year() -> None:
    expect(P, "key.quarterly_share", "七(一)1", min_fraction=0.25)
    expect(P, "key.coverage", "七(一)1", times=1, years=1)


def test_7_1_2_general_ratio_local_full_coverage_in_three_years() -> None:
    expect(
        P, "general.quarterly_share", "七(一)2", topic="quarterly_share", stated="自行确定抽查比例"
    )
    expect(P, "general.coverage", "七(一)2", times=1, years=3)


def test_7_1_3_special_no_minimum_any_time() -> None:
    expect(P, "special.no_minimum", "七(一)3", any_time=True, entity_class=EntityClass.SPECIAL)


def test_7_1_4_same_item_at_most_twice_a_year_special_exempt() -> None:
    expect(P, "cap.same_item", "七(一)4", max_per_year=2, exempt=(EntityClass.SPECIAL,))


def test_7_2_drawn_by_the_10th_fixed_changes_approved_by_the_deputy_head() -> None:
    expect(P, "draw.by_10th", "七(二)", when=QuarterMonthDay(month="first", day=10))
    expect(P, "draw.list_fixed", "七(二)", changes_approved_by="分管负责同志")
    # 七(二) names no method (chosen or drawn again); 等特殊情况: another stated reason
    expect(
        P,
        "team.replacement",
        "七(二)",
        method="any",
        approval_by="分管负责同志",
        other_reasons=True,
    )


def test_7_3_positive_list_non_site_except_complaints() -> None:
    expect(P, "non_site.positive_list", "七(三)", on_site_allowed="complaint_only")


def test_7_4_flow_and_7_5_teams_of_at_least_two_with_recusal() -> None:
    expect(P, "flow", "七(四)")
    expect(P, "team.size", "七(五)", min_size=2, recusal=True)
    expect(P, "draw.confidential", "七(五)")


def test_7_6_plan_reported_by_the_5th_results_by_the_25th() -> None:
    expect(P, "report.quarterly_plan", "七(六)", when=QuarterMonthDay(month="first", day=5))
    expect(P, "report.quarterly_results", "七(六)", when=QuarterMonthDay(month="last", day=25))


def test_8_1_yearly_report_before_year_end() -> None:
    expect(P, "report.yearly", "八(一)", when=BeforeYearEnd())


def test_8_2_disclosure_within_20_working_days_of_the_inspection() -> None:
    expect(
        P,
        "disclosure.deadline",
        "八(二)",
        amount=20,
        unit="working_days",
        after="inspection_completed",
    )
