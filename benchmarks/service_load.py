"""The HTTP service under load (issue 16): ``randcheck serve`` with several workers,
many clients recording inspections at once, then every acknowledged write looked up
in the store.

On loopback only, bounded in time and count. For each store (PostgreSQL in a fresh
schema of the local server, then SQLite in a temporary folder):

1. start ``randcheck serve --workers N`` on a free port of 127.0.0.1;
2. set up, untimed, over HTTP: per jurisdiction a registry uploaded, a draw announced,
   sealed and dispatched (``TASK_DISPATCHED`` for every task, acknowledged with its
   seq), and an inspector's token per team;
3. for ``--seconds``, ``--clients`` clients (asyncio, keep-alive connections, each
   waiting for its answer before the next request) record results: per task of
   their own the inspection's start, end and result; once their tasks are done,
   correction cycles (request by the inspector, approval by the approver, the new
   result), every write a ledger event acknowledged with its seq and hash;
4. stop the service, then open the store directly: the chain of every jurisdiction
   verifies, and every acknowledged event is there at its seq with its hash.

Reports requests/s, acknowledged writes/s, p50/p99 latency, and whether the target
holds: >= 500 acknowledged writes/s on PostgreSQL with p99 <= 200 ms, and nothing
acknowledged lost (the 2-core machine of the project).

    python benchmarks/service_load.py                          # both stores, 60 s each
    python benchmarks/service_load.py --store postgresql --seconds 15
    python benchmarks/service_load.py --postgres postgresql://127.0.0.1:5432/test
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import datetime as dt
import json
import os
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

TARGET_WRITES = 500.0
TARGET_P99_MS = 200.0
DEFAULT_PG = os.environ.get("RANDCHECK_TEST_POSTGRES") or "postgresql://127.0.0.1:5432/test"
HOST = "127.0.0.1"  # loopback only: nothing here ever sends to another address
RUN = "import sys; from randcheck.cli import main; sys.exit(main())"  # `randcheck`, this Python


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        port: int = s.getsockname()[1]
        return port


# --- a small keep-alive HTTP/1.1 client (the load generator shares the 2 cores) ---------


class Connection:
    """One keep-alive connection to the service; one request at a time."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def request(
        self, method: str, path: str, token: str, body: dict[str, Any] | None = None
    ) -> tuple[int, dict[str, Any]]:
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection(HOST, self.port)
        assert self.reader is not None and self.writer is not None
        data = b"" if body is None else json.dumps(body).encode()
        head = (
            f"{method} {path} HTTP/1.1\r\nHost: {HOST}:{self.port}\r\n"
            f"Authorization: Bearer {token}\r\nContent-Length: {len(data)}\r\n"
            + ("Content-Type: application/json\r\n" if body is not None else "")
            + "\r\n"
        )
        try:
            self.writer.write(head.encode() + data)
            await self.writer.drain()
            status_line = await self.reader.readline()
            if not status_line:
                raise ConnectionError("the service closed the connection")
            status = int(status_line.split()[1])
            length = 0
            close = False
            while True:
                line = await self.reader.readline()
                if line in (b"\r\n", b""):
                    break
                name, _, value = line.decode("latin-1").partition(":")
                if name.lower() == "content-length":
                    length = int(value)
                elif name.lower() == "connection" and "close" in value.lower():
                    close = True
            payload = await self.reader.readexactly(length) if length else b""
        except BaseException:
            await self.close()
            raise
        if close:
            await self.close()
        return status, (json.loads(payload) if payload else {})

    async def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
            with contextlib.suppress(ConnectionError, OSError):
                await self.writer.wait_closed()
        self.reader = self.writer = None


# --- where the CPU went (Linux /proc): the service, PostgreSQL, this client, the rest ------


def cpu_ticks(service_group: int) -> Counter[str]:
    ticks: Counter[str] = Counter()
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        name, fields = stat.partition("(")[2].rpartition(")")[0], stat.rpartition(")")[2].split()
        used = int(fields[11]) + int(fields[12])  # utime + stime
        pid = int(entry.name)
        if pid == os.getpid():
            ticks["this client"] += used
        elif int(fields[2]) == service_group:
            ticks["the service"] += used
        elif name.startswith("postgres"):
            ticks["PostgreSQL (all of it)"] += used
        else:
            ticks["other processes"] += used
    return ticks


def cpu_split(before: Counter[str], after: Counter[str], seconds: float) -> str:
    per_second = os.sysconf("SC_CLK_TCK") * seconds
    parts = [(k, (after[k] - before[k]) / per_second) for k in after]
    return ", ".join(f"{k} {v:.2f}" for k, v in sorted(parts, key=lambda kv: -kv[1]))


