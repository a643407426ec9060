"""``randcheck ledger show``: a ledger's events listed, filtered, as a table, JSON or
CSV; read-only."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from randcheck.cli import app
from randcheck.imports import import_records
from randcheck.ledger.stores import open_ledger
from tests.imports.helpers import platform_csv

runner = CliRunner()


def _ledger(tmp_path: Path) -> Path:
    path = tmp_path / "l.sqlite"
    with open_ledger(path) as ledger:
        import_records(ledger, [platform_csv(tmp_path)])
        ledger.append("RESULT_RECORDED", actor="李四", payload={"task_id": "T9",
                      "outcome": "NO_PROBLEM", "facts": "=1+2"})  # fmt: skip
    return path


def test_the_table_shows_number_type_actor_and_source(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from randcheck.cli._output import console

    monkeypatch.setattr(console, "_width", 250)  # one line per event
    ledger = _ledger(tmp_path)
    result = runner.invoke(app, ["ledger", "show", str(ledger), "--task", "T2"])
    assert result.exit_code == 0, result.output
    assert "RECTIFICATION_ORDERED 责令整改" in result.stdout
    assert "tasks.csv row 3" in result.stdout and "2025-03-06 09:00" in result.stdout
    assert "7 events" in result.stdout and "T1" not in result.stdout


def test_json_lists_the_events_as_stored(tmp_path: Path) -> None:
    ledger = _ledger(tmp_path)
    result = runner.invoke(app, ["ledger", "show", str(ledger), "--type", "检查结果录入",
                                 "--format", "json"])  # fmt: skip
    data = json.loads(result.stdout)
    assert [e["subject"] for e in data] == ["T1", "T2", "T3", "T9"]
    assert data[0]["payload"]["source"] == {"file": "tasks.csv", "sheet": None, "row": 2}
    assert "source" not in data[3]["payload"] and len(data[3]["hash"]) == 64


def test_csv_to_a_file_is_formula_safe_and_a_disclosure_counts_for_its_task(
    tmp_path: Path,
) -> None:
    ledger = _ledger(tmp_path)
    out = tmp_path / "events.csv"
    result = runner.invoke(app, ["ledger", "show", str(ledger), "-o", str(out)])
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8-sig"))))
    assert rows[-1]["subject"] == "T9" and json.loads(rows[-1]["payload"])["facts"] == "=1+2"
    assert not any(cell.startswith("=") for row in rows for cell in row.values())
    task = runner.invoke(app, ["ledger", "show", str(ledger), "--task", "T1", "--format", "csv"])
    kinds = [r["type"] for r in csv.DictReader(io.StringIO(task.stdout))]
    assert kinds[-1] == "DISCLOSURE_PUBLISHED" and len(kinds) == 5


def test_showing_writes_nothing_to_the_ledger(tmp_path: Path) -> None:
    ledger = _ledger(tmp_path)
    before = {p.name: p.read_bytes() for p in tmp_path.iterdir() if p.is_file()}
    for args in (["--format", "json"], ["--task", "T1"], []):
        assert runner.invoke(app, ["ledger", "show", str(ledger), *args]).exit_code == 0
    after = {p.name: p.read_bytes() for p in tmp_path.iterdir() if p.is_file()}
    assert after == before


def test_bad_arguments_exit_2(tmp_path: Path) -> None:
    ledger = _ledger(tmp_path)
    cases = [
        (["--type", "NOPE"], "unknown event type"),
        (["-o", str(ledger)], "also an input"),
        (["-o", str(tmp_path / "x.xlsx")], "unknown output format"),
        (["-o", str(tmp_path / "x.csv"), "--format", "json"], "disagrees"),
    ]
    for args, found in cases:
        result = runner.invoke(app, ["ledger", "show", str(ledger), *args])
        assert result.exit_code == 2 and found in result.stderr, (args, result.output)
    missing = runner.invoke(app, ["ledger", "show", str(tmp_path / "none.sqlite")])
    assert missing.exit_code == 2 and "does not exist" in missing.stderr
    assert not (tmp_path / "none.sqlite").exists()
