"""Compact events become real ledger events: the verbs, the short keys, the defaults the
records already imply, and errors that name the case and the field."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from randcheck.ledger.events import SHANGHAI, EventType
from randcheck.policies import get_policy
from randcheck.registry import Registry
from randcheck.testing.compact import VERBS, CaseError, EventBuilder, event_type
from tests.conftest import make_entity, make_inspector

USCC = "91410724000000001J"


def build(*entries: dict[str, Any], registry: Registry | None = None) -> EventBuilder:
    builder = EventBuilder("case.randcheck.yaml, case 'c'", policy=get_policy("huojia"),
                           registry=registry)  # fmt: skip
    builder.add_all(entries)
    return builder


def test_every_event_type_has_one_verb_and_each_spelling_names_it() -> None:
    assert sorted(VERBS.values()) == sorted(EventType)
    for verb, kind in VERBS.items():
        assert event_type(verb, "x") is kind
        assert event_type(verb.upper(), "x") is kind
        assert event_type(kind.value, "x") is kind
        assert event_type(kind.zh, "x") is kind


def test_a_drawn_task_reads_like_the_regulation() -> None:
    builder = build(
        {"on": "2025-07-05", "do": "seal", "draw": "D1"},
        {"on": "2025-07-05", "do": "抽取结果揭示", "draw": "D1", "tasks": ["T1"]},
        {
            "on": "2025-07-10",
            "do": "dispatch",
            "task": "T1",
            "draw": "D1",
            "entity": USCC,
            "class": "重点",
            "who": ["I1", "I2"],
        },
        {
            "on": "2025-07-11",
            "do": "replace",
            "task": "T1",
            "removed": "I2",
            "added": "I5",
            "reason": "回避",
            "drawn": True,
        },
        {"at": "2025-07-20 14:30", "do": "inspect", "task": "T1"},
        {"on": "2025-07-20", "do": "record", "task": "T1", "outcome": "未发现问题"},
        {"on": "2025-07-22", "do": "request_correction", "task": "T1", "reason": "录入有误"},
        {"on": "2025-07-23", "do": "approve_correction", "task": "T1", "approved_by": "局长"},
        {"on": "2025-08-01", "do": "disclose", "task": "T1"},
    )
    events = builder.events
    sealed, revealed, dispatched, _, inspected, result, request, approval, disclosed = events
    assert sealed.type is EventType.DRAW_SEALED and sealed.subject == "D1"
    assert sealed.payload["period"] == "2025Q3"  # the quarter of its day
    assert sealed.payload["commitment"] == "0" * 64  # a placeholder: cases do not verify draws
    assert revealed.payload["tasks"] == ["T1"]
    assert dispatched.payload["uscc"] == USCC and dispatched.payload["entity_class"] == "KEY"
    assert dispatched.payload["inspectors"] == ["I1", "I2"]
    # the inspection's team is the dispatched team after the replacement
    assert inspected.payload["inspectors"] == ["I1", "I5"]
    assert inspected.time == dt.datetime(2025, 7, 20, 14, 30, tzinfo=SHANGHAI)
    assert result.payload["outcome"] == "NO_PROBLEM"
    assert request.payload["result_seq"] == result.seq
    assert approval.payload["request_seq"] == request.seq
    assert disclosed.payload["task_ids"] == ["T1"] and disclosed.subject == "T1"
    assert builder.labels[disclosed.seq] == "events[8]"
    assert {e.actor for e in events} == {"执法大队"}


def test_a_date_alone_is_nine_o_clock_and_the_day_keeps_the_listed_order() -> None:
    events = build(
        {"on": "2025-07-05", "do": "seal", "draw": "D1"},
        {"on": dt.date(2025, 7, 5), "do": "reveal", "draw": "D1"},
        {"at": dt.datetime(2025, 7, 5, 8, 0), "do": "plan", "year": 2025, "quarter": 3},
    ).events
    assert [e.time.astimezone(SHANGHAI).strftime("%H:%M") for e in events] == [
        "09:00",
        "09:01",
        "08:00",
    ]
    assert events[2].subject == "plan"


def test_yaml_reads_the_key_on_as_true_and_it_is_read_back_as_on() -> None:
    (event,) = build({True: "2025-07-05", "do": "seal", "draw": "D1"}).events
    assert event.day == dt.date(2025, 7, 5)


def test_a_registry_gives_the_class_and_the_snapshot_its_counts() -> None:
    registry = Registry.from_records(
        [make_entity(1, entity_class="KEY"), make_entity(2, entity_class="GENERAL"),
         make_entity(3, entity_class="KEY", production_status="CLOSED")],
        [make_inspector(1), make_inspector(2, on_staff=False)],
    )  # fmt: skip
    snapshot, dispatched = build(
        {"on": "2025-07-01", "do": "snapshot"},
        {"on": "2025-07-10", "do": "dispatch", "task": "T1", "entity": make_entity(1).uscc},
        registry=registry,
    ).events
    assert snapshot.payload["class_counts"] == {"KEY": 1, "GENERAL": 1}  # operating
    assert snapshot.payload["registered_counts"] == {"KEY": 1, "GENERAL": 1}  # not closed
    assert snapshot.payload["digest"] == registry.digest
    assert snapshot.payload["entities"] == 3 and snapshot.payload["on_staff_inspectors"] == 1
    assert dispatched.payload["entity_class"] == "KEY"


def test_a_snapshot_of_counts_alone_gets_a_digest_and_its_total() -> None:
    (snapshot,) = build(
        {"on": "2025-07-01", "do": "snapshot", "class_counts": {"KEY": 8, "GENERAL": 80}}
    ).events
    assert snapshot.payload["entities"] == 88 and len(snapshot.payload["digest"]) == 64
    with pytest.raises(CaseError, match="needs class_counts"):
        build({"on": "2025-07-01", "do": "snapshot"})


@pytest.mark.parametrize(
    ("entry", "where", "message"),
    [
        ({"on": "2025-07-10", "task": "T1"}, "events[0]", "'do' is missing"),
        ({"do": "dispatch", "task": "T1", "entity": USCC}, "events[0]", "'on' or 'at' is missing"),
        ({"on": "2025-07-10", "at": "2025-07-10 09:00", "do": "seal", "draw": "D"}, "events[0]",
         "once"),
        ({"on": "2025-07-10", "do": "visit", "task": "T1"}, "events[0].do", "unknown event"),
        ({"on": "10/07/2025", "do": "seal", "draw": "D"}, "events[0].on", "not a date"),
        ({"on": "2025-07-10", "do": "seal", "draw": "D", "who": ["I1"]}, "events[0].who",
         "not a field of the DRAW_SEALED event"),
        ({"on": "2025-07-10", "do": "dispatch", "task": "T1", "entity": USCC, "colour": "red"},
         "events[0].colour", "unknown key 'colour'"),
        ({"on": "2025-07-10", "do": "dispatch", "task": "T1", "task_id": "T2", "entity": USCC},
         "events[0].task_id", "given twice"),
        ({"on": "2025-07-10", "do": "record", "task": "T1", "outcome": "很好"},
         "events[0] (RESULT_RECORDED)", "outcome"),
        ({"on": "2025-07-10", "do": "dispatch", "task": "T1"}, "events[0] (TASK_DISPATCHED)",
         "uscc"),
        ({"on": "2025-07-10", "do": "dispatch", "task": "T1", "entity": USCC, "class": "big"},
         "events[0].class", "unknown entity class"),
        ("dispatch T1", "events[0]", "a mapping"),
    ],
)  # fmt: skip
def test_a_bad_event_names_the_case_the_event_and_the_field(
    entry: Any, where: str, message: str
) -> None:
    with pytest.raises(CaseError, match=message) as caught:
        build(entry)
    assert caught.value.where == f"case.randcheck.yaml, case 'c', {where}"


def test_the_ledger_s_own_rules_apply_a_result_is_never_edited() -> None:
    with pytest.raises(CaseError, match="never edited") as caught:
        build(
            {"on": "2025-07-20", "do": "record", "task": "T1", "outcome": "NO_PROBLEM"},
            {"on": "2025-07-21", "do": "record", "task": "T1", "outcome": "RECTIFY"},
        )
    assert caught.value.where is not None and caught.value.where.endswith(
        "events[1] (RESULT_RECORDED)"
    )
    assert caught.value.hint is not None and "CORRECTION_REQUESTED" in caught.value.hint
