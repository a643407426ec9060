"""What held stays held: racing writers keep the chain whole, exactly one racing result
wins; and a result corrected the same day (or later) is audited without a crash."""

from __future__ import annotations

import datetime as dt
import multiprocessing
from pathlib import Path

import pytest

from randcheck.audit.run import audit
from randcheck.cli import app
from randcheck.errors import LedgerError
from randcheck.ledger import open_ledger, read_verified
from randcheck.policies import known_ids, resolve_policy
from tests.ledger.helpers import runner, verify


@pytest.fixture(params=["l.sqlite", "l.jsonl"])
def ledger_path(request: pytest.FixtureRequest, tmp_path: Path) -> Path:
    return tmp_path / str(request.param)


def _append_200(path: str, k: int) -> None:
    with open_ledger(path) as ledger:
        for n in range(200):
            ledger.append(
                "TASK_DISPATCHED",
                actor="大队",
                payload={"task_id": f"P{k}-{n}", "uscc": "x", "inspectors": ["I1", "I2"]},
            )


def test_four_processes_appending_200_events_each_keep_the_chain_whole(
    ledger_path: Path,
) -> None:
    context = multiprocessing.get_context("spawn")
    workers = [context.Process(target=_append_200, args=(str(ledger_path), k)) for k in range(4)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(240)
        assert worker.exitcode == 0
    result = verify(ledger_path)
    assert result.exit_code == 0 and "OK: 800 events" in result.stdout
    assert len({e.subject for e in read_verified(ledger_path)}) == 800


def _record_result(path: str, k: int, go: multiprocessing.synchronize.Event, out: object) -> None:
    with open_ledger(path) as ledger:
        go.wait(30)
        try:
            ledger.append(
                "RESULT_RECORDED",
                actor=f"I{k}",
                payload={"task_id": "T1", "outcome": "NO_PROBLEM" if k % 2 else "RECTIFY"},
            )
            out.put("won")  # type: ignore[attr-defined]
        except LedgerError as exc:
            out.put(f"refused: {exc.what}")  # type: ignore[attr-defined]


def test_exactly_one_of_racing_result_records_wins(ledger_path: Path) -> None:
    with open_ledger(ledger_path) as ledger:
        ledger.append(
            "TASK_DISPATCHED",
            actor="大队",
            payload={"task_id": "T1", "uscc": "x", "inspectors": ["I1", "I2"]},
        )
    context = multiprocessing.get_context("spawn")
    go, out = context.Event(), context.Queue()
    racers = [
        context.Process(target=_record_result, args=(str(ledger_path), k, go, out))
        for k in range(6)
    ]
    for racer in racers:
        racer.start()
    go.set()
    outcomes = sorted(out.get(timeout=120) for _ in racers)
    for racer in racers:
        racer.join(60)
    assert outcomes.count("won") == 1
    assert all("already has a result" in o for o in outcomes if o != "won")
    results = [e for e in read_verified(ledger_path) if e.type.value == "RESULT_RECORDED"]
    assert len(results) == 1 and verify(ledger_path).exit_code == 0


T = dt.datetime(2025, 7, 10, 9)


def _corrected(path: Path, days_later: int) -> None:
    """A result, then its correction requested, approved and the new result recorded
    ``days_later`` days after the first result (0: the same day)."""
    with open_ledger(path) as ledger:
        ledger.append(
            "TASK_DISPATCHED",
            actor="大队",
            payload={"task_id": "T1", "uscc": "91410724000000001J", "inspectors": ["I1", "I2"]},
            time=T,
        )
        ledger.append(
            "INSPECTION_COMPLETED",
            actor="I1",
            payload={"task_id": "T1", "inspectors": ["I1", "I2"]},
            time=T + dt.timedelta(days=1),
        )
        first = ledger.append(
            "RESULT_RECORDED",
            actor="I1",
            payload={"task_id": "T1", "outcome": "NO_PROBLEM"},
            time=T + dt.timedelta(days=1, hours=2),
        )
        later = T + dt.timedelta(days=1 + days_later, hours=3)
        request = ledger.append(
            "CORRECTION_REQUESTED",
            actor="中队",
            payload={"task_id": "T1", "result_seq": first.seq, "reason": "录入错误"},
            time=later,
        )
        ledger.append(
            "CORRECTION_APPROVED",
            actor="分局局长",
            payload={"task_id": "T1", "request_seq": request.seq, "approved_by": "分局局长"},
            time=later + dt.timedelta(minutes=30),
        )
        ledger.append(
            "RESULT_RECORDED",
            actor="I1",
            payload={"task_id": "T1", "outcome": "RECTIFY"},
            time=later + dt.timedelta(hours=1),
        )


@pytest.mark.parametrize("days_later", [0, 1, 9])
@pytest.mark.parametrize("policy", known_ids())
def test_a_corrected_result_is_audited(tmp_path: Path, policy: str, days_later: int) -> None:
    path = tmp_path / "l.sqlite"
    _corrected(path, days_later)
    chosen = resolve_policy(policy, during=(dt.date(2025, 1, 1), dt.date(2025, 12, 31)))
    verdict = audit(chosen, read_verified(path), 2025, as_of=dt.date(2026, 3, 31))
    assert verdict.rules  # judged, no MessageObservedException from the rules engine


@pytest.mark.parametrize("days_later", [0, 1])
def test_randcheck_audit_on_a_result_corrected_the_same_day(
    ledger_path: Path, days_later: int
) -> None:
    _corrected(ledger_path, days_later)
    for policy in ("huojia", "benxi", "suixian", "xiping", "qingdao_west_coast"):
        result = runner.invoke(
            app,
            [
                "audit",
                "--policy",
                policy,
                "--ledger",
                str(ledger_path),
                "--year",
                "2025",
                "--as-of",
                "2026-03-31",
            ],
        )
        assert result.exit_code in (0, 1), result.output
        assert "internal error" not in result.output
