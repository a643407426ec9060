"""Faults under load: ``randcheck serve --workers 2`` as a real process on a free
loopback port, clients writing ledger events from threads, and then the fault:

- a worker killed (SIGKILL) while requests are in flight in it;
- the database "restarted": every connection of the service ended by the server
  (``pg_terminate_backend``; the shared server itself is never restarted);
- a client that hangs up in the middle of a registry upload.

Afterwards, read from the store itself: every acknowledged write is there, at its
number with its hash; every event there was sent by a client (nothing from
nowhere) and none is half there (the chain verifies, PostgreSQL's head row
included); a request that failed says so (a 503 problem for the database, a closed
connection for a killed worker) and the service goes on answering.

To be sure a fault strikes requests in flight, the test holds the chain's lock (the
head row in PostgreSQL, the write lock of the SQLite file) so that every client's
append waits inside the service, strikes, then lets go. Each test runs a few seconds.
PostgreSQL as tests/ledger/pg_server.py says (skipped without a server, failing
without one under ``RANDCHECK_REQUIRE_POSTGRES=1``).
"""

from __future__ import annotations

import contextlib
import itertools
import os
import secrets
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest

from randcheck.io import write_registry
from randcheck.ledger.events import EventType
from randcheck.ledger.stores import open_store
from randcheck.service.tokens import FileTokenStore
from randcheck.synth import generate_registry
from tests.ledger.pg_server import Server, serve

pytestmark = pytest.mark.skipif(
    not Path("/proc/self/fd").is_dir() or sys.platform != "linux",
    reason="finds the service's worker processes and their sockets in /proc (Linux)",
)

J = "410724"
CLIENTS = 6
RUN = "import sys; from randcheck.cli import main; sys.exit(main())"  # `randcheck …`


@pytest.fixture(scope="module")
def postgres() -> Iterator[Server]:
    yield from serve()


# --- the service as a process ----------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@dataclass
class Running:
    """``randcheck serve`` running: its process, port, store URL, folder and tokens."""

    process: subprocess.Popen[bytes]
    port: int
    store: str
    folder: Path
    operator: str
    approver: str

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def log(self) -> str:
        return (self.folder / "service.log").read_text(encoding="utf-8", errors="replace")

    def workers(self) -> list[int]:
        """The worker processes (uvicorn's, spawned by multiprocessing)."""
        found = []
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                stat = (entry / "stat").read_text()
                command = (entry / "cmdline").read_bytes().replace(b"\0", b" ")
            except OSError:
                continue
            parent = int(stat.rpartition(")")[2].split()[1])
            if parent == self.process.pid and b"spawn_main" in command:
                found.append(int(entry.name))
        return found

    def connected(self, pid: int) -> int:
        """How many clients' connections the process holds (established, to our port)."""
        inodes = set()
        with contextlib.suppress(OSError):
            for fd in Path(f"/proc/{pid}/fd").iterdir():
                with contextlib.suppress(OSError):
                    target = os.readlink(fd)
                    if target.startswith("socket:["):
                        inodes.add(target[8:-1])
        count = 0
        for table in ("/proc/net/tcp", "/proc/net/tcp6"):
            with contextlib.suppress(OSError):
                for line in Path(table).read_text().splitlines()[1:]:
                    parts = line.split()
                    local_port = int(parts[1].rpartition(":")[2], 16)
                    if local_port == self.port and parts[3] == "01" and parts[9] in inodes:
                        count += 1
        return count


@contextlib.contextmanager
def running(tmp_path: Path, store: str, workers: int = 2) -> Iterator[Running]:
    folder = tmp_path / "service"
    (folder / "tmp").mkdir(parents=True)
    config = folder / "service.toml"
    config.write_text(
        f'store = "{store}"\ndata_dir = "files"\ntokens = "tokens.json"\n', encoding="utf-8"
    )
    tokens = FileTokenStore(folder / "tokens.json")
    operator = tokens.create("op", "operator", [J])[1]
    approver = tokens.create("boss", "approver", [J])[1]
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("RANDCHECK_SERVICE_")}
    env["TMPDIR"] = str(folder / "tmp")  # the uploads' scratch files: looked at after
    command = [sys.executable, "-c", RUN, "serve", "--config", str(config)]
    command += ["--port", str(port), "--workers", str(workers)]
    with (folder / "service.log").open("wb") as log:
        process = subprocess.Popen(
            command, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
    service = Running(process, port, store, folder, operator, approver)
    try:
        deadline = time.monotonic() + 60
        while True:
            assert process.poll() is None, service.log()
            with contextlib.suppress(httpx.TransportError):
                if httpx.get(f"{service.base}/health", timeout=2).status_code == 200:
                    break
            assert time.monotonic() < deadline, "the service did not start: " + service.log()
            time.sleep(0.1)
        yield service
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=20)


