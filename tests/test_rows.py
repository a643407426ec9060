"""The fast row validator agrees with pydantic's model_validate, value for value."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from randcheck.io import format_cell
from randcheck.models import Entity, Inspector
from randcheck.models.rows import RowInvalid, RowValidator
from randcheck.registry import FLAG_FIELDS, SHARED_FIELDS
from tests.conftest import make_entity, make_inspector, make_uscc

ODD_VALUES = [
    "",
    " ",
    "是",
    "否",
    "maybe",
    "重点",
    "KEY",
    "special",
    "410724",
    "4107",
    "C2614",
    "化工",
    "2020-02-30",
    "2020年1月5日",
    "113.5",
    "200",
    "35.1",
    "废水;噪声",
    "烟尘",
    "A",
    "良好",
    "关闭",
    "-3",
    "12",
    make_uscc(9),
    make_uscc(9)[:-1] + "0",
    "I0001",
    "专家",
    "true",
]


def _cells(record: Any) -> dict[str, Any]:
    return {k: format_cell(v, "zh") for k, v in record.__dict__.items()}


def _check_agreement(model: type[Entity] | type[Inspector], cells: dict[str, Any]) -> None:
    cells = {k: v for k, v in cells.items() if v not in (None, "")}  # as the loader does
    validator = RowValidator(model, frozenset(SHARED_FIELDS | set(FLAG_FIELDS)))
    try:
        expected = model.model_validate(cells)
    except Exception as exc:
        expected_fields = {e["loc"][0] if e["loc"] else None for e in exc.errors()}  # type: ignore[attr-defined]
        with pytest.raises(RowInvalid) as caught:
            validator(cells)
        got = {e["loc"][0] if e["loc"] else None for e in caught.value.errors}
        assert got == expected_fields
        return
    assert validator(cells) == list(expected.__dict__.values())
    assert validator(cells) == list(expected.__dict__.values())  # memoised answers agree too


@settings(max_examples=300, deadline=None)
@given(st.dictionaries(st.sampled_from(list(Entity.model_fields)), st.sampled_from(ODD_VALUES)))
def test_entities_validate_as_the_model_does(changes: dict[str, str]) -> None:
    base = _cells(make_entity(1, permit_class="重点管理", tags="园区", credit_rating="良好"))
    _check_agreement(Entity, {**base, **changes})


@settings(max_examples=200, deadline=None)
@given(st.dictionaries(st.sampled_from(list(Inspector.model_fields)), st.sampled_from(ODD_VALUES)))
def test_inspectors_validate_as_the_model_does(changes: dict[str, str]) -> None:
    _check_agreement(Inspector, {**_cells(make_inspector(1)), **changes})
