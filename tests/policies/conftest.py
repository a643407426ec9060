"""Helpers for the clause tests."""

from __future__ import annotations

from typing import Any

from randcheck.policies import get_policy
from randcheck.policies.model import AnyRule, Policy


def expect(policy: Policy | str, rule_id: str, clause: str, **values: Any) -> AnyRule:
    """The rule exists, cites ``clause`` and has these values."""
    if isinstance(policy, str):
        policy = get_policy(policy)
    rule = policy.rule(rule_id)
    assert rule.citation.clause == clause, (rule_id, rule.citation.clause)
    for name, value in values.items():
        assert getattr(rule, name) == value, (rule_id, name, getattr(rule, name))
    return rule