# --- clients writing --------------------------------------------------------------------


@dataclass
class Outcome:
    client: int
    reason: str  # unique per request: how its event is found in the ledger
    status: int | None  # None: no answer (the connection failed)
    body: dict[str, Any]
    content_type: str
    ended: float


@dataclass
class Writers:
    """Clients recording exceptions (one ``EXCEPTION_RECORDED`` event each) until
    stopped, each waiting for its answer before the next request."""

    service: Running
    outcomes: list[Outcome] = field(default_factory=list)
    waiting_since: dict[int, float | None] = field(default_factory=dict)
    _stop: threading.Event = field(default_factory=threading.Event)
    _threads: list[threading.Thread] = field(default_factory=list)
    _numbers: Iterator[int] = field(default_factory=itertools.count)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def start(self, clients: int = CLIENTS) -> None:
        for n in range(clients):
            self.waiting_since[n] = None
            thread = threading.Thread(target=self._client, args=(n,), daemon=True)
            thread.start()
            self._threads.append(thread)

    def _client(self, n: int) -> None:
        headers = {"Authorization": f"Bearer {self.service.approver}"}
        with httpx.Client(base_url=self.service.base, headers=headers, timeout=60) as http:
            while not self._stop.is_set():
                with self._lock:
                    reason = f"fault test request {next(self._numbers)}"
                body = {"rule_id": "faults", "subjects": [f"client-{n}"], "reason": reason}
                self.waiting_since[n] = time.monotonic()
                try:
                    answer = http.post(f"/j/{J}/exceptions", json=body)
                except httpx.TransportError:
                    outcome = Outcome(n, reason, None, {}, "", time.monotonic())
                else:
                    data = answer.json() if answer.content else {}
                    kind = answer.headers.get("content-type", "")
                    outcome = Outcome(n, reason, answer.status_code, data, kind, time.monotonic())
                self.waiting_since[n] = None
                with self._lock:
                    self.outcomes.append(outcome)
                if outcome.status != 201:
                    time.sleep(0.05)

    def acknowledged(self) -> int:
        with self._lock:
            return sum(o.status == 201 for o in self.outcomes)

    def all_waiting(self, longer_than: float) -> bool:
        now = time.monotonic()
        since = list(self.waiting_since.values())
        return all(s is not None and now - s > longer_than for s in since)

    def stop(self) -> list[Outcome]:
        self._stop.set()
        for thread in self._threads:
            thread.join(timeout=60)
            assert not thread.is_alive(), "a client did not stop"
        return self.outcomes


