"""``randcheck serve``: uvicorn with several workers, each building the app from the same
settings, on loopback; and settings that are wrong stop it before it serves."""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections import Counter
from pathlib import Path

import pytest
import typer
import uvicorn
from typer.testing import CliRunner

from randcheck.cli import _Group, service_cmd
from randcheck.service.tokens import FileTokenStore
from tests.ledger.pg_server import DEFAULT

# The commands mounted as the CLI mounts them (the lead registers them in randcheck.cli).
RUN = """
import sys, typer
from randcheck.cli import _Group, service_cmd
cli = typer.Typer(cls=_Group, pretty_exceptions_enable=False)
cli.add_typer(service_cmd.app, name="service")
cli.command("serve")(service_cmd.serve)
cli(sys.argv[1:])
"""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def _get(url: str, token: str | None = None) -> tuple[int, dict[str, object]]:
    request = urllib.request.Request(url)
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def _h2c_offer(port: int, path: str, token: str, data: bytes) -> tuple[int, dict[str, object]]:
    """A POST as Java's HttpClient sends it by default: an offer to upgrade to HTTP/2
    (h2c) and a chunked body."""
    head = (
        f"POST {path} HTTP/1.1\r\nConnection: Upgrade, HTTP2-Settings\r\n"
        f"Host: 127.0.0.1:{port}\r\n"
        "HTTP2-Settings: AAEAAEAAAAIAAAAAAAMAAAAAAAQBAAAAAAUAAEAAAAYABgAA\r\n"
        "Transfer-encoding: chunked\r\nUpgrade: h2c\r\nUser-Agent: Java-http-client/17\r\n"
        f"Authorization: Bearer {token}\r\nContent-Type: application/json\r\n\r\n"
    ).encode()
    chunked = b"%x\r\n%s\r\n0\r\n\r\n" % (len(data), data)
    with socket.create_connection(("127.0.0.1", port), timeout=10) as connection:
        connection.sendall(head + chunked)
        answer = b""
        while b"\r\n\r\n" not in answer:
            answer += connection.recv(65536)
        header, _, body = answer.partition(b"\r\n\r\n")
        length = int(re.search(rb"(?i)content-length: *(\d+)", header).group(1))  # type: ignore[union-attr]
        while len(body) < length:
            body += connection.recv(65536)
    status = int(header.split()[1])
    return status, json.loads(body) if header.lower().find(b"json") >= 0 else {"text": body}


def test_serve_runs_workers_from_a_config_file(tmp_path: Path) -> None:
    config = tmp_path / "service.yaml"
    config.write_text("store: ledgers\ntokens: tokens.json\n", encoding="utf-8")
    # relative paths in the file are the file's, wherever the service starts
    token = FileTokenStore(tmp_path / "tokens.json").create("aud", "auditor", ["*"])[1]
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("RANDCHECK_SERVICE_")}
    server = subprocess.Popen(
        [
            sys.executable,
            "-c",
            RUN,
            "serve",
            "--config",
            str(config),
            "--port",
            str(port),
            "--workers",
            "2",
        ],
        cwd=tmp_path.parent,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        for _ in range(100):
            try:
                status, body = _get(f"{base}/health")
                break
            except (urllib.error.URLError, ConnectionError):
                time.sleep(0.1)
        else:
            raise AssertionError("the service did not start")
        assert status == 200 and body["status"] == "ok"
        assert _get(f"{base}/j/410724/ledger/events")[0] == 401
        status, body = _get(f"{base}/j/410724/ledger/events", token)
        assert status == 200 and body["total"] == 0
        # Java's HttpClient offers HTTP/2 (Upgrade: h2c) with a chunked body: the offer is
        # ignored and the body read (a field of it named in the answer)
        operator = FileTokenStore(tmp_path / "tokens.json").create("op", "operator", ["*"])[1]
        status, body = _h2c_offer(port, "/j/410724/plans", operator, b'{"year": 2025, "sneaky": 1}')
        assert status == 422 and body["field"] == "body.sneaky", body
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=20)
    assert (tmp_path / "ledgers").is_dir()


