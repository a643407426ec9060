"""The ledger: hash chain, immutability of results, concurrent and crashing writers."""

from __future__ import annotations

import datetime as dt
import itertools
import json
import multiprocessing
import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from randcheck.errors import LedgerError
from randcheck.ledger.events import EventType, ResultRecorded
from randcheck.ledger.store import Ledger
from randcheck.ledger.stores import export_jsonl, open_ledger
from randcheck.models.vocab import Outcome

T0 = dt.datetime(2025, 7, 10, 9, 0)


def dispatch(ledger: Ledger, task: str, day: int = 10) -> None:
    ledger.append(
        EventType.TASK_DISPATCHED,
        actor="执法大队",
        payload={"task_id": task, "uscc": "91410724000000001J", "inspectors": ["I1", "I2"]},
        time=T0.replace(day=day),
    )


def fill(ledger: Ledger, tasks: int) -> None:
    for n in range(tasks):
        task = f"T{n}"
        dispatch(ledger, task)
        ledger.append(
            "INSPECTION_COMPLETED",
            actor="I1",
            payload={"task_id": task, "inspectors": ["I1", "I2"]},
            time=T0.replace(day=11),
        )
        ledger.append(
            "RESULT_RECORDED",
            actor="I1",
            payload={"task_id": task, "outcome": "未发现问题"},
            time=T0.replace(day=12),
        )


@pytest.fixture(params=["ledger.sqlite", "ledger.jsonl"])
def ledger_path(request: pytest.FixtureRequest, tmp_path: Path) -> Path:
    return tmp_path / str(request.param)


def test_a_whole_chain_verifies(ledger_path: Path) -> None:
    with open_ledger(ledger_path) as ledger:
        fill(ledger, 5)
        report = ledger.verify()
        assert report.ok and report.events == 15
        assert report.head == ledger.head
        events = list(ledger.events())
    assert [e.seq for e in events] == list(range(1, 16))
    assert all(b.prev_hash == a.hash for a, b in itertools.pairwise(events))
    assert events[2].time == dt.datetime(2025, 7, 12, 9, tzinfo=dt.timezone(dt.timedelta(hours=8)))
    assert isinstance(events[2].parsed(), ResultRecorded)


def test_results_are_never_edited(ledger_path: Path) -> None:
    with open_ledger(ledger_path) as ledger:
        fill(ledger, 1)
        with pytest.raises(LedgerError, match="file a correction"):
            ledger.edit_result("T0", outcome="RECTIFY")
        with pytest.raises(LedgerError, match="already has a result") as caught:
            ledger.append(
                "RESULT_RECORDED", actor="I1", payload={"task_id": "T0", "outcome": "RECTIFY"}
            )
        assert caught.value.hint is not None and "CORRECTION_REQUESTED" in caught.value.hint
        request = ledger.append(
            "CORRECTION_REQUESTED",
            actor="中队",
            payload={"task_id": "T0", "result_seq": 3, "reason": "录入错误"},
        )
        with pytest.raises(LedgerError, match="already has a result"):  # not yet approved
            ledger.append(
                "RESULT_RECORDED", actor="I1", payload={"task_id": "T0", "outcome": "RECTIFY"}
            )
        ledger.append(
            "CORRECTION_APPROVED",
            actor="分局局长",
            payload={"task_id": "T0", "request_seq": request.seq, "approved_by": "分局局长"},
        )
        corrected = ledger.append(
            "RESULT_RECORDED", actor="I1", payload={"task_id": "T0", "outcome": Outcome.RECTIFY}
        )
        assert corrected.payload["outcome"] == "RECTIFY"
        assert ledger.verify().ok


@pytest.mark.parametrize(
    ("kind", "payload", "message"),
    [
        ("NOT_A_TYPE", {}, "unknown event type"),
        ("RESULT_RECORDED", {"task_id": "T0"}, "outcome"),
        ("RESULT_RECORDED", {"task_id": "T0", "outcome": "fine"}, "outcome"),
        ("CORRECTION_REQUESTED", {"task_id": "T0", "result_seq": 1, "reason": "x"}, "not a result"),
        (
            "CORRECTION_APPROVED",
            {"task_id": "T0", "request_seq": 3, "approved_by": "x"},
            "not a correction",
        ),
        ("TASK_DISPATCHED", {"task_id": "T9", "uscc": "x", "inspectors": "I1"}, "inspectors"),
    ],
)
def test_bad_events_are_refused_and_nothing_is_written(
    ledger_path: Path, kind: str, payload: dict[str, object], message: str
) -> None:
    with open_ledger(ledger_path) as ledger:
        fill(ledger, 1)
        head = ledger.head
        with pytest.raises(LedgerError, match=message):
            ledger.append(kind, actor="someone", payload=payload)
        assert ledger.head == head and ledger.verify().events == 3


