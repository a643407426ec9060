"""The 一单两库 models: both spellings accepted, bad values rejected with a reason."""

from __future__ import annotations

import datetime as dt

import pytest
from pydantic import ValidationError

from randcheck.models import (
    Entity,
    EntityClass,
    Inspector,
    PollutionType,
    ProductionStatus,
    builtin_items,
)
from tests.conftest import make_entity, make_inspector, make_uscc


@pytest.mark.parametrize("spelling", ["KEY", "key", "重点", "重点监管对象", "重点排污单位"])
def test_entity_class_accepts_chinese_and_english(spelling: str) -> None:
    assert make_entity(1, entity_class=spelling).entity_class is EntityClass.KEY


def test_labels_show_both_languages() -> None:
    assert EntityClass.KEY.label == "KEY / 重点"
    assert EntityClass.SPECIAL.zh == "特殊"


def test_spreadsheet_values_are_understood() -> None:
    e = make_entity(
        1,
        pollution_types="废水、废气;噪声",
        positive_list="是",
        hazardous_waste="否",
        production_start="2020年1月5日",
        production_status="停产",
        tags="工业园区, 沿河",
    )
    assert e.pollution_types == {
        PollutionType.WASTEWATER,
        PollutionType.WASTE_GAS,
        PollutionType.NOISE,
    }
    assert e.positive_list is True and e.hazardous_waste is False
    assert e.production_start == dt.date(2020, 1, 5)
    assert e.production_status is ProductionStatus.SUSPENDED and not e.operating
    assert e.tags == {"工业园区", "沿河"}


@pytest.mark.parametrize(
    ("field", "value", "reason"),
    [
        ("uscc", make_uscc(1)[:-1] + "0", "check character"),
        ("division_code", "4107", "6-digit"),
        ("division_code", "990724", "province code"),
        ("longitude", 150.0, "less than or equal"),
        ("latitude", 60.0, "less than or equal"),
        ("production_start", "2020-02-30", "not a real date"),
        ("production_start", "last year", "not a date"),
        ("entity_class", "奇怪", "Input should be"),
        ("positive_list", "maybe", "yes/no"),
        ("industry_code", "化工", "pattern"),
        ("name", "   ", "must not be empty"),
    ],
)
def test_bad_values_are_rejected_with_a_reason(field: str, value: object, reason: str) -> None:
    with pytest.raises(ValidationError) as caught:
        make_entity(1, **{field: value})
    assert reason in str(caught.value)


def test_coordinates_come_in_pairs() -> None:
    with pytest.raises(ValidationError, match="both longitude"):
        make_entity(1, latitude=None)
    assert make_entity(1, longitude=None, latitude=None).longitude is None


def test_entities_are_immutable() -> None:
    e = make_entity(1)
    with pytest.raises(ValidationError):
        e.name = "changed"  # type: ignore[misc]


def test_unknown_fields_are_refused() -> None:
    with pytest.raises(ValidationError, match="Extra inputs"):
        Entity.model_validate({**make_entity(1).model_dump(), "colour": "red"})


def test_inspector_certificate_consistency() -> None:
    with pytest.raises(ValidationError, match="certificate_number"):
        make_inspector(1, certificate_number=None)
    expert = make_inspector(
        2,
        certificate_number=None,
        has_certificate=False,
        auxiliary=True,
        auxiliary_kind="专家",
        on_staff=False,
    )
    assert not expert.qualified
    assert make_inspector(3).qualified
    with pytest.raises(ValidationError, match="auxiliary_kind"):
        make_inspector(4, auxiliary_kind="专家")


def test_inspector_conflicts_parse_as_a_set() -> None:
    ins = make_inspector(1, conflicts=f"{make_uscc(1)};{make_uscc(2)}")
    assert ins.conflicts == {make_uscc(1), make_uscc(2)}
    assert isinstance(Inspector.model_fields["conflicts"].title, str)


def test_builtin_items_are_the_documents_lists() -> None:
    huojia = builtin_items("huojia")
    benxi = builtin_items("benxi")
    assert len(huojia) == 14  # 获嘉 附件1: 14 items
    assert len(benxi) == 10  # 本溪 三: 10 items
    assert huojia[0].name == "放射性污染防治监督检查"
    assert huojia[13].name.startswith("对建设项目环境保护设施设计")
    assert benxi[3].name == "碳排放情况"
    for item in huojia:  # the elements of 获嘉 第八条 that 附件1 states
        assert item.inspecting_body and item.objects and item.method and item.ratio
