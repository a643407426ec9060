"""SQLite (``.sqlite``, ``.db``), the embedded default.

A writer keeps the file in WAL mode, each append one ``BEGIN IMMEDIATE``
transaction, so a crash never leaves half an event, and writers in several
threads and processes take turns.

A reader (``readonly``: verify, audit, reports) never writes: not the file, not
its journal mode, and no ``-wal``/``-shm`` file appears. SQLite's ``mode=ro``
creates those two files for a WAL-mode file that has none, so such a file (a
ledger whose writers have all closed: everything is in the file itself) is read
with ``immutable=1`` and the read is trusted only if the file did not change
while it was read (else it is read again); a file with a write-ahead log (a
writer is at work, or was killed) is read through SQLite's ``mode=ro`` with the
log, and a file in rollback-journal mode with ``mode=ro``.
"""

from __future__ import annotations

import contextlib
import os
import re
import sqlite3
import time
import urllib.parse
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from randcheck.errors import LedgerError
from randcheck.ledger.chain import (
    GENESIS,
    KEYS,
    STRICT_JSON,
    Damaged,
    EventProblem,
    LedgerEvent,
    check_event,
    loads_strict,
    row_data,
)
from randcheck.ledger.store import Ledger, LedgerMoved
from randcheck.randomness import canonical_json

MAGIC = b"SQLite format 3\x00"
_STRICT_DECODE = STRICT_JSON.decode
SCHEMA = (
    "CREATE TABLE IF NOT EXISTS events ("
    "seq INTEGER PRIMARY KEY, type TEXT NOT NULL, time TEXT NOT NULL, "
    "actor TEXT NOT NULL, subject TEXT NOT NULL, payload TEXT NOT NULL, "
    "prev_hash TEXT NOT NULL, hash TEXT NOT NULL)"
)
COLUMNS = ", ".join(KEYS)
_HINT = "give a .sqlite ledger written by randcheck"
_FAILURES = (sqlite3.Error, UnicodeError)
"""What reading a damaged file can raise (a name in its schema that is not UTF-8 …)."""


def _as_json(row: tuple[Any, ...], number: int) -> dict[str, Any] | Damaged:
    """One stored row as the JSON data of an event (the payload column parsed)."""
    payload = row[5]
    if not isinstance(payload, str):
        what = (
            "NULL"
            if payload is None
            else "binary data (a BLOB)"
            if isinstance(payload, bytes)
            else f"a {type(payload).__name__} ({payload!r})"
        )
        return Damaged(f"event #{number}'s payload is {what}, not JSON text")
    try:
        data = loads_strict(payload)
    except ValueError as exc:
        return Damaged(f"event #{number}'s payload is not valid JSON ({exc})")
    return {
        "seq": row[0],
        "type": row[1],
        "time": row[2],
        "actor": row[3],
        "subject": row[4],
        "payload": data,
        "prev_hash": row[6],
        "hash": row[7],
    }


def _checked(row: tuple[Any, ...], path: Path) -> LedgerEvent:
    seq = row[0]
    number = seq if type(seq) is int else 0
    data = _as_json(row, number)
    try:
        return check_event(data, number)
    except EventProblem as problem:
        raise LedgerError(
            problem.message(), where=str(path), hint=f"run `randcheck ledger verify {path}`"
        ) from None