def test_bad_settings_stop_serve_before_it_serves(tmp_path: Path) -> None:
    config = tmp_path / "service.toml"
    config.write_text('store = "x"\n[jwt]\nissuer = "i"\naudience = "a"\nkeys = ["none.pem"]\n')
    ran = subprocess.run(
        [sys.executable, "-c", RUN, "serve", "--config", str(config), "--port", str(_free_port())],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert ran.returncode == 2, ran.stderr
    assert "none.pem" in ran.stderr and "Traceback" not in ran.stderr


def _serve(tmp_path: Path, store: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("RANDCHECK_SERVICE_")}
    return subprocess.run(
        [sys.executable, "-c", RUN, "serve", "--store", store, "--port", str(_free_port())],
        cwd=tmp_path,
        env={**env, "RANDCHECK_SERVICE_DATA_DIR": str(tmp_path / "files")},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_serve_connects_to_the_store_before_it_serves(tmp_path: Path) -> None:
    """A database that cannot be reached is said before serving, naming the setting, the
    password hidden, no traceback (not a 503 at the first request)."""
    closed = _free_port()  # nothing listens there
    ran = _serve(tmp_path, f"postgresql://randcheck:s3cret@127.0.0.1:{closed}/randcheck")
    assert ran.returncode == 2, ran.stderr
    assert "setting store" in ran.stderr and "cannot connect to PostgreSQL" in ran.stderr
    assert "s3cret" not in ran.stderr + ran.stdout and "***" in ran.stderr
    assert "Traceback" not in ran.stderr and "What to do:" in ran.stderr
    assert "randcheck service on" not in ran.stdout


def test_serve_names_a_missing_database(tmp_path: Path) -> None:
    url = os.environ.get("RANDCHECK_TEST_POSTGRES") or DEFAULT
    try:
        import psycopg

        psycopg.connect(url, connect_timeout=5).close()
    except Exception as exc:
        if os.environ.get("RANDCHECK_REQUIRE_POSTGRES") == "1":
            raise
        pytest.skip(f"no PostgreSQL server: {exc}")
    base, _, _ = url.partition("?")
    missing = base.rsplit("/", 1)[0] + "/randcheck_no_such_database"
    ran = _serve(tmp_path, missing)
    assert ran.returncode == 2, ran.stderr
    assert "setting store" in ran.stderr and "does not exist" in ran.stderr
    assert "createdb" in ran.stderr and "Traceback" not in ran.stderr


def test_serve_turns_the_access_log_off_by_default(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ran: list[dict[str, object]] = []
    monkeypatch.setattr(uvicorn, "run", lambda *a, **kw: ran.append(kw))
    monkeypatch.chdir(tmp_path)
    cli = typer.Typer(cls=_Group, pretty_exceptions_enable=False)
    cli.command("serve")(service_cmd.serve)
    cli.command("other")(lambda: None)
    runner = CliRunner()
    for args, logged in (([], False), (["--access-log"], True), (["--no-access-log"], False)):
        result = runner.invoke(cli, ["serve", "--store", str(tmp_path / "ledgers"), *args])
        assert result.exit_code == 0, result.output
        assert ran[-1]["access_log"] is logged


def _socket_owners(server_pid: int, port: int) -> dict[int, int]:
    """Which worker process holds the service's end of each connection to ``port``:
    client port -> worker pid (Linux's /proc)."""
    inodes: dict[str, int] = {}  # the service's socket inode -> the client's port
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        with open(table, encoding="ascii") as lines:
            for line in list(lines)[1:]:
                fields = line.split()
                local, remote, state, inode = fields[1], fields[2], fields[3], fields[9]
                if state == "01" and int(local.rsplit(":", 1)[1], 16) == port:
                    inodes[inode] = int(remote.rsplit(":", 1)[1], 16)
    owners: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", encoding="ascii") as stat:
                if int(stat.read().rpartition(")")[2].split()[1]) != server_pid:
                    continue  # not one of the service's workers
            for fd in os.listdir(f"/proc/{entry}/fd"):
                target = os.readlink(f"/proc/{entry}/fd/{fd}")
                if target.startswith("socket:[") and target[8:-1] in inodes:
                    owners[inodes[target[8:-1]]] = int(entry)
        except OSError:
            continue
    return owners


@pytest.mark.skipif(not os.path.exists("/proc/net/tcp"), reason="reads Linux's /proc")
def test_serve_spreads_connections_evenly_over_its_workers(tmp_path: Path) -> None:
    """Keep-alive connections that arrive together (a platform's pool starting) are
    shared out among the workers, not all taken by the first worker to wake."""
    workers, clients = 4, 40
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("RANDCHECK_SERVICE_")}
    log = tmp_path / "serve.log"
    options = ["--port", str(port), "--workers", str(workers)]
    with log.open("wb") as out:
        server = subprocess.Popen(
            [sys.executable, "-c", RUN, "serve", "--store", str(tmp_path / "ledgers"), *options],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    connections: list[socket.socket] = []
    try:
        deadline = time.monotonic() + 60
        while log.read_text(errors="replace").count("Application startup complete") < workers:
            assert server.poll() is None and time.monotonic() < deadline, log.read_text()
            time.sleep(0.1)
        for _ in range(clients):  # all connected (waiting to be accepted) at once
            connections.append(socket.create_connection(("127.0.0.1", port), timeout=10))
        ours = sorted(c.getsockname()[1] for c in connections)
        while sorted(owners := _socket_owners(server.pid, port)) != ours:
            assert time.monotonic() < deadline + 30, f"not all accepted: {len(owners)}"
            time.sleep(0.05)
        held = sorted(Counter(owners.values()).values())
        request = f"GET /health HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n\r\n".encode()
        for connection in connections:
            connection.sendall(request)
        for connection in connections:
            assert connection.recv(65536).startswith(b"HTTP/1.1 200"), "no answer"
        # even: 10 each here every time; without the balancing one worker held 20-22
        assert len(held) == workers and held[-1] <= 17, held
    finally:
        for connection in connections:
            connection.close()
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=20)
    assert server.returncode == 0 and "Traceback" not in log.read_text(errors="replace")
