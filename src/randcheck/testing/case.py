"""Conformance cases: a YAML file of situations and the verdict the regulation gives them.

A file (``*.randcheck.yaml``) is a list of cases, or a mapping with ``cases:`` and
the settings its cases share (``policy``, ``period``, ``as_of``, ``registry``,
``snapshot``, ``shows``). Each case names a policy, a period, an ``as_of`` date,
its events (:mod:`randcheck.testing.compact`) and the expected verdict per rule
(:mod:`randcheck.testing.assertions`). The format is the JSON Schema
``randcheck/data/conformance-case.schema.json`` (also ``docs/``), checked first;
then every event goes through the ledger's own checks and every rule id is checked
against the policy. A case that cannot be used is a :class:`CaseError` naming
the file, the case and the field, before anything is judged.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import jsonschema
from pydantic import ValidationError

from randcheck.audit import Verdict, audit
from randcheck.errors import InputError, RandcheckError
from randcheck.io import read_registry
from randcheck.io.safe import parse_yaml, read_text
from randcheck.ledger.chain import LedgerEvent
from randcheck.models import Entity, Inspector
from randcheck.models.vocab import Evidence
from randcheck.periods import Quarter
from randcheck.policies import Policy, get_policy, resolve_policy
from randcheck.registry import Registry
from randcheck.testing.assertions import Expected, check_verdict, parse_expect
from randcheck.testing.compact import CaseError, EventBuilder

SUFFIX = ".randcheck.yaml"
"""The file names the pytest plugin collects."""

SCHEMA_NAME = "conformance-case.schema.json"
SHARED = ("policy", "period", "as_of", "registry", "snapshot", "shows")
"""The settings a file's cases may share (``cases:`` form)."""

MAX_CASE_BYTES = 4 * 1024 * 1024
"""A case file is written by hand: a few kilobytes."""


@cache
def case_schema() -> dict[str, Any]:
    """The JSON Schema of a case file (``randcheck/data/conformance-case.schema.json``)."""
    text = resources.files("randcheck.data").joinpath(SCHEMA_NAME).read_text("utf-8")
    data: dict[str, Any] = json.loads(text)
    return data


def _path(error: jsonschema.ValidationError) -> str:
    out = ""
    for part in error.absolute_path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "(the file)"


def _message(error: jsonschema.ValidationError) -> str:
    """The reason, without repeating a whole event back: for a choice of forms (``oneOf``,
    ``anyOf``) the reasons each form gave."""
    if error.validator in ("oneOf", "anyOf"):
        if not error.context:
            return "fits more than one of its forms (for an event: give on or at, not both)"
        reasons = sorted({c.message for c in error.context})
        return "fits none of its forms: " + "; or ".join(_short(r) for r in reasons)
    return _short(error.message)


def _short(text: str, limit: int = 160) -> str:
    return text if len(text) <= limit else text[:limit] + "…"


def schema_problems(data: Any) -> list[str]:
    """Every way ``data`` breaks the case schema, as "<field path>: <reason> (<what the
    field is>)", the field's own description telling what to write."""
    validator = jsonschema.Draft202012Validator(case_schema())
    found = sorted(validator.iter_errors(data), key=lambda e: [str(p) for p in e.absolute_path])
    out = []
    for error in found:
        about = error.schema.get("description") if isinstance(error.schema, dict) else None
        out.append(f"{_path(error)}: {_message(error)}" + (f" ({about})" if about else ""))
    return out


def plain(data: Any) -> Any:
    """The file as the JSON it stands for: YAML's dates and times as ISO text, and the
    key ``on``, which YAML 1.1 reads as ``true``, as ``on`` again."""
    if isinstance(data, dict):
        return {("on" if k is True else k): plain(v) for k, v in data.items()}
    if isinstance(data, list):
        return [plain(v) for v in data]
    if isinstance(data, dt.datetime | dt.date):
        return data.isoformat()
    return data


