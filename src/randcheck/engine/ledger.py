"""The ledger: an append-only, hash-chained log of everything that happened.

Every event carries the hash of the event before it, so editing, deleting or
reordering any event breaks the chain at that point, and ``verify`` names the
first broken link. A recorded result is never edited (青岛 四: 检查结果一经录入
不得随意修改): a correction is requested, approved, and only then is a new
result recorded.

Two stores, one behaviour:

- SQLite (``.sqlite``, ``.db``), the embedded default: one file in WAL mode,
  each append one ``BEGIN IMMEDIATE`` transaction, so a crash never leaves half
  an event, and writers in several threads and processes take turns.
- JSON Lines (``.jsonl``), for exchange: one event per line, appended under an
  exclusive file lock. A line without its newline is a crashed writer's
  fragment: readers ignore it and the next writer removes it.

Hash of an event: SHA-256 (lowercase hex) of the compact JSON, keys sorted,
non-ASCII as itself, of ``{"seq", "type", "time", "actor", "subject",
"payload", "prev_hash"}``; the first event's ``prev_hash`` is 64 zeros.
"""

from __future__ import annotations

import abc
import contextlib
import datetime as dt
import fcntl
import hashlib
import json
import os
import sqlite3
import threading
import time
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from randcheck.engine.events import EventType, aware, parse_payload, validate_payload
from randcheck.errors import LedgerError
from randcheck.randomness import canonical_json

GENESIS = "0" * 64
SQLITE_SUFFIXES = (".sqlite", ".sqlite3", ".db")
JSONL_SUFFIXES = (".jsonl",)


