"""Classification: each entity's class proposed from the policy's criteria."""

from __future__ import annotations

from randcheck.draw.classify import classify
from randcheck.models import EntityClass
from randcheck.policies import get_policy
from randcheck.registry import Registry
from tests.conftest import make_entity

KEY, GENERAL, SPECIAL = EntityClass.KEY, EntityClass.GENERAL, EntityClass.SPECIAL


def _proposals(policy_id: str, *entities: object) -> list[tuple[EntityClass, str]]:
    report = classify(get_policy(policy_id), Registry.from_records(entities))  # type: ignore[arg-type]
    return [(p.proposed, p.basis) for p in report.proposals]


def test_benxi_key_and_special_criteria_6_2() -> None:
    entities = [
        make_entity(1, entity_class="GENERAL", hazardous_waste=True),
        make_entity(2, entity_class="GENERAL", permit_class="重点管理"),
        make_entity(3, entity_class="KEY", media_exposure=True, tailings_pond=True),
        make_entity(4, entity_class="GENERAL"),
        make_entity(5, entity_class="KEY"),
    ]
    assert _proposals("benxi", *entities) == [
        (KEY, "criteria"),
        (KEY, "criteria"),
        (KEY, "criteria"),  # both: key keeps its yearly coverage (2025.2)
        (GENERAL, "default"),
        (GENERAL, "default"),  # no listed criterion: proposed general, softly
    ]
    # the other reading, and 0.1's: special before key
    assert _proposals("benxi.special_first", *entities)[2] == (SPECIAL, "criteria")


def test_reasons_cite_the_condition_and_clause() -> None:
    report = classify(
        get_policy("benxi"),
        Registry.from_records([make_entity(1, entity_class="GENERAL", heavy_metals=True)]),
    )
    (difference,) = report.differences
    assert difference.recorded is GENERAL and difference.proposed is KEY
    assert "heavy_metals (六(二))" in difference.reason


def test_xiping_city_controlled_must_be_key_and_special_stands() -> None:
    entities = [
        make_entity(1, entity_class="GENERAL", control_level="市控"),
        make_entity(2, entity_class="SPECIAL"),
        make_entity(3, entity_class="GENERAL", control_level="县控"),
    ]
    assert _proposals("xiping", *entities) == [
        (KEY, "criteria"),
        (SPECIAL, "recorded"),  # 西平 states no special criterion
        (GENERAL, "default"),
    ]


def test_huojia_low_credit_is_special() -> None:
    entities = [
        make_entity(1, entity_class="GENERAL", credit_rating="环保警示"),
        make_entity(2, entity_class="GENERAL", credit_rating="环保良好"),
    ]
    assert _proposals("huojia", *entities) == [(SPECIAL, "criteria"), (GENERAL, "default")]


def test_a_policy_without_criteria_keeps_recorded_classes() -> None:
    entities = [make_entity(1, entity_class="KEY"), make_entity(2, entity_class="SPECIAL")]
    report = classify(get_policy("qingdao_west_coast"), Registry.from_records(entities))
    assert [p.proposed for p in report] == [KEY, SPECIAL] and not report.differences
