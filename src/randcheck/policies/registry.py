"""Which policies randcheck knows: the built-in five, their named variants, plugins,
and the dated versions of each.

One module per document (``jurisdictions/huojia_2023.py``), as the ``holidays``
package keeps one module per country. An id maps to the modules of its
versions; :func:`get_policy` picks one:

- ``get_policy("huojia")``: the newest version;
- ``get_policy("huojia", on=date)``: the version in force on that date (an audit
  of a period uses this);
- ``get_policy("huojia", version="2023.1")``: exactly that version (verifying a
  receipt uses this, so a receipt drawn under an older version still verifies
  after a newer one ships).

Third parties add policies through the entry-point group ``randcheck.policies``:
the entry point names a :class:`Policy` object, a module with a ``POLICY``
attribute (or ``POLICIES``, a sequence of versions), or a callable returning a
Policy. Built-in ids cannot be replaced.
"""

from __future__ import annotations

import datetime as dt
import importlib
from functools import cache
from importlib.metadata import entry_points
from types import ModuleType
from typing import Any

from randcheck.errors import PolicyError
from randcheck.policies.files import load_policy
from randcheck.policies.model import Policy

ENTRY_POINT_GROUP = "randcheck.policies"

_PACKAGE = "randcheck.policies.jurisdictions"

BUILTINS: dict[str, tuple[str, ...]] = {
    "suixian": (f"{_PACKAGE}.suixian_2021",),
    "xiping": (f"{_PACKAGE}.xiping_2024",),
    "huojia": (f"{_PACKAGE}.huojia_2023",),
    "qingdao_west_coast": (f"{_PACKAGE}.qingdao_west_coast_2020",),
    "benxi": (f"{_PACKAGE}.benxi_2025",),
}
"""Built-in id -> the modules of its versions, oldest first (one module per document)."""

VARIANTS: dict[str, tuple[str, str]] = {
    "suixian.all_key_entities": (f"{_PACKAGE}.suixian_2021", "ALL_KEY_ENTITIES"),
    "xiping.one_special_a_quarter": (f"{_PACKAGE}.xiping_2024", "ONE_SPECIAL_A_QUARTER"),
    "xiping.operating_only": (f"{_PACKAGE}.xiping_2024", "OPERATING_ONLY"),
    # 0.1's variant, of version 2024.1 (its reading is 2024.2's default): kept for its receipts
    "xiping.each_special_quarterly": (f"{_PACKAGE}.xiping_2024", "EACH_SPECIAL_QUARTERLY"),
    "huojia.general_two_year_cycle": (f"{_PACKAGE}.huojia_2023", "GENERAL_TWO_YEAR_CYCLE"),
    "huojia.joint_share_per_visit": (f"{_PACKAGE}.huojia_2023", "JOINT_SHARE_PER_VISIT"),
    "huojia.operating_only": (f"{_PACKAGE}.huojia_2023", "OPERATING_ONLY"),
    "huojia.general_fixed_windows": (f"{_PACKAGE}.huojia_2023", "GENERAL_FIXED_WINDOWS"),
    "benxi.special_first": (f"{_PACKAGE}.benxi_2025", "SPECIAL_FIRST"),
}
"""Named variant id -> (module, attribute): the other reading of an ambiguous clause."""


def _as_policies(obj: Any, origin: str) -> list[Policy]:
    if isinstance(obj, Policy):
        return [obj]
    if isinstance(obj, ModuleType):
        many = getattr(obj, "POLICIES", None)
        if isinstance(many, list | tuple) and many and all(isinstance(p, Policy) for p in many):
            return list(many)
        if isinstance(getattr(obj, "POLICY", None), Policy):
            return [obj.POLICY]
    if callable(obj):
        made = obj()
        if isinstance(made, Policy):
            return [made]
    raise PolicyError(
        f"{origin} is not a policy",
        hint="an entry point names a Policy, a module with POLICY (or POLICIES), "
        "or a function returning one",
    )


@cache
def _plugins() -> tuple[dict[str, list[Policy]], tuple[str, ...]]:
    found: dict[str, list[Policy]] = {}
    problems: list[str] = []
    for ep in entry_points(group=ENTRY_POINT_GROUP):
        try:
            policies = _as_policies(ep.load(), f"entry point {ep.name} ({ep.value})")
        except Exception as exc:  # a broken plugin must not break randcheck
            problems.append(f"plugin {ep.name} ({ep.value}) could not be loaded: {exc}")
            continue
        for policy in policies:
            if policy.id in BUILTINS or policy.id in VARIANTS:
                problems.append(f"plugin {ep.name} uses the built-in id {policy.id!r}; ignored")
                continue
            versions = found.setdefault(policy.id, [])
            if any(p.version == policy.version for p in versions):
                problems.append(
                    f"plugin {ep.name} repeats {policy.id} version {policy.version}; ignored"
                )
                continue
            versions.append(policy)
    return found, tuple(problems)