# --- the run ------------------------------------------------------------------------------


@dataclass
class Task:
    jurisdiction: str
    task_id: str
    inspector: str
    result_seq: int | None = None


@dataclass
class Tally:
    latencies: list[float] = field(default_factory=list)
    statuses: Counter[int] = field(default_factory=Counter)
    failures: Counter[str] = field(default_factory=Counter)
    acknowledged: list[tuple[str, int, str, str]] = field(default_factory=list)
    """(jurisdiction, seq, hash, event type) of every write answered 201."""


@dataclass
class Plan:
    port: int
    tokens: dict[tuple[str, str], str]  # (jurisdiction, principal) -> token
    tasks: list[Task]
    dispatched: list[tuple[str, int, str]]  # (jurisdiction, seq, task id)


def start_service(config: Path, port: int, workers: int, log: Path) -> subprocess.Popen[bytes]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("RANDCHECK_SERVICE_")}
    command = [sys.executable, "-c", RUN, "serve", "--config", str(config)]
    command += ["--host", HOST, "--port", str(port), "--workers", str(workers)]
    with log.open("wb") as out:
        server = subprocess.Popen(
            command, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )
    import httpx

    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"the service stopped: {log.read_text(errors='replace')[-2000:]}")
        try:
            if httpx.get(f"http://{HOST}:{port}/health", timeout=2).status_code == 200:
                return server
        except httpx.HTTPError:
            time.sleep(0.2)
    stop_service(server)
    raise SystemExit("the service did not start within 60 s")


def stop_service(server: subprocess.Popen[bytes]) -> None:
    if server.poll() is None:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait(timeout=30)


def ok(response: Any) -> None:
    if response.status_code not in (200, 201):
        raise SystemExit(f"{response.request.url}: {response.status_code} {response.text}")


