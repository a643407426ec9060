"""One judge per rule kind, found in one table: no rule kind falls through unjudged."""

from __future__ import annotations

import datetime as dt
from typing import get_args

import pytest

from randcheck.audit import Status, audit
from randcheck.audit.judges import JUDGES, NOT_MEASURED
from randcheck.policies import available_policies
from randcheck.policies.model import AnyRule

KINDS = set(get_args(get_args(AnyRule)[0]))


def test_every_rule_kind_is_judged_or_says_why_not() -> None:
    assert set(JUDGES) | set(NOT_MEASURED) == KINDS
    assert set(JUDGES) <= KINDS and set(NOT_MEASURED) <= KINDS


@pytest.mark.parametrize("policy", available_policies(), ids=lambda p: p.id)
def test_a_rule_not_measured_says_why_never_the_fallback(policy: object) -> None:
    verdict = audit(policy, [], 2025, as_of=dt.date(2026, 3, 1))  # type: ignore[arg-type]
    for r in verdict.rules:
        assert r.status is not Status.NOT_APPLICABLE or r.note, r.rule.id
        assert r.note != "not measured", r.rule.id