def event_hash(body: Mapping[str, Any]) -> str:
    """SHA-256 of the canonical JSON of an event's body (everything but its own hash)."""
    return hashlib.sha256(canonical_json(body).encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class LedgerEvent:
    """One event as stored: its place in the chain, what happened and the hashes."""

    seq: int
    type: EventType
    time: dt.datetime
    actor: str
    subject: str
    payload: dict[str, Any]
    prev_hash: str
    hash: str

    def body(self) -> dict[str, Any]:
        return {
            "seq": self.seq,
            "type": self.type.value,
            "time": self.time.isoformat(),
            "actor": self.actor,
            "subject": self.subject,
            "payload": self.payload,
            "prev_hash": self.prev_hash,
        }

    def to_json(self) -> dict[str, Any]:
        return {**self.body(), "hash": self.hash}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> LedgerEvent:
        return cls(
            seq=int(data["seq"]),
            type=EventType.of(data["type"]),
            time=dt.datetime.fromisoformat(data["time"]),
            actor=str(data["actor"]),
            subject=str(data["subject"]),
            payload=dict(data["payload"]),
            prev_hash=str(data["prev_hash"]),
            hash=str(data["hash"]),
        )

    def parsed(self) -> BaseModel:
        """The payload as its model (``ResultRecorded``, ``TaskDispatched`` …)."""
        return parse_payload(self.type, self.payload)

    @property
    def task_id(self) -> str | None:
        value = self.payload.get("task_id")
        return value if isinstance(value, str) else None


@dataclass(frozen=True)
class ChainReport:
    """The result of walking the chain: whole, or the first broken link and why."""

    events: int
    head: str
    first_break: int | None = None
    reason: str | None = None
    note: str | None = None

    @property
    def ok(self) -> bool:
        return self.first_break is None


def walk_chain(
    events: Iterable[Mapping[str, Any]], expected_head: str | None = None
) -> ChainReport:
    """Check stored events (as JSON mappings, in storage order) link by link."""
    previous = GENESIS
    count = 0
    for count, data in enumerate(events, start=1):
        seq = data.get("seq")
        if seq != count:
            why = (
                f"event #{count} is missing (deleted?); the next stored event is #{seq}"
                if isinstance(seq, int) and seq > count
                else f"event #{count} is stored out of order (its number is {seq})"
            )
            return ChainReport(count - 1, previous, count, why)
        if data.get("prev_hash") != previous:
            return ChainReport(
                count - 1,
                previous,
                count,
                f"event #{count} does not follow event #{count - 1}: its prev_hash "
                "does not match (an event before it was changed, removed or moved?)",
            )
        body = {k: data[k] for k in ("seq", "type", "time", "actor", "subject", "payload")}
        body["prev_hash"] = previous
        if event_hash(body) != data.get("hash"):
            return ChainReport(
                count - 1, previous, count, f"event #{count} was changed after it was written"
            )
        previous = str(data["hash"])
    if expected_head is not None and previous != expected_head:
        return ChainReport(
            count,
            previous,
            count + 1,
            f"the chain ends at {previous[:12]}…, not at the published head "
            f"{expected_head[:12]}… (events removed from the end?)",
        )
    return ChainReport(count, previous)


class Ledger(abc.ABC):
    """An append-only, hash-chained event log. Open one with :func:`open_ledger`."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()

    # --- storage, per backend --------------------------------------------------

    @abc.abstractmethod
    def _transaction(self) -> contextlib.AbstractContextManager[None]:
        """Exclusive access for an append: other threads and processes wait."""

    @abc.abstractmethod
    def _head(self) -> tuple[int, str]:
        """(last seq, last hash), or (0, GENESIS) when empty. Inside a transaction."""

    @abc.abstractmethod
    def _subject_events(self, subject: str) -> list[LedgerEvent]:
        """The events of one subject, in order. Inside a transaction."""

    @abc.abstractmethod
    def _write(self, event: LedgerEvent) -> None:
        """Store one event. Inside a transaction."""

    @abc.abstractmethod
    def _stored(self) -> Iterator[dict[str, Any]]:
        """Every stored event as JSON data, in storage order (for verify)."""

    @abc.abstractmethod
    def close(self) -> None: ...

    # --- the public interface ----------------------------------------------------

    def __enter__(self) -> Ledger:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def append(
        self,
        kind: EventType | str,
        *,
        actor: str,
        payload: BaseModel | dict[str, Any],
        subject: str | None = None,
        time: dt.datetime | None = None,
    ) -> LedgerEvent:
        """Append one event; the rules of the record are checked first.

        ``subject`` defaults to the payload's task id (or draw id). ``time`` is when
        the thing happened (for a result, when it was entered); naive times are
        China Standard Time; default now.
        """
        return self.append_many([(kind, actor, payload, subject, time)])[0]

    def append_many(
        self,
        entries: Iterable[
            tuple[EventType | str, str, BaseModel | dict[str, Any], str | None, dt.datetime | None]
        ],
    ) -> list[LedgerEvent]:
        """Append several events in one transaction (all or none)."""
        prepared = [self._prepare(*entry) for entry in entries]
        written: list[LedgerEvent] = []
        with self._lock, self._transaction():
            seq, previous = self._head()
            pending: dict[str, list[LedgerEvent]] = {}
            for kind, actor, payload, subject, moment in prepared:
                history = pending.get(subject)
                if history is None:
                    history = pending[subject] = self._subject_events(subject)
                self._check_record(kind, payload, subject, history)
                seq += 1
                body = {
                    "seq": seq,
                    "type": kind.value,
                    "time": moment.isoformat(),
                    "actor": actor,
                    "subject": subject,
                    "payload": payload,
                    "prev_hash": previous,
                }
                event = LedgerEvent(
                    seq, kind, moment, actor, subject, payload, previous, event_hash(body)
                )
                self._write(event)
                history.append(event)
                written.append(event)
                previous = event.hash
        return written

    def edit_result(self, *_: object, **__: object) -> None:
        """Always refused: a recorded result is never edited (青岛 四)."""
        raise LedgerError(
            "a recorded result cannot be edited (青岛 四: 检查结果一经录入不得随意修改)",
            hint="file a correction: append CORRECTION_REQUESTED naming the result's event, "
            "then CORRECTION_APPROVED with the approver, then record the new result",
        )

    def events(self) -> Iterator[LedgerEvent]:
        """Every event, in chain order."""
        for data in self._stored():
            yield LedgerEvent.from_json(data)

    def events_for(self, subject: str) -> list[LedgerEvent]:
        with self._lock, self._transaction():
            return list(self._subject_events(subject))

    def verify(self, expected_head: str | None = None) -> ChainReport:
        """Walk the chain; the first broken link, if any. ``expected_head``: a published hash."""
        return walk_chain(self._stored(), expected_head)

    @property
    def head(self) -> str:
        with self._lock, self._transaction():
            return self._head()[1]

    # --- helpers ---------------------------------------------------------------------

    def _prepare(
        self,
        kind: EventType | str,
        actor: str,
        payload: BaseModel | dict[str, Any],
        subject: str | None,
        moment: dt.datetime | None,
    ) -> tuple[EventType, str, dict[str, Any], str, dt.datetime]:
        try:
            event_type = kind if isinstance(kind, EventType) else EventType.of(kind)
        except ValueError:
            raise LedgerError(
                f"unknown event type {kind!r}", hint=f"use one of {EventType.spellings()}"
            ) from None
        if not actor or not actor.strip():
            raise LedgerError("every event needs an actor (who did it)")
        data = validate_payload(event_type, payload)
        natural = data.get("task_id") or data.get("draw_id")
        if subject is None:
            if not isinstance(natural, str):
                raise LedgerError(f"a {event_type.value} event needs a subject")
            subject = natural
        elif isinstance(natural, str) and natural != subject:
            raise LedgerError(
                f"subject {subject!r} differs from the payload's {natural!r}",
                hint="leave subject out; it is taken from the payload",
            )
        moment = aware(moment or dt.datetime.now(dt.timezone.utc))
        return event_type, actor.strip(), data, subject, moment

    @staticmethod
    def _check_record(
        kind: EventType, payload: dict[str, Any], subject: str, history: list[LedgerEvent]
    ) -> None:
        if kind is EventType.RESULT_RECORDED:
            results = [e for e in history if e.type is EventType.RESULT_RECORDED]
            if results:
                last = results[-1]
                approved = any(
                    e.type is EventType.CORRECTION_APPROVED
                    and any(
                        r.seq == e.payload["request_seq"]
                        and r.type is EventType.CORRECTION_REQUESTED
                        and r.payload["result_seq"] == last.seq
                        for r in history
                    )
                    for e in history
                    if e.seq > last.seq
                )
                if not approved:
                    raise LedgerError(
                        f"task {subject} already has a result (event #{last.seq}); a recorded "
                        "result is never edited (青岛 四)",
                        hint=f"file a correction: CORRECTION_REQUESTED with result_seq "
                        f"{last.seq}, then CORRECTION_APPROVED, then record the new result",
                    )
        elif kind is EventType.CORRECTION_REQUESTED:
            target = payload["result_seq"]
            if not any(e.seq == target and e.type is EventType.RESULT_RECORDED for e in history):
                raise LedgerError(
                    f"event #{target} is not a result of task {subject}",
                    hint="name the RESULT_RECORDED event to correct",
                )
        elif kind is EventType.CORRECTION_APPROVED:
            target = payload["request_seq"]
            if not any(
                e.seq == target and e.type is EventType.CORRECTION_REQUESTED for e in history
            ):
                raise LedgerError(
                    f"event #{target} is not a correction request of task {subject}",
                    hint="approve the CORRECTION_REQUESTED event by its number",
                )


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


class JsonlLedger(Ledger):
    """JSON Lines, for exchange: one event per line, appends under a file lock."""

    def __init__(self, path: Path) -> None:
        super().__init__(path)
        path.touch(exist_ok=True)
        self._handle = path.open("r+b")
        self._offset = 0
        self._last = (0, GENESIS)
        self._by_subject: dict[str, list[LedgerEvent]] = {}

    @contextlib.contextmanager
    def _transaction(self) -> Iterator[None]:
        fcntl.flock(self._handle, fcntl.LOCK_EX)
        try:
            self._catch_up()
            yield
        finally:
            fcntl.flock(self._handle, fcntl.LOCK_UN)

    def _catch_up(self) -> None:
        """Read what other writers appended; drop a crashed writer's unfinished line."""
        self._handle.seek(self._offset)
        data = self._handle.read()
        complete = data.rfind(b"\n") + 1
        for line in data[:complete].splitlines():
            if line.strip():
                event = LedgerEvent.from_json(json.loads(line))
                self._by_subject.setdefault(event.subject, []).append(event)
                self._last = (event.seq, event.hash)
        self._offset += complete
        if complete < len(data):
            self._handle.truncate(self._offset)

    def _head(self) -> tuple[int, str]:
        return self._last

    def _subject_events(self, subject: str) -> list[LedgerEvent]:
        return list(self._by_subject.get(subject, []))

    def _write(self, event: LedgerEvent) -> None:
        line = (canonical_json(event.to_json()) + "\n").encode("utf-8")
        self._handle.seek(0, os.SEEK_END)
        self._handle.write(line)
        self._handle.flush()
        os.fsync(self._handle.fileno())
        self._offset += len(line)
        self._by_subject.setdefault(event.subject, []).append(event)
        self._last = (event.seq, event.hash)

    def _stored(self) -> Iterator[dict[str, Any]]:
        with self.path.open("rb") as handle:
            for number, line in enumerate(handle, start=1):
                if not line.endswith(b"\n"):
                    return  # an unfinished append: not part of the ledger
                if not line.strip():
                    continue
                try:
                    yield json.loads(line)
                except json.JSONDecodeError as exc:
                    raise LedgerError(
                        f"line {number} is not valid JSON ({exc.msg})", where=str(self.path)
                    ) from None

    def close(self) -> None:
        self._handle.close()


def open_ledger(path: Path | str) -> Ledger:
    """The ledger at ``path`` (created when missing): SQLite or JSON Lines by extension."""
    path = Path(path)
    suffix = path.suffix.lower()
    if path.is_dir():
        raise LedgerError(f"{path} is a folder", hint="give a ledger file name")
    if not path.parent.exists():
        raise LedgerError(f"folder {path.parent} does not exist", where=str(path))
    if suffix in SQLITE_SUFFIXES:
        return SqliteLedger(path)
    if suffix in JSONL_SUFFIXES:
        return JsonlLedger(path)
    raise LedgerError(
        f"cannot tell the ledger format of {path.name}",
        hint="use .sqlite (the default store) or .jsonl (for exchange)",
    )


def read_verified(path: Path | str) -> list[LedgerEvent]:
    """Every event of an existing ledger whose chain is whole; a clear error otherwise."""
    path = Path(path)
    if not path.is_file():
        raise LedgerError(f"ledger {path} does not exist", where=str(path), hint="check the path")
    with open_ledger(path) as ledger:
        report = ledger.verify()
        if not report.ok:
            raise LedgerError(
                f"the ledger's chain is broken at event #{report.first_break}: {report.reason}",
                where=str(path),
                hint="run `randcheck ledger verify` and restore the ledger",
            )
        return list(ledger.events())


def export_jsonl(ledger: Ledger, path: Path | str) -> int:
    """Write every event of ``ledger`` to a JSON Lines file (atomically); the count."""
    from randcheck.io.atomic import atomic_write

    count = 0
    with atomic_write(Path(path)) as temp, temp.open("w", encoding="utf-8") as handle:
        for data in ledger._stored():
            handle.write(canonical_json(data) + "\n")
            count += 1
    return count
