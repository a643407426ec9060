"""Conformance testing: YAML cases that read like the regulation, a pytest plugin that
runs them, and the same assertions for Python tests.

- :mod:`~randcheck.testing.case`: a ``*.randcheck.yaml`` file of cases (a policy, a
  registry, events, an ``as_of`` date, the expected verdict per rule), checked
  against its JSON Schema (``docs/conformance-case.schema.json``);
- :mod:`~randcheck.testing.compact`: events in a compact form
  (``{on: 2025-07-10, do: dispatch, task: T1, who: [I1, I2]}``), made real ledger events;
- :mod:`~randcheck.testing.assertions`: :func:`assert_verdict` and the failure report
  (the rule, its clause and sentence, expected against actual, the deciding events);
- :mod:`~randcheck.testing.plugin`: the pytest plugin (``pytest11`` entry point),
  which collects ``*.randcheck.yaml`` files, one test per case.

The names below load on first use: the plugin is imported by every pytest run of
an environment where randcheck is installed, and should not slow down a suite
that has no case files.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from randcheck.testing.assertions import Expected, VerdictMismatch, assert_verdict
    from randcheck.testing.case import Case, load_cases, parse_cases, run_cases
    from randcheck.testing.compact import CaseError, EventBuilder

_HOMES = {
    "assert_verdict": "assertions",
    "Expected": "assertions",
    "VerdictMismatch": "assertions",
    "Case": "case",
    "load_cases": "case",
    "parse_cases": "case",
    "run_cases": "case",
    "CaseError": "compact",
    "EventBuilder": "compact",
}

__all__ = [
    "Case",
    "CaseError",
    "EventBuilder",
    "Expected",
    "VerdictMismatch",
    "assert_verdict",
    "load_cases",
    "parse_cases",
    "run_cases",
]


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module 'randcheck.testing' has no attribute {name!r}")
    return getattr(importlib.import_module(f"randcheck.testing.{home}"), name)
