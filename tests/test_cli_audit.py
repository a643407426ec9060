"""``randcheck audit`` and the demo's ledger."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

from typer.testing import CliRunner

from randcheck.cli import app

runner = CliRunner()


def _demo_ledger(tmp_path: Path) -> Path:
    result = runner.invoke(app, ["demo", "--policy", "suixian", "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    (ledger,) = tmp_path.glob("*.sqlite")
    return ledger


def test_demo_writes_a_ledger_and_audit_finds_the_planted_faults(tmp_path: Path) -> None:
    ledger = _demo_ledger(tmp_path)
    result = runner.invoke(
        app,
        [
            "audit",
            "--policy",
            "suixian",
            "--ledger",
            str(ledger),
            "--year",
            "2025",
            "--quarter",
            "3",
            "--as-of",
            "2025-12-15",
            "--format",
            "json",
        ],
    )
    assert result.exit_code == 1
    data = json.loads(result.stdout)
    assert not data["passed"]
    kinds = sorted(v["kind"] for v in data["violations"])
    assert kinds == ["result_entry.late", "result_entry.late"]


def test_audit_writes_markdown_and_html_reports(tmp_path: Path) -> None:
    ledger = _demo_ledger(tmp_path)
    for name in ("verdict.md", "verdict.html"):
        result = runner.invoke(
            app,
            [
                "audit",
                "--policy",
                "suixian",
                "--ledger",
                str(ledger),
                "--year",
                "2025",
                "--quarter",
                "3",
                "--as-of",
                "2025-12-15",
                "-o",
                str(tmp_path / name),
            ],
        )
        assert result.exit_code == 1 and (tmp_path / name).exists()
    assert "三(四)" in (tmp_path / "verdict.md").read_text(encoding="utf-8")
    assert (tmp_path / "verdict.html").read_text(encoding="utf-8").startswith("<!DOCTYPE html>")


def test_a_broken_ledger_is_refused(tmp_path: Path) -> None:
    ledger = _demo_ledger(tmp_path)
    db = sqlite3.connect(ledger)
    db.execute("UPDATE events SET actor = 'x' WHERE seq = 5")
    db.commit()
    db.close()
    result = runner.invoke(
        app, ["audit", "--policy", "suixian", "--ledger", str(ledger), "--year", "2025"]
    )
    assert result.exit_code == 2 and "chain is broken at event #5" in result.stderr
