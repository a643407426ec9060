"""Registry: an immutable snapshot of the 一单两库 (items, entities, inspectors).

A national registry holds well over a million entities. As pydantic objects
they would take about 3 KB each, so the snapshot keeps entities column by
column (one list per field, repeated values shared) and builds an
:class:`~randcheck.models.Entity` only when one is asked for. Each row was
validated as an ``Entity`` on the way in; columns never hold unvalidated data.

The digest is SHA-256 over a canonical form that does not depend on the order
records were given in (see :func:`Registry.digest` and ``docs/registry.md``).
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import date
from enum import Enum
from functools import cached_property
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

from randcheck.errors import InputError, Problem, ProblemsFound
from randcheck.models import (
    Entity,
    EntityClass,
    InspectionItem,
    Inspector,
    PermitClass,
    PollutionType,
    ProductionStatus,
    Scale,
)

ENTITY_FIELDS: tuple[str, ...] = tuple(Entity.model_fields)
INSPECTOR_FIELDS: tuple[str, ...] = tuple(Inspector.model_fields)
ITEM_FIELDS: tuple[str, ...] = tuple(InspectionItem.model_fields)
assert ENTITY_FIELDS[0] == "uscc"  # add_entity_values reads the key from the first place
FLAG_FIELDS: tuple[str, ...] = tuple(
    name for name, info in Entity.model_fields.items() if info.annotation is bool
)

# Columns whose values repeat across entities; one shared object per value.
SHARED_FIELDS = _SHARED = frozenset(
    {
        "entity_class",
        "division_code",
        "permit_class",
        "authority",
        "basin",
        "industry_code",
        "pollution_types",
        "production_status",
        "scale",
        "control_level",
        "credit_rating",
        "market_credit_risk",
        "weather_grade",
        "tags",
        "production_start",
    }
)

DIGEST_VERSION = "randcheck-registry-v1"
_encode_text: Callable[[str], str] = json.encoder.encode_basestring
"""JSON string escaping as json.dumps(ensure_ascii=False) does it, in C."""


def _canonical(value: Any) -> Any:
    """A JSON-ready, order-free form of one field value."""
    if isinstance(value, Enum):
        return value.value
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, frozenset | set):
        return sorted(_canonical(v) for v in value)
    raise TypeError(f"no canonical form for {type(value).__name__}")


def _line(kind: str, values: Iterable[Any]) -> bytes:
    body = json.dumps([_canonical(v) for v in values], ensure_ascii=False, separators=(",", ":"))
    return f"{kind}\t{body}\n".encode()


def _fragments(column: Sequence[Any]) -> list[str]:
    """Each value's compact JSON (as in :func:`_line`), computed column-wise."""
    out: list[str] = []
    append = out.append
    memo: dict[Any, str] = {}
    for value in column:
        kind = type(value)
        if kind is str:
            append(_encode_text(value))
        elif value is None:
            append("null")
        elif kind is bool:
            append("true" if value else "false")
        elif kind is float:
            append(float.__repr__(value))
        else:
            text = memo.get(value)
            if text is None:
                text = json.dumps(_canonical(value), ensure_ascii=False, separators=(",", ":"))
                memo[value] = text
            append(text)
    return out


class RegistryBuilder:
    """Collects validated entities column by column; :meth:`build` makes the snapshot.

    Duplicate keys are reported with the position (or label) each record came from.
    """

    def __init__(self) -> None:
        self._columns: dict[str, list[Any]] = {f: [] for f in ENTITY_FIELDS}
        self._shared: dict[str, dict[Any, Any]] = {f: {} for f in _SHARED}
        self._appenders = [(self._columns[f].append, self._shared.get(f)) for f in ENTITY_FIELDS]
        self._index: dict[str, int] = {}
        self._inspectors: dict[str, Inspector] = {}
        self._items: dict[str, InspectionItem] = {}

    def has_entity(self, uscc: str) -> bool:
        return uscc in self._index

    def add_entity(self, entity: Entity) -> None:
        # pydantic keeps __dict__ in field order, the order of ENTITY_FIELDS
        self.add_entity_values(list(entity.__dict__.values()))

    def add_entity_values(self, values: Sequence[Any], *, shared: bool = False) -> None:
        """Add one entity given as its field values in ENTITY_FIELDS order, already validated.

        ``shared=True`` says repeated values are already one object each (as the row
        validator's memo makes them), so they need not be looked up again.
        """
        uscc = values[0]
        if uscc in self._index:
            raise InputError(
                f"duplicate USCC {uscc}",
                hint="each entity appears once in a registry; merge or remove the repeated row",
            )
        self._index[uscc] = len(self._index)
        if shared:
            for (append, _), value in zip(self._appenders, values):
                append(value)
            return
        for (append, pool), value in zip(self._appenders, values):
            append(value if pool is None else pool.setdefault(value, value))

    def add_inspector(self, inspector: Inspector) -> None:
        if inspector.inspector_id in self._inspectors:
            raise InputError(f"duplicate inspector id {inspector.inspector_id}")
        self._inspectors[inspector.inspector_id] = inspector

    def add_item(self, item: InspectionItem) -> None:
        if item.code in self._items:
            raise InputError(f"duplicate item code {item.code}")
        self._items[item.code] = item

    def build(self) -> Registry:
        """The snapshot. The builder hands its columns over and is empty afterwards."""
        columns: dict[str, tuple[Any, ...]] = {}
        for name, column in self._columns.items():
            columns[name] = tuple(column)
            column.clear()  # keep one copy alive at a time on national-scale loads
        registry = Registry._from_parts(
            columns, self._index, tuple(self._inspectors.values()), tuple(self._items.values())
        )
        self.__init__()  # type: ignore[misc]
        return registry


