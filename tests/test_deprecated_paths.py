"""Public imports users relied on before the layout change (issue 19) still work for
one release, as re-exports of the same objects, and warn where they moved."""

from __future__ import annotations

import importlib
import sys

import pytest

OLD_TO_NEW = {
    "randcheck.engine.classify": ("classify", "randcheck.draw.classify"),
    "randcheck.engine.draw": ("plan_draw", "randcheck.draw.select"),
    "randcheck.engine.events": ("EventType", "randcheck.ledger.events"),
    "randcheck.engine.history": ("History", "randcheck.draw.history"),
    "randcheck.engine.ledger": ("open_ledger", "randcheck.ledger.stores"),
    "randcheck.engine.obligations": ("Obligations", "randcheck.audit.obligations"),
    "randcheck.engine.publish": ("disclosure_table", "randcheck.publish.tables"),
    "randcheck.engine.quotas": ("cycle_of", "randcheck.policies.dates"),
    "randcheck.engine.receipt": ("verify", "randcheck.draw.receipt"),
    "randcheck.engine.rules": ("RuleEngine", "randcheck.rules_engine"),
    "randcheck.engine.schedule": ("schedule_table", "randcheck.publish.schedule"),
    "randcheck.engine.verdict": ("audit", "randcheck.audit.run"),
    "randcheck.io.export": ("write_table", "randcheck.report.files"),
    "randcheck.policies.io": ("load_policy", "randcheck.policies.files"),
    "randcheck.policies.docs": ("policy_markdown", "randcheck.report.policy_pages"),
    "randcheck.policies.huojia": (
        "GENERAL_TWO_YEAR_CYCLE",
        "randcheck.policies.jurisdictions.huojia_2023",
    ),
}


@pytest.mark.parametrize("old", list(OLD_TO_NEW))
def test_an_old_path_re_exports_the_same_object_and_warns(old: str) -> None:
    name, new = OLD_TO_NEW[old]
    sys.modules.pop(old, None)
    with pytest.warns(DeprecationWarning, match=f"{old} is deprecated"):
        module = importlib.import_module(old)
    assert getattr(module, name) is getattr(importlib.import_module(new), name)
    assert name in module.__all__


def test_the_engine_events_vocabulary_comes_from_the_models() -> None:
    from randcheck.models import vocab

    sys.modules.pop("randcheck.engine.events", None)
    with pytest.warns(DeprecationWarning):
        events = importlib.import_module("randcheck.engine.events")
    assert events.Outcome is vocab.Outcome and events.ReplacementReason is vocab.ReplacementReason
