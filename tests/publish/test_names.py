"""A disclosure names its entities: by the name the dispatch recorded at the draw, so the
ledger alone is enough; else by the registry given; never a blank name."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from randcheck.cli import app
from randcheck.errors import LedgerError
from randcheck.ledger.events import EventType, validate_payload
from randcheck.ledger.stores import read_verified
from randcheck.policies import get_policy
from randcheck.publish.tables import UnnamedEntities, credit_push_table, disclosure_table
from randcheck.testing.compact import EventBuilder
from tests.publish.helpers import quarter_registry, write_quarter

runner = CliRunner()
HUOJIA = get_policy("huojia")


def _disclose(ledger: Path, out: Path, *more: str) -> object:
    return runner.invoke(
        app,
        [
            *("disclose", "--policy", "huojia", "--ledger", str(ledger), "--year", "2025"),
            *("--quarter", "3", *more, "-o", str(out)),
        ],
    )


def test_the_ledger_alone_names_every_entity(tmp_path: Path) -> None:
    ledger = write_quarter(tmp_path, tasks=6)
    result = _disclose(ledger, tmp_path / "d.json")
    assert result.exit_code == 0, result.output  # type: ignore[attr-defined]
    rows = json.loads((tmp_path / "d.json").read_text(encoding="utf-8"))["rows"]
    names = {e.uscc: e.name for e in quarter_registry().entities()}
    assert len(rows) == 6 and all(r["name"] == names[r["uscc"]] for r in rows)


def test_a_dispatch_records_the_name_as_it_was_at_the_draw(tmp_path: Path) -> None:
    """A name changed in a later registry does not rewrite what was disclosed."""
    events = read_verified(write_quarter(tmp_path, tasks=2))
    recorded = [e.payload["entity_name"] for e in events if e.type is EventType.TASK_DISPATCHED]
    renamed = quarter_registry()
    table = disclosure_table(HUOJIA, events, 2025, 3, registry=renamed)
    assert [r["name"] for r in table.rows] == recorded


def test_an_old_ledger_without_names_reads_and_verifies(tmp_path: Path) -> None:
    events = read_verified(write_quarter(tmp_path, names=False, tasks=3))
    dispatches = [e for e in events if e.type is EventType.TASK_DISPATCHED]
    assert dispatches and all("entity_name" not in e.payload for e in dispatches)
    assert len(events) == 15  # read_verified checked every hash and link


def test_an_unnamed_dispatch_stores_and_hashes_as_before() -> None:
    """``entity_name`` is left out of a payload that has none, as it was before names."""
    payload = {"task_id": "T1", "uscc": "91410724000000001J", "inspectors": ["I1"]}
    stored = validate_payload(EventType.TASK_DISPATCHED, payload)
    assert "entity_name" not in stored
    named = validate_payload(EventType.TASK_DISPATCHED, {**payload, "entity_name": "某公司"})
    assert named["entity_name"] == "某公司"
    with pytest.raises(LedgerError, match="entity_name"):
        validate_payload(EventType.TASK_DISPATCHED, {**payload, "entity_name": "  "})


def test_without_a_name_the_command_refuses_and_says_what_to_give(tmp_path: Path) -> None:
    ledger = write_quarter(tmp_path, names=False, tasks=4)
    for kind in ("disclose", "credit-push"):
        out = tmp_path / f"{kind}.xlsx"
        if kind == "disclose":
            result = _disclose(ledger, out)
        else:
            result = runner.invoke(
                app,
                ["report", "credit-push", "--ledger", str(ledger), "--year", "2025",
                 "-o", str(out)],
            )  # fmt: skip
        assert result.exit_code == 2, result.output  # type: ignore[attr-defined]
        message = result.stderr  # type: ignore[attr-defined]
        assert "name of 4 entities is not known" in message and "--registry" in message
        assert "Traceback" not in message and not out.exists()


def test_the_registry_names_what_an_old_ledger_does_not(tmp_path: Path) -> None:
    ledger = write_quarter(tmp_path, names=False, tasks=4)
    result = _disclose(ledger, tmp_path / "d.json", "--registry", str(tmp_path / "registry.csv"))
    assert result.exit_code == 0, result.output  # type: ignore[attr-defined]
    rows = json.loads((tmp_path / "d.json").read_text(encoding="utf-8"))["rows"]
    assert len(rows) == 4 and all(r["name"] for r in rows)


def test_the_library_refuses_too_unless_asked_to_leave_names_out(tmp_path: Path) -> None:
    events = read_verified(write_quarter(tmp_path, names=False, tasks=2))
    with pytest.raises(UnnamedEntities):
        disclosure_table(HUOJIA, events, 2025, 3)
    with pytest.raises(UnnamedEntities):
        credit_push_table(HUOJIA, events, 2025, 3)
    table = disclosure_table(HUOJIA, events, 2025, 3, require_names=False)
    assert len(table.rows) == 2 and "name no entity" in table.notes[0]


def test_a_case_s_dispatch_takes_its_name_from_the_case_registry() -> None:
    registry = quarter_registry()
    entity = next(iter(registry.entities()))
    builder = EventBuilder("case", registry=registry)
    event = builder.add({"on": "2025-07-10", "do": "dispatch", "task": "T1",
                         "entity": entity.uscc, "who": ["I1", "I2"]}, "events[0]")  # fmt: skip
    assert event.payload["entity_name"] == entity.name
