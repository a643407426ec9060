"""An event whose hashes are right but which is not a valid event is INVALID: verify
says so naming the field, and the readers refuse it, so audit, disclose and report
stop with a clear error (exit 2) instead of crashing (exit 3)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from randcheck.cli import app
from randcheck.errors import LedgerError
from randcheck.ledger import EventType, open_ledger, read_verified
from randcheck.ledger.events import PAYLOADS
from tests.ledger.helpers import make, rehash, runner, stored, verify, write

Event = dict[str, Any]


def _set(field: str, value: Any) -> Callable[[Event], None]:
    def change(event: Event) -> None:
        event[field] = value

    return change


def _payload(**changes: Any) -> Callable[[Event], None]:
    def change(event: Event) -> None:
        for key, value in changes.items():
            if value is None:
                event["payload"].pop(key, None)
            else:
                event["payload"][key] = value

    return change


# Event #6 is a RESULT_RECORDED of task T1; each change is made, then the chain rehashed.
INVALID: dict[str, tuple[Callable[[Event], None], str]] = {
    "unknown type": (_set("type", "RESULT_FORGED"), "field type"),
    "type in Chinese": (_set("type", "检查结果录入"), "field type"),
    "type a number": (_set("type", 7), "field type"),
    "payload a list": (_set("payload", ["T1", "NO_PROBLEM"]), "field payload"),
    "payload a string": (_set("payload", "NO_PROBLEM"), "field payload"),
    "payload null": (_set("payload", None), "field payload"),
    "no task_id": (_payload(task_id=None), "task_id"),
    "task_id a number": (_payload(task_id=1), "task_id"),
    "outcome not an outcome": (_payload(outcome="fine"), "outcome"),
    "an extra payload field": (_payload(signed="yes"), "signed"),
    "time not ISO 8601": (_set("time", "yesterday"), "field time"),
    "time a number": (_set("time", 20250712), "field time"),
    "time without a zone": (_set("time", "2025-07-12T09:00:00"), "time zone"),
    "time in year 9999": (_set("time", "9999-12-31T09:00:00+08:00"), "outside the years"),
    "actor empty": (_set("actor", "  "), "field actor"),
    "actor a list": (_set("actor", ["I1"]), "field actor"),
    "subject another task": (_set("subject", "T0"), "field subject"),
}


@pytest.fixture(params=["l.sqlite", "l.jsonl"])
def ledger_path(request: pytest.FixtureRequest, tmp_path: Path) -> Path:
    return tmp_path / str(request.param)


def _forge(path: Path, change: Callable[[Event], None], number: int = 6) -> None:
    make(path)
    events = stored(path)
    change(events[number - 1])
    write(path, rehash(events))


@pytest.mark.parametrize("kind", sorted(INVALID))
def test_an_invalid_event_in_a_whole_chain_is_reported(ledger_path: Path, kind: str) -> None:
    change, field = INVALID[kind]
    if kind == "actor a list" and ledger_path.suffix == ".sqlite":
        pytest.skip("SQLite cannot store a list in a column")
    _forge(ledger_path, change)
    subject = stored(ledger_path)[5]["subject"]
    result = verify(ledger_path)
    assert result.exit_code == 1, result.output
    assert result.stdout.startswith("INVALID 事件无效 at event #6: ")
    assert field in result.stdout.splitlines()[0]
    assert "5 events verify before it" in result.stdout
    with open_ledger(ledger_path, readonly=True) as ledger:
        report = ledger.verify()
        assert (report.ok, report.invalid, report.first_break) == (False, True, 6)
        with pytest.raises(LedgerError, match="invalid event #6"):
            list(ledger.events())
        with pytest.raises(LedgerError, match="invalid event #6"):
            ledger.events_for(subject)
    with pytest.raises(LedgerError, match="invalid event #6"):
        read_verified(ledger_path)


COMMANDS = {
    "audit": ["audit", "--policy", "huojia", "--year", "2025", "--ledger"],
    "disclose": ["disclose", "--policy", "huojia", "--year", "2025", "--ledger"],
    "report yearly": ["report", "yearly", "--year", "2025", "--ledger"],
    "report monthly": ["report", "monthly", "--year", "2025", "--month", "7", "--ledger"],
    "report credit-push": ["report", "credit-push", "--year", "2025", "--ledger"],
}


@pytest.mark.parametrize("command", sorted(COMMANDS))
@pytest.mark.parametrize(
    "kind", ["payload a list", "no task_id", "unknown type", "time not ISO 8601"]
)
def test_audit_disclose_and_report_refuse_an_invalid_event(
    ledger_path: Path, command: str, kind: str
) -> None:
    _forge(ledger_path, INVALID[kind][0])
    result = runner.invoke(app, [*COMMANDS[command], str(ledger_path)])
    assert result.exit_code == 2, result.output
    assert "invalid event #6" in result.stderr and "internal error" not in result.stderr


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_a_minimal_valid_payload_does_not_crash_them(ledger_path: Path, command: str) -> None:
    """Fields left out that have defaults are filled in for the readers."""

    def minimal(event: Event) -> None:
        event["payload"] = {"task_id": "T1", "uscc": "91410724000000001J"}

    _forge(ledger_path, minimal, number=4)  # the TASK_DISPATCHED of T1, no inspectors
    assert verify(ledger_path).exit_code == 0
    (dispatched,) = [e for e in read_verified(ledger_path) if e.seq == 4]
    assert dispatched.payload["inspectors"] == [] and dispatched.payload["mode"] == "ON_SITE"
    result = runner.invoke(app, [*COMMANDS[command], str(ledger_path)])
    if result.exit_code == 2:  # a published list names its entities: without a name, refused
        assert command in ("disclose", "report credit-push"), result.output
        assert "must name every entity" in result.stderr and "--registry" in result.stderr
        assert "internal error" not in result.stderr
    else:
        assert result.exit_code in (0, 1), result.output


def test_events_in_their_normal_form_keep_their_stored_hash(tmp_path: Path) -> None:
    path = tmp_path / "l.jsonl"

    def spelled(event: Event) -> None:
        event["payload"]["outcome"] = "未发现问题"  # the Chinese label: valid, not normal
        event["time"] = "2025-07-12 09:00:00+08:00"

    _forge(path, spelled)
    assert verify(path).exit_code == 0
    event = read_verified(path)[5]
    assert event.payload["outcome"] == "NO_PROBLEM"
    assert event.time == dt.datetime(2025, 7, 12, 9, tzinfo=dt.timezone(dt.timedelta(hours=8)))
    assert event.body()["payload"]["outcome"] == "未发现问题"  # what the hash covers
    from randcheck.ledger import event_hash

    assert event_hash(event.body()) == event.hash


# --- the announcement event (issue 14) -------------------------------------------------------

ANNOUNCED = {
    "period": "2025Q3",
    "commitment": "c" * 64,
    "announcement_digest": "d" * 64,
    "policy": "huojia@2023.1",
    "randomness": "福彩双色球 第2025123期",
    "randomness_at": "2025-10-16T21:15:00",
}


def test_a_draw_is_announced_then_sealed(ledger_path: Path) -> None:
    with open_ledger(ledger_path) as ledger:
        announced = ledger.append(
            EventType.DRAW_ANNOUNCED,
            actor="randcheck commit",
            subject="2025Q3-ALL-draw",
            payload=ANNOUNCED,
            time=dt.datetime(2025, 10, 1, 9),
        )
        assert announced.payload["randomness_at"] == "2025-10-16T21:15:00+08:00"
        ledger.append(
            "DRAW_SEALED",
            actor="randcheck draw",
            payload={
                "draw_id": "2025Q3-ALL-draw",
                "period": "2025Q3",
                "commitment": "c" * 64,
                "receipt_digest": "e" * 64,
                "announcement_digest": "d" * 64,
                "public_randomness": "03 11 19 24 28 33 + 07",
            },
            time=dt.datetime(2025, 10, 17, 9),
        )
    assert EventType.DRAW_ANNOUNCED.zh == "抽查公告/承诺"
    result = verify(ledger_path)
    assert result.exit_code == 0 and "OK: 2 events" in result.stdout
    kinds = [e.type for e in read_verified(ledger_path)]
    assert kinds == [EventType.DRAW_ANNOUNCED, EventType.DRAW_SEALED]


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"commitment": "C" * 64}, "commitment"),
        ({"announcement_digest": "d" * 63}, "announcement_digest"),
        ({"policy": "huojia"}, "policy"),
        ({"randomness": ""}, "randomness"),
        ({"randomness_at": "next week"}, "randomness_at"),
        ({"period": None}, "period"),
    ],
)
def test_a_bad_announcement_is_refused(tmp_path: Path, change: dict[str, Any], field: str) -> None:
    payload = {k: v for k, v in {**ANNOUNCED, **change}.items() if v is not None}
    with open_ledger(tmp_path / "l.sqlite") as ledger, pytest.raises(LedgerError, match=field):
        ledger.append("DRAW_ANNOUNCED", actor="x", subject="2025Q3-ALL-draw", payload=payload)


def test_a_draw_sealed_before_the_new_fields_still_verifies(ledger_path: Path) -> None:
    """A DRAW_SEALED written without announcement_digest and public_randomness."""
    make(ledger_path)
    events = stored(ledger_path)
    events.append(
        {
            "seq": 7,
            "type": "DRAW_SEALED",
            "time": "2025-07-01T08:00:00+08:00",
            "actor": "执法队",
            "subject": "2025Q3",
            "payload": {
                "draw_id": "2025Q3",
                "period": "2025Q3",
                "commitment": "0" * 64,
                "receipt_digest": "0" * 64,
            },
            "prev_hash": "",
            "hash": "",
        }
    )
    write(ledger_path, rehash(events))
    assert verify(ledger_path).exit_code == 0
    sealed = read_verified(ledger_path)[-1]
    assert sealed.payload["announcement_digest"] is None
    assert "announcement_digest" not in sealed.body()["payload"]  # the hash is of what is stored


def test_the_docs_list_every_event_type() -> None:
    text = (Path(__file__).parents[2] / "docs" / "ledger.md").read_text(encoding="utf-8")
    for kind in EventType:
        row = f"| `{kind.value}` | {kind.zh} | `{PAYLOADS[kind].__name__}` |"
        assert row in text, row
