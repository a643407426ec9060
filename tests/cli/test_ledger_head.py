"""Documents published from a ledger carry its head and event count at publication:
``ledger head 台账头: <64 hex> events 事件数: <N>`` as a last line (terminal, Markdown,
HTML), ``"ledger_head": {"hash", "events"}`` in JSON, a last row after an empty one in
CSV, and a second sheet 台账头 ledger_head in XLSX."""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path

import pytest
from openpyxl import load_workbook
from typer.testing import CliRunner

from randcheck.cli import app
from randcheck.ledger.stores import open_ledger
from randcheck.report.published import HEAD_SHEET
from tests.cli.conftest import LEDGER

runner = CliRunner()
LINE = re.compile(r"^ledger head 台账头: ([0-9a-f]{64}) events 事件数: (\d+)$")


def _head(ledger: Path) -> tuple[str, int]:
    with open_ledger(ledger) as opened:
        return opened.head, len(list(opened.events()))


def _published(q: Path) -> dict[str, list[str]]:
    ledger = str(q / LEDGER)
    return {
        "disclose": [
            *("disclose", "--policy", "huojia", "--ledger", ledger, "--year", "2025"),
            *("--registry", str(q / "registry.csv")),
        ],
        "monthly": [
            *("report", "monthly", "--ledger", ledger, "--year", "2025", "--month", "8"),
        ],
        "quarterly": [
            *("report", "quarterly", "--ledger", ledger, "--year", "2025", "--quarter", "3"),
        ],
        "yearly": ["report", "yearly", "--ledger", ledger, "--year", "2025"],
        "credit-push": [
            *("report", "credit-push", "--ledger", ledger, "--year", "2025"),
            *("--registry", str(q / "registry.csv")),
        ],
    }


KINDS = ["disclose", "monthly", "quarterly", "yearly", "credit-push"]


@pytest.mark.parametrize("kind", KINDS)
def test_on_the_terminal_the_last_line_is_the_head(quarter_files: Path, kind: str) -> None:
    result = runner.invoke(app, _published(quarter_files)[kind])
    assert result.exit_code == 0, result.output
    last = result.stdout.strip().splitlines()[-1]
    found = LINE.match(last)
    assert found and (found.group(1), int(found.group(2))) == _head(quarter_files / LEDGER)


@pytest.mark.parametrize("kind", KINDS)
def test_json_carries_a_ledger_head_object(quarter_files: Path, tmp_path: Path, kind: str) -> None:
    out = tmp_path / "doc.json"
    result = runner.invoke(app, [*_published(quarter_files)[kind], "-o", str(out)])
    assert result.exit_code == 0, result.output
    data = json.loads(out.read_text(encoding="utf-8"))
    head, events = _head(quarter_files / LEDGER)
    assert data["ledger_head"] == {"hash": head, "events": events}
    assert data["rows"] is not None and "columns" in data


@pytest.mark.parametrize("kind", KINDS)
def test_csv_ends_with_an_empty_row_then_the_head(
    quarter_files: Path, tmp_path: Path, kind: str
) -> None:
    out = tmp_path / "doc.csv"
    result = runner.invoke(app, [*_published(quarter_files)[kind], "-o", str(out)])
    assert result.exit_code == 0, result.output
    rows = list(csv.reader(io.StringIO(out.read_text(encoding="utf-8-sig"))))
    assert rows[-2] == []
    (line,) = rows[-1]
    found = LINE.match(line)
    assert found and (found.group(1), int(found.group(2))) == _head(quarter_files / LEDGER)
    table = rows[: rows.index([])]  # a reader stops at the empty row: the plain table
    assert len({len(r) for r in table}) == 1


@pytest.mark.parametrize("kind", KINDS)
def test_xlsx_has_the_head_in_a_sheet_of_its_own(
    quarter_files: Path, tmp_path: Path, kind: str
) -> None:
    out = tmp_path / "doc.xlsx"
    result = runner.invoke(app, [*_published(quarter_files)[kind], "-o", str(out)])
    assert result.exit_code == 0, result.output
    book = load_workbook(out)
    assert book.sheetnames[1:] == [HEAD_SHEET]
    table = list(book.worksheets[0].iter_rows(values_only=True))
    assert all(not (str(r[0] or "")).startswith("ledger head") for r in table)
    found = LINE.match(str(book[HEAD_SHEET]["A1"].value))
    head, events = _head(quarter_files / LEDGER)
    assert found and (found.group(1), int(found.group(2))) == (head, events)
    assert book[HEAD_SHEET]["B2"].value == head and book[HEAD_SHEET]["B3"].value == events


@pytest.mark.parametrize("suffix", [".csv", ".json", ".md"])
def test_a_published_file_checks_against_the_ledger(
    quarter_files: Path, tmp_path: Path, suffix: str
) -> None:
    """What was published can be held against the ledger later (ledger verify --head)."""
    ledger = str(quarter_files / LEDGER)
    out = tmp_path / f"doc{suffix}"
    if suffix == ".md":
        args = ["audit", "--policy", "huojia", "--ledger", ledger, "--year", "2025"]
    else:
        args = _published(quarter_files)["disclose"]
    made = runner.invoke(app, [*args, "-o", str(out)])
    assert made.exit_code in (0, 1), made.output
    checked = runner.invoke(app, ["ledger", "verify", ledger, "--head", str(out)])
    assert checked.exit_code == 0, checked.output


def test_audit_reports_carry_the_head_in_every_format(quarter_files: Path, tmp_path: Path) -> None:
    head, events = _head(quarter_files / LEDGER)
    line = f"ledger head 台账头: {head} events 事件数: {events}"
    audit = [
        *("audit", "--policy", "huojia", "--ledger", str(quarter_files / LEDGER)),
        *("--year", "2025", "--quarter", "3", "--as-of", "2025-12-31"),
    ]
    table = runner.invoke(app, audit)
    assert line in table.stdout
    as_json = runner.invoke(app, [*audit, "--format", "json"])
    assert json.loads(as_json.stdout)["ledger_head"] == {"hash": head, "events": events}
    for name in ("v.md", "v.html", "v.json"):
        runner.invoke(app, [*audit, "-o", str(tmp_path / name)])
    assert (tmp_path / "v.md").read_text(encoding="utf-8").rstrip().endswith(line)
    page = (tmp_path / "v.html").read_text(encoding="utf-8")
    assert f"<p>{line}</p></body></html>" in page
    data = json.loads((tmp_path / "v.json").read_text(encoding="utf-8"))
    assert data["ledger_head"] == {"hash": head, "events": events}


def test_the_schedule_and_plans_are_not_from_a_ledger(quarter_files: Path) -> None:
    result = runner.invoke(app, ["schedule", "--policy", "huojia", "--year", "2025"])
    assert result.exit_code == 0 and "ledger head" not in result.stdout
