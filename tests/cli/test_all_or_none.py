"""A command that writes several files writes them all or none: every precondition is
checked first, and the files are moved into place together."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from randcheck.cli import app
from randcheck.errors import InputError

runner = CliRunner()
DEMO_FILES = [
    "history-2025Q3.json",
    "ledger-2025Q3.sqlite",
    "receipt-2025Q3.json",
    "receipt-2025Q3.revealed.json",
    "registry.csv",
    "registry.inspectors.csv",
    "registry.items.csv",
]


@pytest.mark.parametrize("blocked", DEMO_FILES)
def test_demo_writes_nothing_when_one_of_its_files_cannot_be_written(
    tmp_path: Path, blocked: str
) -> None:
    out = tmp_path / "out"
    (out / blocked).mkdir(parents=True)  # a folder where a file must go
    result = runner.invoke(app, ["demo", "--policy", "suixian", "--out", str(out)])
    assert result.exit_code == 2, result.output
    assert blocked in result.stderr and "Traceback" not in result.stderr
    assert [p.name for p in out.iterdir()] == [blocked]
    assert "Commitment" not in result.stdout  # refused before the quarter was run


def test_demo_writes_nothing_when_writing_fails_midway(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import randcheck.draw.receipt as receipts

    calls: list[Any] = []
    real = receipts.save_receipt

    def failing(receipt: Any, path: Any) -> None:
        calls.append(path)
        if len(calls) == 2:
            raise InputError("the disk is full", where=str(path))
        real(receipt, path)

    monkeypatch.setattr(receipts, "save_receipt", failing)
    out = tmp_path / "new"
    result = runner.invoke(app, ["demo", "--policy", "suixian", "--out", str(out)])
    assert result.exit_code == 2 and "the disk is full" in result.stderr
    assert not out.exists()  # created for the demo, removed again
    assert list(tmp_path.iterdir()) == []
    existing = tmp_path / "existing"
    existing.mkdir()
    calls.clear()
    result = runner.invoke(app, ["demo", "--policy", "suixian", "--out", str(existing)])
    assert result.exit_code == 2 and list(existing.iterdir()) == []


def test_demo_writes_all_seven_files_and_the_site_together(tmp_path: Path) -> None:
    result = runner.invoke(app, ["demo", "--policy", "suixian", "--out", str(tmp_path / "o")])
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in (tmp_path / "o").iterdir()) == sorted([*DEMO_FILES, "site"])
    checked = runner.invoke(app, ["ledger", "verify", str(tmp_path / "o" / DEMO_FILES[1])])
    assert checked.exit_code == 0, checked.output
    site = tmp_path / "o" / "site"
    assert (site / "verify" / "verify.mjs").is_file()
    assert (site / "period-2025Q3.html").is_file() and (site / "randcheck-site.json").is_file()
    again = runner.invoke(app, ["demo", "--policy", "suixian", "--out", str(tmp_path / "o")])
    assert again.exit_code == 0, again.output  # the site it built is replaced
    assert sorted(p.name for p in (tmp_path / "o").iterdir()) == sorted([*DEMO_FILES, "site"])


@pytest.mark.parametrize("kind", ["file", "someone's folder"])
def test_demo_writes_nothing_when_site_is_taken(tmp_path: Path, kind: str) -> None:
    out = tmp_path / "out"
    out.mkdir()
    if kind == "file":
        (out / "site").write_text("x", encoding="utf-8")
    else:
        (out / "site").mkdir()
        (out / "site" / "mine.txt").write_text("x", encoding="utf-8")
    result = runner.invoke(app, ["demo", "--policy", "suixian", "--out", str(out)])
    assert result.exit_code == 2, result.output
    assert "site" in result.stderr and "Traceback" not in result.stderr
    assert [p.name for p in out.iterdir()] == ["site"]
    assert "Commitment" not in result.stdout  # refused before the quarter was run


def test_demo_writes_no_file_when_the_site_cannot_be_written(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import randcheck.report.site as site

    def failing(*args: Any, **kwargs: Any) -> None:
        raise InputError("cannot write the site: the disk is full")

    monkeypatch.setattr(site, "write_site", failing)
    out = tmp_path / "out"
    result = runner.invoke(app, ["demo", "--policy", "suixian", "--out", str(out)])
    assert result.exit_code == 2 and "the disk is full" in result.stderr
    assert not out.exists() and list(tmp_path.iterdir()) == []


def test_policy_pages_are_written_together_or_not_at_all(tmp_path: Path) -> None:
    out = tmp_path / "pages"
    (out / "benxi.md").mkdir(parents=True)
    result = runner.invoke(app, ["policies", "docs", "--out", str(out)])
    assert result.exit_code == 2 and "benxi.md" in result.stderr
    assert [p.name for p in out.iterdir()] == ["benxi.md"]
    (out / "benxi.md").rmdir()
    result = runner.invoke(app, ["policies", "docs", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert {"huojia.md", "benxi.md", "suixian.md"} <= {p.name for p in out.iterdir()}


def test_policies_docs_into_a_file_is_a_clear_error(tmp_path: Path) -> None:
    page = tmp_path / "page.md"
    page.write_text("mine", encoding="utf-8")
    result = runner.invoke(app, ["policies", "docs", "--out", str(page)])
    assert result.exit_code == 2, result.output
    assert str(page) in result.stderr and "not a folder" in result.stderr
    assert page.read_text(encoding="utf-8") == "mine"


def test_a_csv_registry_is_three_files_written_together(tmp_path: Path) -> None:
    (tmp_path / "r.items.csv").mkdir()
    out = tmp_path / "r.csv"
    result = runner.invoke(app, ["registry", "synth", "--entities", "5", "-o", str(out)])
    assert result.exit_code == 2 and "r.items.csv" in result.stderr
    assert [p.name for p in tmp_path.iterdir()] == ["r.items.csv"]
