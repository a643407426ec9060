"""PostgreSQL (psycopg 3): every jurisdiction's chain in one database.

Two tables (in the URL's ``?schema=``, else the connection's search path), made by
the first writer when missing (under an advisory lock, so writers starting together
do not race), or by an administrator with :data:`DDL`:

- ``ledger_events``: one row per event, keyed by ``(chain, seq)``: two writers can
  never store two events #N on one chain (a fork), whatever happens. ``time`` and
  ``payload`` are text, kept exactly as hashed (``jsonb`` would reorder keys and
  drop repeated ones, and the chain must be checkable from what is stored).
- ``ledger_heads``: one row per chain, its last seq and hash.

**Writers** (READ COMMITTED): an append locks its chain's head row with
``SELECT … FOR UPDATE``, so writers of one chain, in any number of processes, take
turns while other chains go on; it checks that the last stored event is whole and
is the head recorded, checks the record rules against the subject's events (read
after the lock, so they include every committed append), inserts the events and
moves the head, and commits: an append is acknowledged only once committed, and a
failed one leaves nothing (one whose connection was lost during COMMIT may have been
committed, whole: the error cannot tell). An append makes two round trips: BEGIN,
the lock, the last event and the subjects' events in one; the events, the head and
COMMIT in the other (see ``_transaction``). The ledgers of one store (the service's
threads) take turns per chain, and one transaction carries every append waiting, each
still all or none: one lock and one COMMIT for many callers (:class:`_Turns`).

**Readers** (``readonly``: verify, audit, reports) never write: each reading is
one ``READ ONLY, REPEATABLE READ`` transaction, one consistent snapshot of the
head row and the events (on a connection of their own, so a writer's open
transaction never mixes with a reading). The head row is checked against the
events: a row deleted or added by SQL, or a last event replaced, is reported at
its event number even without a published head.

**A store** (:class:`PostgresStore`, what the service opens once per process) keeps
its connections for the next ledger it hands out: at most :data:`POOL_SIZE` for
appends and as many for readings, a ledger waiting up to :data:`POOL_WAIT` seconds
for one to be free. A connection the server has closed (a restart, an
administrator's ``pg_terminate_backend``) is dropped when next taken, unused, and a
new one made; the tables and the chains it has seen are checked once. A lost
connection or a busy chain is a :class:`StoreUnavailable` (the service's 503): the
append it interrupted was either committed whole or not at all, never half.
"""

from __future__ import annotations

import contextlib
import copy
import datetime as dt
import functools
import itertools
import select
import threading
from collections.abc import Generator, Iterable, Iterator
from pathlib import Path
from typing import Any

import psycopg
from psycopg import sql
from psycopg.conninfo import conninfo_to_dict
from pydantic import BaseModel

from randcheck.errors import LedgerError
from randcheck.ledger.chain import (
    GENESIS,
    KEYS,
    Damaged,
    EventProblem,
    LedgerEvent,
    check_event,
    loads_strict,
    row_data,
)
from randcheck.ledger.events import EventType
from randcheck.ledger.store import Ledger
from randcheck.ledger.stores.base import Store
from randcheck.ledger.stores.urls import JURISDICTION, Address, check_jurisdiction
from randcheck.randomness import canonical_json

EVENTS, HEADS = "ledger_events", "ledger_heads"
DDL = (
    "CREATE TABLE IF NOT EXISTS {heads} ("
    "chain text PRIMARY KEY, seq bigint NOT NULL CHECK (seq >= 0), hash text NOT NULL)",
    "CREATE TABLE IF NOT EXISTS {events} ("
    "chain text NOT NULL, seq bigint NOT NULL CHECK (seq >= 1), type text NOT NULL, "
    "time text NOT NULL, actor text NOT NULL, subject text NOT NULL, "
    "payload text NOT NULL, prev_hash text NOT NULL, hash text NOT NULL, "
    "PRIMARY KEY (chain, seq))",
    "CREATE INDEX IF NOT EXISTS {index} ON {events} (chain, subject, seq)",
)
"""The tables, ``{events}``/``{heads}`` being the (schema-qualified) table names."""

