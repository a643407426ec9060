"""``randcheck ledger verify``."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from typer.testing import CliRunner

from randcheck.cli import app
from randcheck.ledger.stores import open_ledger

runner = CliRunner()


def _ledger(path: Path) -> str:
    with open_ledger(path) as ledger:
        for n in range(4):
            ledger.append(
                "TASK_DISPATCHED",
                actor="大队",
                payload={"task_id": f"T{n}", "uscc": "x", "inspectors": ["I1", "I2"]},
            )
        return ledger.head


def test_a_whole_ledger_exits_0(tmp_path: Path) -> None:
    head = _ledger(tmp_path / "l.sqlite")
    result = runner.invoke(app, ["ledger", "verify", str(tmp_path / "l.sqlite"), "--head", head])
    assert result.exit_code == 0 and "4 events" in result.stdout


def test_an_edited_event_exits_1_naming_it(tmp_path: Path) -> None:
    _ledger(tmp_path / "l.sqlite")
    db = sqlite3.connect(tmp_path / "l.sqlite")
    db.execute("UPDATE events SET actor = '别人' WHERE seq = 3")
    db.commit()
    db.close()
    result = runner.invoke(app, ["ledger", "verify", str(tmp_path / "l.sqlite")])
    assert result.exit_code == 1 and "event #3" in result.stdout and "changed" in result.stdout


def test_a_missing_ledger_is_an_error(tmp_path: Path) -> None:
    result = runner.invoke(app, ["ledger", "verify", str(tmp_path / "none.sqlite")])
    assert result.exit_code == 2 and "does not exist" in result.stderr
    assert not (tmp_path / "none.sqlite").exists()