@dataclass
class Case:
    """One situation and the verdict expected of it, ready to judge."""

    name: str
    policy: Policy
    year: int
    quarter: int | None
    as_of: dt.date
    events: list[LedgerEvent]
    expect: dict[str, Expected]
    registry: Registry | None = None
    evidence: frozenset[Evidence] | None = None
    labels: dict[int, str] = field(default_factory=dict)
    """Event number -> where the case gives it (``events[3]``, ``snapshot``)."""
    file: Path | None = None
    description: str | None = None

    @property
    def period(self) -> str:
        return f"{self.year}Q{self.quarter}" if self.quarter else str(self.year)

    def run(self) -> Verdict:
        """The verdict on the case's events."""
        return audit(
            self.policy,
            self.events,
            self.year,
            quarter=self.quarter,
            as_of=self.as_of,
            registry=self.registry,
            evidence=self.evidence,
        )

    def check(self) -> Verdict:
        """The verdict, when it is as expected; :class:`VerdictMismatch` otherwise."""
        verdict = self.run()
        title = f"case {self.name!r}" + (f" ({self.file})" if self.file else "")
        check_verdict(verdict, self.expect, self.events, title=title, labels=self.labels)
        return verdict


# --- reading ---------------------------------------------------------------------------


def load_cases(path: Path | str) -> list[Case]:
    """Every case of a file, checked and built; a :class:`CaseError` naming the file,
    the case and the field otherwise (nothing is judged)."""
    path = Path(path)
    data = parse_yaml(read_text(path, "conformance case file", MAX_CASE_BYTES), str(path))
    cases = parse_cases(data, str(path), path.parent)
    for case in cases:
        case.file = path
    return cases


def parse_cases(data: Any, where: str, base: Path | None = None) -> list[Case]:
    """The cases of a parsed file (``where`` names it in errors; relative file names in
    it are taken from ``base``, the file's folder)."""
    data = plain(data)
    problems = schema_problems(data)
    if problems:
        shown = "\n  ".join(problems[:20]) + (
            f"\n  … and {len(problems) - 20} more" if len(problems) > 20 else ""
        )
        raise CaseError(
            f"not a valid conformance case file:\n  {shown}",
            where=where,
            hint="see docs/conformance.md (the schema is docs/conformance-case.schema.json)",
        )
    shared: dict[str, Any] = {}
    if isinstance(data, dict):
        shared = {k: data[k] for k in SHARED if k in data}
        data = data["cases"]
    seen: set[str] = set()
    cases = []
    for i, raw in enumerate(data):
        name = raw["name"]
        if name in seen:
            raise CaseError(
                f"two cases are named {name!r}",
                where=f"{where}, cases[{i}]",
                hint="give every case of a file its own name",
            )
        seen.add(name)
        cases.append(parse_case({**shared, **raw}, f"{where}, case {name!r}", base))
    return cases


def parse_period(value: Any, where: str) -> tuple[int, int | None]:
    """(year, quarter or None) from ``2025``, ``"2025"``, ``2025Q3`` or ``2025年第三季度``."""
    text = str(value).strip()
    if text.isdigit() and len(text) == 4:
        return int(text), None
    try:
        quarter = Quarter.parse(text)
    except InputError:
        raise CaseError(
            f"{value!r} is not a year or a quarter",
            where=where,
            hint="write period: 2025 or period: 2025Q3",
        ) from None
    return quarter.year, quarter.quarter


def _date(value: Any, where: str) -> dt.date:
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise CaseError(f"{value!r} is not a date", where=where, hint="write 2025-10-15") from None


def _within(base: Path | None, name: str) -> str:
    return str(base / name) if base is not None and not Path(name).is_absolute() else name


def _policy(spec: str, year: int, quarter: int | None, base: Path | None, where: str) -> Policy:
    """An id (the version in force in the period), ``id@version``, or a policy or
    variant file (relative to the case file)."""
    span = Quarter(year, quarter) if quarter else None
    start, end = (span.start, span.end) if span else (dt.date(year, 1, 1), dt.date(year, 12, 31))
    try:
        if spec.lower().endswith((".json", ".yaml", ".yml")):
            return resolve_policy(_within(base, spec))
        if "@" in spec:
            policy_id, version = spec.split("@", 1)
            return get_policy(policy_id, version=version)
        return resolve_policy(spec, during=(start, end))
    except RandcheckError as exc:
        raise CaseError(exc.what, where=f"{where}.policy", hint=exc.hint) from None