POOL_SIZE = 8
"""Connections a store keeps for appends (and as many for readings), per process."""
POOL_WAIT = 30.0
"""How long a ledger waits for a free connection of its store, in seconds."""
_SCHEMA_LOCK = 0x72616E64636B  # pg_advisory_xact_lock key while the tables are made
LOCK_TIMEOUT = "60s"
"""How long an append waits for its chain's lock (another writer's transaction)."""
_READ_BATCH = 5000
_COLUMNS = sql.SQL(", ").join(sql.Identifier(k) for k in KEYS)
_STATEMENTS = {
    "lock": "SELECT seq, hash FROM {heads} WHERE chain = %s FOR UPDATE",
    "last": "SELECT {columns} FROM {events} WHERE chain = %s ORDER BY seq DESC LIMIT 1",
    "subject": "SELECT {columns} FROM {events} WHERE chain = %s AND subject = %s ORDER BY seq",
    "subjects": "SELECT subject, {columns} FROM {events} WHERE chain = %s "
    "AND subject = ANY(%s) ORDER BY seq",
    "move": "UPDATE {heads} SET seq = %s, hash = %s WHERE chain = %s",
    "insert": "INSERT INTO {events} (chain, {columns}) VALUES {rows}",
    "insert_and_move": "WITH added AS (INSERT INTO {events} (chain, {columns}) VALUES {rows}) "
    "UPDATE {heads} SET seq = %s, hash = %s WHERE chain = %s",
}


@functools.lru_cache(maxsize=256)
def _statement(schema: str | None, name: str, rows: int = 1) -> bytes:
    """One of :data:`_STATEMENTS` for the tables of ``schema``, composed once (``rows``:
    the rows an insert has)."""
    prefix = (schema,) if schema else ()
    row = sql.SQL("({})").format(sql.SQL(", ").join([sql.Placeholder()] * 9))
    return (
        sql.SQL(_STATEMENTS[name])
        .format(
            heads=sql.Identifier(*prefix, HEADS),
            events=sql.Identifier(*prefix, EVENTS),
            columns=_COLUMNS,
            rows=sql.SQL(", ").join([row] * rows),
        )
        .as_bytes(None)
    )


_names = itertools.count(1)


class StoreUnavailable(LedgerError):
    """The database cannot be used now (the connection was lost, the server is down or
    restarting, a chain stayed busy): nothing was appended, or the append was committed
    whole; trying again later is safe. The service answers it with 503."""

    status = 503


def _one_line(exc: BaseException) -> str:
    return " ".join(str(exc).split()) or type(exc).__name__


def _connection_hint(message: str, address: Address) -> str:
    """What to do about a failed connection, from libpq's message."""
    text = message.lower()
    if "password" in text:
        return (
            "check the user and password: postgresql://user:password@host/database (or "
            "give the password in PGPASSWORD or ~/.pgpass)"
        )
    if "role" in text and "does not exist" in text:
        return "name an existing user: postgresql://user@host/database"
    if "database" in text and "does not exist" in text:
        return "create the database (createdb NAME) or name an existing one in the URL"
    if "resolve host" in text or "translate host name" in text:
        return "check the host name in the URL"
    if "permission denied" in text or "pg_hba" in text:
        return "ask the database's administrator to let this user connect from here"
    return (
        "check that the PostgreSQL server is running and that the URL's host and port "
        "are right (postgresql://user@host:5432/database)"
    )


def connect(address: Address) -> psycopg.Connection[Any]:
    """A connection (autocommit: every transaction is explicit), or a
    :class:`LedgerError` saying why there is none and what to do."""
    assert address.conninfo is not None
    try:
        options = conninfo_to_dict(address.conninfo)
    except psycopg.Error as exc:
        raise LedgerError(
            f"not a usable PostgreSQL URL ({_one_line(exc)})",
            where=address.shown,
            hint="postgresql://user@host:5432/database, with libpq's parameters "
            "(sslmode=, connect_timeout= …) and randcheck's chain= and schema=",
        ) from None
    timeout: dict[str, Any] = {} if "connect_timeout" in options else {"connect_timeout": 10}
    try:
        return psycopg.connect(address.conninfo, autocommit=True, **timeout)
    except psycopg.Error as exc:
        message = _one_line(exc)
        kind = StoreUnavailable if isinstance(exc, psycopg.OperationalError) else LedgerError
        raise kind(
            f"cannot connect to PostgreSQL: {message}",
            where=address.shown,
            hint=_connection_hint(message, address),
        ) from None


def _table(address: Address, name: str) -> sql.Composable:
    return sql.Identifier(address.schema, name) if address.schema else sql.Identifier(name)


def _columns(db: psycopg.Connection[Any], address: Address, name: str) -> list[str] | None:
    """The columns of table ``name``, or None when there is no such table."""
    qualified = _table(address, name).as_string(db)
    row = db.execute("SELECT to_regclass(%s)::oid", (qualified,)).fetchone()
    if row is None or row[0] is None:
        return None
    return [
        str(r[0])
        for r in db.execute(
            "SELECT attname FROM pg_attribute WHERE attrelid = %s AND attnum > 0 "
            "AND NOT attisdropped ORDER BY attnum",
            (row[0],),
        )
    ]


