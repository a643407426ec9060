"""Fixed test vectors for the draw's primitives, in one JSON file (``vectors/``) that
any re-implementation reads, the JavaScript verifier among them; the same values
stand as doctests in :mod:`randcheck.sampling` and :mod:`randcheck.randomness`.

To rewrite the file after a deliberate change of the protocol (a new algorithm
version, never silently): ``RANDCHECK_WRITE_VECTORS=1 python -m pytest tests/test_vectors.py``.
"""

from __future__ import annotations

import datetime as dt
import doctest
import json
import os
from pathlib import Path
from typing import Any

import consistent_sampler
import pytest

import randcheck.randomness
import randcheck.sampling
from randcheck.demo import demo_history, demo_public_randomness, demo_registry, demo_secret
from randcheck.draw.announcement import RandomnessSource, draw_inputs
from randcheck.draw.receipt import seed_context
from randcheck.periods import Quarter
from randcheck.policies import get_policy
from randcheck.randomness import (
    COMMITMENT_VERSION,
    SEED_VERSION,
    bound_commitment,
    canonical_json,
    commitment,
    draw_seed,
    normalise_public_randomness,
)
from randcheck.sampling import ALGORITHM, consistent_order, sha256_hex, ticket

VECTORS = Path(__file__).resolve().parents[1] / "vectors" / "draw-primitives.json"
SECRET = "5e" * 32
IDS = ["ab-1", "ab-2", "cd-1", "ef-3"]


def _demo_seed() -> dict[str, Any]:
    """The seed of the demo's 获嘉 2025Q3 draw, from its published inputs."""
    policy, period = get_policy("huojia"), Quarter(2025, 3)
    registry = demo_registry()
    history = demo_history(policy, registry, period)
    context = seed_context(policy, period, None, registry.digest, history.digest, None)
    secret, public = demo_secret(period), demo_public_randomness(period)
    return {
        "what": "the demo county's huojia 2025Q3 draw (randcheck demo)",
        "secret": secret,
        "public_randomness": public,
        "context": context,
        "seed": draw_seed(secret, public, context),
    }


def _demo_inputs() -> dict[str, Any]:
    """The inputs of the demo's 获嘉 2025Q3 draw, as its announcement would carry them."""
    policy, period = get_policy("huojia"), Quarter(2025, 3)
    registry = demo_registry()
    history = demo_history(policy, registry, period)
    return draw_inputs(
        policy,
        period,
        registry_digest=registry.digest,
        history_digest=history.digest,
        randomness=RandomnessSource(
            kind="dice",
            source="20 ten-sided dice rolled at the 获嘉县 bureau, witnessed",
            expected_at=dt.datetime(2025, 6, 30, 10, 0, tzinfo=dt.timezone(dt.timedelta(hours=8))),
        ),
    )


def build() -> dict[str, Any]:
    """Every vector, computed by the library."""
    seed_inputs = {"period": "2025Q3", "policy": "huojia"}
    return {
        "format": "randcheck-vectors",
        "version": 1,
        "ranking": ALGORITHM,
        "seed_version": SEED_VERSION,
        "sha256_hex": [{"text": t, "hex": sha256_hex(t)} for t in ("314159", "获嘉县")],
        "tickets": [
            {"id": i, "seed": s, "ticket": ticket(i, s)}
            for i, s in (
                ("AB-130", "01382438112797316654"),  # Rivest's own vector
                ("914107244TUTWQHEXU", "314159"),  # a registry key
                ("ab-1", "314159"),
            )
        ],
        "rankings": [
            {
                "ids": ids,
                "seed": "314159",
                "take": take,
                "order": consistent_order(ids, "314159", take),
            }
            for ids, take in ((IDS, None), (["ab-2", "ef-3", "ab-1"], None), (IDS, 2))
        ],
        "commitments": [{"secret": SECRET, "commitment": commitment(SECRET)}],
        "bound_commitments": [
            {
                "what": "randcheck-commitment-v2: the secret and the draw's inputs",
                "secret": SECRET,
                "inputs": inputs,
                "text": "\n".join((COMMITMENT_VERSION, SECRET, canonical_json(inputs))),
                "commitment": bound_commitment(SECRET, inputs),
            }
            for inputs in (
                {"period": "2025Q3", "registry_digest": "ab" * 32},
                _demo_inputs(),
            )
        ],
        "public_randomness": [
            {"input": t, "normalised": normalise_public_randomness(t)}
            for t in ("3141 5926 5358 9793 2384", " 9F86D081884C7D659A2FEAA0C55AD015 ")
        ],
        "canonical_json": [
            {"data": d, "json": canonical_json(d)}
            for d in (
                {"policy": {"version": "2023.1", "id": "huojia"}, "period": "2025Q3"},
                {"jurisdiction": "获嘉县"},
            )
        ],
        "seeds": [
            {
                "secret": SECRET,
                "public_randomness": "31415926535897932384",
                "context": seed_inputs,
                "text": "\n".join(
                    (SEED_VERSION, SECRET, "31415926535897932384", canonical_json(seed_inputs))
                ),
                "seed": draw_seed(SECRET, "31415926535897932384", seed_inputs),
            },
            _demo_seed(),
        ],
    }


def test_the_vector_file_holds_what_the_library_computes() -> None:
    built = build()
    if os.environ.get("RANDCHECK_WRITE_VECTORS"):
        VECTORS.write_text(json.dumps(built, ensure_ascii=False, indent=1) + "\n", "utf-8")
    assert json.loads(VECTORS.read_text("utf-8")) == built


def test_the_vectors_agree_with_the_independent_package() -> None:
    data = json.loads(VECTORS.read_text("utf-8"))
    for v in data["tickets"]:
        assert consistent_sampler.first_fraction(v["id"], v["seed"]) == v["ticket"]
    for r in data["rankings"]:
        take = r["take"] if r["take"] is not None else float("inf")
        got = consistent_sampler.sampler(
            r["ids"], seed=r["seed"], take=take, with_replacement=False, output="id"
        )
        assert list(got) == r["order"]


@pytest.mark.parametrize("module", [randcheck.sampling, randcheck.randomness])
def test_the_docstring_vectors_run_as_doctests(module: Any) -> None:
    result = doctest.testmod(module, raise_on_error=False, verbose=False)
    assert result.attempted >= 5 and result.failed == 0


def test_the_docstrings_show_the_file_s_vectors() -> None:
    """The doctests and the JSON file are the same vectors, not two sets that drift."""
    data = json.loads(VECTORS.read_text("utf-8"))
    sampling, randomness = (
        doctest.DocTestFinder().find(m) for m in (randcheck.sampling, randcheck.randomness)
    )
    shown = "\n".join(t.docstring or "" for t in [*sampling, *randomness])
    for v in data["tickets"][:2]:
        assert v["ticket"] in shown
    for r in data["rankings"]:
        assert repr(r["order"]) in shown
    assert data["commitments"][0]["commitment"] in shown
    assert data["bound_commitments"][0]["commitment"] in shown
    assert data["seeds"][0]["seed"] in shown
