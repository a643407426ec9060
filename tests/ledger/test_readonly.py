"""Reading a ledger writes nothing: not its bytes, its modification time, its journal
mode, nor a -wal/-shm file beside it; a file that is not a ledger is an error, an
empty ledger is EMPTY, and a ledger nobody may write is read all the same."""

from __future__ import annotations

import multiprocessing
import os
import sqlite3
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from queue import Empty

import pytest

from randcheck.cli import app
from randcheck.errors import LedgerError
from randcheck.ledger import GENESIS, published_head
from randcheck.ledger.stores import open_ledger, read_verified
from tests.ledger.helpers import fill, journal_mode, make, runner, snapshot, verify

STORES = ["l.sqlite", "l.jsonl"]


def _delete_journal(path: Path) -> None:
    db = sqlite3.connect(path)
    assert db.execute("PRAGMA journal_mode=DELETE").fetchone()[0] == "delete"
    db.close()


def _every_reader(path: Path) -> None:
    """Everything that only reads: the CLI's verify and the library's readers."""
    head = read_verified(path)[-1].hash
    for args in ([], ["--head", head], ["--head", f"{head}:6"]):
        result = verify(path, *args)
        assert result.exit_code == 0 and "OK: 6 events" in result.stdout, result.output
    with open_ledger(path, readonly=True) as ledger:
        assert ledger.verify().ok and ledger.head == head
        assert len(list(ledger.events())) == 6
        assert [e.seq for e in ledger.events_for("T1")] == [4, 5, 6]
        assert published_head(ledger).events == 6
        with pytest.raises(LedgerError, match="read-only"):
            fill(ledger, 1, first=5)
    audit = runner.invoke(
        app,
        ["audit", "--policy", "huojia", "--ledger", str(path), "--year", "2025"],
    )
    assert audit.exit_code in (0, 1), audit.output


@pytest.mark.parametrize("store", STORES)
def test_reading_a_ledger_randcheck_wrote_writes_nothing(tmp_path: Path, store: str) -> None:
    path = tmp_path / store
    make(path)
    if store.endswith(".sqlite"):
        assert journal_mode(path) == "wal"
    before = snapshot(tmp_path)
    _every_reader(path)
    assert snapshot(tmp_path) == before  # bytes, mtime, and no -wal/-shm/lock file


def test_reading_a_delete_journal_ledger_keeps_its_journal_mode(tmp_path: Path) -> None:
    path = tmp_path / "l.sqlite"
    make(path)
    _delete_journal(path)
    assert journal_mode(path) == "rollback"
    before = snapshot(tmp_path)
    _every_reader(path)
    assert snapshot(tmp_path) == before and journal_mode(path) == "rollback"


def test_reading_while_a_writer_has_the_ledger_open(tmp_path: Path) -> None:
    path = tmp_path / "l.sqlite"
    with open_ledger(path) as writer:
        fill(writer, 2)
        files = sorted(p.name for p in tmp_path.iterdir())
        assert files == ["l.sqlite", "l.sqlite-shm", "l.sqlite-wal"]  # the writer's own
        main = path.read_bytes(), os.stat(path).st_mtime_ns
        _every_reader(path)
        assert sorted(p.name for p in tmp_path.iterdir()) == files
        assert (path.read_bytes(), os.stat(path).st_mtime_ns) == main
        fill(writer, 1, first=7)  # and the writer carries on
    assert read_verified(path)[-1].seq == 9


NOT_LEDGERS: dict[str, Callable[[Path], None]] = {
    "empty file": lambda p: p.write_bytes(b""),
    "random bytes": lambda p: p.write_bytes(bytes(range(256)) * 40),
    "a text file": lambda p: p.write_text("seq,type\n1,TASK_DISPATCHED\n", encoding="utf-8"),
    "table dropped": lambda p: (make(p), _sql(p, "DROP TABLE events")),
    "column renamed": lambda p: (make(p), _sql(p, "ALTER TABLE events RENAME payload TO p")),
    "column added": lambda p: (make(p), _sql(p, "ALTER TABLE events ADD COLUMN note TEXT")),
    "someone else's database": lambda p: _sql(p, "CREATE TABLE people (name TEXT)"),
    "a view named events": lambda p: _sql(p, "CREATE VIEW events AS SELECT 1 AS seq"),
    "a SQLite header and nothing else": lambda p: p.write_bytes(b"SQLite format 3\x00" + bytes(84)),
}


