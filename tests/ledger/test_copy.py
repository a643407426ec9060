"""``randcheck ledger copy SRC DST``: any store to any store, the same chain (every
event's number, stored form and hash), checked as it goes, all or nothing."""

from __future__ import annotations

import contextlib
import json
import sqlite3
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import typer
from typer.testing import CliRunner

from randcheck.cli import _Group
from randcheck.cli.ledger_copy_cmd import copy
from randcheck.errors import LedgerError
from randcheck.ledger import GENESIS, event_hash
from randcheck.ledger.chain import Damaged
from randcheck.ledger.copy import copy_ledger
from randcheck.ledger.store import Ledger
from randcheck.ledger.stores import JsonlLedger, SqliteLedger, open_ledger, read_verified
from randcheck.ledger.stores.urls import hide_password
from tests.ledger.helpers import fill, make
from tests.ledger.pg_server import Server, serve

STORES = ["sqlite", "jsonl", "postgresql"]


@pytest.fixture(scope="module")
def postgres() -> Iterator[Server]:
    yield from serve()


@pytest.fixture
def new(request: pytest.FixtureRequest, tmp_path: Path) -> Callable[[str], str]:
    """A new ledger's address in a store: a file, or a new PostgreSQL chain."""
    names = iter(range(1, 100))

    def make_address(kind: str) -> str:
        if kind == "postgresql":
            server: Server = request.getfixturevalue("postgres")
            return server.ledger()
        return str(tmp_path / f"l{next(names)}.{kind}")

    return make_address


def _stored(address: str) -> list[dict[str, Any]]:
    return [e.to_json() for e in read_verified(address)]


@pytest.mark.parametrize("target", STORES)
@pytest.mark.parametrize("origin", STORES)
def test_any_store_to_any_store(new: Callable[[str], str], origin: str, target: str) -> None:
    source, destination = new(origin), new(target)
    with open_ledger(source) as ledger:
        fill(ledger, 3)
        head = ledger.head
    report = copy_ledger(source, destination)
    assert (report.copied, report.kept, report.head.hash, report.head.count) == (9, 0, head, 9)
    assert _stored(destination) == _stored(source)
    with open_ledger(destination) as copied:  # a copy is a ledger like any other
        assert copied.verify(expected_head=f"{head}:9").ok
        fill(copied, 1, first=3)
        assert copied.verify().events == 12


@pytest.mark.parametrize("target", STORES)
def test_a_destination_holding_the_start_gets_the_rest(
    new: Callable[[str], str], target: str
) -> None:
    source, destination = new("sqlite"), new(target)
    with open_ledger(source) as ledger:
        fill(ledger, 2)
    assert copy_ledger(source, destination).copied == 6
    with open_ledger(source) as ledger:
        fill(ledger, 1, first=2)
    report = copy_ledger(source, destination)
    assert (report.copied, report.kept, report.head.count) == (3, 6, 9)
    assert _stored(destination) == _stored(source)
    again = copy_ledger(source, destination)  # nothing new: nothing copied, nothing wrong
    assert (again.copied, again.kept) == (0, 9)


@pytest.mark.parametrize("target", STORES)
def test_a_destination_that_is_not_the_start_is_refused(
    new: Callable[[str], str], target: str
) -> None:
    source, destination, longer = new("jsonl"), new(target), new(target)
    with open_ledger(source) as ledger:
        fill(ledger, 2)
    with open_ledger(destination) as ledger:
        fill(ledger, 1, first=7)  # another chain's three events
    before = _stored(destination)
    with pytest.raises(LedgerError, match="not the start of the source: its event #3 differs"):
        copy_ledger(source, destination)
    assert _stored(destination) == before
    with open_ledger(longer) as ledger:
        fill(ledger, 3)
    with pytest.raises(LedgerError, match="already holds 9 events, the source only 6"):
        copy_ledger(source, longer)
    assert len(_stored(longer)) == 9


@pytest.mark.parametrize("target", STORES)
def test_a_broken_source_is_refused_and_nothing_is_created(
    new: Callable[[str], str], target: str
) -> None:
    source, destination = new("sqlite"), new(target)
    make(Path(source))
    db = sqlite3.connect(source)
    db.execute("UPDATE events SET actor = '伪造' WHERE seq = 4")
    db.commit()
    db.close()
    with pytest.raises(LedgerError, match="chain is broken at event #4") as caught:
        copy_ledger(source, destination)
    assert "nothing was copied" in caught.value.what
    with pytest.raises(LedgerError, match=r"does not exist|no chain|no randcheck ledger"):
        open_ledger(destination, readonly=True)  # not even created


def _damaging_pass_two(monkeypatch: pytest.MonkeyPatch, store: type[Ledger], at: int) -> None:
    """The source's second reading (the copy itself) finds event #``at`` damaged, as if
    it were damaged between the two readings."""
    original = store._rows
    calls = {"n": 0}

    @contextlib.contextmanager
    def rows(self: Ledger) -> Iterator[Iterator[Any]]:
        calls["n"] += 1
        with original(self) as stored:
            if calls["n"] == 1:
                yield stored
                return
            yield (Damaged("damaged meanwhile") if n == at else d for n, d in enumerate(stored, 1))

    monkeypatch.setattr(store, "_rows", rows)