def _tables(db: psycopg.Connection[Any], address: Address) -> bool:
    """Whether randcheck's tables are there; a :class:`LedgerError` when a table of
    that name is there but is not randcheck's."""
    found = False
    for name, wanted in ((EVENTS, ("chain", *KEYS)), (HEADS, ("chain", "seq", "hash"))):
        columns = _columns(db, address, name)
        if columns is None:
            continue
        found = True
        if sorted(columns) != sorted(wanted):
            raise LedgerError(
                f"table {name} is not a randcheck ledger table: its columns are "
                f"{', '.join(columns)}; a ledger's are {', '.join(wanted)}",
                where=address.shown,
                hint="give another schema (?schema=name) or database",
            )
    if found and (_columns(db, address, EVENTS) is None or _columns(db, address, HEADS) is None):
        raise LedgerError(
            f"only one of the tables {EVENTS} and {HEADS} is there",
            where=address.shown,
            hint="restore the missing table from a backup, or give another schema",
        )
    return found


def _create_tables(db: psycopg.Connection[Any], address: Address) -> None:
    events, heads = _table(address, EVENTS), _table(address, HEADS)
    index = sql.Identifier(f"{EVENTS}_by_subject")
    with db.transaction():
        db.execute("SELECT pg_advisory_xact_lock(%s)", (_SCHEMA_LOCK,))
        if address.schema:
            schema = sql.Identifier(address.schema)
            db.execute(sql.SQL("CREATE SCHEMA IF NOT EXISTS {}").format(schema))
        for statement in DDL:
            db.execute(sql.SQL(statement).format(events=events, heads=heads, index=index))


def _no_tables(address: Address) -> LedgerError:
    where = f"schema {address.schema}" if address.schema else "the connection's search path"
    return LedgerError(
        f"no randcheck ledger here: there is no {EVENTS} table in {where}",
        where=address.shown,
        hint="check the database and ?schema= in the URL; a writer makes the tables",
    )


def _reader(address: Address) -> psycopg.Connection[Any]:
    """A connection for readings: each transaction READ ONLY, REPEATABLE READ."""
    db = connect(address)
    db.isolation_level = psycopg.IsolationLevel.REPEATABLE_READ
    db.read_only = True
    return db


def _writer(address: Address) -> psycopg.Connection[Any]:
    db = connect(address)
    try:
        db.execute(sql.SQL("SET lock_timeout = {}").format(sql.Literal(LOCK_TIMEOUT)))
    except psycopg.Error as exc:
        db.close()
        raise StoreUnavailable(
            f"cannot use the connection to PostgreSQL ({_one_line(exc)})", where=address.shown
        ) from None
    return db


def _usable(db: psycopg.Connection[Any]) -> bool:
    """Whether an idle connection can be used again: open, outside any transaction, and
    with nothing sent by the server meanwhile (a server that closes a connection, on a
    restart or a ``pg_terminate_backend``, says so and hangs up: what it sent is there
    to read)."""
    if db.closed or db.broken:
        return False
    if db.info.transaction_status != psycopg.pq.TransactionStatus.IDLE:
        return False
    try:
        readable, _, _ = select.select([db.fileno()], [], [], 0)
    except (OSError, ValueError):
        return False
    return not readable


class _Pool:
    """At most ``size`` connections of one kind, kept between ledgers (one process's)."""

    def __init__(self, address: Address, make: Any, size: int, what: str) -> None:
        self.address = address
        self._make = make
        self._size = size
        self._what = what
        self._idle: list[psycopg.Connection[Any]] = []
        self._free = threading.BoundedSemaphore(size)
        self._lock = threading.Lock()
        self._closed = False

    def take(self) -> psycopg.Connection[Any]:
        if not self._free.acquire(timeout=POOL_WAIT):
            raise StoreUnavailable(
                f"all {self._size} connections for {self._what} were in use for "
                f"{POOL_WAIT:g} s; nothing was done",
                where=self.address.shown,
                hint="try again; if this lasts, the database is too slow for the load",
            )
        try:
            while True:
                with self._lock:
                    db = self._idle.pop() if self._idle else None
                if db is None:
                    made: psycopg.Connection[Any] = self._make(self.address)
                    return made
                if _usable(db):
                    return db
                db.close()  # closed by the server meanwhile: a new one instead
        except BaseException:
            self._free.release()
            raise

    def give(self, db: psycopg.Connection[Any]) -> None:
        try:
            with self._lock:
                keep = not self._closed and _usable(db)
                if keep:
                    self._idle.append(db)
            if not keep:
                db.close()
        finally:
            self._free.release()

    def close(self) -> None:
        with self._lock:
            self._closed = True
            idle, self._idle = self._idle, []
        for db in idle:
            db.close()


