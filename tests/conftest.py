"""Shared fixtures: small hand-made registries that do not depend on the generator."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from randcheck import uscc
from randcheck.models import Entity, Inspector, builtin_items
from randcheck.registry import Registry


def make_uscc(n: int, division: str = "410724") -> str:
    """A valid USCC for company number ``n`` in ``division``."""
    body = f"{n:09d}"
    return uscc.complete(f"91{division}{body}")


def make_entity(n: int, **fields: object) -> Entity:
    values: dict[str, object] = {
        "uscc": make_uscc(n),
        "name": f"获嘉县示例企业{n}有限公司",
        "entity_class": ("KEY", "GENERAL", "SPECIAL")[n % 3],
        "division_code": "410724",
        "industry_code": "C2614",
        "pollution_types": "废水;废气",
        "longitude": 113.6 + (n % 1000) / 1000,
        "latitude": 35.2,
        "production_start": "2015-06-01",
    }
    values.update(fields)
    return Entity.model_validate(values)


def make_inspector(n: int, **fields: object) -> Inspector:
    values: dict[str, object] = {
        "inspector_id": f"I{n:04d}",
        "name": f"检查员{n}",
        "unit": "获嘉县生态环境执法大队",
        "certificate_number": f"豫环执{n:06d}",
        "expertise": "水;大气",
    }
    values.update(fields)
    return Inspector.model_validate(values)


@pytest.fixture
def small_registry() -> Registry:
    entities = [make_entity(i) for i in range(1, 31)]
    inspectors = [make_inspector(i) for i in range(1, 6)]
    return Registry.from_records(entities, inspectors, builtin_items("huojia"))


@pytest.fixture
def entity_factory() -> Callable[..., Entity]:
    return make_entity
