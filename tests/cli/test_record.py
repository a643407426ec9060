"""``randcheck record TYPE``: one event by hand, checked as the library checks it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from randcheck.cli import app
from randcheck.ledger.stores import open_ledger

runner = CliRunner()


def _record(ledger: Path, kind: str, *args: str) -> object:
    return runner.invoke(app, ["record", kind, "--ledger", str(ledger), "--actor", "张三", *args])


def _events(path: Path) -> list:
    with open_ledger(path, readonly=True) as ledger:
        return list(ledger.events())


def test_a_result_its_correction_and_the_new_result(tmp_path: Path) -> None:
    ledger = tmp_path / "l.sqlite"
    steps = [
        ("RESULT_RECORDED", "--task-id", "T1", "--outcome", "未发现问题", "--at", "2025-03-05"),
        ("RESULT_RECORDED", "--task-id", "T1", "--outcome", "RECTIFY", "--at", "2025-03-06"),
    ]
    assert _record(ledger, *steps[0]).exit_code == 0
    refused = _record(ledger, *steps[1])
    assert refused.exit_code == 2 and "never edited" in refused.stderr
    assert "CORRECTION_REQUESTED with result_seq 1" in refused.stderr
    asked = _record(ledger, "结果更正申请", "--task-id=T1", "--result-seq", "1",
                    "--reason", "录入错误", "--at", "2025-03-06 09:30")  # fmt: skip
    assert asked.exit_code == 0 and "recorded #2 CORRECTION_REQUESTED" in asked.stdout
    ok = _record(ledger, "CORRECTION_APPROVED", "--task-id", "T1", "--request-seq", "2",
                 "--approved-by", "王科长", "--at", "2025-03-06")  # fmt: skip
    assert ok.exit_code == 0
    assert _record(ledger, *steps[1]).exit_code == 0
    events = _events(ledger)
    assert [e.type.value for e in events] == [
        "RESULT_RECORDED", "CORRECTION_REQUESTED", "CORRECTION_APPROVED", "RESULT_RECORDED",
    ]  # fmt: skip
    assert events[0].time.isoformat() == "2025-03-05T14:00:00+08:00"  # the result's hour
    assert events[1].time.isoformat() == "2025-03-06T09:30:00+08:00"
    assert all("source" not in e.payload for e in events)


def test_lists_repeat_or_take_commas_and_flags_take_yes_or_no(tmp_path: Path) -> None:
    ledger = tmp_path / "l.sqlite"
    result = _record(ledger, "INSPECTION_COMPLETED", "--task-id", "T1", "--inspectors",
                     "I1,I2", "--inspectors", "I3", "--signed-by-entity", "否", "--items",
                     "废水、废气")  # fmt: skip
    assert result.exit_code == 0, result.output
    payload = _events(ledger)[0].payload
    assert payload["inspectors"] == ["I1", "I2", "I3"] and payload["items"] == ["废水", "废气"]
    assert payload["signed_by_entity"] is False


def test_a_disclosure_of_one_task_is_that_task_s_event(tmp_path: Path) -> None:
    ledger = tmp_path / "l.sqlite"
    assert _record(ledger, "DISCLOSURE_PUBLISHED", "--task-ids", "T1").exit_code == 0
    assert _record(ledger, "DISCLOSURE_PUBLISHED", "--task-ids", "T2,T3").exit_code == 0
    assert [e.subject for e in _events(ledger)] == ["T1", "disclosures"]


def test_the_payload_may_come_from_a_json_file(tmp_path: Path) -> None:
    ledger = tmp_path / "l.sqlite"
    payload = tmp_path / "p.json"
    payload.write_text(json.dumps({"task_id": "T1", "note": "已完成一半"}), encoding="utf-8")
    result = _record(ledger, "RECTIFICATION_PROGRESS", "--json", str(payload))
    assert result.exit_code == 0, result.output
    assert _events(ledger)[0].payload["note"] == "已完成一半"
    both = _record(ledger, "RECTIFICATION_PROGRESS", "--json", str(payload), "--note", "x")
    assert both.exit_code == 2 and "note given both" in both.stderr


@pytest.mark.parametrize(
    ("args", "found"),
    [
        (["RESULT_RECORDED", "--task-id", "T1", "--outcome", "还行"], "outcome"),
        (["RESULT_RECORDED", "--task-id", "T1"], "outcome: Field required"),
        (["RESULT_RECORDED", "--task-id", "T1", "--colour", "red"], "has no field --colour"),
        (["RESULT_RECORDED", "--task-id", "T1", "--outcome", "RECTIFY", "--source", "a.csv"],
         "only for imported records"),
        (["RECORDS_IMPORTED"], "randcheck ledger import"),
        (["DRAW_SEALED"], "randcheck draw --ledger"),
        (["NO_SUCH_TYPE"], "unknown event type"),
        (["CORRECTION_REQUESTED", "--task-id", "T1", "--result-seq", "x"], "not a number"),
        (["RESULT_RECORDED", "--task-id", "T1", "--outcome", "RECTIFY", "--at", "昨天"], "--at"),
        (["RESULT_RECORDED", "T1"], "unexpected argument"),
        (["CORRECTION_REQUESTED", "--task-id", "T1", "--result-seq", "5", "--reason", "x"],
         "not a result of task T1"),
    ],
)  # fmt: skip
def test_what_the_library_refuses_is_refused_and_no_ledger_is_made(
    tmp_path: Path, args: list[str], found: str
) -> None:
    ledger = tmp_path / "l.sqlite"
    result = _record(ledger, *args)
    assert result.exit_code == 2, result.output
    assert found in result.stderr and "Traceback" not in result.output
    assert not ledger.exists()
