"""睢县 实施细则, clause by clause."""

from __future__ import annotations

from randcheck.models import EntityClass
from randcheck.policies import get_policy
from randcheck.policies.model import Condition
from tests.policies.conftest import expect

P = "suixian"


def test_3_2_1_key_25_percent_a_quarter_of_national_controlled_and_all_once_a_year() -> None:
    expect(
        P,
        "key.quarterly_share",
        "三(二)1",
        min_fraction=0.25,
        entity_class=EntityClass.KEY,
        scope=(Condition(field="control_level", op="eq", value="NATIONAL"),),
    )
    expect(P, "key.coverage", "三(二)1", times=1, years=1)
    # 三(二)1 scopes the 25 % to 国控级以上; it does not say 国控 entities are key (2021.2)
    assert "class.key" not in [r.id for r in get_policy(P).rules]
    assert "class.key" in [r.id for r in get_policy("suixian", version="2021.1").rules]
    assert get_policy("suixian.all_key_entities").rule("key.quarterly_share").scope == ()  # type: ignore[union-attr]


def test_3_2_2_general_one_to_ten_on_staff_inspectors_a_year() -> None:
    expect(P, "general.yearly_count", "三(二)2", multiple=10, basis="on_staff")


def test_3_2_3_special_higher_ratio_not_specified() -> None:
    expect(
        P, "special.quarterly_share", "三(二)3", topic="quarterly_share", stated="适度提高抽查比例"
    )


def test_3_4_inspectors_drawn_list_fixed_results_within_7_working_days() -> None:
    expect(P, "inspectors.drawn", "三(四)", method="drawn")
    expect(P, "draw.list_fixed", "三(四)")
    expect(
        P,
        "result_entry.deadline",
        "三(四)",
        amount=7,
        unit="working_days",
        after="inspection_completed",
    )


def test_3_5_credit_record_and_immediate_correction() -> None:
    expect(P, "results.credit_record", "三(五)")
    expect(P, "rectification.deadline", "三(五)", topic="rectification_deadline", stated="立即改正")


def test_3_6_list_secret_until_the_inspection() -> None:
    expect(P, "draw.confidential", "三(六)", until="inspection_start")


def test_3_7_disclosure_timely_without_a_deadline() -> None:
    expect(P, "disclosure.deadline", "三(七)", topic="disclosure_deadline", stated="及时")
