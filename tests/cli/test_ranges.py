"""Years, quarters, months and counts out of range are clear errors (exit 2) naming the
option and the value, in every command that takes them; ``calendar add DATE -3`` goes
back three working days without ``--``."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from randcheck.cli import app
from tests.cli.conftest import LEDGER

runner = CliRunner()
HUGE = "1" + "0" * 30


def _with_year(q: Path) -> dict[str, list[str]]:
    """Commands taking --year (or its like), every other argument valid."""
    ledger, registry = str(q / LEDGER), str(q / "registry.csv")
    return {
        "audit": ["audit", "--policy", "huojia", "--ledger", ledger, "--year"],
        "schedule": ["schedule", "--policy", "huojia", "--year"],
        "plan": ["plan", "--policy", "huojia", "--registry", registry, "--year"],
        "disclose": ["disclose", "--policy", "huojia", "--ledger", ledger, "--year"],
        "report yearly": ["report", "yearly", "--ledger", ledger, "--year"],
        "report credit-push": ["report", "credit-push", "--ledger", ledger, "--year"],
        "demo": ["demo", "--year"],
        "simulate": [
            *("simulate", "--policy", "huojia", "--registry", registry, "-o", "s.csv"),
            *("--replicates", "1", "--years", "1", "--workers", "1", "--no-progress"),
            "--start-year",
        ],
        "calendar years --from": ["calendar", "years", "--from"],
        "calendar years --to": ["calendar", "years", "--to"],
    }


@pytest.mark.parametrize("year", ["0", "1900", "99999", "-1", HUGE])
@pytest.mark.parametrize(
    "command",
    [
        "audit",
        "schedule",
        "plan",
        "disclose",
        "report yearly",
        "report credit-push",
        "demo",
        "simulate",
        "calendar years --from",
        "calendar years --to",
    ],
)
def test_a_year_out_of_range_names_the_option_and_the_value(
    quarter_files: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, command: str, year: str
) -> None:
    monkeypatch.chdir(tmp_path)
    args = _with_year(quarter_files)[command]
    result = runner.invoke(app, [*args, year])
    assert result.exit_code == 2, result.output
    assert f"{args[-1]} {year[:20]}" in result.stderr, result.stderr
    assert "Traceback" not in result.stderr and list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("quarter", ["0", "5", "-1", HUGE])
@pytest.mark.parametrize("command", ["audit", "plan", "disclose", "report quarterly", "demo"])
def test_a_quarter_out_of_range_names_the_option_and_the_value(
    quarter_files: Path, command: str, quarter: str
) -> None:
    ledger, registry = str(quarter_files / LEDGER), str(quarter_files / "registry.csv")
    args = {
        "audit": ["audit", "--policy", "huojia", "--ledger", ledger, "--year", "2025"],
        "plan": ["plan", "--policy", "huojia", "--registry", registry, "--year", "2025"],
        "disclose": ["disclose", "--policy", "huojia", "--ledger", ledger, "--year", "2025"],
        "report quarterly": ["report", "quarterly", "--ledger", ledger, "--year", "2025"],
        "demo": ["demo"],
    }[command]
    result = runner.invoke(app, [*args, "--quarter", quarter])
    assert result.exit_code == 2, result.output
    assert f"--quarter {quarter[:20]}" in result.stderr


@pytest.mark.parametrize("month", ["0", "13", "-1", HUGE])
def test_a_month_out_of_range_names_the_value(quarter_files: Path, month: str) -> None:
    ledger = str(quarter_files / LEDGER)
    result = runner.invoke(
        app, ["report", "monthly", "--ledger", ledger, "--year", "2025", "--month", month]
    )
    assert result.exit_code == 2 and f"--month {month[:20]}" in result.stderr


def test_simulate_refuses_a_start_before_the_policy(quarter_files: Path, tmp_path: Path) -> None:
    args = [
        *("simulate", "--policy", "huojia", "--registry", str(quarter_files / "registry.csv")),
        *("-o", str(tmp_path / "s.csv"), "--replicates", "1", "--no-progress"),
    ]
    before = runner.invoke(app, [*args, "--start-year", "2021"])
    assert before.exit_code == 2 and "start_year 2021" in before.stderr
    assert "2023-01-01" in before.stderr
    late = runner.invoke(app, [*args, "--start-year", "2190", "--years", "20"])
    assert late.exit_code == 2 and "2209" in late.stderr
    for option, value in (("--replicates", HUGE), ("--workers", "100000"), ("--years", "0")):
        refused = runner.invoke(app, [*args, option, value])
        assert refused.exit_code == 2, refused.output
    rate = runner.invoke(app, [*args, "--opening-rate", "nan"])
    assert rate.exit_code == 2 and "opening-rate" in rate.stderr
    assert list(tmp_path.iterdir()) == []


def test_synth_refuses_counts_it_could_never_make(tmp_path: Path) -> None:
    for option, value in (("--entities", HUGE), ("--jurisdictions", "200000")):
        result = runner.invoke(
            app, ["registry", "synth", "-o", str(tmp_path / "r.csv"), option, value]
        )
        assert result.exit_code == 2, result.output
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    "args",
    [
        ["calendar", "add", "2025-01-10", "-3"],
        ["calendar", "add", "2025-01-10", "-3", "--format", "text"],
        ["calendar", "add", "--format", "text", "2025-01-10", "-3"],
        ["calendar", "add", "2025-01-10", "--", "-3"],
    ],
)
def test_calendar_add_goes_back_with_a_negative_number(args: list[str]) -> None:
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == "2025-01-07"


def test_calendar_add_negative_as_json_and_bad_values() -> None:
    result = runner.invoke(app, ["calendar", "add", "2025-01-10", "-3", "--format", "json"])
    assert json.loads(result.stdout)["date"] == "2025-01-07"
    for bad in (["-x"], ["3", "--bogus"], [HUGE], ["-" + HUGE]):
        refused = runner.invoke(app, ["calendar", "add", "2025-01-10", *bad])
        assert refused.exit_code == 2, refused.output
        assert "Traceback" not in refused.output
    huge = runner.invoke(app, ["calendar", "add", "2025-01-10", HUGE])
    assert f"N {HUGE[:20]}" in huge.stderr


def test_calendar_years_from_after_to() -> None:
    result = runner.invoke(app, ["calendar", "years", "--from", "2030", "--to", "2020"])
    assert result.exit_code == 2 and "--to 2020" in result.stderr
