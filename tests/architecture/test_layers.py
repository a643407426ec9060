"""The tree follows the flow: the import-linter contract in pyproject.toml holds,
and it is not a contract that cannot fail (an upward import breaks it)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
LINT = shutil.which("lint-imports", path=str(Path(sys.executable).parent)) or shutil.which(
    "lint-imports"
)

pytestmark = pytest.mark.skipif(LINT is None, reason="import-linter is not installed (dev extra)")


def _lint(root: Path, src: Path) -> subprocess.CompletedProcess[str]:
    assert LINT is not None
    return subprocess.run(
        [LINT, "--no-cache"],
        cwd=root,
        env={"PYTHONPATH": str(src), "PATH": str(Path(sys.executable).parent)},
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_the_layers_contract_is_kept() -> None:
    run = _lint(ROOT, ROOT / "src")
    assert run.returncode == 0, run.stdout + run.stderr
    assert "1 kept, 0 broken" in run.stdout


@pytest.mark.parametrize(
    ("module", "upward"),
    [
        ("models/entity.py", "import randcheck.policies.model"),  # models -> policies
        ("policies/model.py", "import randcheck.draw.quotas"),  # policies -> draw
        ("audit/facts.py", "import randcheck.report.verdict"),  # audit -> renderers
        ("draw/select.py", "import randcheck.ledger.chain"),  # draw -> its sibling ledger
        ("ledger/chain.py", "import randcheck.cli"),  # the library -> the command line
    ],
)
def test_an_import_against_the_flow_breaks_the_contract(
    tmp_path: Path, module: str, upward: str
) -> None:
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    shutil.copytree(ROOT / "src" / "randcheck", tmp_path / "src" / "randcheck")
    target = tmp_path / "src" / "randcheck" / module
    target.write_text(target.read_text(encoding="utf-8") + f"\n{upward}  # noqa\n", "utf-8")
    run = _lint(tmp_path, tmp_path / "src")
    assert run.returncode != 0
    assert "BROKEN" in run.stdout and upward.split()[-1] in run.stdout