def _rows(model: type[Entity] | type[Inspector], rows: list[Any], where: str) -> list[Any]:
    out = []
    for i, row in enumerate(rows):
        values = dict(row)
        if model is Entity and "class" in values:
            if "entity_class" in values:
                raise CaseError("entity_class is given twice (as 'class' too)", where=where)
            values["entity_class"] = values.pop("class")
        try:
            out.append(model.model_validate(values))
        except ValidationError as exc:
            first = exc.errors()[0]
            loc = ".".join(str(p) for p in first["loc"])
            raise CaseError(
                str(first["msg"]),
                where=f"{where}[{i}]" + (f".{loc}" if loc else ""),
                hint="write a row with the registry's fields (docs/registry.md)",
            ) from None
    return out


def _registry(value: Any, base: Path | None, where: str) -> Registry:
    """A registry file (or files), relative to the case file, or inline rows."""
    if isinstance(value, str | list):
        names = [value] if isinstance(value, str) else value
        try:
            return read_registry([_within(base, n) for n in names]).registry
        except RandcheckError as exc:
            what = f"{exc.where}: {exc.what}" if exc.where else exc.what
            raise CaseError(what, where=f"{where}.registry", hint=exc.hint) from None
    entities = _rows(Entity, value.get("entities", []), f"{where}.registry.entities")
    inspectors = _rows(Inspector, value.get("inspectors", []), f"{where}.registry.inspectors")
    try:
        return Registry.from_records(entities, inspectors)
    except RandcheckError as exc:
        raise CaseError(exc.what, where=f"{where}.registry", hint=exc.hint) from None


def _evidence(values: list[str], where: str) -> frozenset[Evidence]:
    shown = set()
    for value in values:
        try:
            shown.add(Evidence.of(value))
        except ValueError:
            raise CaseError(
                f"unknown evidence {value!r}",
                where=f"{where}.shows",
                hint=f"write any of {', '.join(e.value for e in Evidence)}",
            ) from None
    return frozenset(shown)


def parse_case(raw: Mapping[str, Any], where: str, base: Path | None = None) -> Case:
    """One case (its shared settings merged in), checked and built."""
    for key in ("policy", "period", "as_of"):
        if key not in raw:
            raise CaseError(
                f"{key} is missing",
                where=f"{where}.{key}",
                hint=f"give the case (or the file, beside cases:) its {key}",
            )
    year, quarter = parse_period(raw["period"], f"{where}.period")
    as_of = _date(raw["as_of"], f"{where}.as_of")
    policy = _policy(raw["policy"], year, quarter, base, where)
    registry = _registry(raw["registry"], base, where) if "registry" in raw else None
    builder = EventBuilder(where, policy=policy, registry=registry)
    snapshot = raw.get("snapshot")
    if snapshot is not None:
        given = {} if snapshot == "registry" else dict(snapshot)
        start = Quarter(year, quarter).start if quarter else dt.date(year, 1, 1)
        on = given.pop("on", start.isoformat())
        builder.add({"do": "snapshot", "on": on, **given}, "snapshot")
    builder.add_all(raw.get("events", []))
    return Case(
        name=raw["name"],
        policy=policy,
        year=year,
        quarter=quarter,
        as_of=as_of,
        events=builder.events,
        expect=parse_expect(policy, raw["expect"], f"{where}.expect"),
        registry=registry,
        evidence=_evidence(raw["shows"], where) if "shows" in raw else None,
        labels=dict(builder.labels),
        description=raw.get("description"),
    )


def run_cases(path: Path | str) -> dict[str, Verdict]:
    """Every case of a file judged and checked (for scripts): name -> verdict; the
    first difference raises :class:`~randcheck.testing.VerdictMismatch`."""
    return {case.name: case.check() for case in load_cases(path)}


__all__ = [
    "SUFFIX",
    "Case",
    "CaseError",
    "case_schema",
    "load_cases",
    "parse_case",
    "parse_cases",
    "run_cases",
    "schema_problems",
]
