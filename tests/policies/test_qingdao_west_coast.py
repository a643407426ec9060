"""青岛西海岸新区 实施方案 (青环西新字〔2020〕29号), clause by clause."""

from __future__ import annotations

from randcheck.models import EntityClass
from randcheck.models.vocab import ReplacementReason
from randcheck.policies import get_policy
from randcheck.policies.model import Confidential, MonthlyBy, QuarterStartWithin, Team, YearlyDate
from tests.policies.conftest import expect

P = "qingdao_west_coast"


def test_1_two_modules() -> None:
    expect(P, "modules", "一")


def test_2_2_and_2_3_pools_filed_within_15_days_of_each_quarter() -> None:
    expect(P, "pool.entities_update", "二(二)", when=QuarterStartWithin(days=15, working=False))
    expect(P, "pool.inspectors_update", "二(三)", when=QuarterStartWithin(days=15, working=False))
    expect(P, "pool.inspector_count", "二(三)", when=YearlyDate(month=1, day=15))


def test_3_1_key_25_percent_general_5_times_on_staff_list_fixed_inspectors_drawn() -> None:
    expect(P, "key.quarterly_share", "三(一)", min_fraction=0.25, entity_class=EntityClass.KEY)
    expect(P, "general.yearly_count", "三(一)", multiple=5, basis="on_staff")
    expect(P, "draw.list_fixed", "三(一)")
    expect(P, "inspectors.drawn", "三(一)", module="routine", method="drawn")


def test_3_2_comprehensive_module_matches_inspectors() -> None:
    expect(P, "inspectors.matched", "三(二)", module="comprehensive", method="matched")


def test_4_results_immutable_entity_signs_rectification_within_3_months() -> None:
    expect(P, "results.immutable", "四", correction_approved_by="主要负责人")
    expect(P, "inspection.entity_signs", "四")
    expect(P, "rectification.deadline", "四", amount=3, unit="months", after="result_recorded")


def test_5_monthly_dispatch_by_the_5th_and_quarterly_report_within_10_days() -> None:
    expect(P, "report.monthly_dispatch", "五", when=MonthlyBy(day=5))
    expect(P, "report.quarterly", "五", when=QuarterStartWithin(days=10, working=False))


def test_6_disclosure_as_soon_as_possible_no_deadline() -> None:
    expect(P, "disclosure.deadline", "六", stated="尽快")


def test_7_1_replacement_for_four_reasons_chosen_and_signed_off() -> None:
    rule = expect(P, "team.replacement", "七(一)", method="chosen", approval_by="分管负责人")
    assert set(rule.reasons) == {  # type: ignore[union-attr]
        ReplacementReason.POST_CHANGE,
        ReplacementReason.WORK_CONFLICT,
        ReplacementReason.HEALTH,
        ReplacementReason.RECUSAL,
    }


def test_7_3_late_reporting_is_a_task_not_completed() -> None:
    expect(P, "tasks.late_reporting", "七(三)")


def test_no_confidentiality_or_team_size_is_invented() -> None:
    policy = get_policy(P)
    assert policy.one(Confidential) is None and policy.one(Team) is None
