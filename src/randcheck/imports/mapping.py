"""Mappings: which headers of an export give which canonical field.

A mapping is a small YAML file (read safely: :func:`randcheck.io.safe.parse_yaml`)::

    name: platform-export
    title: 监管平台 抽查任务/检查/结果导出
    description: what the export is
    default_actor: 监管平台          # who acts when no person or department column says
    required: [task_id]             # columns that must be there
    task_id_from: null              # or [uscc, inspection_date]: derive the task id
    columns:                        # canonical field -> accepted headers
      task_id: [任务编号, 检查任务编号, task_id]
      result: [检查结果, result]
    values:                         # optional: cell words -> canonical values
      result: {合格: NO_PROBLEM, 责令整改: RECTIFY}
    empty: [未公开, 无, "—"]         # cells that mean "nothing"
    ignore: [序号, 公开期限]          # known headers that carry nothing to import

Headers are compared as :func:`randcheck.io.headers.normalise` compares them (no
spaces, case folded) and without the ``*`` or ``（必填）`` marks of a required
column. The shipped mappings are in ``randcheck/imports/mappings/*.yaml``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from randcheck.errors import InputError
from randcheck.imports.fields import FIELDS
from randcheck.io.headers import normalise
from randcheck.models import EntityClass
from randcheck.models.vocab import Mode, Outcome, Withheld

VOCABULARIES: dict[str, Any] = {
    "outcome": Outcome,
    "mode": Mode,
    "class": EntityClass,
    "withheld": Withheld,
}
"""The enumerations a ``values`` entry may map into, by field kind."""

_MARKS = re.compile(r"[*＊]|[(（]必填[)）]")


def header_key(header: str) -> str:
    """The form a header is matched in: normalised, without required-column marks."""
    return normalise(_MARKS.sub("", header))


class Mapping(BaseModel):
    """One export's columns: canonical field -> the headers that give it."""

    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=True)

    name: str = Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")
    title: str = ""
    description: str = ""
    default_actor: str = Field("平台导入", min_length=1)
    required: list[str] = Field(default_factory=list)
    task_id_from: list[str] | None = Field(
        None, min_length=1, description="derive the task id from these fields' cells"
    )
    columns: dict[str, list[str]] = Field(min_length=1)
    values: dict[str, dict[str, str]] = Field(default_factory=dict)
    empty: list[str] = Field(default_factory=list)
    ignore: list[str] = Field(default_factory=list)

    @model_validator(mode="after")
    def _consistent(self) -> Mapping:
        unknown = [f for f in [*self.columns, *self.required, *self.values] if f not in FIELDS]
        unknown += [f for f in self.task_id_from or [] if f not in FIELDS]
        if unknown:
            raise ValueError(
                f"unknown field(s) {', '.join(sorted(set(unknown)))}; the fields are "
                f"{', '.join(FIELDS)}"
            )
        missing = [f for f in [*self.required, *(self.task_id_from or [])] if f not in self.columns]
        if missing:
            raise ValueError(f"field(s) {', '.join(missing)} are required but have no headers")
        if "task_id" not in self.columns and not self.task_id_from:
            raise ValueError("give headers for task_id, or task_id_from to derive it")
        seen: dict[str, str] = {}
        for field, headers in self.columns.items():
            if not headers:
                raise ValueError(f"field {field} lists no headers")
            for header in headers:
                key = header_key(header)
                if not key:
                    raise ValueError(f"field {field} lists an empty header")
                if seen.get(key, field) != field:
                    raise ValueError(f"header {header!r} is given for {seen[key]} and {field}")
                seen[key] = field
        for header in self.ignore:
            if header_key(header) in seen:
                raise ValueError(f"header {header!r} is both ignored and a field's")
        for field, words in self.values.items():
            vocabulary = VOCABULARIES.get(FIELDS[field].kind)
            if vocabulary is None:
                raise ValueError(f"values are for result, mode, class and withheld, not {field}")
            for word, target in words.items():
                try:
                    vocabulary(target)
                except ValueError:
                    raise ValueError(
                        f"values.{field}: {word!r} maps to {target!r}, which is none of "
                        f"{vocabulary.spellings()}"
                    ) from None
        return self

    # --- header matching -------------------------------------------------------------

    def lookup(self) -> dict[str, str]:
        """Normalised header -> canonical field."""
        return {header_key(h): field for field, hs in self.columns.items() for h in hs}

    def ignored(self) -> set[str]:
        return {header_key(h) for h in self.ignore}

    def header_of(self, field: str) -> str:
        """The first header listed for ``field`` (how messages name a missing column)."""
        return self.columns[field][0]

    def needed(self) -> list[str]:
        """The fields whose columns must be present."""
        return list(dict.fromkeys([*self.required, *(self.task_id_from or [])]))