def test_a_batch_refused_midway_writes_none_of_it(ledger_path: Path) -> None:
    """``append_many`` is all or none: a batch whose second event the ledger refuses (a
    result recorded over another, no approved correction) leaves no trace of the first,
    in the file as in the ledger's own view of it."""
    with open_ledger(ledger_path) as ledger:
        fill(ledger, 1)
        head = ledger.head
        dispatch_t1 = {"task_id": "T1", "uscc": "91410724000000001J", "inspectors": ["I1"]}
        again = {"task_id": "T0", "outcome": "RECTIFY"}
        with pytest.raises(LedgerError, match="already has a result"):
            ledger.append_many(
                [
                    ("TASK_DISPATCHED", "执法大队", dispatch_t1, None, T0),
                    ("RESULT_RECORDED", "I1", again, None, T0),
                ]
            )
        assert ledger.head == head and ledger.events_for("T1") == []
        later = ledger.append("TASK_DISPATCHED", actor="执法大队", payload=dispatch_t1, time=T0)
        assert later.seq == 4
    with open_ledger(ledger_path, readonly=True) as reader:
        assert reader.verify().events == 4
        assert [e.type for e in reader.events_for("T1")] == [EventType.TASK_DISPATCHED]


def test_subject_must_match_the_payload(tmp_path: Path) -> None:
    with open_ledger(tmp_path / "l.sqlite") as ledger, pytest.raises(LedgerError, match="differs"):
        ledger.append(
            "RESULT_RECORDED",
            actor="I1",
            subject="T1",
            payload={"task_id": "T2", "outcome": "未发现问题"},
        )


TAMPERING = ["edit_actor", "edit_payload", "edit_time", "edit_hash", "delete", "swap"]


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    how=st.sampled_from(TAMPERING),
    places=st.lists(st.integers(min_value=1, max_value=12), min_size=2, max_size=2, unique=True),
)
def test_any_single_change_deletion_or_reordering_is_detected(
    tmp_path: Path, how: str, places: list[int]
) -> None:
    target, other = places
    path = tmp_path / f"{os.getpid()}-{time.monotonic_ns()}.jsonl"
    with open_ledger(path) as ledger:
        fill(ledger, 4)  # 12 events
        published = ledger.head  # the anchor: a chain alone cannot show its end was cut
    events = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    i = target - 1
    if how == "edit_actor":
        events[i]["actor"] += "x"
    elif how == "edit_payload":
        events[i]["payload"]["task_id"] = "T-forged"
    elif how == "edit_time":
        events[i]["time"] = "2020-01-01T00:00:00+08:00"
    elif how == "edit_hash":
        events[i]["hash"] = "f" * 64
    elif how == "delete":
        del events[i]
    else:
        j = other - 1
        events[i], events[j] = events[j], events[i]
    text = "".join(json.dumps(e, ensure_ascii=False) + "\n" for e in events)
    path.write_text(text, encoding="utf-8")
    with open_ledger(path) as ledger:
        report = ledger.verify(expected_head=published)
    assert not report.ok and report.reason
    assert report.first_break == (min(target, other) if how == "swap" else target)


def test_sqlite_tampering_is_detected(tmp_path: Path) -> None:
    path = tmp_path / "l.sqlite"
    with open_ledger(path) as ledger:
        fill(ledger, 3)
    db = sqlite3.connect(path)
    db.execute(
        "UPDATE events SET payload = replace(payload, 'NO_PROBLEM', 'RECTIFY') WHERE seq = 6"
    )
    db.commit()
    db.close()
    with open_ledger(path) as ledger:
        report = ledger.verify()
    assert (report.ok, report.first_break) == (False, 6)
    assert "changed" in (report.reason or "")


def test_removing_the_last_events_needs_the_published_head(tmp_path: Path) -> None:
    path = tmp_path / "l.sqlite"
    with open_ledger(path) as ledger:
        fill(ledger, 2)
        published = ledger.head
    db = sqlite3.connect(path)
    db.execute("DELETE FROM events WHERE seq = 6")
    db.commit()
    db.close()
    with open_ledger(path) as ledger:
        assert ledger.verify().ok  # a shorter chain is still a chain…
        report = ledger.verify(expected_head=published)
    assert not report.ok and "published head" in (report.reason or "")


