"""西平县 随机抽查制度 (西环〔2024〕3号), clause by clause."""

from __future__ import annotations

import datetime as dt

from randcheck.models import EntityClass
from randcheck.policies import get_policy
from randcheck.policies.model import Condition, YearlyDate
from tests.policies.conftest import expect

P = "xiping"


def test_document() -> None:
    policy = get_policy(P)
    assert policy.document_number == "西环〔2024〕3号" and policy.issued == dt.date(2024, 1, 12)


def test_1_1_routine_supervision_only() -> None:
    expect(P, "scope.routine_only", "一(一)")


def test_1_3_city_controlled_and_higher_must_be_key_inspectors_hold_certificates() -> None:
    city_or_higher = Condition(
        field="control_level", op="in", value=["CITY", "PROVINCIAL", "NATIONAL"]
    )
    expect(P, "class.key", "一(三)", any_of=(city_or_higher,))
    expect(P, "inspectors.pool", "一(三)", require_certificate=True)


def test_1_4_next_years_count_by_end_of_december() -> None:
    expect(
        P,
        "plan.next_year_count",
        "一(四)",
        obligation="annual_plan",
        when=YearlyDate(month=12, day=31, of="next_year_plan"),
    )


def test_1_4_1_key_20_percent_a_quarter_all_once_a_year() -> None:
    expect(P, "key.quarterly_share", "一(四)1", min_fraction=0.20, entity_class=EntityClass.KEY)
    expect(P, "key.coverage", "一(四)1", times=1, years=1)


def test_1_4_2_general_at_least_one_to_ten() -> None:
    expect(P, "general.yearly_count", "一(四)2", multiple=10, basis="certified")


def test_1_4_3_special_default_reading_each_special_entity_every_quarter() -> None:
    """一(四)3 "每季度至少对本辖区的特殊监管对象抽查一次" follows "应适度提高抽查比例":
    every special entity once a quarter (2024.2)."""
    rule = expect(P, "special.every_quarter", "一(四)3", min_fraction=1.0)
    assert rule.interpretation and "xiping.one_special_a_quarter" in rule.interpretation
    assert "special.quarterly" not in [r.id for r in get_policy(P).rules]
    expect(P, "special.quarterly_share", "一(四)3", topic="quarterly_share")


def test_1_4_3_other_reading_one_drawn_each_quarter() -> None:
    variant = get_policy("xiping.one_special_a_quarter")
    expect(variant, "special.quarterly", "一(四)3", count=1, entity_class=EntityClass.SPECIAL)
    assert "special.every_quarter" not in [r.id for r in variant.rules]
    assert variant.variant_of == "xiping" and variant.changes
    # 0.1's default reading stays as version 2024.1, and its variant for 0.1's receipts
    assert "special.quarterly" in [r.id for r in get_policy("xiping", version="2024.1").rules]
    assert get_policy("xiping.each_special_quarterly").version == "2024.1+each_special_quarterly"


def test_1_1_and_1_2_every_pollution_source_construction_projects_included() -> None:
    """一(一) "污染源（包括排污单位和建设项目）", 一(二) "把本辖区内所有污染源作为随机抽查对象"."""
    base = expect(P, "draw.base", "一(二)")
    assert {s.value for s in base.statuses} == {  # type: ignore[union-attr]
        "OPERATING", "SEASONAL", "SUSPENDED", "UNDER_CONSTRUCTION"
    }  # fmt: skip
    only = get_policy("xiping.operating_only").rule("draw.base")
    assert {s.value for s in only.statuses} == {"OPERATING", "SEASONAL"}  # type: ignore[union-attr]


def test_1_3_inspectors_hold_the_certificate_staff_not_required() -> None:
    """一(三) "由…具有行政执法资格证的工作人员构成": the certificate, not a place on the staff."""
    expect(P, "inspectors.pool", "一(三)", require_certificate=True, require_on_staff=False)


def test_2_1_list_fixed_and_inspectors_drawn() -> None:
    expect(P, "draw.list_fixed", "二(一)")
    expect(P, "inspectors.drawn", "二(一)", method="drawn")


def test_2_2_results_uploaded_within_7_working_days() -> None:
    expect(P, "result_entry.deadline", "二(二)", amount=7, unit="working_days")


def test_2_4_confidential_2_5_joint_monitoring_2_6_timely_disclosure() -> None:
    expect(P, "draw.confidential", "二(四)")
    expect(P, "inspection.joint_monitoring", "二(五)")
    expect(P, "disclosure.deadline", "二(六)", stated="及时")
