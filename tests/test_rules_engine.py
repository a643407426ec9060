"""The durable-rules wrapper: findings, sessions, unmatched messages, reuse."""

from __future__ import annotations

from typing import Any

from durable import lang

from randcheck.rules_engine import Emit, RuleEngine


def _define(emit: Emit) -> None:
    def late(c: Any) -> None:
        emit("late", {"days": c.m.days})

    def flagged(c: Any) -> None:
        emit("flagged", {})

    lang.when_all((lang.m.kind == "entry") & (lang.m.days > 7))(late)
    lang.when_all((lang.m.kind == "entry") & (lang.m.flag == True))(flagged)  # noqa: E712


def test_facts_fire_every_matching_rule() -> None:
    engine = RuleEngine.get("test.rules.facts", _define)
    found = engine.facts("T1", [{"kind": "entry", "days": 9, "flag": True}])
    assert sorted(f.rule_id for f in found) == ["flagged", "late"]
    assert {f.sid for f in found} == {"T1"}
    assert next(f for f in found if f.rule_id == "late").data == {"days": 9}


def test_unmatched_messages_are_no_findings_and_do_not_break_the_engine() -> None:
    engine = RuleEngine.get("test.rules.unmatched", _define)
    for n in range(300):  # the C engine used to corrupt its heap after unmatched facts
        assert (
            engine.facts(f"91410724{n:010d}", [{"kind": "entry", "days": 1, "flag": False}]) == []
        )
    assert engine.facts("X", [{"kind": "other"}]) == []
    assert [f.rule_id for f in engine.facts("Y", [{"kind": "entry", "days": 8}])] == ["late"]


def test_events_keep_their_session_until_closed() -> None:
    engine = RuleEngine.get("test.rules.events", _define)
    assert [f.rule_id for f in engine.events("S", [{"kind": "entry", "days": 30}])] == ["late"]
    engine.close("S")
    assert engine.events("S", [{"kind": "entry", "days": 2}], keep=False) == []


def test_an_engine_is_defined_once_per_name() -> None:
    calls: list[int] = []

    def define(emit: Emit) -> None:
        calls.append(1)
        _define(emit)

    first = RuleEngine.get("test.rules.once", define)
    second = RuleEngine.get("test.rules.once", define)
    assert first is second and calls == [1]