@pytest.mark.parametrize("target", ["sqlite", "postgresql"])
def test_a_failed_copy_leaves_a_transactional_destination_as_it_was(
    new: Callable[[str], str], target: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    source, destination = new("jsonl"), new(target)
    with open_ledger(source) as ledger:
        fill(ledger, 3)
    with open_ledger(destination) as ledger:
        fill(ledger, 1)  # the source's first three events
    _damaging_pass_two(monkeypatch, JsonlLedger, at=7)
    with pytest.raises(LedgerError, match="event #7: damaged meanwhile; nothing was copied"):
        copy_ledger(source, destination)
    assert len(_stored(destination)) == 3  # events #4–#6 were written, then rolled back


def test_a_failed_copy_into_json_lines_writes_nothing_and_copying_again_does_it_all(
    new: Callable[[str], str], monkeypatch: pytest.MonkeyPatch
) -> None:
    source, destination = new("sqlite"), new("jsonl")
    with open_ledger(source) as ledger:
        fill(ledger, 3)
    with monkeypatch.context() as patch:
        _damaging_pass_two(patch, SqliteLedger, at=7)
        with pytest.raises(LedgerError, match="event #7"):
            copy_ledger(source, destination)
    assert _stored(destination) == []  # a JSON Lines batch is written whole or not at all
    assert copy_ledger(source, destination).copied == 9
    assert _stored(destination) == _stored(source)


def test_the_same_file_is_refused(tmp_path: Path) -> None:
    for name in ("l.sqlite", "l.jsonl"):
        make(tmp_path / name)
        with pytest.raises(LedgerError, match="the same ledger"):
            copy_ledger(str(tmp_path / name), f"{name.split('.')[1]}://{tmp_path}/{name}")


def _older_form(path: Path) -> None:
    """A ledger as an earlier randcheck, or another program, may have written it: times
    without seconds, payloads without the fields added since (the hash is of that)."""
    previous, lines = GENESIS, []
    for seq, task in enumerate(["T1", "T2"], 1):
        body = {
            "seq": seq,
            "type": "TASK_DISPATCHED",
            "time": f"2025-07-1{seq}T09:00+08:00",
            "actor": "大队",
            "subject": task,
            "payload": {"task_id": task, "uscc": "91410724000000001J"},
            "prev_hash": previous,
        }
        previous = event_hash(body)
        lines.append(json.dumps({**body, "hash": previous}, ensure_ascii=False) + "\n")
    path.write_text("".join(lines), encoding="utf-8")


@pytest.mark.parametrize(
    "target",
    [
        "sqlite",
        "jsonl",
        "postgresql",
    ],
)
def test_events_in_an_older_form_are_copied_as_stored(
    new: Callable[[str], str], target: str, tmp_path: Path
) -> None:
    source = tmp_path / "old.jsonl"
    _older_form(source)
    events = read_verified(source)
    assert all(e.stored is not None for e in events)  # the form differs from today's
    destination = new(target)
    copy_ledger(str(source), destination)
    assert _stored(destination) == _stored(str(source))


# --- the command ------------------------------------------------------------------------------


def _cli() -> typer.Typer:
    """The command as `randcheck ledger copy` will mount it, with the CLI's error handling."""
    app = typer.Typer(cls=_Group)
    app.command("copy")(copy)
    app.command("noop")(lambda: None)  # two commands: `copy` stays a subcommand
    return app


def test_the_command(new: Callable[[str], str]) -> None:
    source, destination = new("sqlite"), new("postgresql")
    head = make(Path(source), 3)
    runner = CliRunner()
    result = runner.invoke(_cli(), ["copy", source, destination])
    assert result.exit_code == 0, result.output
    shown = hide_password(destination)  # the password, if any, is never printed
    assert f"copied 9 events 已复制 from {source} to {shown}" in result.stdout
    assert f"ledger head 台账头: {head} events 事件数: 9" in result.stdout
    again = runner.invoke(_cli(), ["copy", source, destination])
    assert "copied 0 events 已复制 (9 already there)" in again.stdout


def test_the_command_says_why_nothing_was_copied(tmp_path: Path) -> None:
    runner = CliRunner()
    cases = {
        (str(tmp_path / "none.sqlite"), str(tmp_path / "x.sqlite")): "does not exist",
        (str(tmp_path / "a.sqlite"), "postgresql://clerk:s3cret@127.0.0.1:1/db?chain=a"): (
            "cannot connect to PostgreSQL"
        ),
        (str(tmp_path / "a.sqlite"), "postgresql://127.0.0.1:1/db"): "which jurisdiction",
        (str(tmp_path / "a.sqlite"), "ftp://x/y.sqlite"): "unknown store 'ftp'",
        (str(tmp_path / "a.sqlite"), str(tmp_path / "a.txt")): "cannot tell the ledger format",
    }
    make(tmp_path / "a.sqlite")
    for (src, dst), words in cases.items():
        result = runner.invoke(_cli(), ["copy", src, dst])
        assert result.exit_code == 2, result.output
        assert result.output.startswith("error: ") and words in result.output, result.output
        assert "Traceback" not in result.output and "s3cret" not in result.output
