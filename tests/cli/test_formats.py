"""The output format follows the file's extension; an extension a command cannot write,
or a --format that disagrees with it, is refused; a name without an extension is
written exactly as given, in the --format asked for."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from randcheck.cli import app
from tests.cli.conftest import LEDGER

runner = CliRunner()


def _audit(q: Path) -> list[str]:
    return ["audit", "--policy", "huojia", "--ledger", str(q / LEDGER), "--year", "2025"]


def _plan(q: Path) -> list[str]:
    return ["plan", "--policy", "huojia", "--registry", str(q / "registry.csv"), "--year", "2025"]


@pytest.mark.parametrize(
    ("args", "name", "listed"),
    [
        (lambda q: _audit(q), "a.xlsx", ".htm, .html, .json, .markdown, .md"),
        (lambda q: _plan(q), "p.pdf", ".csv, .json, .xlsx"),
        (lambda q: ["schedule", "--policy", "huojia", "--year", "2025"], "s.txt", ".ics"),
        (
            lambda q: ["report", "yearly", "--ledger", str(q / LEDGER), "--year", "2025"],
            "r.md",
            ".csv, .json, .xlsx",
        ),
        (
            lambda q: [
                *("simulate", "--policy", "huojia", "--registry", str(q / "registry.csv")),
                "--no-progress",
            ],
            "s.xlsx",
            ".csv, .parquet",
        ),
        (lambda q: ["registry", "synth"], "r.txt", ".csv, .json, .xlsx"),
    ],
)
def test_an_extension_the_command_cannot_write_is_refused(
    quarter_files: Path, tmp_path: Path, args: object, name: str, listed: str
) -> None:
    command = args(quarter_files)  # type: ignore[operator]
    result = runner.invoke(app, [*command, "-o", str(tmp_path / name)])
    assert result.exit_code == 2, result.output
    assert listed in result.stderr and "Traceback" not in result.stderr
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    ("args", "fmt", "name"),
    [
        (lambda q: ["schedule", "--policy", "huojia", "--year", "2025"], "csv", "x.xlsx"),
        (lambda q: ["schedule", "--policy", "huojia", "--year", "2025"], "ics", "x.json"),
        (lambda q: _audit(q), "html", "a.md"),
        (lambda q: _audit(q), "json", "a.html"),
    ],
)
def test_a_format_that_disagrees_with_the_extension_is_refused(
    quarter_files: Path, tmp_path: Path, args: object, fmt: str, name: str
) -> None:
    command = args(quarter_files)  # type: ignore[operator]
    result = runner.invoke(app, [*command, "--format", fmt, "-o", str(tmp_path / name)])
    assert result.exit_code == 2, result.output
    assert f"--format {fmt}" in result.stderr and name in result.stderr
    assert list(tmp_path.iterdir()) == []


def test_the_extension_decides_and_exactly_that_file_is_written(
    quarter_files: Path, tmp_path: Path
) -> None:
    schedule = ["schedule", "--policy", "huojia", "--year", "2025"]
    made = runner.invoke(app, [*schedule, "--format", "csv", "-o", str(tmp_path / "s.csv")])
    assert made.exit_code == 0, made.output
    assert runner.invoke(app, [*schedule, "-o", str(tmp_path / "s.ics")]).exit_code == 0
    assert runner.invoke(app, [*schedule, "-o", str(tmp_path / "s.JSON")]).exit_code == 0
    audited = runner.invoke(app, [*_audit(quarter_files), "-o", str(tmp_path / "a.html")])
    assert audited.exit_code in (0, 1)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.html", "s.JSON", "s.csv", "s.ics"]
    assert (tmp_path / "s.ics").read_text(encoding="utf-8").startswith("BEGIN:VCALENDAR")
    assert json.loads((tmp_path / "s.JSON").read_text(encoding="utf-8"))["rows"]
    assert (tmp_path / "a.html").read_text(encoding="utf-8").startswith("<!DOCTYPE html>")


def test_a_name_without_extension_needs_format_and_is_written_as_given(
    quarter_files: Path, tmp_path: Path
) -> None:
    schedule = ["schedule", "--policy", "huojia", "--year", "2025"]
    refused = runner.invoke(app, [*schedule, "-o", str(tmp_path / "plain")])
    assert refused.exit_code == 2 and "no extension" in refused.stderr
    refused = runner.invoke(app, [*_plan(quarter_files), "-o", str(tmp_path / "plain")])
    assert refused.exit_code == 2 and "no extension" in refused.stderr
    assert list(tmp_path.iterdir()) == []
    made = runner.invoke(app, [*schedule, "--format", "json", "-o", str(tmp_path / "plain")])
    assert made.exit_code == 0, made.output
    assert json.loads((tmp_path / "plain").read_text(encoding="utf-8"))["rows"]
    audited = runner.invoke(
        app, [*_audit(quarter_files), "--format", "md", "-o", str(tmp_path / "verdict")]
    )
    assert audited.exit_code in (0, 1), audited.output
    assert sorted(p.name for p in tmp_path.iterdir()) == ["plain", "verdict"]
    assert (tmp_path / "verdict").read_text(encoding="utf-8").startswith("# ")