Prepared = tuple[EventType, str, dict[str, Any], str, dt.datetime]


class _Batch:
    """One caller's append, waiting its turn: its events once appended, or its error."""

    __slots__ = ("done", "error", "events", "prepared")

    def __init__(self, prepared: list[Prepared]) -> None:
        self.prepared = prepared
        self.events: list[LedgerEvent] = []
        self.error: BaseException | None = None
        self.done = False


class _Turns:
    """The appends to one chain from the threads of one process, taking turns.

    One thread at a time (the leader) appends every batch waiting so far in one
    transaction: one lock on the chain's head row, one COMMIT, however many callers.
    The others wait; when the leader's transaction ends, each caller whose batch it
    held returns (or raises) with that outcome, and the first whose batch is still
    waiting leads the next transaction. Under load the batches grow and the chain's
    lock is taken once per batch, not once per event; with one caller, it is a plain
    append. Every batch is still all or none (its record rules are checked as if it
    were appended alone, after the batches before it), and acknowledged only once
    committed.
    """

    def __init__(self) -> None:
        self._turn = threading.Condition()
        self._waiting: list[_Batch] = []
        self._leading = False

    def append(self, batch: _Batch, run: Any) -> list[LedgerEvent]:
        with self._turn:
            self._waiting.append(batch)
            while self._leading and not batch.done:
                self._turn.wait()
            if not batch.done:
                self._leading = True
                batches, self._waiting = self._waiting, []
        if not batch.done:
            try:
                run(batches)
            except BaseException as exc:
                for other in batches:
                    if not other.done:
                        other.error = exc if other is batch else copy.copy(exc)
                        other.done = True
            finally:
                with self._turn:
                    self._leading = False
                    self._turn.notify_all()
        if batch.error is not None:
            raise batch.error.with_traceback(None)
        return batch.events


class _Shared:
    """What the ledgers of one store share: the connections, what was checked once
    (the tables are randcheck's; the chains whose head row is there), and the turns
    the appends to each chain take (:class:`_Turns`)."""

    def __init__(self, address: Address, size: int) -> None:
        self.writers = _Pool(address, _writer, size, "appends")
        self.readers = _Pool(address, _reader, size, "readings")
        self.tables = False
        self.chains: set[str] = set()
        self.lock = threading.Lock()
        self._turns: dict[str, _Turns] = {}

    def turns(self, chain: str) -> _Turns:
        with self.lock:
            turns = self._turns.get(chain)
            if turns is None:
                turns = self._turns[chain] = _Turns()
            return turns

    def close(self) -> None:
        self.writers.close()
        self.readers.close()


def _as_data(row: tuple[Any, ...], number: int) -> dict[str, Any] | Damaged:
    """One stored row as the JSON data of an event (its payload parsed)."""
    payload = row[5]
    if not isinstance(payload, str):
        what = "NULL" if payload is None else f"a {type(payload).__name__}"
        return Damaged(f"event #{number}'s payload is {what}, not JSON text")
    try:
        data = loads_strict(payload)
    except ValueError as exc:
        return Damaged(f"event #{number}'s payload is not valid JSON ({exc})")
    return row_data(row, data)


