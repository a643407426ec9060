"""``randcheck registry`` and ``randcheck demo`` from the command line."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from randcheck.cli import app
from randcheck.io import read_registry, write_registry
from randcheck.registry import Registry

runner = CliRunner()


def test_synth_then_validate_clean(tmp_path: Path) -> None:
    out = tmp_path / "r.csv"
    made = runner.invoke(
        app,
        [
            "registry",
            "synth",
            "--entities",
            "200",
            "--inspectors",
            "12",
            "--seed",
            "7",
            "-o",
            str(out),
        ],
    )
    assert made.exit_code == 0, made.output
    assert out.exists() and (tmp_path / "r.inspectors.csv").exists()
    checked = runner.invoke(app, ["registry", "validate", str(out)])
    assert checked.exit_code == 0
    assert "200 entities" in checked.stdout
    assert read_registry(out).registry.digest in checked.stdout


def _write_with_bad_check_character(registry: Registry, folder: Path) -> None:
    """bad.csv: the registry with the first entity's check character spoiled (row 2)."""
    write_registry(registry, folder / "r.csv")
    lines = (folder / "r.csv").read_text(encoding="utf-8-sig").splitlines()
    first = lines[1].split(",")[0]
    lines[1] = lines[1].replace(first, first[:-1] + ("1" if first[-1] == "0" else "0"), 1)
    (folder / "bad.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")


def test_validate_lists_problems_and_exits_1(small_registry: Registry, tmp_path: Path) -> None:
    _write_with_bad_check_character(small_registry, tmp_path)
    result = runner.invoke(app, ["registry", "validate", str(tmp_path / "bad.csv")])
    assert result.exit_code == 1
    assert "row 2, column 统一社会信用代码: wrong check character" in result.stdout
    assert "1 problem found" in result.stdout


def test_validate_missing_file_is_an_error(tmp_path: Path) -> None:
    result = runner.invoke(app, ["registry", "validate", str(tmp_path / "none.csv")])
    assert result.exit_code == 2
    assert "error:" in result.stderr and "does not exist" in result.stderr


def test_diff_by_field(tmp_path: Path) -> None:
    from tests.conftest import make_entity

    old = Registry.from_records([make_entity(1), make_entity(2)])
    new = Registry.from_records([make_entity(1, entity_class="SPECIAL"), make_entity(3)])
    write_registry(old, tmp_path / "old.csv")
    write_registry(new, tmp_path / "new.csv")
    result = runner.invoke(
        app,
        [
            "registry",
            "diff",
            str(tmp_path / "old.csv"),
            str(tmp_path / "new.csv"),
            "--format",
            "json",
        ],
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["counts"]["entity"] == {"added": 1, "removed": 1, "changed": 1}
    (changed,) = data["changed"]
    assert changed["changes"] == [{"field": "entity_class", "old": "GENERAL", "new": "SPECIAL"}]
    table = runner.invoke(
        app, ["registry", "diff", str(tmp_path / "old.csv"), str(tmp_path / "new.csv")]
    )
    assert table.exit_code == 0 and "一般" in table.stdout and "特殊" in table.stdout


def test_demo_shows_the_registry_and_writes_it(tmp_path: Path) -> None:
    result = runner.invoke(app, ["demo", "--out", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    assert "KEY / 重点" in result.stdout and "digest" in result.stdout
    written = read_registry(tmp_path / "out" / "registry.csv").registry
    assert written.entity_count == 500 and written.inspector_count == 40
    assert written.digest in result.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [(["demo", "--quarter", "5"], "--quarter"), (["demo", "--year", "1800"], "out of range")],
)
def test_demo_rejects_bad_flags(args: list[str], message: str) -> None:
    result = runner.invoke(app, args)
    assert result.exit_code == 2 and message in result.output


def test_console_script_has_no_traceback_on_bad_input(tmp_path: Path) -> None:
    bad = tmp_path / "x.txt"
    bad.write_text("a,b\n", encoding="utf-8")
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            "from randcheck.cli import main; main()",
            "registry",
            "show",
            str(bad),
        ],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 2
    assert result.stderr.startswith("error:") and "Traceback" not in result.stderr


def test_show_can_skip_bad_rows_and_list_them(small_registry: Registry, tmp_path: Path) -> None:
    _write_with_bad_check_character(small_registry, tmp_path)
    refused = runner.invoke(app, ["registry", "show", str(tmp_path / "bad.csv")])
    assert refused.exit_code == 2 and "--skip-bad-rows" in refused.stderr
    shown = runner.invoke(app, ["registry", "show", "--skip-bad-rows", str(tmp_path / "bad.csv")])
    assert (
        shown.exit_code == 0 and "skipped:" in shown.stdout and "1 row(s) skipped" in shown.stdout
    )
