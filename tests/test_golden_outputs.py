"""The demo quarter's receipts, ledger, verdicts, tables and command-line output for
every built-in policy are what the snapshot in ``tests/golden/demo/`` says (the
layout change of issue 19 kept them byte for byte; a deliberate change rewrites
the snapshot in its own commit), and receipts revealed by randcheck 0.1
(``tests/golden/receipts-v1/``) still verify."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

import pytest

from randcheck.demo import demo_registry
from randcheck.draw.history import load_history
from randcheck.draw.receipt import verify
from tests.golden_outputs import POLICIES, snapshot

GOLDEN = Path(__file__).parent / "golden"
snapshot = cache(snapshot)


@pytest.mark.parametrize("policy_id", POLICIES)
def test_demo_quarter_outputs_are_unchanged(policy_id: str) -> None:
    expected = json.loads((GOLDEN / "demo" / f"{policy_id}.json").read_text(encoding="utf-8"))
    got, _ = snapshot(policy_id)
    got = json.loads(json.dumps(got, ensure_ascii=False, sort_keys=True))
    for key in expected:
        assert got[key] == expected[key], f"{policy_id}: {key} changed"
    assert got.keys() == expected.keys()


@pytest.mark.parametrize("policy_id", POLICIES)
def test_a_receipt_revealed_by_release_0_1_still_verifies(policy_id: str) -> None:
    receipt = json.loads((GOLDEN / "receipts-v1" / f"{policy_id}.receipt.json").read_text("utf-8"))
    registry = demo_registry()
    history = load_history(GOLDEN / "receipts-v1" / f"{policy_id}.history.json")
    assert receipt["algorithm"]["draw"] == "randcheck-draw-v1"
    report = verify(receipt, registry, history)
    assert report.ok, report.first_failure
    # the same receipt with a ticket moved fails, so the check is not vacuous
    tampered = json.loads(json.dumps(receipt))
    tasks = tampered["revealed"]["tasks"]
    tasks[0]["uscc"], tasks[1]["uscc"] = tasks[1]["uscc"], tasks[0]["uscc"]
    assert not verify(tampered, registry, history).ok