def test_threads_keep_the_chain_whole(ledger_path: Path) -> None:
    with open_ledger(ledger_path) as ledger:

        def work(k: int) -> None:
            for n in range(25):
                dispatch(ledger, f"T{k}-{n}")

        threads = [threading.Thread(target=work, args=(k,)) for k in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        report = ledger.verify()
    assert report.ok and report.events == 100


def _process_writer(path: str, k: int) -> None:
    with open_ledger(path) as ledger:
        for n in range(30):
            dispatch(ledger, f"P{k}-{n}")


def test_processes_keep_the_chain_whole(ledger_path: Path) -> None:
    context = multiprocessing.get_context("spawn")
    workers = [
        context.Process(target=_process_writer, args=(str(ledger_path), k)) for k in range(3)
    ]
    for w in workers:
        w.start()
    for w in workers:
        w.join(60)
        assert w.exitcode == 0
    with open_ledger(ledger_path) as ledger:
        report = ledger.verify()
    assert report.ok and report.events == 90


WRITER = """
import sys, datetime as dt
from randcheck.ledger.stores import open_ledger
with open_ledger(sys.argv[1]) as ledger:
    n = 0
    while True:
        ledger.append("TASK_DISPATCHED", actor="大队", payload={"task_id": f"K{n}", "uscc": "x",
                      "inspectors": ["I1", "I2"], "items": ["水污染防治监督检查"] * 50})
        n += 1
        if n == 20:
            print("ready", flush=True)
"""


def test_a_writer_killed_mid_append_leaves_a_ledger_that_verifies(ledger_path: Path) -> None:
    writer = subprocess.Popen(
        [sys.executable, "-c", WRITER, str(ledger_path)], stdout=subprocess.PIPE, text=True
    )
    assert writer.stdout is not None
    assert writer.stdout.readline().strip() == "ready"
    time.sleep(0.2)
    writer.send_signal(signal.SIGKILL)
    writer.wait()
    with open_ledger(ledger_path, readonly=True) as ledger:
        report = ledger.verify()
    assert report.events >= 20
    if not report.ok:  # JSON Lines: a line cut mid-write is reported, not hidden
        assert ledger_path.suffix == ".jsonl" and report.first_break == report.events + 1
        assert "incomplete last line" in (report.reason or "")
    with open_ledger(ledger_path) as ledger:
        dispatch(ledger, "after-crash")  # and the next writer repairs and carries on
        assert ledger.verify().ok


def test_an_unfinished_jsonl_line_is_reported_and_the_next_append_removes_it(
    tmp_path: Path,
) -> None:
    path = tmp_path / "l.jsonl"
    with open_ledger(path) as ledger:
        fill(ledger, 1)
    with path.open("a", encoding="utf-8") as handle:
        handle.write('{"seq": 4, "type": "RESULT_REC')  # what a killed writer leaves
    with open_ledger(path) as ledger:
        report = ledger.verify()
        assert report.events == 3 and report.first_break == 4  # reported, not hidden
        assert "incomplete last line (30 bytes)" in (report.reason or "")
        dispatch(ledger, "T9")
        assert ledger.verify().ok and ledger.verify().events == 4


def test_export_to_jsonl_keeps_the_chain(tmp_path: Path) -> None:
    with open_ledger(tmp_path / "l.sqlite") as ledger:
        fill(ledger, 3)
        head = ledger.head
        assert export_jsonl(ledger, tmp_path / "x.jsonl") == 9
    with open_ledger(tmp_path / "x.jsonl") as copy:
        assert copy.verify(expected_head=head).ok


@pytest.mark.parametrize(
    ("name", "message"), [("l.txt", "cannot tell"), ("no/l.sqlite", "does not exist")]
)
def test_bad_ledger_paths(tmp_path: Path, name: str, message: str) -> None:
    with pytest.raises(LedgerError, match=message):
        open_ledger(tmp_path / name)


def test_a_file_that_is_not_sqlite_is_refused(tmp_path: Path) -> None:
    (tmp_path / "l.sqlite").write_text("not a database", encoding="utf-8")
    with pytest.raises(LedgerError, match="not a usable SQLite ledger"):
        open_ledger(tmp_path / "l.sqlite")
