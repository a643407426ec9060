"""Registry diff (动态管理): added, removed and changed records, by field."""

from __future__ import annotations

from randcheck.diff import diff_registries, iter_field_changes
from randcheck.models import EntityClass, ProductionStatus, builtin_items
from randcheck.registry import Registry
from tests.conftest import make_entity, make_inspector


def test_identical_snapshots_have_no_differences(small_registry: Registry) -> None:
    shuffled = Registry.from_records(
        list(small_registry.entities())[::-1], small_registry.inspectors, small_registry.items
    )
    result = diff_registries(small_registry, shuffled)
    assert result.empty
    assert result.old_digest == result.new_digest


def test_quarterly_update_is_listed_by_field() -> None:
    old = Registry.from_records(
        [make_entity(1), make_entity(2), make_entity(4)],
        [make_inspector(1), make_inspector(2)],
        builtin_items("huojia"),
    )
    new = Registry.from_records(
        [
            make_entity(1, entity_class="SPECIAL", tags="媒体曝光"),  # reclassified
            make_entity(4, production_status="关闭"),  # closed
            make_entity(5),  # opened
        ],
        [make_inspector(1, post="中队长"), make_inspector(3)],
        builtin_items("huojia"),
    )
    result = diff_registries(old, new)
    assert [(r.kind, r.key) for r in result.added] == [
        ("entity", make_entity(5).uscc),
        ("inspector", "I0003"),
    ]
    assert [(r.kind, r.key) for r in result.removed] == [
        ("entity", make_entity(2).uscc),
        ("inspector", "I0002"),
    ]
    changes = {(rec.key, ch.field): (ch.old, ch.new) for rec, ch in iter_field_changes(result)}
    uscc1, uscc4 = make_entity(1).uscc, make_entity(4).uscc
    assert changes[(uscc1, "entity_class")] == (EntityClass.GENERAL, EntityClass.SPECIAL)
    assert changes[(uscc1, "tags")] == (frozenset(), frozenset({"媒体曝光"}))
    assert changes[(uscc4, "production_status")] == (
        ProductionStatus.OPERATING,
        ProductionStatus.CLOSED,
    )
    assert changes[("I0001", "post")] == (None, "中队长")
    assert len(changes) == 4
    assert result.counts()["entity"] == {"added": 1, "removed": 1, "changed": 2}
