"""Jurisdiction policies: the built-in five, their named variants, and plugins.

Built-ins (one module per document in :mod:`randcheck.policies.jurisdictions`,
reading like its document): ``suixian`` 睢县, ``xiping`` 西平县, ``huojia`` 获嘉县,
``qingdao_west_coast`` 青岛西海岸新区, ``benxi`` 本溪市. Named variants carry the
other reading of an ambiguous clause (``xiping.each_special_quarterly``,
``huojia.general_two_year_cycle``). Versions, plugins and look-up:
:mod:`randcheck.policies.registry`.
"""

from __future__ import annotations

from randcheck.policies.files import dump_policy, load_policy, save_policy
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
from randcheck.policies.registry import (
    BUILTINS,
    ENTRY_POINT_GROUP,
    VARIANTS,
    available_policies,
    get_policy,
    in_force_during,
    known_ids,
    plugin_problems,
    refresh_plugins,
    resolve_policy,
    versions,
)

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
    "in_force_during",
    "known_ids",
    "load_policy",
    "plugin_problems",
    "refresh_plugins",
    "resolve_policy",
    "save_policy",
    "versions",
]