def set_up(
    port: int, folder: Path, jurisdictions: list[str], entities: int
) -> tuple[dict[tuple[str, str], str], list[Task], list[tuple[str, int, str]]]:
    """Per jurisdiction a registry, a draw announced, sealed and dispatched, over HTTP."""
    import httpx

    from randcheck.io import write_registry
    from randcheck.service.tokens import FileTokenStore
    from randcheck.synth import generate_registry

    store = FileTokenStore(folder / "tokens.json")
    tokens: dict[tuple[str, str], str] = {}

    def token(jurisdiction: str, name: str, role: str) -> str:
        if (jurisdiction, name) not in tokens:
            tokens[(jurisdiction, name)] = store.create(name, role, [jurisdiction])[1]
        return tokens[(jurisdiction, name)]

    tasks: list[Task] = []
    dispatched: list[tuple[str, int, str]] = []
    now = dt.datetime.now(dt.timezone.utc)
    quarter = (now.month - 1) // 3 + 1
    expected_at = now
    with httpx.Client(base_url=f"http://{HOST}:{port}", timeout=120) as http:
        draws: dict[str, str] = {}
        for n, j in enumerate(jurisdictions):
            op = {"Authorization": f"Bearer {token(j, 'op', 'operator')}"}
            token(j, "boss", "approver")
            registry = generate_registry(entities, max(20, entities // 30), seed=f"load-{n}")
            path = folder / f"registry-{j}.json"
            write_registry(registry, path)
            upload = http.post(
                f"/j/{j}/registries",
                headers=op,
                files={"entities": (path.name, path.read_bytes(), "application/json")},
            )
            ok(upload)
            expected_at = dt.datetime.now(dt.timezone.utc) + dt.timedelta(seconds=1)
            body = {
                "policy": "benxi",
                "year": now.year,
                "quarter": quarter,
                "registry": upload.json()["digest"],
                "randomness": {
                    "kind": "dice",
                    "source": "骰子 dice thrown before witnesses (load test)",
                    "expected_at": expected_at.isoformat(),
                },
            }
            committed = http.post(f"/j/{j}/draws", headers=op, json=body)
            ok(committed)
            draws[j] = committed.json()["draw_id"]
        time.sleep(max(0.0, (expected_at - dt.datetime.now(dt.timezone.utc)).total_seconds()))
        time.sleep(0.5)
        for j, draw_id in draws.items():
            op = {"Authorization": f"Bearer {tokens[(j, 'op')]}"}
            sealed = http.post(
                f"/j/{j}/draws/{draw_id}/seal",
                headers=op,
                json={"public_randomness": "".join(str(secrets.randbelow(10)) for _ in range(24))},
            )
            ok(sealed)
            sent = http.post(f"/j/{j}/draws/{draw_id}/dispatch", headers=op)
            ok(sent)
            for t in sent.json()["dispatched"]:
                dispatched.append((j, t["seq"], t["task_id"]))
                if not t["team"]:  # not inspected on site by a team (kept as dispatched)
                    continue
                inspector = t["team"][0]
                token(j, inspector, "inspector")
                tasks.append(Task(j, t["task_id"], inspector))
    return tokens, tasks, dispatched


async def client(
    plan: Plan, mine: list[Task], tally: Tally, started: float, deadline: float
) -> None:
    """One client: the inspection of each of its tasks, then correction cycles."""
    connection = Connection(plan.port)

    async def write(task: Task, path: str, who: str, body: dict[str, Any] | None) -> int | None:
        token = plan.tokens[(task.jurisdiction, who)]
        began = time.perf_counter()
        try:
            status, answer = await connection.request(
                "POST", f"/j/{task.jurisdiction}/tasks/{task.task_id}{path}", token, body
            )
        except (ConnectionError, OSError, asyncio.IncompleteReadError, ValueError) as exc:
            tally.failures[type(exc).__name__] += 1
            return None
        tally.latencies.append(time.perf_counter() - began)
        tally.statuses[status] += 1
        if status != 201:
            tally.failures[f"{status} {answer.get('detail', '')[:80]}"] += 1
            return None
        seq = int(answer["seq"])
        tally.acknowledged.append((task.jurisdiction, seq, answer["hash"], answer["type"]))
        return seq

    try:
        for task in mine:
            if time.perf_counter() >= deadline:
                return
            if await write(task, "/start", task.inspector, None) is None:
                continue
            if await write(task, "/complete", task.inspector, None) is None:
                continue
            task.result_seq = await write(
                task, "/result", task.inspector, {"outcome": "NO_PROBLEM"}
            )
        cycle = 0
        while time.perf_counter() < deadline and mine:
            task = mine[cycle % len(mine)]
            cycle += 1
            if task.result_seq is None:
                continue
            request = await write(
                task,
                "/corrections",
                task.inspector,
                {"result_seq": task.result_seq, "reason": "录入错误 entered wrongly"},
            )
            if request is None or time.perf_counter() >= deadline:
                continue
            if await write(task, f"/corrections/{request}/approval", "boss", None) is None:
                continue
            if time.perf_counter() >= deadline:
                continue
            task.result_seq = await write(
                task, "/result", task.inspector, {"outcome": "RECTIFY", "facts": "改正后"}
            )
    finally:
        await connection.close()


async def load(plan: Plan, clients: int, seconds: float) -> tuple[Tally, float]:
    tally = Tally()
    shares: list[list[Task]] = [[] for _ in range(clients)]
    for n, task in enumerate(plan.tasks):
        shares[n % clients].append(task)
    started = time.perf_counter()
    deadline = started + seconds
    await asyncio.gather(*(client(plan, share, tally, started, deadline) for share in shares))
    return tally, time.perf_counter() - started


def check_store(url: str, tally: Tally, dispatched: list[tuple[str, int, str]]) -> dict[str, Any]:
    """Every chain verifies; every acknowledged event is stored at its seq, with its hash."""
    from randcheck.ledger.stores import open_store

    found: dict[str, dict[int, Any]] = {}
    broken: list[str] = []
    with open_store(url) as store:
        for j in sorted({a[0] for a in tally.acknowledged} | {d[0] for d in dispatched}):
            with store.ledger(j, readonly=True) as ledger:
                report = ledger.verify()
                if not report.ok:
                    broken.append(f"{j}: {report.first_break} {report.reason}")
                found[j] = {e.seq: e for e in ledger.verified_events()} if report.ok else {}
    lost = [
        a
        for a in tally.acknowledged
        if (e := found.get(a[0], {}).get(a[1])) is None or e.hash != a[2] or e.type.value != a[3]
    ]
    lost += [
        (j, seq, "", task_id)
        for j, seq, task_id in dispatched
        if (e := found.get(j, {}).get(seq)) is None
        or e.type.value != "TASK_DISPATCHED"
        or e.payload.get("task_id") != task_id
    ]
    return {
        "chains": len(found),
        "events": sum(len(v) for v in found.values()),
        "broken": broken,
        "lost": lost,
    }


def run_store(kind: str, args: argparse.Namespace) -> bool:
    print(f"\n== {kind}: {args.workers} workers, {args.clients} clients, {args.seconds:g} s")
    folder = Path(tempfile.mkdtemp(prefix=f"randcheck-load-{kind}-"))
    schema = None
    if kind == "postgresql":
        import psycopg

        schema = f"randcheck_load_{os.getpid()}_{secrets.token_hex(4)}"
        with psycopg.connect(args.postgres, autocommit=True, connect_timeout=5) as db:
            db.execute(f'CREATE SCHEMA "{schema}"')
        separator = "&" if "?" in args.postgres else "?"
        url = f"{args.postgres}{separator}schema={schema}&application_name=randcheck-load"
    else:
        url = f"sqlite://{folder / 'ledgers'}"
    jurisdictions = [str(410721 + n) for n in range(args.jurisdictions)]
    config = folder / "service.toml"
    config.write_text(
        f'store = "{url}"\ndata_dir = "files"\ntokens = "tokens.json"\n', encoding="utf-8"
    )
    port = free_port()
    server = start_service(config, port, args.workers, folder / "service.log")
    try:
        began = time.perf_counter()
        tokens, tasks, dispatched = set_up(port, folder, jurisdictions, args.entities)
        print(
            f"set up in {time.perf_counter() - began:.1f} s: {len(jurisdictions)} jurisdictions, "
            f"{len(tasks)} tasks dispatched"
        )
        plan = Plan(port, tokens, tasks, dispatched)
        load_before, ticks = os.getloadavg()[0], cpu_ticks(server.pid)
        tally, elapsed = asyncio.run(load(plan, args.clients, args.seconds))
        ticks_after = cpu_ticks(server.pid)
        cpu = cpu_split(ticks, ticks_after, elapsed)
    finally:
        stop_service(server)
    try:
        checked = check_store(url, tally, dispatched)
    finally:
        if schema is not None and not args.keep:
            import psycopg

            with psycopg.connect(args.postgres, autocommit=True) as db:
                db.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
    requests = sum(tally.statuses.values())
    writes = len(tally.acknowledged)
    lat = sorted(tally.latencies)
    p50 = statistics.median(lat) * 1000 if lat else float("nan")
    p99 = lat[min(len(lat) - 1, int(len(lat) * 0.99))] * 1000 if lat else float("nan")
    print(f"requests     {requests} in {elapsed:.1f} s: {requests / elapsed:.0f}/s")
    print(f"acknowledged {writes} writes: {writes / elapsed:.0f}/s")
    print(f"latency      p50 {p50:.1f} ms, p99 {p99:.1f} ms, max {lat[-1] * 1000:.0f} ms")
    print(f"statuses     {dict(sorted(tally.statuses.items()))}")
    print(f"cores used   {cpu} (load average before: {load_before:.1f})")
    per_request = {
        k: (ticks_after[k] - ticks[k]) / os.sysconf("SC_CLK_TCK") * 1000 / max(1, requests)
        for k in ("the service", "PostgreSQL (all of it)", "this client")
    }
    print("CPU/request  " + ", ".join(f"{k} {v:.2f} ms" for k, v in per_request.items()))
    if tally.failures:
        print(f"failures     {dict(tally.failures.most_common(5))}")
    verdict = "every chain verifies" if not checked["broken"] else f"BROKEN {checked['broken']}"
    print(
        f"store        {checked['chains']} chains, {checked['events']} events; {verdict}; "
        f"acknowledged but not stored: {len(checked['lost'])}"
    )
    whole = not checked["broken"] and not checked["lost"]
    if kind == "postgresql":
        met = writes / elapsed >= TARGET_WRITES and p99 <= TARGET_P99_MS and whole
        print(
            f"target (>= {TARGET_WRITES:.0f} writes/s, p99 <= {TARGET_P99_MS:.0f} ms, nothing "
            f"lost): {'MET' if met else 'NOT MET'}"
        )
        return met
    print(f"nothing acknowledged lost: {'MET' if whole else 'NOT MET'}")
    return whole


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument(
        "--store",
        choices=["postgresql", "sqlite", "both"],
        default="both",
        help="default: PostgreSQL, then SQLite",
    )
    parser.add_argument("--postgres", default=DEFAULT_PG, help="the server (a local one)")
    parser.add_argument("--jurisdictions", type=int, default=5)
    parser.add_argument("--entities", type=int, default=3000, help="per jurisdiction")
    parser.add_argument("--keep", action="store_true", help="keep the PostgreSQL schema")
    args = parser.parse_args()
    if not 1 <= args.clients <= 500 or not 0 < args.seconds <= 600:
        parser.error("--clients 1..500 and --seconds up to 600: the run stays bounded")
    print(f"machine: {os.cpu_count()} cores, {os.uname().machine}, Python {sys.version.split()[0]}")
    kinds = ["postgresql", "sqlite"] if args.store == "both" else [args.store]
    results = [run_store(kind, args) for kind in kinds]
    sys.exit(0 if all(results) else 1)


if __name__ == "__main__":
    main()
