"""``randcheck calendar``."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from randcheck.cli import app

runner = CliRunner()


def test_add_prints_the_date() -> None:
    result = runner.invoke(app, ["calendar", "add", "2024-09-27", "7"])
    assert result.exit_code == 0
    assert result.stdout.strip() == "2024-10-12"


def test_add_says_estimated_when_it_rests_on_an_estimated_year() -> None:
    result = runner.invoke(app, ["calendar", "add", "2035-12-28", "5"])
    assert result.exit_code == 0
    assert "estimated" in result.stdout and "2036" in result.stdout
    as_json = runner.invoke(app, ["calendar", "add", "2035-12-28", "5", "--format", "json"])
    assert json.loads(as_json.stdout)["estimated"] is True


def test_a_schedule_file_makes_the_answer_official(tmp_path: Path) -> None:
    schedule = tmp_path / "2035.yaml"
    schedule.write_text(
        "year: 2035\nsource: test\nholidays:\n"
        "  - {name: 元旦, start: 2035-01-01, end: 2035-01-01}\n",
        encoding="utf-8",
    )
    result = runner.invoke(app, ["calendar", "add", "2035-03-01", "3", "--schedule", str(schedule)])
    assert result.exit_code == 0 and "estimated" not in result.stdout


def test_bad_date_is_an_error_without_traceback() -> None:
    result = runner.invoke(app, ["calendar", "add", "2024-13-01", "7"])
    assert result.exit_code == 2
    assert "error:" in result.stderr and "not a real date" in result.stderr
    assert "Traceback" not in result.output


def test_other_commands() -> None:
    assert "working day" in runner.invoke(app, ["calendar", "is-working", "2024-09-29"]).stdout
    assert (
        runner.invoke(app, ["calendar", "between", "2024-09-27", "2024-10-12"]).stdout.strip()
        == "7"
    )
    years = runner.invoke(app, ["calendar", "years", "--from", "2025", "--to", "2035"]).stdout
    assert "official" in years and "estimated" in years
