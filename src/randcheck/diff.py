"""What changed between two registry snapshots (动态管理; 青岛 二(二), 二(三)).

Registries are updated every quarter: entities open, close and change class,
status or tags; inspectors join, leave and change post. :func:`diff_registries`
lists the entities, inspectors and items added, removed and changed, field by
field.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from pydantic import BaseModel

from randcheck.registry import ENTITY_FIELDS, Registry

RecordKind = Literal["entity", "inspector", "item"]


@dataclass(frozen=True)
class FieldChange:
    """One field of one record: its value before and after."""

    field: str
    old: Any
    new: Any


@dataclass(frozen=True)
class RecordRef:
    """A record added or removed: its kind, key and name."""

    kind: RecordKind
    key: str
    name: str


@dataclass(frozen=True)
class RecordChange:
    """A record present in both snapshots whose fields differ."""

    kind: RecordKind
    key: str
    name: str
    changes: tuple[FieldChange, ...]


@dataclass
class RegistryDiff:
    """Everything added, removed and changed from ``old`` to ``new``."""

    old_digest: str
    new_digest: str
    added: list[RecordRef] = field(default_factory=list)
    removed: list[RecordRef] = field(default_factory=list)
    changed: list[RecordChange] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not (self.added or self.removed or self.changed)

    def to_json(self, cell: Callable[[Any], str]) -> dict[str, Any]:
        """The diff as ``randcheck registry diff --format json`` and the service give it:
        digests, counts, records added and removed, and each change's old and new value
        written by ``cell`` (the registry file's own form: ``randcheck.io.format_cell``)."""
        return {
            "old_digest": self.old_digest,
            "new_digest": self.new_digest,
            "counts": self.counts(),
            "added": [vars(r) for r in self.added],
            "removed": [vars(r) for r in self.removed],
            "changed": [
                {
                    "kind": r.kind,
                    "key": r.key,
                    "name": r.name,
                    "changes": [
                        {
                            "field": c.field,
                            "old": cell(c.old),
                            "new": cell(c.new),
                        }
                        for c in r.changes
                    ],
                }
                for r in self.changed
            ],
        }

    def counts(self) -> dict[str, dict[str, int]]:
        """``{"entity": {"added": n, "removed": n, "changed": n}, ...}``."""
        out: dict[str, dict[str, int]] = {}
        for kind in ("entity", "inspector", "item"):
            out[kind] = {
                "added": sum(r.kind == kind for r in self.added),
                "removed": sum(r.kind == kind for r in self.removed),
                "changed": sum(r.kind == kind for r in self.changed),
            }
        return out


def _entity_rows(registry: Registry) -> dict[str, int]:
    return {uscc: row for row, uscc in enumerate(registry.column("uscc"))}


def _diff_entities(old: Registry, new: Registry, out: RegistryDiff) -> None:
    old_rows = _entity_rows(old)
    new_rows = _entity_rows(new)
    old_columns = [old.column(f) for f in ENTITY_FIELDS]
    new_columns = [new.column(f) for f in ENTITY_FIELDS]
    names_old = old.column("name")
    names_new = new.column("name")
    for uscc, row in old_rows.items():
        other = new_rows.get(uscc)
        if other is None:
            out.removed.append(RecordRef("entity", uscc, names_old[row]))
            continue
        changes = tuple(
            FieldChange(name, a[row], b[other])
            for name, a, b in zip(ENTITY_FIELDS, old_columns, new_columns)
            if a[row] != b[other]
        )
        if changes:
            out.changed.append(RecordChange("entity", uscc, names_new[other], changes))
    for uscc, row in new_rows.items():
        if uscc not in old_rows:
            out.added.append(RecordRef("entity", uscc, names_new[row]))


def _diff_models(
    kind: RecordKind,
    key: str,
    old: Sequence[BaseModel],
    new: Sequence[BaseModel],
    out: RegistryDiff,
) -> None:
    before = {getattr(r, key): r for r in old}
    after = {getattr(r, key): r for r in new}
    for ident, record in before.items():
        other = after.get(ident)
        if other is None:
            out.removed.append(RecordRef(kind, ident, getattr(record, "name", "")))
            continue
        changes = tuple(
            FieldChange(name, getattr(record, name), getattr(other, name))
            for name in type(record).model_fields
            if getattr(record, name) != getattr(other, name)
        )
        if changes:
            out.changed.append(RecordChange(kind, ident, getattr(other, "name", ""), changes))
    for ident, record in after.items():
        if ident not in before:
            out.added.append(RecordRef(kind, ident, getattr(record, "name", "")))


def diff_registries(old: Registry, new: Registry) -> RegistryDiff:
    """Entities, inspectors and items added, removed and changed, by field."""
    out = RegistryDiff(old.digest, new.digest)
    _diff_entities(old, new, out)
    _diff_models("inspector", "inspector_id", old.inspectors, new.inspectors, out)
    _diff_models("item", "code", old.items, new.items, out)
    return out


def iter_field_changes(diff: RegistryDiff) -> Iterator[tuple[RecordChange, FieldChange]]:
    """Every (record, field) change, flattened for tables and exports."""
    for record in diff.changed:
        for change in record.changes:
            yield record, change
