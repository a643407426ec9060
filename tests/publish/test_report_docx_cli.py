"""``randcheck report quarterly|yearly -o X.docx``: the narrative report from the
command line, as a clerk makes it from the demo's ledger and registry."""

from __future__ import annotations

from pathlib import Path

import pytest
from docx import Document
from typer.testing import CliRunner

from randcheck.cli import app

runner = CliRunner()


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("demo") / "out"
    result = runner.invoke(app, ["demo", "--out", str(folder)])
    assert result.exit_code == 0, result.output
    return folder


def _text(path: Path) -> str:
    document = Document(str(path))
    cells = [c.text for t in document.tables for row in t.rows for c in row.cells]
    return "\n".join([p.text for p in document.paragraphs] + cells)


def _report(demo: Path, *args: str) -> list[str]:
    return ["report", *args, "--ledger", str(demo / "ledger-2025Q3.sqlite"), "--year", "2025"]


def test_the_yearly_report_as_a_word_draft(demo: Path, tmp_path: Path) -> None:
    out = tmp_path / "年度报告.docx"
    result = runner.invoke(
        app,
        [
            *_report(demo, "yearly"),
            "--registry",
            str(demo / "registry.csv"),
            "--as-of",
            "2025-12-31",
            "-o",
            str(out),
        ],
    )
    assert result.exit_code == 0, result.output
    assert "under benxi" in result.output
    text = _text(out)
    assert "获嘉县生态环境分局" in text  # the unit: the registry's authority
    assert "八(一)" in text and "2025年12月31日" in text
    assert "（盖章）" in text


def test_the_quarterly_report_names_its_clause_and_the_unit_given(
    demo: Path, tmp_path: Path
) -> None:
    out = tmp_path / "q.docx"
    result = runner.invoke(
        app, [*_report(demo, "quarterly", "--quarter", "3"), "--unit", "某某分局", "-o", str(out)]
    )
    assert result.exit_code == 0, result.output
    assert "under qingdao_west_coast" in result.output
    text = _text(out)
    assert "某某分局" in text and "五" in text


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (["yearly"], "reporting unit (填报单位) is unknown"),  # no --unit, no registry
        (["yearly", "--unit", "某局", "--lang", "en"], "Chinese only"),
        (["quarterly", "--unit", "某局"], "needs --quarter"),
        (["yearly", "--unit", "  "], "--unit is empty"),
    ],
)
def test_a_report_that_cannot_be_made_writes_nothing(
    demo: Path, tmp_path: Path, args: list[str], said: str
) -> None:
    out = tmp_path / "r.docx"
    result = runner.invoke(app, [*_report(demo, *args), "-o", str(out)])
    assert result.exit_code == 2, result.output
    assert said in result.output and "Traceback" not in result.output
    assert not out.exists() and list(tmp_path.iterdir()) == []


def test_the_report_never_overwrites_its_ledger(demo: Path) -> None:
    ledger = demo / "ledger-2025Q3.sqlite"
    before = ledger.read_bytes()
    copy = demo / "ledger-copy.docx"
    copy.write_bytes(before)
    result = runner.invoke(
        app,
        [
            "report",
            "yearly",
            "--ledger",
            str(copy),
            "--year",
            "2025",
            "--unit",
            "某局",
            "-o",
            str(copy),
        ],
    )
    assert result.exit_code == 2, result.output
    assert "is also an input" in result.output
    assert copy.read_bytes() == before
    copy.unlink()


def test_as_of_belongs_to_the_word_report(demo: Path) -> None:
    result = runner.invoke(
        app, [*_report(demo, "monthly", "--month", "7"), "--as-of", "2025-08-01"]
    )
    assert result.exit_code == 2 and "--as-of" in result.output


def test_a_unit_a_word_file_cannot_hold_is_refused_by_name(demo: Path, tmp_path: Path) -> None:
    out = tmp_path / "r.docx"
    result = runner.invoke(app, [*_report(demo, "yearly"), "--unit", "某局\x01", "-o", str(out)])
    assert result.exit_code == 2, result.output
    assert "--unit" in result.output and "control character" in result.output
    assert not out.exists()
