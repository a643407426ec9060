"""Jurisdiction policies: the built-in five, their named variants, and plugins.

Built-ins (one module each, reading like its document): ``suixian`` 睢县,
``xiping`` 西平县, ``huojia`` 获嘉县, ``qingdao_west_coast`` 青岛西海岸新区,
``benxi`` 本溪市. Named variants carry the other reading of an ambiguous
clause (``xiping.each_special_quarterly``, ``huojia.general_two_year_cycle``).

Third parties add policies through the entry-point group ``randcheck.policies``:
the entry point names a :class:`Policy` object, a module with a ``POLICY``
attribute, or a callable returning a Policy. Built-in ids cannot be replaced.
"""

from __future__ import annotations

import importlib
from functools import cache
from importlib.metadata import entry_points
from types import ModuleType
from typing import Any

from randcheck.errors import PolicyError
from randcheck.policies.io import dump_policy, load_policy, save_policy
from randcheck.policies.model import (
    AnyRule,
    Citation,
    Classification,
    ClassPrecedence,
    Condition,
    CoverageCycle,
    DatedObligation,
    Deadline,
    Disclosure,
    ItemCap,
    NoMinimum,
    NonSite,
    NotSpecified,
    Policy,
    QuarterlyMinimum,
    QuarterlyShare,
    Rule,
    StaffMultiple,
    Team,
)

ENTRY_POINT_GROUP = "randcheck.policies"

BUILTINS: dict[str, str] = {
    "suixian": "randcheck.policies.suixian",
    "xiping": "randcheck.policies.xiping",
    "huojia": "randcheck.policies.huojia",
    "qingdao_west_coast": "randcheck.policies.qingdao_west_coast",
    "benxi": "randcheck.policies.benxi",
}
VARIANTS: dict[str, tuple[str, str]] = {
    "xiping.each_special_quarterly": ("randcheck.policies.xiping", "EACH_SPECIAL_QUARTERLY"),
    "huojia.general_two_year_cycle": ("randcheck.policies.huojia", "GENERAL_TWO_YEAR_CYCLE"),
}


def _as_policy(obj: Any, origin: str) -> Policy:
    if isinstance(obj, Policy):
        return obj
    if isinstance(obj, ModuleType) and isinstance(getattr(obj, "POLICY", None), Policy):
        policy: Policy = obj.POLICY
        return policy
    if callable(obj):
        made = obj()
        if isinstance(made, Policy):
            return made
    raise PolicyError(
        f"{origin} is not a policy",
        hint="an entry point names a Policy, a module with POLICY, or a function returning one",
    )


@cache
def _plugins() -> tuple[dict[str, Policy], tuple[str, ...]]:
    found: dict[str, Policy] = {}
    problems: list[str] = []
    for ep in entry_points(group=ENTRY_POINT_GROUP):
        try:
            policy = _as_policy(ep.load(), f"entry point {ep.name} ({ep.value})")
        except Exception as exc:  # a broken plugin must not break randcheck
            problems.append(f"plugin {ep.name} ({ep.value}) could not be loaded: {exc}")
            continue
        if policy.id in BUILTINS or policy.id in VARIANTS:
            problems.append(f"plugin {ep.name} uses the built-in id {policy.id!r}; ignored")
            continue
        found[policy.id] = policy
    return found, tuple(problems)


def refresh_plugins() -> None:
    """Look for entry points again (after installing a plugin in a running process)."""
    _plugins.cache_clear()


def plugin_problems() -> tuple[str, ...]:
    """Plugins that could not be loaded, and why."""
    return _plugins()[1]


def _builtin(policy_id: str) -> Policy:
    if policy_id in BUILTINS:
        module = importlib.import_module(BUILTINS[policy_id])
        return _as_policy(module, policy_id)
    module_name, attribute = VARIANTS[policy_id]
    return _as_policy(getattr(importlib.import_module(module_name), attribute), policy_id)


def known_ids() -> list[str]:
    return [*BUILTINS, *VARIANTS, *_plugins()[0]]


def get_policy(policy_id: str) -> Policy:
    """The policy with this id: a built-in, a named variant or a plugin."""
    if policy_id in BUILTINS or policy_id in VARIANTS:
        return _builtin(policy_id)
    plugins = _plugins()[0]
    if policy_id in plugins:
        return plugins[policy_id]
    raise PolicyError(
        f"unknown policy {policy_id!r}",
        hint=f"known policies: {', '.join(known_ids())}",
    )


def available_policies() -> list[Policy]:
    """Every policy randcheck knows: built-ins, named variants, then plugins."""
    return [get_policy(i) for i in known_ids()]


def resolve_policy(spec: str) -> Policy:
    """A policy id, or the path of a policy or variant file (.json, .yaml, .yml)."""
    if spec.lower().endswith((".json", ".yaml", ".yml")):
        return load_policy(spec)
    return get_policy(spec)


__all__ = [
    "BUILTINS",
    "ENTRY_POINT_GROUP",
    "VARIANTS",
    "AnyRule",
    "Citation",
    "ClassPrecedence",
    "Classification",
    "Condition",
    "CoverageCycle",
    "DatedObligation",
    "Deadline",
    "Disclosure",
    "ItemCap",
    "NoMinimum",
    "NonSite",
    "NotSpecified",
    "Policy",
    "QuarterlyMinimum",
    "QuarterlyShare",
    "Rule",
    "StaffMultiple",
    "Team",
    "available_policies",
    "dump_policy",
    "get_policy",
    "known_ids",
    "load_policy",
    "plugin_problems",
    "refresh_plugins",
    "resolve_policy",
    "save_policy",
]