def _until(condition: Callable[[], bool], seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, f"waited {seconds} s for {what}"
        time.sleep(0.02)


def _write_once(service: Running) -> dict[str, Any]:
    answer = httpx.post(
        f"{service.base}/j/{J}/exceptions",
        headers={"Authorization": f"Bearer {service.approver}"},
        json={"rule_id": "faults", "subjects": ["setup"], "reason": f"one more {time.time()}"},
        timeout=60,
    )
    assert answer.status_code == 201, answer.text
    found: dict[str, Any] = answer.json()
    return found


def _assert_whole(store: str, outcomes: list[Outcome]) -> dict[str, Any]:
    """The chain verifies; every acknowledged write is in it at its seq with its hash;
    every exception in it was sent by a client. The stored events, by reason."""
    with open_store(store) as opened, opened.ledger(J, readonly=True) as ledger:
        report = ledger.verify()
        assert report.ok, f"#{report.first_break}: {report.reason}"
        events = ledger.verified_events()
    exceptions = [e for e in events if e.type is EventType.EXCEPTION_RECORDED]
    stored = {e.payload["reason"]: e for e in exceptions}
    assert len(stored) == len(exceptions), "a request stored twice"
    sent = {o.reason for o in outcomes}
    for outcome in outcomes:
        if outcome.status == 201:
            event = stored.get(outcome.reason)
            assert event is not None, f"acknowledged but not stored: {outcome}"
            assert (event.seq, event.hash) == (outcome.body["seq"], outcome.body["hash"])
    strays = [r for r in stored if r.startswith("fault test") and r not in sent]
    assert not strays, f"stored but never sent: {strays}"
    return stored


# --- a chain held, so that requests wait inside the service -------------------------


@contextlib.contextmanager
def chain_held(service: Running, postgres: Server | None) -> Iterator[None]:
    """The chain's lock, held by the test: every append waits for it, in flight."""
    if postgres is not None:
        import psycopg

        with psycopg.connect(postgres.url, autocommit=True) as db, db.transaction():
            db.execute(
                f'SELECT seq FROM "{postgres.schema}".ledger_heads WHERE chain = %s FOR UPDATE',
                (J,),
            )
            yield
        return
    lite = sqlite3.connect(service.folder / "ledgers" / f"{J}.sqlite", isolation_level=None)
    try:
        lite.execute("BEGIN IMMEDIATE")
        yield
        lite.execute("ROLLBACK")
    finally:
        lite.close()


def _pg_store(postgres: Server) -> tuple[str, Server, str]:
    """A schema of its own, and a name for the service's connections (to find them)."""
    server = postgres.isolated()
    name = f"randcheck-faults-{secrets.token_hex(4)}"
    return f"{server.store}&application_name={name}", server, name


# --- the faults ------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["sqlite", "postgresql"])
def test_a_worker_killed_mid_request_loses_nothing_acknowledged(
    kind: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    postgres = None
    store = f"sqlite://{tmp_path / 'service' / 'ledgers'}"
    if kind == "postgresql":
        store, postgres, _ = _pg_store(request.getfixturevalue("postgres"))
    with running(tmp_path, store) as service:
        _write_once(service)  # the chain exists
        writers = Writers(service)
        writers.start()
        _until(lambda: writers.acknowledged() >= 20, 30, "the first acknowledged writes")
        with chain_held(service, postgres):
            _until(lambda: writers.all_waiting(0.3), 30, "every client's append to wait")
            # a worker with requests in flight (every connection is one now): killed
            busy = [pid for pid in service.workers() if service.connected(pid)]
            assert busy, f"no worker holds a client's connection: {service.workers()}"
            before = writers.acknowledged()
            os.kill(busy[0], signal.SIGKILL)
            time.sleep(0.3)
        _until(lambda: writers.acknowledged() >= before + 40, 60, "writes after the kill")
        outcomes = writers.stop()
        assert _write_once(service)["seq"] > 0  # and the service still answers
        assert httpx.get(f"{service.base}/health", timeout=10).status_code == 200
    lost = [o for o in outcomes if o.status is None]
    assert lost, "the killed worker had requests in flight: some must have failed"
    assert all(o.status in (201, None) for o in outcomes), {o.status for o in outcomes}
    stored = _assert_whole(store, outcomes)
    # the killed requests were waiting for the lock: none of them was written
    assert not [o.reason for o in lost if o.reason in stored]


def test_the_database_ending_every_connection_under_load(tmp_path: Path, postgres: Server) -> None:
    import psycopg

    store, server, name = _pg_store(postgres)

    def end_connections() -> int:
        """Every connection of the service ended by the server at once, as a restart
        does; back when they are all gone."""
        with psycopg.connect(postgres.url, autocommit=True) as db:
            ended = [
                pid
                for pid, done in db.execute(
                    "SELECT pid, pg_terminate_backend(pid) FROM pg_stat_activity "
                    "WHERE application_name = %s",
                    (name,),
                )
                if done
            ]
            _until(
                lambda: (
                    not db.execute(
                        "SELECT 1 FROM pg_stat_activity WHERE pid = ANY(%s)", (ended,)
                    ).fetchall()
                ),
                30,
                "the connections to end",
            )
        return len(ended)

    with running(tmp_path, store) as service:
        _write_once(service)
        writers = Writers(service)
        writers.start()
        _until(lambda: writers.acknowledged() >= 20, 30, "the first acknowledged writes")
        # 1. while every client's append waits inside a transaction
        with chain_held(service, server):
            _until(lambda: writers.all_waiting(0.3), 30, "every client's append to wait")
            assert end_connections() >= CLIENTS
        _until(lambda: writers.acknowledged() >= 60, 60, "writes after the first restart")
        # 2. while they run
        assert end_connections() > 0
        count = writers.acknowledged()
        _until(lambda: writers.acknowledged() >= count + 60, 60, "writes after the second")
        outcomes = writers.stop()
    failed = [o for o in outcomes if o.status != 201]
    assert failed, "requests waiting in a transaction whose connection ended must fail"
    for outcome in failed:  # the database's absence is said, never a 500 or a 409
        assert outcome.status == 503, outcome
        assert outcome.content_type.startswith("application/problem+json"), outcome
        assert outcome.body["status"] == 503 and outcome.body["detail"], outcome
    # an ending costs a client the request it had in flight (or, at most, one more that
    # took a connection as it was being ended): the requests after succeed
    for client in range(CLIENTS):
        mine = [o.status for o in outcomes if o.client == client]
        assert mine.count(503) <= 4 and mine[-3:] == [201] * 3, (client, mine)
    _assert_whole(store, outcomes)


def _multipart(registry_json: bytes, boundary: str) -> bytes:
    return (
        (
            f'--{boundary}\r\nContent-Disposition: form-data; name="entities"; '
            f'filename="registry.json"\r\nContent-Type: application/json\r\n\r\n'
        ).encode()
        + registry_json
        + f"\r\n--{boundary}--\r\n".encode()
    )


def test_a_client_hanging_up_mid_upload_leaves_nothing(tmp_path: Path) -> None:
    def registry_bytes(seed: str) -> bytes:
        path = tmp_path / f"{seed}.json"
        write_registry(generate_registry(2000, 60, seed=seed), path)
        return path.read_bytes()

    cut = registry_bytes("cut")  # ~1 MB: read in several chunks by the service
    whole = registry_bytes("whole")
    store = f"sqlite://{tmp_path / 'service' / 'ledgers'}"
    with running(tmp_path, store) as service:
        boundary = "randcheck-fault-" + secrets.token_hex(8)
        body = _multipart(cut, boundary)
        for stop_at in (200, len(body) // 2, len(body) - 10):  # in the head, the middle, the end
            with socket.create_connection(("127.0.0.1", service.port), timeout=10) as raw:
                raw.sendall(
                    (
                        f"POST /j/{J}/registries HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                        f"Authorization: Bearer {service.operator}\r\n"
                        f"Content-Type: multipart/form-data; boundary={boundary}\r\n"
                        f"Content-Length: {len(body)}\r\n\r\n"
                    ).encode()
                    + body[:stop_at]
                )
                time.sleep(0.3)  # the service is reading the body when the client goes
        time.sleep(0.5)
        assert httpx.get(f"{service.base}/health", timeout=10).status_code == 200
        answer = httpx.post(
            f"{service.base}/j/{J}/registries",
            headers={"Authorization": f"Bearer {service.operator}"},
            files={"entities": ("registry.json", whole, "application/json")},
            timeout=60,
        )
        assert answer.status_code == 201, answer.text
        digest = answer.json()["digest"]
        listed = httpx.get(
            f"{service.base}/j/{J}/registries",
            headers={"Authorization": f"Bearer {service.operator}"},
            timeout=10,
        ).json()
        time.sleep(0.5)
        scratch = sorted(p.name for p in (service.folder / "tmp").iterdir())
    assert listed["registries"] == [digest], listed
    kept = sorted(p.name for p in (service.folder / "files" / J / "registries").iterdir())
    assert kept == [f"{digest}.json"]
    with open_store(store) as opened, opened.ledger(J, readonly=True) as ledger:
        assert ledger.verify().ok
        snapshots = [e for e in ledger.verified_events()]
    assert [e.type for e in snapshots] == [EventType.REGISTRY_SNAPSHOT]
    assert snapshots[0].payload["digest"] == digest
    assert not [name for name in scratch if name.startswith("randcheck-upload-")], scratch
