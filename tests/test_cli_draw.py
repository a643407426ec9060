"""``randcheck commit``, ``draw``, ``reveal``, ``verify`` and the demo's files."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from randcheck.cli import app
from randcheck.io import write_registry
from randcheck.synth import generate_registry

runner = CliRunner()
DICE = "27182818284590452353"


def _ceremony(tmp_path: Path) -> tuple[Path, Path]:
    registry = tmp_path / "reg.csv"
    write_registry(generate_registry(300, 20, seed="cli"), registry)
    made = runner.invoke(app, ["commit", "--secret-file", str(tmp_path / "q3.secret")])
    assert made.exit_code == 0 and "commitment" in made.stdout
    receipt = tmp_path / "receipt.json"
    drawn = runner.invoke(
        app,
        [
            "draw",
            "--policy",
            "benxi",
            "--registry",
            str(registry),
            "--year",
            "2025",
            "--quarter",
            "3",
            "--public-randomness",
            DICE,
            "--secret-file",
            str(tmp_path / "q3.secret"),
            "-o",
            str(receipt),
        ],
    )
    assert drawn.exit_code == 0, drawn.output
    commitment = made.stdout.split("publish this now): ")[1].split()[0]
    assert json.loads(receipt.read_text(encoding="utf-8"))["commitment"] == commitment
    return registry, receipt


def test_the_whole_ceremony_verifies(tmp_path: Path) -> None:
    registry, receipt = _ceremony(tmp_path)
    shown = runner.invoke(
        app,
        [
            "reveal",
            str(receipt),
            "--secret-file",
            str(tmp_path / "q3.secret"),
            "--registry",
            str(registry),
        ],
    )
    assert shown.exit_code == 0, shown.output
    revealed = tmp_path / "receipt.revealed.json"
    checked = runner.invoke(app, ["verify", str(revealed), "--registry", str(registry)])
    assert checked.exit_code == 0 and "verified" in checked.stdout


def test_verify_exits_1_with_the_first_difference(tmp_path: Path) -> None:
    registry, receipt = _ceremony(tmp_path)
    runner.invoke(
        app,
        [
            "reveal",
            str(receipt),
            "--secret-file",
            str(tmp_path / "q3.secret"),
            "--registry",
            str(registry),
        ],
    )
    revealed = tmp_path / "receipt.revealed.json"
    data = json.loads(revealed.read_text(encoding="utf-8"))
    tasks = data["revealed"]["tasks"]
    n = next(k for k, t in enumerate(tasks) if t["team"])  # the first on-site task
    tasks[n]["team"] = ["I000000-9999", "I000000-9998"]
    revealed.write_text(json.dumps(data), encoding="utf-8")
    checked = runner.invoke(app, ["verify", str(revealed), "--registry", str(registry)])
    assert checked.exit_code == 1
    assert f"FAIL result: tasks[{n}].team[0]" in checked.stdout


def test_reveal_with_the_wrong_secret_is_an_error(tmp_path: Path) -> None:
    registry, receipt = _ceremony(tmp_path)
    (tmp_path / "wrong.secret").write_text("ab" * 32, encoding="utf-8")
    shown = runner.invoke(
        app,
        [
            "reveal",
            str(receipt),
            "--secret-file",
            str(tmp_path / "wrong.secret"),
            "--registry",
            str(registry),
        ],
    )
    assert shown.exit_code == 2 and "does not match the receipt's commitment" in shown.stderr
    assert not (tmp_path / "receipt.revealed.json").exists()


def test_draw_rejects_weak_public_randomness(tmp_path: Path) -> None:
    registry = tmp_path / "reg.csv"
    write_registry(generate_registry(50, 6, seed="cli"), registry)
    drawn = runner.invoke(
        app,
        [
            "draw",
            "--policy",
            "huojia",
            "--registry",
            str(registry),
            "--year",
            "2025",
            "--quarter",
            "1",
            "--public-randomness",
            "1234",
            "-o",
            str(tmp_path / "r.json"),
        ],
    )
    assert drawn.exit_code == 2 and "at least 20" in drawn.stderr
    assert not (tmp_path / "r.json").exists() and not (tmp_path / "r.secret").exists()


def test_demo_writes_receipts_and_history(tmp_path: Path) -> None:
    result = runner.invoke(app, ["demo", "--policy", "benxi", "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    names = {p.name for p in tmp_path.iterdir()}
    assert "registry.csv" in names
    receipts = [n for n in names if "receipt" in n and n.endswith(".json")]
    assert len(receipts) == 2 and any("history" in n for n in names)
    assert "result digest ok" in result.stdout