def refresh_plugins() -> None:
    """Look for entry points again (after installing a plugin in a running process)."""
    _plugins.cache_clear()
    _builtin_versions.cache_clear()


def plugin_problems() -> tuple[str, ...]:
    """Plugins that could not be loaded, and why."""
    return _plugins()[1]


@cache
def _builtin_versions(policy_id: str) -> tuple[Policy, ...]:
    if policy_id in BUILTINS:
        return tuple(
            p
            for module in BUILTINS[policy_id]
            for p in _as_policies(importlib.import_module(module), policy_id)
        )
    module_name, attribute = VARIANTS[policy_id]
    return tuple(_as_policies(getattr(importlib.import_module(module_name), attribute), policy_id))


def known_ids() -> list[str]:
    return [*BUILTINS, *VARIANTS, *_plugins()[0]]


def versions(policy_id: str) -> list[Policy]:
    """Every version of the policy with this id, oldest in force first."""
    if policy_id in BUILTINS or policy_id in VARIANTS:
        found = list(_builtin_versions(policy_id))
    elif policy_id in _plugins()[0]:
        found = list(_plugins()[0][policy_id])
    else:
        raise PolicyError(
            f"unknown policy {policy_id!r}",
            hint=f"known policies: {', '.join(known_ids())}",
        )
    return sorted(found, key=lambda p: p.effective_from)


def get_policy(policy_id: str, *, on: dt.date | None = None, version: str | None = None) -> Policy:
    """The policy with this id (a built-in, a named variant or a plugin).

    ``version``: exactly that version. ``on``: the version in force on that date.
    Neither: the newest version. A date no version was in force on, or a version
    randcheck does not hold, is a :class:`~randcheck.errors.PolicyError`.
    """
    found = versions(policy_id)
    if version is not None:
        for policy in found:
            if policy.version == version:
                if on is not None and not policy.in_force(on):
                    raise PolicyError(
                        f"{policy_id} {version} is not in force on {on}: {policy.in_force_text}"
                    )
                return policy
        raise PolicyError(
            f"randcheck holds no version {version!r} of {policy_id}",
            hint=f"versions held: {', '.join(p.version for p in found)}; a policy file "
            "(.yaml/.json) can be given instead",
        )
    if on is not None:
        in_force = [p for p in found if p.in_force(on)]
        if not in_force:
            spans = "; ".join(f"{p.version} {p.in_force_text}" for p in found)
            raise PolicyError(
                f"no version of {policy_id} is in force on {on}",
                hint=f"versions: {spans}",
            )
        return in_force[-1]
    return found[-1]


def in_force_during(policy_id: str, start: dt.date, end: dt.date) -> Policy:
    """The newest version of the policy in force on any day from ``start`` to ``end``."""
    found = [
        p
        for p in versions(policy_id)
        if p.effective_from <= end and (p.effective_until is None or p.effective_until >= start)
    ]
    if not found:
        spans = "; ".join(f"{p.version} {p.in_force_text}" for p in versions(policy_id))
        raise PolicyError(
            f"no version of {policy_id} is in force from {start} to {end}",
            hint=f"versions: {spans}",
        )
    return found[-1]


def _not_posing(policy: Policy, path: str) -> Policy:
    """``policy`` (from a file), unless it reuses the id and version of a policy randcheck
    holds with other values: a file may not pass for a built-in, since receipts, verdicts
    and reports name a policy by id and version."""
    if policy.id not in known_ids():
        return policy
    for held in versions(policy.id):
        if held.version == policy.version and held.digest != policy.digest:
            raise PolicyError(
                f"this file reuses the id and version of {policy.id} {policy.version}, which "
                "randcheck holds, with other values",
                where=path,
                hint="give the changed policy its own id or version (a variant file does so "
                "by itself), so nothing drawn or judged under it passes for the original",
            )
    return policy


def available_policies() -> list[Policy]:
    """Every policy randcheck knows, newest version of each: built-ins, variants, plugins."""
    return [get_policy(i) for i in known_ids()]


def resolve_policy(spec: str, *, during: tuple[dt.date, dt.date] | None = None) -> Policy:
    """A policy or variant file (.json, .yaml, .yml), or a policy id: its newest version,
    or with ``during`` (start, end) the newest version in force in that period."""
    if spec.lower().endswith((".json", ".yaml", ".yml")):
        return _not_posing(load_policy(spec), spec)
    if during is not None:
        return in_force_during(spec, *during)
    return get_policy(spec)