class PostgresLedger(Ledger):
    """One jurisdiction's chain in a PostgreSQL database."""

    def __init__(
        self, address: Address, readonly: bool = False, *, shared: _Shared | None = None
    ) -> None:
        assert address.chain is not None
        # Ledger.path names file ledgers; a PostgreSQL ledger is named by its URL
        # (`where`, password hidden) in every message.
        super().__init__(Path(address.chain), readonly)
        self.address = address
        self.chain = address.chain
        self.where = address.shown
        self._events = _table(address, EVENTS)
        self._heads = _table(address, HEADS)
        self._shared = shared
        self._writer: psycopg.Connection[Any] | None = None
        self._reader: psycopg.Connection[Any] | None = None
        self._reading = threading.RLock()
        self._pending: list[tuple[Any, ...]] = []
        self._moved_to: tuple[int, str] | None = None
        self._writing = False  # inside an append's transaction
        self._begun = False  # BEGIN sent
        self._upcoming: list[str] = []  # the subjects of the events being prepared
        self._prefetched: dict[str, list[tuple[Any, ...]]] = {}  # their rows, read locked
        self._known: dict[tuple[Any, ...], LedgerEvent] = {}  # rows checked already
        try:
            if readonly:
                self._check_readable()
            else:
                self._open_writer()
        except BaseException:
            self.close()
            raise

    # --- opening -----------------------------------------------------------------------

    def _check_readable(self) -> None:
        if self._shared is not None and self.chain in self._shared.chains:
            return  # seen by this store: its tables and head row are there
        db = self._reader_db()
        try:
            with self._reading, db.transaction():
                if not _tables(db, self.address):
                    raise _no_tables(self.address)
                found = db.execute(
                    sql.SQL(
                        "SELECT EXISTS (SELECT 1 FROM {} WHERE chain = %s) "
                        "OR EXISTS (SELECT 1 FROM {} WHERE chain = %s)"
                    ).format(self._heads, self._events),
                    (self.chain, self.chain),
                ).fetchone()
                chains = [] if found and found[0] else _chains(db, self.address)
        except psycopg.Error as exc:
            raise self._failure("read", exc) from None
        if not (found and found[0]):
            raise LedgerError(
                f"there is no chain {self.chain!r} here"
                + (f" (its chains: {', '.join(chains[:20])})" if chains else " (no chain yet)"),
                where=self.where,
                hint="check ?chain= in the URL; a writer starts a chain with its first append",
            )
        if self._shared is not None:
            self._shared.tables = True
            self._shared.chains.add(self.chain)

    def _open_writer(self) -> None:
        shared = self._shared
        if shared is None:
            self._writer = db = _writer(self.address)
        else:
            self._writer = db = shared.writers.take()
            if shared.tables and self.chain in shared.chains:
                return  # checked before by this store
        try:
            if not _tables(db, self.address):
                _create_tables(db, self.address)
            # A new chain gets its head row now (as a new SQLite ledger gets its file),
            # so it is listed and can be read while still empty; a chain with events
            # but no head row is left as it is, for verify to report.
            db.execute(
                sql.SQL(
                    "INSERT INTO {heads} (chain, seq, hash) SELECT %s, 0, %s "
                    "WHERE NOT EXISTS (SELECT 1 FROM {events} WHERE chain = %s) "
                    "ON CONFLICT (chain) DO NOTHING"
                ).format(heads=self._heads, events=self._events),
                (self.chain, GENESIS, self.chain),
            )
        except psycopg.Error as exc:
            raise self._failure("opened to append", exc) from None
        if shared is not None:
            shared.tables = True
            shared.chains.add(self.chain)

    def _reader_db(self) -> psycopg.Connection[Any]:
        if self._reader is None:
            shared = self._shared
            self._reader = _reader(self.address) if shared is None else shared.readers.take()
        return self._reader

    # --- messages ----------------------------------------------------------------------

    def _failure(self, doing: str, exc: psycopg.Error) -> LedgerError:
        message = _one_line(exc)
        if isinstance(exc, psycopg.errors.LockNotAvailable):
            return StoreUnavailable(
                f"another writer held chain {self.chain!r} for over {LOCK_TIMEOUT}; nothing "
                "was appended",
                where=self.where,
                hint="append again when that writer has finished",
            )
        if isinstance(exc, psycopg.errors.InsufficientPrivilege):
            hint = "ask the database's administrator for the rights this needs"
        elif isinstance(exc, psycopg.OperationalError):
            hint = _connection_hint(message, self.address)
        else:
            hint = f"run `randcheck ledger verify {self.where}`"
        kind = StoreUnavailable if isinstance(exc, psycopg.OperationalError) else LedgerError
        return kind(f"the ledger could not be {doing} ({message})", where=self.where, hint=hint)

    def _refuse_readonly(self) -> None:
        if self.readonly:
            raise LedgerError(
                "this ledger was opened read-only (to verify, audit or report): nothing "
                "may be appended",
                where=self.where,
                hint="open it with open_ledger(url) to append",
            )

    def _refusal(self, problem: EventProblem) -> LedgerError:
        return LedgerError(
            problem.message(),
            where=self.where,
            hint=f"run `randcheck ledger verify {self.where}`; restore the chain from a copy "
            "that verifies",
        )

    def _checked(self, row: tuple[Any, ...]) -> LedgerEvent:
        """A stored row as an event, checked on its own (a row read twice by this ledger,
        unchanged, is checked once: a request reads a task's events, then appends to it)."""
        row = tuple(row)
        known = self._known.get(row)
        if known is not None:
            return known
        number = row[0] if type(row[0]) is int else 0
        try:
            event = check_event(_as_data(row, number), number)
        except EventProblem as problem:
            raise self._refusal(problem) from None
        if len(self._known) >= 4096:  # a long-lived writer: only the latest are kept
            self._known.clear()
        self._known[row] = event
        return event

    # --- writing -----------------------------------------------------------------------
    #
    # The chain is held from its lock to the commit, and every round trip in between
    # waits for this process to be scheduled again: on a busy machine, milliseconds each,
    # during which every other writer of the chain waits. So an append makes two round
    # trips, each several statements sent at once (bound by psycopg on the client, a
    # ClientCursor, as one simple query; run one after the other, each with a snapshot
    # of its own, READ COMMITTED): BEGIN, the lock on the head row, the last event and
    # the events of the subjects about to be appended to (read once the lock is held,
    # so every committed append counts); then the new events, the head moved, COMMIT.

    def _prepare(
        self,
        kind: EventType | str,
        actor: str,
        payload: BaseModel | dict[str, Any],
        subject: str | None,
        moment: dt.datetime | None,
    ) -> tuple[EventType, str, dict[str, Any], str, dt.datetime]:
        prepared = super()._prepare(kind, actor, payload, subject, moment)
        self._upcoming.append(prepared[3])  # its subject's events: read with the lock
        return prepared

    def append_many(
        self,
        entries: Iterable[
            tuple[EventType | str, str, BaseModel | dict[str, Any], str | None, dt.datetime | None]
        ],
    ) -> list[LedgerEvent]:
        """Append several events in one transaction (all or none). A ledger of a store
        (the service's) takes turns with the other threads appending to its chain, and
        may append their batches in the same transaction (:class:`_Turns`)."""
        if self._shared is None:
            return super().append_many(entries)
        self._refuse_readonly()
        prepared = [self._prepare(*entry) for entry in entries]
        self._upcoming.clear()
        return self._shared.turns(self.chain).append(_Batch(prepared), self._append_batches)

    def _append_batches(self, batches: list[_Batch]) -> None:
        """Append the batches in one transaction, each all or none: a batch that breaks
        a record rule gets its error and leaves nothing, and the rest go on."""
        self._upcoming[:] = [entry[3] for batch in batches for entry in batch.prepared]
        with self._lock, self._transaction():
            seq, previous = self._head()
            histories: dict[str, list[LedgerEvent]] = {}
            for batch in batches:
                for subject in {entry[3] for entry in batch.prepared} - histories.keys():
                    histories[subject] = self._subject_events(subject)
                kept = {subject: len(history) for subject, history in histories.items()}
                try:
                    events = self._chained(batch.prepared, seq, previous, histories)
                except LedgerError as exc:
                    for subject, length in kept.items():
                        del histories[subject][length:]
                    batch.error, batch.done = exc, True
                    continue
                for event in events:
                    self._write(event)
                batch.events = events
                if events:
                    seq, previous = events[-1].seq, events[-1].hash
        for batch in batches:  # committed: each caller may have its events
            batch.done = True

    @contextlib.contextmanager
    def _transaction(self) -> Iterator[None]:
        self._refuse_readonly()
        db = self._writer
        assert db is not None
        self._pending.clear()
        self._moved_to = None
        self._begun = False
        try:
            try:
                self._writing = True
                yield
                if self._moved_to is not None:
                    self._flush(move_head=True, commit=True)
                elif self._begun:
                    db.execute("COMMIT")
            except BaseException:
                self._roll_back()
                raise
        except psycopg.Error as exc:
            raise self._failure("written", exc) from None
        finally:
            self._writing = False
            self._begun = False
            self._pending.clear()
            self._moved_to = None
            self._upcoming.clear()
            self._prefetched.clear()

    def _roll_back(self) -> None:
        db = self._writer
        if db is None or db.closed or db.broken:
            return
        if db.info.transaction_status != psycopg.pq.TransactionStatus.IDLE:
            with contextlib.suppress(psycopg.Error):
                db.execute("ROLLBACK")

    def _statements(self, parts: list[bytes], params: list[Any]) -> psycopg.ClientCursor[Any]:
        """Several statements in one round trip; BEGIN first if the transaction has not
        begun. The cursor is at the first result after BEGIN's."""
        db = self._writer
        assert db is not None
        if not self._begun:
            parts = [b"BEGIN", *parts]
        cursor = psycopg.ClientCursor(db)
        cursor.execute(b"; ".join(parts), params)
        if not self._begun:
            self._begun = True
            cursor.nextset()
        return cursor

    def _head(self) -> tuple[int, str]:
        """Lock the chain (its head row) until the transaction ends; its head, checked
        against the last stored event (and the events of the subjects to come, read)."""
        self._flush()
        subjects = sorted(set(self._upcoming))
        parts = [self._sql("lock"), self._sql("last")]
        params: list[Any] = [self.chain, self.chain]
        if subjects:
            parts.append(self._sql("subjects"))
            params += [self.chain, subjects]
        cursor = self._statements(parts, params)
        head = cursor.fetchone()
        cursor.nextset()
        last = cursor.fetchone()
        if subjects:
            cursor.nextset()
            found: dict[str, list[tuple[Any, ...]]] = {s: [] for s in subjects}
            for row in cursor.fetchall():
                found[row[0]].append(tuple(row[1:]))
            self._prefetched = found
        if last is None:
            stored = (0, GENESIS)
        else:
            event = self._checked(last)  # never chain onto a damaged last event
            stored = (event.seq, event.hash)
        if head is None or (head[0], head[1]) != stored:
            recorded = "no head record" if head is None else f"the head record #{head[0]}"
            raise LedgerError(
                f"chain {self.chain!r} ends at event #{stored[0]} but {HEADS} has "
                f"{recorded}: events were added, removed or changed outside randcheck; "
                "nothing is appended",
                where=self.where,
                hint=f"run `randcheck ledger verify {self.where}` and restore the chain from "
                "a copy that verifies",
            )
        return stored

    def _write(self, event: LedgerEvent) -> None:
        body = event.body()  # as stored (a copied event keeps the form it was hashed in)
        self._pending.append(
            (
                self.chain,
                body["seq"],
                body["type"],
                body["time"],
                body["actor"],
                body["subject"],
                canonical_json(body["payload"]),
                body["prev_hash"],
                event.hash,
            )
        )
        self._moved_to = (event.seq, event.hash)
        if len(self._pending) >= 1000:
            self._flush()

    def _flush(self, *, move_head: bool = False, commit: bool = False) -> None:
        """Insert the events written so far; ``move_head``: and move the head to the last
        of them, in the same statement; ``commit``: and commit, in the same round trip."""
        db = self._writer
        assert db is not None
        if move_head:
            assert self._moved_to is not None
            if self._pending:
                move = self._sql("insert_and_move", len(self._pending))
            else:
                move = self._sql("move")
            values = [v for row in self._pending for v in row]
            parts = [move, *([b"COMMIT"] if commit else [])]
            self._statements(parts, [*values, *self._moved_to, self.chain])
            self._pending.clear()
            return
        if not self._pending:
            return
        if not self._begun:
            self._statements([], [])
        with db.cursor() as cursor:
            cursor.executemany(self._sql("insert"), self._pending)
        self._pending.clear()

    # --- reading -----------------------------------------------------------------------

    @contextlib.contextmanager
    def _snapshot(self) -> Iterator[psycopg.Connection[Any]]:
        """A READ ONLY, REPEATABLE READ transaction on the reading connection."""
        db = self._reader_db()
        try:
            with self._reading, db.transaction():
                yield db
        except psycopg.Error as exc:
            raise self._failure("read", exc) from None

    def events_for(self, subject: str) -> list[LedgerEvent]:
        """The events of one subject: for a writer, one statement on its own connection
        (a statement reads one snapshot; an append re-reads them under its lock)."""
        if self.readonly:
            return super().events_for(subject)
        with self._lock:
            db = self._writer
            assert db is not None
            try:
                rows = db.execute(self._sql("subject"), (self.chain, subject)).fetchall()
            except psycopg.Error as exc:
                raise self._failure("read", exc) from None
        return [self._checked(row) for row in rows]

    def _sql(self, name: str, rows: int = 1) -> bytes:
        return _statement(self.address.schema, name, rows)

    def _subject_events(self, subject: str) -> list[LedgerEvent]:
        query = self._sql("subject")
        if self._writing:
            assert self._writer is not None
            if subject in self._prefetched:  # read with the lock, before any of its events
                return [self._checked(row) for row in self._prefetched.pop(subject)]
            self._flush()  # inside an append: what it has written so far counts too
            rows = self._writer.execute(query, (self.chain, subject)).fetchall()
        else:
            with self._snapshot() as db:
                rows = db.execute(query, (self.chain, subject)).fetchall()
        return [self._checked(row) for row in rows]

    def _last(self) -> tuple[int, str]:
        with self._snapshot() as db:
            last = db.execute(
                sql.SQL("SELECT {} FROM {} WHERE chain = %s ORDER BY seq DESC LIMIT 1").format(
                    _COLUMNS, self._events
                ),
                (self.chain,),
            ).fetchone()
        if last is None:
            return (0, GENESIS)
        event = self._checked(last)
        return (event.seq, event.hash)

    @contextlib.contextmanager
    def _rows(self) -> Iterator[Iterator[Any]]:
        with self._snapshot() as db:
            rows = self._iterate(db)
            try:
                yield rows
            finally:
                rows.close()  # its cursor, before the snapshot ends (a reading cut short)

    def _stored(self) -> Iterator[Any]:
        with self._snapshot() as db:
            yield from self._iterate(db)

    def _iterate(self, db: psycopg.Connection[Any]) -> Generator[Any, None, None]:
        """The chain's rows in order, then what the head row says they lack."""
        try:
            head = db.execute(
                sql.SQL("SELECT seq, hash FROM {} WHERE chain = %s").format(self._heads),
                (self.chain,),
            ).fetchone()
            with db.cursor(name=f"randcheck_rows_{next(_names)}") as cursor:
                cursor.itersize = _READ_BATCH
                cursor.execute(
                    sql.SQL("SELECT {} FROM {} WHERE chain = %s ORDER BY seq").format(
                        _COLUMNS, self._events
                    ),
                    (self.chain,),
                )
                count = 0
                for row in cursor:
                    count += 1
                    if head is not None and count > head[0]:
                        yield Damaged(
                            f"event #{count} is past the chain's recorded head (#{head[0]} in "
                            f"{HEADS}): it was added outside randcheck"
                        )
                        return
                    data = _as_data(row, count)
                    if head is not None and count == head[0] and row[7] != head[1]:
                        yield Damaged(
                            f"event #{count} is not the chain's recorded head (its hash "
                            f"differs from {HEADS}): it was replaced"
                        )
                        return
                    yield data
                    if isinstance(data, Damaged):
                        return
        except psycopg.Error as exc:
            raise self._failure("read", exc) from None
        if head is None:
            yield Damaged(
                f"chain {self.chain!r} has no head record in {HEADS} (deleted?): whether "
                "events were cut from its end cannot be told"
            )
        elif count < head[0]:
            yield Damaged(
                f"event #{count + 1} is missing (deleted?): the chain's head record has "
                f"{head[0]} events"
            )

    def close(self) -> None:
        shared = getattr(self, "_shared", None)
        for name in ("_writer", "_reader"):
            db = getattr(self, name, None)
            if db is None:
                continue
            setattr(self, name, None)
            if shared is None:
                db.close()
            elif name == "_writer":
                shared.writers.give(db)  # kept for the next ledger while it can be used
            else:
                shared.readers.give(db)