@dataclass(frozen=True)
class Match:
    """How a header row fits a mapping: the columns it gives, what is missing."""

    mapping: Mapping
    columns: dict[str, int]
    """canonical field -> column index"""
    missing: list[str]
    known: int
    """headers the mapping knows (fields and ignored ones)"""
    unused: list[str]
    """headers the mapping does not know: read but not imported"""
    duplicates: list[tuple[str, int, int]]
    """(field, first column, second column) given twice"""

    @property
    def fits(self) -> bool:
        return not self.missing


def match(mapping: Mapping, headers: list[str]) -> Match:
    """Which columns of ``headers`` give which field of ``mapping``."""
    lookup, ignored = mapping.lookup(), mapping.ignored()
    columns: dict[str, int] = {}
    duplicates: list[tuple[str, int, int]] = []
    unused: list[str] = []
    known = 0
    for index, header in enumerate(headers):
        key = header_key(header)
        if not key:
            continue
        field = lookup.get(key)
        if field is None:
            if key in ignored:
                known += 1
            else:
                unused.append(header)
            continue
        known += 1
        if field in columns:
            duplicates.append((field, columns[field], index))
        else:
            columns[field] = index
    missing = [f for f in mapping.needed() if f not in columns]
    return Match(mapping, columns, missing, known, unused, duplicates)


# --- loading --------------------------------------------------------------------------


def parse_mapping(data: Any, where: str) -> Mapping:
    """A mapping from parsed YAML; an :class:`InputError` naming each problem."""
    if not isinstance(data, dict):
        raise InputError("a mapping file is a YAML object (name, columns …)", where=where)
    try:
        return Mapping.model_validate(data)
    except ValidationError as exc:
        details = "; ".join(
            f"{'.'.join(str(p) for p in e['loc']) or 'mapping'}: {e['msg']}" for e in exc.errors()
        )
        raise InputError(
            f"not a valid mapping: {details}",
            where=where,
            hint="see the mapping format in docs/conformance.md (Importing records)",
        ) from None


def load_mapping(path: Path | str) -> Mapping:
    """A user's mapping file (YAML), read safely."""
    from randcheck.io.safe import parse_yaml, read_text

    path = Path(path)
    return parse_mapping(parse_yaml(read_text(path, "mapping file"), str(path)), str(path))


_SHIPPED: dict[str, Mapping] | None = None


def shipped_mappings() -> dict[str, Mapping]:
    """The mappings randcheck ships, by name (``randcheck/imports/mappings/*.yaml``)."""
    global _SHIPPED
    if _SHIPPED is None:
        from randcheck.io.safe import parse_yaml

        found: dict[str, Mapping] = {}
        folder = resources.files("randcheck.imports").joinpath("mappings")
        for entry in sorted(folder.iterdir(), key=lambda e: e.name):
            if entry.name.endswith(".yaml"):
                where = f"randcheck/imports/mappings/{entry.name}"
                mapping = parse_mapping(parse_yaml(entry.read_text("utf-8"), where), where)
                found[mapping.name] = mapping
        _SHIPPED = found
    return dict(_SHIPPED)


def _is_file(spec: str) -> bool:
    try:
        return Path(spec).is_file()
    except (OSError, ValueError):  # a name too long, a NUL byte
        return False


def resolve_mapping(spec: str | Mapping | None) -> Mapping | None:
    """``spec`` as a mapping: a shipped mapping's name, a YAML file, or None (detect)."""
    if spec is None or isinstance(spec, Mapping):
        return spec
    shipped = shipped_mappings()
    if spec in shipped:
        return shipped[spec]
    if spec.lower().endswith((".yaml", ".yml")) or _is_file(spec):
        return load_mapping(spec)
    raise InputError(
        f"unknown mapping {spec!r}",
        hint=f"name a shipped mapping ({', '.join(shipped)}) or a mapping file (.yaml)",
    )