class SqliteLedger(Ledger):
    """The embedded default: one SQLite file in WAL mode."""

    def __init__(self, path: Path, readonly: bool = False) -> None:
        super().__init__(path, readonly)
        self._db: sqlite3.Connection | None = None
        try:
            if readonly:
                with contextlib.closing(self._reader()[0]) as reader:
                    self._check_schema(reader, writing=False)
                return
            self._db = sqlite3.connect(
                path, timeout=60, isolation_level=None, check_same_thread=False
            )
            fresh = self._check_schema(self._db, writing=True)
            self._set_wal()
            self._db.execute("PRAGMA synchronous=NORMAL")
            if fresh:
                with self._transaction():
                    self._db.execute(SCHEMA)
                    self._db.execute(
                        "CREATE INDEX IF NOT EXISTS events_by_subject ON events (subject, seq)"
                    )
        except _FAILURES as exc:
            self.close()
            raise LedgerError(
                f"not a usable SQLite ledger ({exc})",
                where=str(path),
                hint=f"{_HINT}, or a new file name",
            ) from None
        except LedgerError:
            self.close()
            raise

    # --- opening ---------------------------------------------------------------------

    def _check_schema(self, db: sqlite3.Connection, writing: bool) -> bool:
        """True when the file has no table yet (a new ledger); an error unless it holds
        a randcheck ledger's events table."""
        tables = [
            str(r[0]) for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
        ]
        if "events" not in tables:
            if writing and not tables:
                return True
            raise LedgerError(
                "not a randcheck ledger: there is no events table"
                + (f" (its tables: {', '.join(tables[:10])})" if tables else " (no table at all)"),
                where=str(self.path),
                hint=_HINT,
            )
        columns = [str(r[1]) for r in db.execute("PRAGMA table_info(events)")]
        if sorted(columns) != sorted(KEYS):
            raise LedgerError(
                f"not a randcheck ledger: its events table has the columns "
                f"{', '.join(columns)}; a ledger's are {COLUMNS}",
                where=str(self.path),
                hint=_HINT,
            )
        return False

    def _header(self) -> bytes:
        try:
            with self.path.open("rb") as handle:
                header = handle.read(100)
        except OSError as exc:
            raise LedgerError(
                f"cannot read the ledger: {exc.strerror}", where=str(self.path)
            ) from None
        if not header:
            raise LedgerError(
                "the file is empty (0 bytes): not a randcheck SQLite ledger (a ledger has "
                "an events table)",
                where=str(self.path),
                hint=_HINT,
            )
        if not header.startswith(MAGIC):
            raise LedgerError(
                "not a SQLite database file (its first bytes are not 'SQLite format 3')",
                where=str(self.path),
                hint=_HINT,
            )
        return header

    def _uri(self, **query: str) -> str:
        path = urllib.parse.quote(str(self.path.absolute()))
        return f"file:{path}?{urllib.parse.urlencode(query)}"

    def _signature(self) -> tuple[object, ...]:
        """What changes when anyone writes the file (checked around an immutable read)."""
        info = os.stat(self.path)
        wal = Path(f"{self.path}-wal")
        return (
            info.st_ino,
            info.st_size,
            info.st_mtime_ns,
            wal.stat().st_size if wal.exists() else None,
        )

    def _reader(self) -> tuple[sqlite3.Connection, tuple[object, ...] | None]:
        """A read-only connection that writes nothing, and the file's signature when the
        read has to be checked for a writer at work (see the module docstring)."""
        header = self._header()
        wal = Path(f"{self.path}-wal")
        shm = Path(f"{self.path}-shm")
        signature = None
        if len(header) >= 20 and 2 in (header[18], header[19]):  # WAL mode
            wal_size = wal.stat().st_size if wal.exists() else None
            if wal_size and not shm.exists():
                raise LedgerError(
                    "the ledger has a write-ahead log (-wal) but not its index (-shm): it "
                    "cannot be read without writing one",
                    where=str(self.path),
                    hint="keep the -wal file beside the ledger and open the ledger once to "
                    "append (a writer folds the log in), or copy the file with both",
                )
            if wal_size or (wal_size is not None and shm.exists()):
                uri = self._uri(mode="ro")  # through the log and its index, both there
            else:  # everything is in the file itself
                signature = self._signature()
                uri = self._uri(mode="ro", immutable="1")
        else:
            uri = self._uri(mode="ro")
        try:
            reader = sqlite3.connect(uri, uri=True, timeout=60, check_same_thread=False)
        except _FAILURES as exc:
            raise LedgerError(
                f"cannot open the ledger to read ({exc})", where=str(self.path)
            ) from None
        return reader, signature

    # --- writing ---------------------------------------------------------------------

    def _set_wal(self) -> None:
        # Switching a new file to WAL takes an exclusive lock, and SQLite may answer
        # "database is locked" at once instead of waiting when another process is
        # opening the same file: retry for a while.
        assert self._db is not None
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
        self._refuse_readonly()
        assert self._db is not None
        self._db.execute("BEGIN IMMEDIATE")
        try:
            yield
        except _FAILURES as exc:
            self._db.execute("ROLLBACK")
            raise LedgerError(
                f"the ledger could not be read or written ({exc})",
                where=str(self.path),
                hint=f"run `randcheck ledger verify {self.path}`",
            ) from None
        except BaseException:
            self._db.execute("ROLLBACK")
            raise
        self._db.execute("COMMIT")

    def _head(self) -> tuple[int, str]:
        assert self._db is not None
        row = self._db.execute(f"SELECT {COLUMNS} FROM events ORDER BY seq DESC LIMIT 1").fetchone()
        if row is None:
            return (0, GENESIS)
        event = _checked(row, self.path)  # never chain onto a damaged last event
        return (event.seq, event.hash)

    def _write(self, event: LedgerEvent) -> None:
        assert self._db is not None
        body = event.body()  # as stored: an event copied in an older form keeps it
        self._db.execute(
            "INSERT INTO events VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (
                body["seq"],
                body["type"],
                body["time"],
                body["actor"],
                body["subject"],
                canonical_json(body["payload"]),
                body["prev_hash"],
                event.hash,
            ),
        )

    # --- reading ---------------------------------------------------------------------

    def _subject_events(self, subject: str) -> list[LedgerEvent]:
        query = f"SELECT {COLUMNS} FROM events WHERE subject = ? ORDER BY seq"
        if self._db is not None:
            return [_checked(row, self.path) for row in self._db.execute(query, (subject,))]
        with self._rows_of(query, (subject,)) as rows:
            return [_checked(row, self.path) for row in rows]

    def _last(self) -> tuple[int, str]:
        query = f"SELECT {COLUMNS} FROM events ORDER BY seq DESC LIMIT 1"
        with self._rows_of(query, ()) as rows:
            found = list(rows)
        if not found:
            return (0, GENESIS)
        event = _checked(found[0], self.path)
        return (event.seq, event.hash)

    @contextlib.contextmanager
    def _rows_of(self, query: str, parameters: tuple[Any, ...]) -> Iterator[list[Any]]:
        """All rows of one small query, from a read-only connection."""
        for _ in range(3):
            reader, signature = self._reader()
            try:
                rows = reader.execute(query, parameters).fetchall()
            except _FAILURES as exc:
                raise LedgerError(
                    f"the ledger could not be read ({exc})",
                    where=str(self.path),
                    hint=f"run `randcheck ledger verify {self.path}`",
                ) from None
            finally:
                reader.close()
            if signature is None or signature == self._signature():
                yield rows
                return
        raise self._moved()

    @contextlib.contextmanager
    def _rows(self) -> Iterator[Iterator[Any]]:
        reader, signature = self._reader()
        try:
            yield self._iterate(reader)
        finally:
            reader.close()
        if signature is not None and signature != self._signature():
            raise LedgerMoved

    def _iterate(self, reader: sqlite3.Connection) -> Iterator[Any]:
        count = 0
        decode = _STRICT_DECODE
        try:
            for row in reader.execute(f"SELECT {COLUMNS} FROM events ORDER BY rowid"):
                count += 1
                try:  # the usual case first; what is wrong is said by _as_json
                    data = decode(row[5])
                except (TypeError, ValueError, RecursionError):
                    yield _as_json(row, count)
                    return
                yield row_data(row, data)
        except sqlite3.OperationalError as exc:
            found = re.search(r"decode to UTF-8 column '(\w+)'", str(exc))
            if found:
                yield Damaged(f"event #{count + 1}'s {found.group(1)} is not UTF-8 text")
            else:
                yield Damaged(f"the ledger could not be read after event #{count} ({exc})")
        except _FAILURES as exc:
            yield Damaged(f"the database file is damaged after event #{count} ({exc})")

    def _stored(self) -> Iterator[Any]:
        with self._rows() as rows:
            yield from rows

    def close(self) -> None:
        if self._db is not None:
            self._db.close()
            self._db = None