def _sql(path: Path, statement: str) -> None:
    db = sqlite3.connect(path)
    db.execute(statement)
    db.commit()
    db.close()


@pytest.mark.parametrize("kind", sorted(NOT_LEDGERS))
def test_a_file_that_is_not_a_ledger_is_an_error_and_is_left_alone(
    tmp_path: Path, kind: str
) -> None:
    path = tmp_path / "l.sqlite"
    NOT_LEDGERS[kind](path)
    for side in ("-wal", "-shm"):
        Path(f"{path}{side}").unlink(missing_ok=True)
    before = snapshot(tmp_path)
    result = verify(path)
    assert result.exit_code == 2, result.output
    assert result.stderr.startswith("error:") and "internal error" not in result.stderr
    assert "not a" in result.stderr or "empty" in result.stderr
    assert "OK" not in result.stdout
    with pytest.raises(LedgerError):
        read_verified(path)
    assert snapshot(tmp_path) == before  # no table created, nothing switched to WAL


@pytest.mark.parametrize("kind", ["someone else's database", "column renamed"])
def test_a_writer_does_not_write_into_someone_elses_database(tmp_path: Path, kind: str) -> None:
    path = tmp_path / "l.sqlite"
    NOT_LEDGERS[kind](path)
    before = path.read_bytes()
    with pytest.raises(LedgerError, match="not a randcheck ledger"):
        open_ledger(path)
    assert path.read_bytes() == before


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("missing.sqlite", "does not exist"),
        ("missing.jsonl", "does not exist"),
        ("folder.sqlite", "is a folder"),
        ("l.txt", "cannot tell the ledger format"),
    ],
)
def test_bad_paths_are_errors_and_nothing_is_created(
    tmp_path: Path, name: str, message: str
) -> None:
    (tmp_path / "folder.sqlite").mkdir()
    (tmp_path / "l.txt").write_text("x", encoding="utf-8")
    before = sorted(tmp_path.iterdir())
    result = verify(tmp_path / name)
    assert result.exit_code == 2 and message in result.stderr
    assert sorted(tmp_path.iterdir()) == before


def test_a_pipe_is_not_a_ledger(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "pipe.jsonl")
    result = verify(tmp_path / "pipe.jsonl")
    assert result.exit_code == 2 and "not a regular file" in result.stderr
    with pytest.raises(LedgerError, match="not a regular file"):
        open_ledger(tmp_path / "pipe.jsonl")


@pytest.mark.parametrize("store", STORES)
def test_an_empty_ledger_is_empty_not_whole(tmp_path: Path, store: str) -> None:
    path = tmp_path / store
    with open_ledger(path):
        pass  # a new ledger: the store exists, no event yet
    before = path.read_bytes(), os.stat(path).st_mtime_ns
    result = verify(path)
    assert result.exit_code == 0
    assert result.stdout.startswith("EMPTY 台账为空: 0 events") and "OK" not in result.stdout
    assert verify(path, "--head", f"{GENESIS}:0").exit_code == 0
    published = make(tmp_path / f"other{path.suffix}", 1)
    cut = verify(path, "--head", f"{published}:3")
    assert cut.exit_code == 1 and "BROKEN" in cut.stdout and "has 3 events" in cut.stdout
    assert (path.read_bytes(), os.stat(path).st_mtime_ns) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([path.name, f"other{path.suffix}"])


# --- a ledger nobody may write ------------------------------------------------------------


