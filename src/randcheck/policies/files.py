"""Policies as JSON and YAML files: whole policies, or short variant files.

A whole policy is what :func:`dump_policy` writes. A variant file names its
base and the changes, so a scenario is written without Python::

    variant_of: huojia
    name: key_20
    reason: what if key entities were drawn at 20 %?
    changes:
      key.quarterly_share: {min_fraction: 0.20}
    remove: []          # rule ids to drop (optional)
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from randcheck.errors import InputError, PolicyError, RandcheckError
from randcheck.io.atomic import write_text
from randcheck.io.safe import MAX_DOCUMENT_BYTES, parse_json, parse_yaml, read_text
from randcheck.policies.model import Policy

SUFFIXES = (".json", ".yaml", ".yml")


class VariantFile(BaseModel):
    """The short form: a base policy id and the changes to make."""

    model_config = ConfigDict(extra="forbid")

    variant_of: str
    name: str = Field(pattern=r"^[a-z0-9_\-]+$")
    reason: str
    changes: dict[str, dict[str, Any]] = Field(default_factory=dict)
    remove: list[str] = Field(default_factory=list)

    @field_validator("remove")
    @classmethod
    def _each_once(cls, value: list[str]) -> list[str]:
        seen: set[str] = set()
        for rule_id in value:
            if rule_id in seen:
                raise ValueError(f"rule {rule_id!r} is listed twice; remove each rule once")
            seen.add(rule_id)
        return value


def dump_policy(policy: Policy, fmt: str = "json") -> str:
    """The policy as JSON or YAML text (every rule with its citation)."""
    data = policy.model_dump(mode="json")
    if fmt == "json":
        return json.dumps(data, ensure_ascii=False, indent=2) + "\n"
    if fmt == "yaml":
        return yaml.safe_dump(data, allow_unicode=True, sort_keys=False)
    raise PolicyError(f"unknown format {fmt!r}", hint="use json or yaml")


def save_policy(policy: Policy, path: Path | str) -> None:
    """Write the policy to ``path`` (.json, .yaml or .yml), atomically."""
    path = Path(path)
    fmt = "json" if path.suffix.lower() == ".json" else "yaml"
    if path.suffix.lower() not in (".json", ".yaml", ".yml"):
        raise PolicyError(
            f"cannot write {path.suffix or 'no extension'}", hint="use .json or .yaml"
        )
    write_text(path, dump_policy(policy, fmt))


def _read(path: Path) -> Any:
    """The file's data: bounded, strict UTF-8, strict JSON or YAML without aliases."""
    suffix = path.suffix.lower()
    try:
        text = read_text(path, "policy file", MAX_DOCUMENT_BYTES)
        if suffix not in SUFFIXES:
            raise PolicyError(
                f"cannot read {suffix or 'a file without an extension'}",
                where=str(path),
                hint="give a .json, .yaml or .yml policy file",
            )
        if suffix == ".json":
            return parse_json(text, str(path))
        return parse_yaml(text, str(path))
    except InputError as exc:
        raise PolicyError(exc.what, where=str(path), hint=exc.hint) from None


def _shape(data: Any) -> str:
    if data is None:
        return "nothing (an empty document or null)"
    if isinstance(data, list):
        return "a list"
    if isinstance(data, str):
        return "a text"
    if isinstance(data, bool | int | float):
        return "a number or a yes/no value"
    return f"a {type(data).__name__}"


def _field_error(exc: ValidationError, path: Path) -> PolicyError:
    first = exc.errors()[0]
    field = ".".join(str(p) for p in first["loc"]) or "(top level)"
    more = f" (and {exc.error_count() - 1} more)" if exc.error_count() > 1 else ""
    message = str(first["msg"]).removeprefix("Value error, ")
    return PolicyError(
        f"field {field}: {message}{more}",
        where=str(path),
        hint="compare with `randcheck policies show ID --format json`",
    )


def load_policy(path: Path | str) -> Policy:
    """A policy from a JSON or YAML file: a whole policy, or a variant of a known one."""
    from randcheck.policies.registry import get_policy

    path = Path(path)
    data = _read(path)
    if not isinstance(data, dict):
        raise PolicyError(
            f"a policy file holds a mapping (keys and values), not {_shape(data)}",
            where=str(path),
            hint="see `randcheck policies show ID --format yaml` for a whole policy, or "
            "docs/writing-a-policy.md for a variant file (variant_of, name, reason, changes)",
        )
    if "rules" in data:
        try:
            return Policy.model_validate(data)
        except ValidationError as exc:
            raise _field_error(exc, path) from None
        except (TypeError, ValueError, KeyError, AttributeError) as exc:
            raise _shape_error(exc, path) from None
    try:
        variant = VariantFile.model_validate(data)
    except ValidationError as exc:
        raise _field_error(exc, path) from None
    try:
        base = get_policy(variant.variant_of)
        return base.with_changes(
            variant.changes, reason=variant.reason, name=variant.name, remove=variant.remove
        )
    except RandcheckError as exc:
        raise PolicyError(exc.what, where=str(path), hint=exc.hint) from None
    except (TypeError, ValueError, KeyError, AttributeError) as exc:
        raise _shape_error(exc, path) from None


def _shape_error(exc: Exception, path: Path) -> PolicyError:
    """A value of a shape the policy model cannot take (a YAML set, binary, a date …)."""
    return PolicyError(
        f"a value of the wrong kind ({type(exc).__name__}: {exc})",
        where=str(path),
        hint="compare with `randcheck policies show ID --format json`",
    )
