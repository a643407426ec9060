"""``randcheck ledger import``: exports into the ledger, all or none, every problem
listed, the same file twice adding nothing; randcheck's own published disclosure
tables read back."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from randcheck.cli import app
from randcheck.ledger.events import EventType
from randcheck.ledger.stores import open_ledger
from tests.cli.conftest import LEDGER
from tests.imports.helpers import ROWS, U2, platform_csv, write_csv

runner = CliRunner()


def _run(*args: str | Path) -> object:
    return runner.invoke(app, [str(a) for a in args])


def _events(path: Path) -> list:
    with open_ledger(path, readonly=True) as ledger:
        return list(ledger.events())


def test_an_export_is_imported_and_the_same_file_again_adds_nothing(tmp_path: Path) -> None:
    export = platform_csv(tmp_path)
    ledger = tmp_path / "l.sqlite"
    first = _run("ledger", "import", export, "--ledger", ledger, "--actor", "省平台管理员")
    assert first.exit_code == 0, first.output
    assert "mapping platform-export (picked: 18 of 18 headers known)" in first.stdout
    assert "3 rows; 17 events added, 0 already in the ledger" in first.stdout
    assert "检查人员 (TEAMS)" in first.stdout and "ledger head 台账头:" in first.stdout
    again = _run("ledger", "import", export, "--ledger", ledger)
    assert again.exit_code == 0
    assert "0 events added, 17 already in the ledger" in again.stdout
    assert "imported before (event #18)" in again.stdout
    events = _events(ledger)
    assert len(events) == 18 and events[-1].actor == "省平台管理员"


def test_problems_are_all_listed_exit_2_and_no_ledger_is_left_behind(tmp_path: Path) -> None:
    rows = [list(r) for r in ROWS]
    rows[0][10] = "昨天"
    rows[2][13] = "很好"
    export = platform_csv(tmp_path, rows=rows)
    ledger = tmp_path / "l.sqlite"
    result = _run("ledger", "import", export, "--ledger", ledger)
    assert result.exit_code == 2
    assert "2 problems found; nothing was imported." in result.stderr
    assert "tasks.csv, row 2, column 检查日期: '昨天' is not a date" in result.stderr
    assert "tasks.csv, row 4, column 检查结果: '很好' is not one of" in result.stderr
    assert "--skip-bad-rows" in result.stderr and "Traceback" not in result.output
    assert not ledger.exists()


def test_an_existing_ledger_is_left_as_it_was_when_there_are_problems(tmp_path: Path) -> None:
    ledger = tmp_path / "l.sqlite"
    assert _run("ledger", "import", platform_csv(tmp_path, "a.csv", ROWS[:1]), "--ledger",
                ledger).exit_code == 0  # fmt: skip
    before = ledger.read_bytes()
    bad = [list(ROWS[1])]
    bad[0][3] = "123"
    result = _run("ledger", "import", platform_csv(tmp_path, "b.csv", bad), "--ledger", ledger)
    assert result.exit_code == 2 and "a USCC has 18 characters" in result.stderr
    assert ledger.read_bytes() == before


def test_skip_bad_rows_imports_the_good_rows_and_lists_the_others(tmp_path: Path) -> None:
    rows = [list(r) for r in ROWS]
    rows[1][3] = U2[:17] + "?"
    ledger = tmp_path / "l.sqlite"
    result = _run("ledger", "import", platform_csv(tmp_path, rows=rows), "--ledger", ledger,
                  "--skip-bad-rows")  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "1 bad rows left out (--skip-bad-rows):" in result.stdout
    assert "tasks.csv, row 3, column 统一社会信用代码:" in result.stdout
    events = _events(ledger)
    assert {e.subject for e in events if e.type is EventType.TASK_DISPATCHED} == {"T1", "T3"}
    assert events[-1].payload["skipped_rows"] == [3]


def test_a_changed_result_is_imported_and_said(tmp_path: Path) -> None:
    headers = ["任务编号", "检查日期", "检查结果"]
    ledger = tmp_path / "l.sqlite"
    a = write_csv(tmp_path / "a.csv", headers, [["T1", "2025-03-04", "合格"]])
    b = write_csv(tmp_path / "b.csv", headers, [["T1", "2025-03-04", "立案查处"]])
    assert _run("ledger", "import", a, "--ledger", ledger).exit_code == 0
    result = _run("ledger", "import", b, "--ledger", ledger)
    assert result.exit_code == 0
    assert "result changed to CASE_FILED (b.csv row 2) without an approved correction" in (
        result.stdout
    )


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_randcheck_s_own_disclosure_table_reads_back(
    quarter_files: Path, tmp_path: Path, suffix: str
) -> None:
    table = tmp_path / f"disclosure{suffix}"
    made = _run("disclose", "--policy", "huojia", "--ledger", quarter_files / LEDGER,
                "--year", "2025", "--quarter", "3", "--registry",
                quarter_files / "registry.csv", "-o", table)  # fmt: skip
    assert made.exit_code == 0, made.output
    ledger = tmp_path / "records.sqlite"
    result = _run("ledger", "import", table, "--ledger", ledger)
    assert result.exit_code == 0, result.output
    assert "mapping disclosure-table" in result.stdout
    events = _events(ledger)
    imported = events[-1].payload
    assert imported["rows"] > 5 and imported["skipped_rows"] == []
    assert imported["shows"] == ["INSPECTIONS", "ITEMS", "RESULTS", "DISCLOSURES"]
    dispatched = [e for e in events if e.type is EventType.TASK_DISPATCHED]
    assert len(dispatched) == imported["rows"]
    if suffix == ".xlsx":
        assert "(the published ledger head) passed over" in result.stdout


@pytest.mark.parametrize(
    ("args", "found"),
    [
        (["{x}", "--ledger", "{x}"], "also an input"),
        (["{d}", "--ledger", "l.sqlite"], "is a folder"),
        (["none.csv", "--ledger", "l.sqlite"], "does not exist"),
        (["{x}", "--ledger", "{d}"], "is a folder"),
        (["{x}", "--ledger", "l.txt"], "cannot tell the ledger format"),
        (["{x}", "--ledger", "l.sqlite", "--mapping", "nosuch"], "unknown mapping 'nosuch'"),
        (["{x}", "--ledger", "l.sqlite", "--mapping", "none.yaml"], "does not exist"),
    ],
)
def test_hostile_arguments_exit_2_with_a_message(
    tmp_path: Path, args: list[str], found: str
) -> None:
    export = platform_csv(tmp_path)
    folder = tmp_path / "folder"
    folder.mkdir()
    given = [a.format(x=export, d=folder) for a in args]
    given = [str(tmp_path / a) if a in ("l.sqlite", "l.txt", "none.csv", "none.yaml") else a
             for a in given]  # fmt: skip
    result = _run("ledger", "import", *given)
    assert result.exit_code == 2, result.output
    assert found in result.stderr and "Traceback" not in result.output
    assert not (tmp_path / "l.sqlite").exists()


def test_a_long_list_of_problems_is_cut_and_counted(tmp_path: Path) -> None:
    rows = [[f"T{n}", "", "", "bad", *[""] * 14] for n in range(60)]
    result = _run("ledger", "import", platform_csv(tmp_path, rows=rows), "--ledger",
                  tmp_path / "l.sqlite")  # fmt: skip
    assert result.exit_code == 2
    assert "60 problems found" in result.stderr and "… and 10 more" in result.stderr
    assert "row 51," in result.stderr and "row 52," not in result.stderr
