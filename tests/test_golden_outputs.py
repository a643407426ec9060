"""The layout change of issue 19 moved code, not behaviour: the demo quarter's
receipts, ledger, verdicts, tables and command-line output for every built-in
policy are byte for byte what they were before it (``tests/golden/layout/``),
and a receipt revealed before the change still verifies."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

import pytest

from randcheck.demo import demo_history, demo_registry
from randcheck.draw.receipt import verify
from randcheck.periods import Quarter
from randcheck.policies import get_policy
from tests.golden_outputs import POLICIES, snapshot

GOLDEN = Path(__file__).parent / "golden" / "layout"
snapshot = cache(snapshot)


@pytest.mark.parametrize("policy_id", POLICIES)
def test_demo_quarter_outputs_are_unchanged(policy_id: str) -> None:
    expected = json.loads((GOLDEN / f"{policy_id}.json").read_text(encoding="utf-8"))
    got, _ = snapshot(policy_id)
    got = json.loads(json.dumps(got, ensure_ascii=False, sort_keys=True))
    for key in expected:
        assert got[key] == expected[key], f"{policy_id}: {key} changed"
    assert got.keys() == expected.keys()


@pytest.mark.parametrize("policy_id", POLICIES)
def test_a_receipt_revealed_before_the_change_still_verifies(policy_id: str) -> None:
    receipt = json.loads((GOLDEN / f"{policy_id}.revealed-receipt.json").read_text("utf-8"))
    registry = demo_registry()
    history = demo_history(get_policy(policy_id), registry, Quarter(2025, 3))
    report = verify(receipt, registry, history)
    assert report.ok, report.first_failure
    _, fresh = snapshot(policy_id)
    assert {k: v for k, v in fresh.items() if k != "sealed_at"} == {
        k: v for k, v in receipt.items() if k != "sealed_at"
    }