class EntityFilter(BaseModel):
    """A tag filter over entities (获嘉 第十一条: region, industry, enterprise type, pollutant).

    Every criterion given must hold; within a criterion any listed value will do.
    Routine draws use no filter; targeted campaigns use one.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    classes: frozenset[EntityClass] | None = Field(None, description="监管类别")
    division_prefixes: tuple[str, ...] = Field((), description="行政区划 code prefixes, e.g. 4107")
    industry_prefixes: tuple[str, ...] = Field((), description="行业类别 prefixes, e.g. C26")
    pollution_types: frozenset[PollutionType] | None = Field(None, description="any of 污染类型")
    permit_classes: frozenset[PermitClass] | None = None
    scales: frozenset[Scale] | None = None
    statuses: frozenset[ProductionStatus] | None = None
    flags: dict[str, bool] = Field(default_factory=dict, description="flag field -> value")
    tags_any: frozenset[str] | None = Field(None, description="any of these free tags")

    @field_validator("flags")
    @classmethod
    def _known_flags(cls, value: dict[str, bool]) -> dict[str, bool]:
        unknown = set(value) - set(FLAG_FIELDS)
        if unknown:
            raise ValueError(
                f"unknown flag(s) {', '.join(sorted(unknown))}; known: {', '.join(FLAG_FIELDS)}"
            )
        return value

    @property
    def empty(self) -> bool:
        """True when the filter admits every entity (a routine draw)."""
        return self == EntityFilter()

    def predicates(self) -> list[tuple[str, Callable[[Any], bool]]]:
        """(column, test) pairs; an entity passes when every test passes on its column."""
        tests: list[tuple[str, Callable[[Any], bool]]] = []
        if self.classes is not None:
            tests.append(("entity_class", self.classes.__contains__))
        if self.division_prefixes:
            divisions = self.division_prefixes
            tests.append(("division_code", lambda v: str(v).startswith(divisions)))
        if self.industry_prefixes:
            industries = self.industry_prefixes
            tests.append(("industry_code", lambda v: str(v).startswith(industries)))
        if self.pollution_types is not None:
            wanted = self.pollution_types
            tests.append(("pollution_types", lambda v: not wanted.isdisjoint(v)))
        if self.permit_classes is not None:
            tests.append(("permit_class", self.permit_classes.__contains__))
        if self.scales is not None:
            tests.append(("scale", self.scales.__contains__))
        if self.statuses is not None:
            tests.append(("production_status", self.statuses.__contains__))
        for flag, required in self.flags.items():
            tests.append((flag, required.__eq__))
        if self.tags_any is not None:
            tags = self.tags_any
            tests.append(("tags", lambda v: not tags.isdisjoint(v)))
        return tests


class Registry:
    """An immutable snapshot of entities, inspectors and inspection items.

    Build one with :meth:`from_records` (or through :mod:`randcheck.io`).
    """

    def __init__(self) -> None:  # use from_records / RegistryBuilder
        self._columns: dict[str, tuple[Any, ...]] = {f: () for f in ENTITY_FIELDS}
        self._index: dict[str, int] = {}
        self._inspectors: tuple[Inspector, ...] = ()
        self._inspector_index: dict[str, int] = {}
        self._items: tuple[InspectionItem, ...] = ()

    @classmethod
    def _from_parts(
        cls,
        columns: dict[str, tuple[Any, ...]],
        index: dict[str, int],
        inspectors: tuple[Inspector, ...],
        items: tuple[InspectionItem, ...],
    ) -> Registry:
        self = cls()
        self._columns = columns
        self._index = index
        self._inspectors = inspectors
        self._inspector_index = {ins.inspector_id: i for i, ins in enumerate(inspectors)}
        self._items = items
        return self

    @classmethod
    def from_records(
        cls,
        entities: Iterable[Entity] = (),
        inspectors: Iterable[Inspector] = (),
        items: Iterable[InspectionItem] = (),
    ) -> Registry:
        """A snapshot of validated records; duplicate keys are one error listing them all."""
        builder = RegistryBuilder()
        problems: list[Problem] = []
        adders: list[tuple[str, Iterable[Any], Callable[[Any], None]]] = [
            ("entities", entities, builder.add_entity),
            ("inspectors", inspectors, builder.add_inspector),
            ("items", items, builder.add_item),
        ]
        for kind, records, add in adders:
            for position, record in enumerate(records, start=1):
                try:
                    add(record)
                except InputError as exc:
                    problems.append(Problem(kind, position, None, exc.what))
        if problems:
            raise ProblemsFound("registry", problems, hint="give each key once")
        return builder.build()

    def with_entity_columns(self, columns: dict[str, tuple[Any, ...]]) -> Registry:
        """A new snapshot with these entity columns; inspectors and items are kept.

        For simulation, which changes classes and statuses and adds entities quarter
        by quarter: the values are trusted (they come from validated rows), every
        field must be given, all of one length, and USCCs distinct.
        """
        if set(columns) != set(ENTITY_FIELDS):
            raise InputError("with_entity_columns needs every entity field")
        lengths = {len(c) for c in columns.values()}
        if len(lengths) > 1:
            raise InputError("entity columns of different lengths")
        index = {uscc: row for row, uscc in enumerate(columns["uscc"])}
        if len(index) != len(columns["uscc"]):
            raise InputError("entity columns repeat a USCC")
        return Registry._from_parts(columns, index, self._inspectors, self._items)

    # --- sizes and lookups -------------------------------------------------

    @property
    def entity_count(self) -> int:
        return len(self._index)

    @property
    def inspector_count(self) -> int:
        return len(self._inspectors)

    def __len__(self) -> int:
        return self.entity_count

    def __repr__(self) -> str:
        return (
            f"Registry({self.entity_count} entities, {self.inspector_count} inspectors, "
            f"{len(self._items)} items, digest {self.digest[:12]}…)"
        )

    def __contains__(self, uscc: object) -> bool:
        return uscc in self._index

    def _entity_at(self, row: int) -> Entity:
        return Entity.model_construct(**{f: col[row] for f, col in self._columns.items()})

    def entity(self, uscc: str) -> Entity:
        """The entity with this USCC; an :class:`InputError` when there is none."""
        row = self._index.get(uscc)
        if row is None:
            raise InputError(
                f"no entity with USCC {uscc} in this registry",
                hint="check the code, or load the registry snapshot that holds it",
            )
        return self._entity_at(row)

    def row_of(self, uscc: str) -> int | None:
        """The entity's row in the columns (:meth:`column`), or ``None`` when absent."""
        return self._index.get(uscc)

    def get_entity(self, uscc: str) -> Entity | None:
        row = self._index.get(uscc)
        return None if row is None else self._entity_at(row)

    def name_of(self, uscc: str) -> str | None:
        """The entity's name (企业名称), or ``None`` when the registry has no such entity
        or no name for it."""
        row = self._index.get(uscc)
        name = None if row is None else self._columns["name"][row]
        return str(name) if name else None

    def entities(self) -> Iterator[Entity]:
        """Every entity, in the order they were given, built one at a time."""
        for row in range(self.entity_count):
            yield self._entity_at(row)

    def entity_ids(self) -> Sequence[str]:
        """The USCCs, in the order the entities were given."""
        return self.column("uscc")

    def column(self, field: str) -> Sequence[Any]:
        """One field of every entity, in entity order (read-only)."""
        try:
            column = self._columns[field]
        except KeyError:
            raise InputError(
                f"no entity field {field!r}", hint=f"fields: {', '.join(ENTITY_FIELDS)}"
            ) from None
        return column

    @property
    def inspectors(self) -> tuple[Inspector, ...]:
        return self._inspectors

    def inspector(self, inspector_id: str) -> Inspector:
        row = self._inspector_index.get(inspector_id)
        if row is None:
            raise InputError(f"no inspector with id {inspector_id} in this registry")
        return self._inspectors[row]

    @property
    def items(self) -> tuple[InspectionItem, ...]:
        return self._items

    # --- filters and summaries ----------------------------------------------

    def select(self, criteria: EntityFilter | None = None) -> list[str]:
        """USCCs of the entities that pass ``criteria`` (all when ``None``), in entity order."""
        ids = self._columns["uscc"]
        if criteria is None or criteria.empty:
            return list(ids)
        tests = criteria.predicates()
        columns = [self._columns[name] for name, _ in tests]
        checks = [test for _, test in tests]
        return [
            uscc
            for uscc, *values in zip(ids, *columns)
            if all(check(v) for check, v in zip(checks, values))
        ]

    def rows_where(self, field: str, value: Any) -> Sequence[int]:
        """Row numbers of the entities whose ``field`` equals ``value`` (an index, built once)."""
        groups = self.__dict__.setdefault("_groups", {})
        index = groups.get(field)
        if index is None:
            index = {}
            for row, key in enumerate(self.column(field)):
                index.setdefault(key, []).append(row)
            groups[field] = index
        return index.get(value, ())  # type: ignore[no-any-return]

    def inspectors_of_region(self, region: str | None) -> tuple[Inspector, ...]:
        """Inspectors of ``region`` and those with no region; all when ``region`` is None."""
        if region is None:
            return self._inspectors
        index = self.__dict__.get("_by_region")
        if index is None:
            index = {}
            for inspector in self._inspectors:
                index.setdefault(inspector.region, []).append(inspector)
            self.__dict__["_by_region"] = index
        return (*index.get(region, ()), *index.get(None, ()))

    def class_counts(self) -> dict[EntityClass, int]:
        """How many entities in each class (every class listed, zero included)."""
        counts = Counter(self._columns["entity_class"])
        return {cls: counts.get(cls, 0) for cls in EntityClass}

    def snapshot_payload(self) -> dict[str, Any]:
        """What a ``REGISTRY_SNAPSHOT`` of this registry records: its digest, operating
        entities per class (the base of the shares), entities not closed per class (获嘉
        and 西平 count the whole 名录库), and inspectors on staff and certified."""
        statuses = self.column("production_status")
        classes = self.column("entity_class")
        operating = Counter(c.value for c, s in zip(classes, statuses) if s.operating)
        registered = Counter(
            c.value for c, s in zip(classes, statuses) if s is not ProductionStatus.CLOSED
        )
        staff = [i for i in self._inspectors if i.on_staff and not i.auxiliary]
        return {
            "digest": self.digest,
            "entities": self.entity_count,
            "inspectors": self.inspector_count,
            "class_counts": dict(operating),
            "registered_counts": dict(registered),
            "on_staff_inspectors": len(staff),
            "certified_inspectors": sum(1 for i in staff if i.has_certificate),
        }

    # --- digest ----------------------------------------------------------------

    @cached_property
    def digest(self) -> str:
        """SHA-256 of the canonical form; the same for the same records in any order.

        Canonical form: the line ``randcheck-registry-v1``, then three header lines
        naming the fields of each record kind, then one line per record,
        ``E``/``I``/``T`` (entity, inspector, item), a tab and a compact JSON array
        of the field values in header order (enums by value, dates ISO, sets as
        sorted lists, absent values ``null``), records sorted by key (USCC,
        inspector id, item code). UTF-8 throughout.
        """
        h = hashlib.sha256()
        h.update(f"{DIGEST_VERSION}\n".encode())
        h.update(_line("E", ENTITY_FIELDS))
        h.update(_line("I", INSPECTOR_FIELDS))
        h.update(_line("T", ITEM_FIELDS))
        # Entities column by column: each value is encoded once (C-level escaping for
        # text, one encoding per distinct value otherwise), then rows are joined.
        fragments = [_fragments(self._columns[f]) for f in ENTITY_FIELDS]
        uscc_column = self._columns["uscc"]
        order = sorted(range(self.entity_count), key=uscc_column.__getitem__)
        batch: list[str] = []
        for row in order:
            batch.append("E\t[" + ",".join([col[row] for col in fragments]) + "]\n")
            if len(batch) == 20_000:
                h.update("".join(batch).encode())
                batch.clear()
        h.update("".join(batch).encode())
        for ins in sorted(self._inspectors, key=lambda i: i.inspector_id):
            h.update(_line("I", (getattr(ins, f) for f in INSPECTOR_FIELDS)))
        for item in sorted(self._items, key=lambda i: i.code):
            h.update(_line("T", (getattr(item, f) for f in ITEM_FIELDS)))
        return h.hexdigest()
