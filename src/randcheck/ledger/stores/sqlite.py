"""SQLite (``.sqlite``, ``.db``), the embedded default.

One file in WAL mode, each append one ``BEGIN IMMEDIATE`` transaction, so a
crash never leaves half an event, and writers in several threads and processes
take turns.
"""

from __future__ import annotations

import contextlib
import json
import sqlite3
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from randcheck.errors import LedgerError
from randcheck.ledger.chain import GENESIS, LedgerEvent
from randcheck.ledger.store import Ledger
from randcheck.randomness import canonical_json


class SqliteLedger(Ledger):
    """The embedded default: one SQLite file in WAL mode."""

    def __init__(self, path: Path) -> None:
        super().__init__(path)
        try:
            self._db = sqlite3.connect(
                path, timeout=60, isolation_level=None, check_same_thread=False
            )
            self._set_wal()
            self._db.execute("PRAGMA synchronous=NORMAL")
            with self._transaction():
                self._db.execute(
                    "CREATE TABLE IF NOT EXISTS events ("
                    "seq INTEGER PRIMARY KEY, type TEXT NOT NULL, time TEXT NOT NULL, "
                    "actor TEXT NOT NULL, subject TEXT NOT NULL, payload TEXT NOT NULL, "
                    "prev_hash TEXT NOT NULL, hash TEXT NOT NULL)"
                )
                self._db.execute(
                    "CREATE INDEX IF NOT EXISTS events_by_subject ON events (subject, seq)"
                )
        except sqlite3.DatabaseError as exc:
            raise LedgerError(
                f"not a usable SQLite ledger ({exc})",
                where=str(path),
                hint="give a .sqlite ledger written by randcheck, or a new file name",
            ) from None

    def _set_wal(self) -> None:
        # Switching a new file to WAL takes an exclusive lock, and SQLite may answer
        # "database is locked" at once instead of waiting when another process is
        # opening the same file: retry for a while.
        for attempt in range(200):
            try:
                self._db.execute("PRAGMA journal_mode=WAL")
                return
            except sqlite3.OperationalError as exc:
                if "locked" not in str(exc) or attempt == 199:
                    raise
                time.sleep(0.05)

    @contextlib.contextmanager
    def _transaction(self) -> Iterator[None]:
        self._db.execute("BEGIN IMMEDIATE")
        try:
            yield
        except BaseException:
            self._db.execute("ROLLBACK")
            raise
        self._db.execute("COMMIT")

    def _head(self) -> tuple[int, str]:
        row = self._db.execute("SELECT seq, hash FROM events ORDER BY seq DESC LIMIT 1").fetchone()
        return (0, GENESIS) if row is None else (int(row[0]), str(row[1]))

    def _subject_events(self, subject: str) -> list[LedgerEvent]:
        rows = self._db.execute(
            "SELECT seq, type, time, actor, subject, payload, prev_hash, hash FROM events "
            "WHERE subject = ? ORDER BY seq",
            (subject,),
        )
        return [LedgerEvent.from_json(self._as_json(row)) for row in rows]

    def _write(self, event: LedgerEvent) -> None:
        self._db.execute(
            "INSERT INTO events VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (
                event.seq,
                event.type.value,
                event.time.isoformat(),
                event.actor,
                event.subject,
                canonical_json(event.payload),
                event.prev_hash,
                event.hash,
            ),
        )

    @staticmethod
    def _as_json(row: tuple[Any, ...]) -> dict[str, Any]:
        seq, kind, time, actor, subject, payload, prev_hash, digest = row
        return {
            "seq": seq,
            "type": kind,
            "time": time,
            "actor": actor,
            "subject": subject,
            "payload": json.loads(payload),
            "prev_hash": prev_hash,
            "hash": digest,
        }

    def _stored(self) -> Iterator[dict[str, Any]]:
        # A separate read connection: a consistent snapshot while writers go on.
        reader = sqlite3.connect(f"file:{self.path}?mode=ro", uri=True, timeout=60)
        try:
            rows = reader.execute(
                "SELECT seq, type, time, actor, subject, payload, prev_hash, hash "
                "FROM events ORDER BY rowid"
            )
            for row in rows:
                yield self._as_json(row)
        finally:
            reader.close()

    def close(self) -> None:
        self._db.close()