def _chains(db: psycopg.Connection[Any], address: Address) -> list[str]:
    rows = db.execute(
        sql.SQL("SELECT chain FROM {} ORDER BY chain").format(_table(address, HEADS))
    ).fetchall()
    return [str(r[0]) for r in rows]


class PostgresStore(Store):
    """A PostgreSQL database holding the chains of many jurisdictions."""

    def __init__(self, address: Address, *, pool_size: int = POOL_SIZE) -> None:
        self.address = address
        self.url = address.shown
        self._shared = _Shared(address, pool_size)
        readers = self._shared.readers
        readers.give(readers.take())  # a bad URL or an unreachable server: said now

    def ledger(self, jurisdiction: str, *, readonly: bool = False) -> PostgresLedger:
        chain = check_jurisdiction(jurisdiction, where=self.url)
        address = self.address.with_chain(chain)
        return PostgresLedger(address, readonly=readonly, shared=self._shared)

    def jurisdictions(self) -> list[str]:
        shared = self._shared
        db = shared.readers.take()
        try:
            with db.transaction():
                if not shared.tables:
                    if not _tables(db, self.address):
                        return []
                    shared.tables = True
                chains = _chains(db, self.address)
        except psycopg.Error as exc:
            kind = StoreUnavailable if isinstance(exc, psycopg.OperationalError) else LedgerError
            raise kind(
                f"the store could not be read ({_one_line(exc)})",
                where=self.url,
                hint=_connection_hint(_one_line(exc), self.address),
            ) from None
        finally:
            shared.readers.give(db)
        shared.chains.update(chains)
        return [c for c in chains if JURISDICTION.fullmatch(c)]

    def close(self) -> None:
        self._shared.close()


__all__ = [
    "DDL",
    "EVENTS",
    "HEADS",
    "POOL_SIZE",
    "PostgresLedger",
    "PostgresStore",
    "StoreUnavailable",
    "connect",
]
