"""The JSON Schemas of what randcheck publishes, and validation that names the field.

A receipt or an announcement from someone else is validated against its schema
before anything in it is used: an unknown key, a wrong type or a wrong constant
is reported with the path of the field (``algorithm.seed``, ``revealed.tasks[3].rank``),
never as a crash later. The schemas ship in ``randcheck/data`` and are the same
files as ``docs/receipt.schema.json`` and ``docs/announcement.schema.json``.
"""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from typing import Any

import jsonschema

SCHEMAS = ("receipt", "announcement")


@cache
def schema(name: str) -> dict[str, Any]:
    """The JSON Schema ``name`` (``receipt`` or ``announcement``)."""
    text = resources.files("randcheck.data").joinpath(f"{name}.schema.json").read_text("utf-8")
    data: dict[str, Any] = json.loads(text)
    return data


def _path(error: jsonschema.ValidationError) -> str:
    out = ""
    for part in error.absolute_path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "(the document)"


def _is_integer(_checker: Any, instance: Any) -> bool:
    """An integer written as one: JSON Schema would count ``1.0`` as the integer 1."""
    return isinstance(instance, int) and not isinstance(instance, bool)


_Validator = jsonschema.validators.extend(  # type: ignore[no-untyped-call]
    jsonschema.Draft202012Validator,
    type_checker=jsonschema.Draft202012Validator.TYPE_CHECKER.redefine("integer", _is_integer),
)


def problems(data: Any, name: str) -> list[str]:
    """Every way ``data`` breaks schema ``name``, each as "<field path>: <reason>"."""
    validator = _Validator(schema(name), format_checker=_Validator.FORMAT_CHECKER)
    found = sorted(validator.iter_errors(data), key=lambda e: (list(map(str, e.path)), e.message))
    out = []
    for error in found:
        message = error.message
        if len(message) > 300:
            message = message[:300] + "…"
        out.append(f"{_path(error)}: {message}")
    return out
