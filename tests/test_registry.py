"""Registry snapshots: digest independent of order, lookups, filters."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from randcheck.errors import InputError, ProblemsFound
from randcheck.models import EntityClass, PollutionType, builtin_items
from randcheck.registry import EntityFilter, Registry
from tests.conftest import make_entity, make_inspector

ENTITIES = [make_entity(i) for i in range(1, 21)]
INSPECTORS = [make_inspector(i) for i in range(1, 6)]
ITEMS = builtin_items("huojia")


@settings(max_examples=30, deadline=None)
@given(st.permutations(range(20)), st.permutations(range(5)), st.permutations(range(14)))
def test_digest_does_not_depend_on_order(e: list[int], i: list[int], t: list[int]) -> None:
    reference = Registry.from_records(ENTITIES, INSPECTORS, ITEMS).digest
    shuffled = Registry.from_records(
        [ENTITIES[k] for k in e], [INSPECTORS[k] for k in i], [ITEMS[k] for k in t]
    )
    assert shuffled.digest == reference


def test_digest_changes_with_any_field() -> None:
    base = Registry.from_records(ENTITIES, INSPECTORS, ITEMS).digest
    changed = [make_entity(1, positive_list=True), *ENTITIES[1:]]
    assert Registry.from_records(changed, INSPECTORS, ITEMS).digest != base
    fewer = Registry.from_records(ENTITIES, INSPECTORS[1:], ITEMS).digest
    assert fewer != base
    moved = [*ENTITIES[:-1], make_entity(20, entity_class="KEY")]
    assert Registry.from_records(moved, INSPECTORS, ITEMS).digest != base


def test_lookups_return_the_record_given() -> None:
    registry = Registry.from_records(ENTITIES, INSPECTORS, ITEMS)
    assert registry.entity(ENTITIES[4].uscc) == ENTITIES[4]
    assert list(registry.entities()) == ENTITIES
    assert registry.inspector("I0003") == INSPECTORS[2]
    assert ENTITIES[0].uscc in registry
    assert registry.get_entity("nope") is None
    assert registry.name_of(ENTITIES[4].uscc) == ENTITIES[4].name
    assert registry.name_of("nope") is None
    with pytest.raises(InputError, match="no entity with USCC"):
        registry.entity("91410724000000000X")
    with pytest.raises(InputError, match="no entity field"):
        registry.column("colour")


def test_class_counts_list_every_class() -> None:
    registry = Registry.from_records([make_entity(3), make_entity(6)])
    assert registry.class_counts() == {
        EntityClass.KEY: 2,
        EntityClass.GENERAL: 0,
        EntityClass.SPECIAL: 0,
    }


def test_duplicates_are_reported_together() -> None:
    with pytest.raises(ProblemsFound) as caught:
        Registry.from_records(ENTITIES + ENTITIES[:2], INSPECTORS + INSPECTORS[:1])
    reasons = [p.reason for p in caught.value.problems]
    assert len(reasons) == 3
    assert any("duplicate USCC" in r for r in reasons)
    assert any("duplicate inspector id" in r for r in reasons)


def test_tag_filters() -> None:
    entities = [
        make_entity(1, positive_list=True, pollution_types="噪声"),
        make_entity(2, division_code="410781", industry_code="D4411"),
        make_entity(3, tags="工业园区"),
    ]
    registry = Registry.from_records(entities)
    assert registry.select() == [e.uscc for e in entities]
    assert registry.select(EntityFilter(flags={"positive_list": True})) == [entities[0].uscc]
    assert registry.select(EntityFilter(division_prefixes=("410781",))) == [entities[1].uscc]
    assert registry.select(EntityFilter(industry_prefixes=("D44",))) == [entities[1].uscc]
    noise = EntityFilter(pollution_types=frozenset({PollutionType.NOISE}))
    assert registry.select(noise) == [entities[0].uscc]
    assert registry.select(EntityFilter(tags_any=frozenset({"工业园区"}))) == [entities[2].uscc]
    key_only = EntityFilter(classes=frozenset({EntityClass.KEY}))
    assert registry.select(key_only) == [entities[2].uscc]
    with pytest.raises(ValueError, match="unknown flag"):
        EntityFilter(flags={"colour": True})


def _spec_digest(registry: Registry) -> str:
    """The digest exactly as docs/registry.md describes it, written plainly."""
    import hashlib
    import json
    from datetime import date
    from enum import Enum

    def plain(v: object) -> object:
        if isinstance(v, Enum):
            return v.value
        if isinstance(v, date):
            return v.isoformat()
        if isinstance(v, frozenset):
            return sorted(plain(x) for x in v)  # type: ignore[type-var]
        return v

    def line(kind: str, values: list[object]) -> str:
        return kind + "\t" + json.dumps(values, ensure_ascii=False, separators=(",", ":")) + "\n"

    from randcheck.models import Entity, InspectionItem, Inspector

    fields = [list(m.model_fields) for m in (Entity, Inspector, InspectionItem)]
    text = "randcheck-registry-v1\n"
    text += "".join(line(k, f) for k, f in zip("EIT", fields))  # type: ignore[arg-type]
    for e in sorted(registry.entities(), key=lambda e: e.uscc):
        text += line("E", [plain(getattr(e, f)) for f in fields[0]])
    for i in sorted(registry.inspectors, key=lambda i: i.inspector_id):
        text += line("I", [plain(getattr(i, f)) for f in fields[1]])
    for t in sorted(registry.items, key=lambda t: t.code):
        text += line("T", [plain(getattr(t, f)) for f in fields[2]])
    return hashlib.sha256(text.encode()).hexdigest()


def test_digest_is_the_documented_canonical_form() -> None:
    from randcheck.synth import generate_registry

    registry = generate_registry(400, 30, seed="spec", jurisdictions=3)
    assert registry.digest == _spec_digest(registry)
    quoted = Registry.from_records([make_entity(1, name='带"引号"和\\反斜杠的企业', tags="a;b")])
    assert quoted.digest == _spec_digest(quoted)
