"""The synthetic registry: deterministic, valid, plausible."""

from __future__ import annotations

from collections import Counter

import pytest

from randcheck import uscc
from randcheck.models import Entity, EntityClass, Inspector
from randcheck.models.fields import PROVINCE_CODES
from randcheck.synth import (
    expected_class_shares,
    generate_registry,
    iter_entities,
    jurisdiction_codes,
)


def test_same_arguments_same_registry() -> None:
    a = generate_registry(300, 20, seed="s", jurisdictions=3)
    b = generate_registry(300, 20, seed="s", jurisdictions=3)
    assert a.digest == b.digest
    assert generate_registry(300, 20, seed="t", jurisdictions=3).digest != a.digest
    assert generate_registry(300, 20, seed="s", jurisdictions=4).digest != a.digest


def test_every_record_passes_full_validation() -> None:
    registry = generate_registry(3000, 300, seed=7, jurisdictions=10)
    for entity in registry.entities():
        assert Entity.model_validate(entity.model_dump()) == entity
    for inspector in registry.inspectors:
        assert Inspector.model_validate(inspector.model_dump()) == inspector
    assert len(registry.items) == 14


def test_usccs_are_valid_unique_and_carry_their_division() -> None:
    registry = generate_registry(5000, 0, seed=3, jurisdictions=25)
    ids = registry.entity_ids()
    assert len(set(ids)) == len(ids)
    assert all(uscc.is_valid(i) for i in ids)
    assert all(i[2:8] == d for i, d in zip(ids, registry.column("division_code")))


def test_class_mix_is_near_the_target() -> None:
    registry = generate_registry(20000, 0, seed=11)
    counts = registry.class_counts()
    for cls, share in expected_class_shares().items():
        assert abs(counts[cls] / registry.entity_count - share) < 0.04, cls


def test_every_jurisdiction_is_populated() -> None:
    registry = generate_registry(2000, 200, seed=5, jurisdictions=40)
    codes = jurisdiction_codes(40, seed=5)
    entities = Counter(registry.column("division_code"))
    inspectors = Counter(i.region for i in registry.inspectors)
    assert set(entities) == set(codes) and min(entities.values()) >= 3
    assert set(inspectors) == set(codes) and min(inspectors.values()) >= 2


def test_conflicts_name_entities_of_the_inspectors_own_jurisdiction() -> None:
    registry = generate_registry(3000, 600, seed=2, jurisdictions=5)
    declared = [i for i in registry.inspectors if i.conflicts]
    assert declared, "some inspectors declare conflicts"
    for inspector in declared:
        for ident in inspector.conflicts:
            assert registry.entity(ident).division_code == inspector.region


def test_inspector_kinds() -> None:
    inspectors = generate_registry(100, 2000, seed=9).inspectors
    auxiliary = sum(i.auxiliary for i in inspectors) / len(inspectors)
    qualified = sum(i.qualified for i in inspectors) / len(inspectors)
    assert 0.05 < auxiliary < 0.11 and 0.8 < qualified < 0.9


def test_jurisdiction_codes_are_distinct_and_real_provinces() -> None:
    codes = jurisdiction_codes(2330, seed=1)
    assert len(set(codes)) == 2330 and codes[0] == "410724"
    assert all(len(c) == 6 and c[:2] in PROVINCE_CODES for c in codes)


@pytest.mark.parametrize(("entities", "inspectors"), [(0, 0), (1, 0), (0, 3), (2, 1)])
def test_small_sizes(entities: int, inspectors: int) -> None:
    registry = generate_registry(entities, inspectors, seed=0)
    assert (registry.entity_count, registry.inspector_count) == (entities, inspectors)


def test_iter_entities_yields_entities() -> None:
    first = next(iter_entities(5, seed=1))
    assert isinstance(first, Entity) and first.entity_class in EntityClass
