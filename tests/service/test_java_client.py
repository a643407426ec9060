"""The Java client example (examples/java): ``run.sh`` makes a store, tokens and a
``randcheck serve`` in a folder, compiles ``RandcheckClient.java`` and walks the flow over
HTTP. What it prints is checked against what the service recorded: the ledger must hold
every event the client caused, each with the token's principal as its actor, and the
verdict printed must be the audit of that ledger."""

from __future__ import annotations

import datetime as dt
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from randcheck.audit.run import audit
from randcheck.io import read_registry
from randcheck.ledger.stores import read_verified
from randcheck.periods import Quarter
from randcheck.policies import in_force_during
from randcheck.service.tokens import FileTokenStore

ROOT = Path(__file__).resolve().parents[2]
RUN = ROOT / "examples" / "java" / "run.sh"
RANDCHECK = Path(sys.executable).parent / "randcheck"
J = "410724"

pytestmark = [
    pytest.mark.skipif(
        shutil.which("javac") is None or shutil.which("java") is None,
        reason="no JDK: javac and java are not on PATH",
    ),
    pytest.mark.skipif(
        not RANDCHECK.exists(), reason=f"the randcheck command is not installed at {RANDCHECK}"
    ),
]

STEPS = [
    "upload registry",
    "commit draw",
    "seal",
    "dispatch",
    "read task",
    "start inspection",
    "complete inspection",
    "record result",
    "reveal",
    "ledger head",
    "audit verdict",
]
STEP = re.compile(r"^(?P<step>[a-z][a-z ]*?) +(?P<status>\d{3})  (?P<rest>.*)$")


def _run_client(work: Path) -> str:
    env = {k: v for k, v in os.environ.items() if not k.startswith("RANDCHECK")}
    env.update(
        RANDCHECK=str(RANDCHECK),
        PYTHON=sys.executable,
        RANDCHECK_JAVA_WORKDIR=str(work),
    )
    ran = subprocess.run(
        ["bash", str(RUN)],
        env=env,
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=600,
        check=False,
    )
    assert ran.returncode == 0, ran.stdout + ran.stderr
    return ran.stdout


def _field(output: str, name: str) -> str:
    found = re.search(rf"^{name}: +(.+)$", output, re.MULTILINE)
    assert found, f"no {name!r} line in:\n{output}"
    return found.group(1)


def test_the_java_client_walks_the_flow_and_the_ledger_shows_it(tmp_path: Path) -> None:
    work = tmp_path / "work"
    output = _run_client(work)

    # every step printed, in order, each answered 2xx
    steps = [m for m in map(STEP.match, output.splitlines()) if m]
    assert [m["step"] for m in steps] == STEPS, output
    assert all(m["status"].startswith("2") for m in steps), output
    said = {m["step"]: m["rest"] for m in steps}
    assert said["record result"].startswith("RESULT_RECORDED #")
    period = re.search(r"benxi (\d{4})Q([1-4])$", output.splitlines()[1])
    assert period, output
    year, quarter = int(period[1]), int(period[2])
    task_id, inspector = re.fullmatch(r"(\S+) \((\S+)\)", _field(output, "task")).groups()  # type: ignore[union-attr]
    head_hash, head_count = _field(output, "ledger head").split(":")
    verdict_line = _field(output, "verdict")
    assert verdict_line.startswith(("passed=true;", "passed=false;"))

    # the ledger the service kept: the events the client caused, in order
    events = read_verified(work / "ledgers" / f"{J}.sqlite")
    dispatched = int(said["dispatch"].split()[0])
    types = [e.type.value for e in events]
    assert types == [
        "REGISTRY_SNAPSHOT",
        "DRAW_ANNOUNCED",
        "DRAW_SEALED",
        *["TASK_DISPATCHED"] * dispatched,
        "LIST_ACCESSED",
        "INSPECTION_STARTED",
        "INSPECTION_COMPLETED",
        "RESULT_RECORDED",
        "DRAW_REVEALED",
    ]
    assert (events[-1].hash, len(events)) == (head_hash, int(head_count))
    assert said["record result"] == f"RESULT_RECORDED #{events[-2].seq}"

    # each with the token's principal as its actor
    records = FileTokenStore(work / "tokens.json").records()
    [operator] = [r.name for r in records if r.role == "operator"]
    inspectors = {r.name for r in records if r.role == "inspector"}
    assert inspector in inspectors
    by_operator = {"REGISTRY_SNAPSHOT", "DRAW_ANNOUNCED", "DRAW_SEALED", "TASK_DISPATCHED"}
    assert {e.actor for e in events if e.type.value in by_operator | {"DRAW_REVEALED"}} == {
        operator
    }
    [dispatch] = [
        e for e in events if e.type.value == "TASK_DISPATCHED" and e.payload["task_id"] == task_id
    ]
    assert inspector in dispatch.payload["inspectors"]
    by_inspector = events[-5:-1]
    assert {e.actor for e in by_inspector} == {inspector}
    read, started, completed, result = by_inspector
    assert (read.subject, read.payload["role"]) == (task_id, "TEAM")
    assert {e.payload["task_id"] for e in (started, completed, result)} == {task_id}
    assert result.payload["outcome"] == "NO_PROBLEM"

    # the verdict printed is the audit of this ledger (the library's own, recomputed)
    as_of = dt.date.fromisoformat(re.search(r"as of (\d{4}-\d\d-\d\d)", verdict_line)[1])  # type: ignore[index]
    period_q = Quarter(year, quarter)
    policy = in_force_during("benxi", period_q.start, period_q.end)
    registry = read_registry(work / "registry.json").registry
    verdict = audit(policy, events, year, quarter=quarter, as_of=as_of, registry=registry)
    counts = ", ".join(f"{k} {v}" for k, v in verdict.counts().items())
    passed = "true" if verdict.passed else "false"
    assert verdict_line.startswith(f"passed={passed}; {counts} "), (verdict_line, counts)
    assert f"ledger {len(events)} events" in verdict_line
