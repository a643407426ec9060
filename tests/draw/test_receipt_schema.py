"""Receipts, sealed and revealed, follow the published JSON Schema."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema

from randcheck.draw.receipt import record_replacement, reveal, seal
from randcheck.models.vocab import ReplacementReason
from randcheck.periods import Quarter
from randcheck.policies import get_policy
from randcheck.synth import generate_registry

SCHEMA = json.loads(
    (Path(__file__).resolve().parents[2] / "docs" / "receipt.schema.json").read_text(
        encoding="utf-8"
    )
)


def test_sealed_and_revealed_receipts_match_the_schema() -> None:
    registry = generate_registry(200, 16, seed="schema")
    secret = "c4" * 32
    sealed, _ = seal(
        get_policy("huojia"),
        registry,
        Quarter(2025, 2),
        secret=secret,
        public_randomness="12345678901234567890",
    )
    jsonschema.validate(sealed, SCHEMA)
    revealed = reveal(sealed, secret, registry)
    task = revealed["revealed"]["tasks"][0]
    if task["team"]:
        revealed = record_replacement(
            revealed, registry, task["task_id"], task["team"][0], ReplacementReason.RECUSAL
        )
    jsonschema.validate(json.loads(json.dumps(revealed)), SCHEMA)


def test_the_schema_rejects_a_sealed_receipt_that_names_entities() -> None:
    registry = generate_registry(50, 6, seed="schema")
    sealed, result = seal(
        get_policy("benxi"),
        registry,
        Quarter(2025, 2),
        secret="d5" * 32,
        public_randomness="12345678901234567890",
    )
    leaked = {**sealed, "tasks": [t.to_json() for t in result.tasks]}
    try:
        jsonschema.validate(leaked, SCHEMA)
    except jsonschema.ValidationError:
        return
    raise AssertionError("a sealed receipt listing its tasks must not validate")
