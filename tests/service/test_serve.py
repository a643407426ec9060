"""``randcheck serve``: uvicorn with several workers, each building the app from the same
settings, on loopback; and settings that are wrong stop it before it serves."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

from randcheck.service.tokens import FileTokenStore

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
