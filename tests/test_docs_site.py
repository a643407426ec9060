"""The documentation site stays in step with the code: CLI reference and policy pages."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent


TITLE = "Command-line reference 命令行参考"
REGENERATE = [
    "-m",
    "typer",
    "randcheck.cli",
    "utils",
    "docs",
    "--name",
    "randcheck",
    "--title",
    TITLE,
]


def test_cli_reference_is_up_to_date(tmp_path: Path) -> None:
    fresh = tmp_path / "cli.md"
    subprocess.run(
        [sys.executable, *REGENERATE, "--output", str(fresh)], check=True, capture_output=True
    )
    current = (ROOT / "docs" / "cli.md").read_text(encoding="utf-8")
    assert fresh.read_text(encoding="utf-8") == current, (
        "docs/cli.md is stale: python " + " ".join(REGENERATE) + " --output docs/cli.md"
    )


def _nav_files(items: list[object]) -> set[str]:
    out: set[str] = set()
    for item in items:
        if isinstance(item, dict):
            for value in item.values():
                out |= _nav_files(value) if isinstance(value, list) else {str(value)}
        else:
            out.add(str(item))
    return out


def test_every_page_is_in_the_site_navigation() -> None:
    config = yaml.safe_load((ROOT / "mkdocs.yml").read_text(encoding="utf-8"))
    listed = _nav_files(config["nav"])
    pages = {str(p.relative_to(ROOT / "docs")) for p in (ROOT / "docs").rglob("*.md")}
    assert pages - listed == set(), "add these pages to mkdocs.yml nav"
    assert listed - pages == set(), "nav names pages that do not exist"