def _as_nobody(target: Callable[[], object], queue: multiprocessing.Queue[object]) -> None:
    if os.geteuid() == 0:  # root may write anything: drop to nobody
        os.setgid(65534)
        os.setuid(65534)
    try:
        queue.put(target())
    except BaseException as exc:  # reported to the parent
        queue.put(f"raised {type(exc).__name__}: {exc}")


def _verify_output(path: Path) -> tuple[int, str]:
    result = verify(path)
    return result.exit_code, result.output


@pytest.fixture
def locked_folder() -> Iterator[Path]:
    folder = Path(tempfile.mkdtemp(prefix="randcheck-ro-"))  # outside root's 0700 pytest dir
    os.chmod(folder, 0o755)
    yield folder
    os.chmod(folder, 0o755)
    for item in folder.iterdir():
        os.chmod(item, 0o644)
        item.unlink()
    folder.rmdir()


@pytest.mark.parametrize("store", STORES)
def test_a_read_only_ledger_in_a_read_only_folder_verifies(locked_folder: Path, store: str) -> None:
    path = locked_folder / store
    make(path)
    verify(path)  # the modules the child needs are loaded here, before it drops root
    os.chmod(path, 0o444)
    os.chmod(locked_folder, 0o555)
    before = snapshot(locked_folder)
    context = multiprocessing.get_context("fork")
    queue: multiprocessing.Queue[object] = context.Queue()
    child = context.Process(target=_as_nobody, args=(lambda: _verify_output(path), queue))
    child.start()
    try:
        outcome = queue.get(timeout=60)
    except Empty:  # pragma: no cover
        outcome = "no answer"
    child.join(60)
    assert isinstance(outcome, tuple), outcome
    code, output = outcome
    assert code == 0 and "OK: 6 events" in output, output
    assert snapshot(locked_folder) == before


# --- reading while a writer is at work ----------------------------------------------------


def _keep_appending(path: str, count: int) -> None:
    with open_ledger(path) as ledger:
        fill(ledger, count, first=100)


@pytest.mark.parametrize("store", STORES)
def test_verify_while_another_process_appends_is_never_broken(tmp_path: Path, store: str) -> None:
    path = tmp_path / store
    make(path)
    context = multiprocessing.get_context("spawn")
    writer = context.Process(target=_keep_appending, args=(str(path), 150))
    writer.start()
    seen = []
    while writer.is_alive() or not seen:
        result = verify(path)
        assert result.exit_code == 0, result.output
        seen.append(int(result.stdout.split()[1]))
    writer.join(120)
    assert writer.exitcode == 0
    assert seen == sorted(seen) and verify(path).stdout.startswith("OK: 456 events")


def test_an_immutable_read_that_saw_a_change_is_read_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from randcheck.ledger.stores.sqlite import SqliteLedger

    path = tmp_path / "l.sqlite"
    make(path)
    real = SqliteLedger._signature
    calls = {"n": 0}

    def moving(self: SqliteLedger) -> tuple[object, ...]:
        calls["n"] += 1
        return (calls["n"],) if calls["n"] <= limit else real(self)

    limit = 2  # the first read sees the file change under it, the second does not
    monkeypatch.setattr(SqliteLedger, "_signature", moving)
    with open_ledger(path, readonly=True) as ledger:
        assert ledger.verify().events == 6
        limit = calls["n"] + 100  # a writer that never stops
        with pytest.raises(LedgerError, match="kept changing"):
            ledger.verify()
        with pytest.raises(LedgerError, match="kept changing"):
            list(ledger.events())


@pytest.mark.parametrize("store", STORES)
def test_a_ledger_in_a_folder_named_like_a_uri(tmp_path: Path, store: str) -> None:
    folder = tmp_path / "台账 #1?mode=rw&x=%20"
    folder.mkdir()
    path = folder / store
    make(path)
    before = snapshot(folder)
    _every_reader(path)
    assert snapshot(folder) == before


def test_a_name_too_long_is_an_error(tmp_path: Path) -> None:
    for name in ("x" * 5000 + ".sqlite", "x" * 5000):
        result = verify(tmp_path / name)
        assert result.exit_code == 2 and "internal error" not in result.output
