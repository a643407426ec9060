"""Ledgers to damage: written by randcheck, then read and rewritten row by row."""

from __future__ import annotations

import datetime as dt
import json
import os
import sqlite3
from pathlib import Path
from typing import Any

from typer.testing import CliRunner, Result

from randcheck.cli import app
from randcheck.ledger.chain import GENESIS, event_hash
from randcheck.ledger.store import Ledger
from randcheck.ledger.stores import open_ledger

T0 = dt.datetime(2025, 7, 10, 9, 0)
runner = CliRunner()

SCHEMA = (  # no column types: a number stays a number, as a hand-made table can have it
    "CREATE TABLE events (seq INTEGER PRIMARY KEY, type, time, actor, subject, payload, "
    "prev_hash, hash)"
)


def fill(ledger: Ledger, tasks: int, first: int = 0) -> None:
    """Three events a task: dispatched (to 张三), inspected, result recorded."""
    for n in range(first, first + tasks):
        task = f"T{n}"
        ledger.append(
            "TASK_DISPATCHED",
            actor="执法大队张三",
            payload={"task_id": task, "uscc": "91410724000000001J", "inspectors": ["I1", "I2"]},
            time=T0,
        )
        ledger.append(
            "INSPECTION_COMPLETED",
            actor="I1",
            payload={"task_id": task, "inspectors": ["I1", "I2"]},
            time=T0 + dt.timedelta(days=1),
        )
        ledger.append(
            "RESULT_RECORDED",
            actor="I1",
            payload={"task_id": task, "outcome": "NO_PROBLEM"},
            time=T0 + dt.timedelta(days=2),
        )


def make(path: Path, tasks: int = 2) -> str:
    """A ledger of ``3 * tasks`` events at ``path``; its head."""
    with open_ledger(path) as ledger:
        fill(ledger, tasks)
        return ledger.head


def stored(path: Path) -> list[dict[str, Any]]:
    """The stored events as JSON data (SQLite read without WAL side files: a copy)."""
    if path.suffix == ".jsonl":
        return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    db = sqlite3.connect(f"file:{path}?mode=ro&immutable=1", uri=True)
    try:
        rows = db.execute(
            "SELECT seq, type, time, actor, subject, payload, prev_hash, hash FROM events "
            "ORDER BY seq"
        ).fetchall()
    finally:
        db.close()
    keys = ("seq", "type", "time", "actor", "subject", "payload", "prev_hash", "hash")
    out = [dict(zip(keys, row, strict=True)) for row in rows]
    for event in out:
        event["payload"] = json.loads(event["payload"])
    return out


def rehash(events: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The events chained again with the chain's own hash: a forger's rewrite."""
    previous = GENESIS
    for event in events:
        event["prev_hash"] = previous
        body = {k: v for k, v in event.items() if k != "hash"}
        event["hash"] = previous = event_hash(body)
    return events


def write(path: Path, events: list[dict[str, Any]]) -> None:
    """Replace the ledger's content with ``events`` as they are."""
    if path.suffix == ".jsonl":
        text = "".join(json.dumps(e, ensure_ascii=False) + "\n" for e in events)
        path.write_text(text, encoding="utf-8")
        return
    for side in ("-wal", "-shm"):
        Path(f"{path}{side}").unlink(missing_ok=True)
    path.unlink()
    db = sqlite3.connect(path)
    db.execute(SCHEMA)
    db.executemany(
        "INSERT INTO events VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        [
            (
                e["seq"],
                e["type"],
                e["time"],
                e["actor"],
                e["subject"],
                json.dumps(e["payload"], ensure_ascii=False, sort_keys=True, separators=(",", ":")),
                e["prev_hash"],
                e["hash"],
            )
            for e in events
        ],
    )
    db.commit()
    db.close()


def verify(path: Path, *args: str) -> Result:
    return runner.invoke(app, ["ledger", "verify", str(path), *args])


def snapshot(folder: Path) -> dict[str, tuple[bytes, int]]:
    """Every file of ``folder``: its bytes and modification time (ns)."""
    return {
        p.name: (p.read_bytes(), os.stat(p).st_mtime_ns)
        for p in sorted(folder.iterdir())
        if p.is_file()
    }


def journal_mode(path: Path) -> str:
    """WAL or rollback, from the header (opening the file could change what is looked at)."""
    header = path.read_bytes()[:20]
    return "wal" if header[18] == 2 else "rollback"
