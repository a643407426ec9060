"""A damaged ledger is reported as broken at the event that is damaged, never a crash.

``ledger verify`` exits 1 naming the event (never 3, "internal error"), whatever the
damage: a payload that is not JSON, NULL or not UTF-8, a row or line that is a JSON
array or number, a missing field, a flipped byte, a line cut short.
"""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from randcheck.errors import LedgerError
from randcheck.ledger.stores import open_ledger, read_verified
from tests.ledger.helpers import fill, make, snapshot, verify


def _sql(*statements: str) -> Callable[[Path], None]:
    def damage(path: Path) -> None:
        db = sqlite3.connect(path)
        for statement in statements:
            db.execute(statement)
        db.commit()
        db.close()

    return damage


# The NOT NULL constraints a randcheck ledger has are dropped first, as a hand edit can.
_LOOSE = (
    "CREATE TABLE loose AS SELECT * FROM events",
    "DROP TABLE events",
    "ALTER TABLE loose RENAME TO events",
)

SQLITE_DAMAGE = {
    "payload not JSON": _sql("UPDATE events SET payload = '{\"task_id\": ' WHERE seq = 3"),
    "payload a JSON array": _sql("UPDATE events SET payload = '[1, 2]' WHERE seq = 3"),
    "payload a number": _sql("UPDATE events SET payload = '42' WHERE seq = 3"),
    "payload NULL": _sql(*_LOOSE, "UPDATE events SET payload = NULL WHERE seq = 3"),
    "payload not UTF-8": _sql("UPDATE events SET payload = CAST(X'7bff7d' AS TEXT) WHERE seq = 3"),
    "payload a BLOB": _sql("UPDATE events SET payload = X'7b7d' WHERE seq = 3"),
    "payload with NaN": _sql(
        'UPDATE events SET payload = \'{"task_id":"T0","outcome":NaN}\' WHERE seq = 3'
    ),
    "payload with a key twice": _sql(
        'UPDATE events SET payload = \'{"outcome":"NO_PROBLEM","outcome":"RECTIFY",'
        '"task_id":"T0"}\' WHERE seq = 3'
    ),
    "payload nested too deep": _sql(
        "UPDATE events SET payload = '" + "[" * 5000 + "]" * 5000 + "' WHERE seq = 3"
    ),
    "a byte flipped in a Chinese name": _sql(
        "UPDATE events SET actor = CAST(X'e689a7e8a18ce5a4a7e9989fe5bcbce4b889' AS TEXT) "
        "WHERE seq = 3"
    ),
    "a name edited": _sql("UPDATE events SET actor = '执法大队李四' WHERE seq = 3"),
    "seq a text": _sql(*_LOOSE, "UPDATE events SET seq = 'three' WHERE seq = 3"),
    "time NULL": _sql(*_LOOSE, "UPDATE events SET time = NULL WHERE seq = 3"),
    "hash a BLOB": _sql("UPDATE events SET hash = X'00' WHERE seq = 3"),
}


@pytest.mark.parametrize("damage", sorted(SQLITE_DAMAGE))
def test_damaged_sqlite_rows_are_broken_events(tmp_path: Path, damage: str) -> None:
    path = tmp_path / "l.sqlite"
    make(path)
    SQLITE_DAMAGE[damage](path)
    before = snapshot(tmp_path)
    result = verify(path)
    assert result.exit_code == 1, result.output
    assert "BROKEN 台账链断裂 at event #3" in result.stdout
    assert "internal error" not in result.output
    assert snapshot(tmp_path) == before
    with pytest.raises(LedgerError, match="event #3"):
        read_verified(path)


JSONL_DAMAGE: dict[str, Callable[[bytes], bytes]] = {
    "a line that is a JSON array": lambda data: data + b"[1, 2]\n",
    "a line that is a number": lambda data: data + b"42\n",
    "a line that is not JSON": lambda data: data + b'{"seq": 7, "type": \n',
    "a line that is not UTF-8": lambda data: data + b'{"seq": 7, "actor": "\xe5\xa4"}\n',
    "a blank line": lambda data: data + b"\n",
    "a line with a key twice": lambda data: data + b'{"seq": 7, "seq": 7}\n',
    "a line with a missing key": lambda data: data + b'{"seq": 7, "type": "X"}\n',
    "a line with NaN": lambda data: data + b'{"seq": NaN}\n',
    "a line nested too deep": lambda data: data + b"[" * 5000 + b"]" * 5000 + b"\n",
    "bytes after the last newline": lambda data: data + b'{"seq": 7, "type": "RESULT_REC',
    "the last line cut short": lambda data: data + data.splitlines(keepends=True)[0][:-20],
    "a lone newline-less brace": lambda data: data + b"}",
}


@pytest.mark.parametrize("damage", sorted(JSONL_DAMAGE))
def test_damaged_jsonl_lines_are_broken_events(tmp_path: Path, damage: str) -> None:
    path = tmp_path / "l.jsonl"
    make(path)  # 6 events
    path.write_bytes(JSONL_DAMAGE[damage](path.read_bytes()))
    before = snapshot(tmp_path)
    result = verify(path)
    assert result.exit_code == 1, result.output
    assert "BROKEN 台账链断裂 at event #7" in result.stdout
    assert "6 events verify before it" in result.stdout
    assert "internal error" not in result.output
    assert snapshot(tmp_path) == before  # reading never repairs nor touches
    with pytest.raises(LedgerError, match="event #7"):
        read_verified(path)


def test_a_flipped_byte_in_a_chinese_name_in_jsonl(tmp_path: Path) -> None:
    path = tmp_path / "l.jsonl"
    make(path)
    data = bytearray(path.read_bytes())
    lines = bytes(data).split(b"\n")
    at = len(b"\n".join(lines[:3])) + 1 + lines[3].index("张".encode()) + 1
    data[at] ^= 0x01  # 张 -> another character: the text is still UTF-8
    path.write_bytes(bytes(data))
    result = verify(path)
    assert result.exit_code == 1 and "at event #4" in result.stdout
    assert "changed after it was written" in result.stdout
    data[at] ^= 0x41  # now not UTF-8 at all
    path.write_bytes(bytes(data))
    result = verify(path)
    assert result.exit_code == 1 and "at event #4: line 4 is not UTF-8" in result.stdout


@pytest.mark.parametrize("cut", [1, 25, 180])
def test_a_fragment_is_reported_and_only_an_append_repairs_it(
    tmp_path: Path, cut: int, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "l.jsonl"
    make(path)
    whole = path.read_bytes()
    path.write_bytes(whole + whole.splitlines(keepends=True)[1][:cut])
    before = snapshot(tmp_path)
    result = verify(path)
    assert result.exit_code == 1
    assert f"at event #7: incomplete last line ({cut} bytes)" in result.stdout
    with open_ledger(path, readonly=True) as ledger:  # a reader reports, never repairs
        assert ledger.verify().first_break == 7
        assert ledger.head == ledger.verify().head
    with open_ledger(path) as ledger:  # a writer opened but not appending: still no repair
        assert ledger.head == ledger.verify().head
    assert snapshot(tmp_path) == before
    with caplog.at_level(logging.WARNING, logger="randcheck.ledger"), open_ledger(path) as ledger:
        fill(ledger, 1, first=9)
        assert (
            ledger.repaired
            and f"removed an incomplete last line ({cut} bytes" in (ledger.repaired[0])
        )
    assert "removed an incomplete last line" in caplog.text
    result = verify(path)
    assert result.exit_code == 0 and "OK: 9 events" in result.stdout


def test_a_writer_refuses_to_append_to_a_broken_jsonl_ledger(tmp_path: Path) -> None:
    path = tmp_path / "l.jsonl"
    make(path)
    path.write_bytes(path.read_bytes() + b"[1]\n")
    before = path.read_bytes()
    with open_ledger(path) as ledger, pytest.raises(LedgerError, match="event #7"):
        fill(ledger, 1, first=9)
    assert path.read_bytes() == before


def test_a_writer_refuses_to_chain_onto_a_damaged_last_sqlite_event(tmp_path: Path) -> None:
    path = tmp_path / "l.sqlite"
    make(path)
    SQLITE_DAMAGE["payload not JSON"](path)
    _sql("DELETE FROM events WHERE seq > 3")(path)
    with open_ledger(path) as ledger, pytest.raises(LedgerError, match="event #3"):
        fill(ledger, 1, first=9)


# --- any flipped or cut byte ------------------------------------------------------------


@pytest.fixture(scope="module")
def originals(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[bytes, str, int]]:
    folder = tmp_path_factory.mktemp("originals")
    out = {}
    for name in ("l.sqlite", "l.jsonl"):
        head = make(folder / name, 3)
        out[name] = ((folder / name).read_bytes(), head, 9)
    return out


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    store=st.sampled_from(["l.sqlite", "l.jsonl"]),
    where=st.floats(min_value=0, max_value=1, exclude_max=True),
    how=st.one_of(st.integers(min_value=1, max_value=255), st.just(0)),
)
def test_any_flipped_or_cut_byte_is_never_ok_and_never_a_crash(
    tmp_path_factory: pytest.TempPathFactory,
    originals: dict[str, tuple[bytes, str, int]],
    store: str,
    where: float,
    how: int,
) -> None:
    data, head, count = originals[store]
    at = int(where * len(data))
    # how == 0: cut the file there; else flip bits of the byte there
    flipped = data[:at] + bytes([data[at] ^ how]) + data[at + 1 :]
    damaged = data[:at] if how == 0 else flipped
    path = tmp_path_factory.mktemp("damaged") / store
    path.write_bytes(damaged)
    result = verify(path, "--head", f"{head}:{count}")
    assert result.exit_code in (0, 1, 2), result.output
    assert "internal error" not in result.output
    if store == "l.jsonl":  # every byte of a line is covered by the hash or the format
        assert result.exit_code == 1, (at, how, result.output)
    elif result.exit_code == 0:  # a byte SQLite does not use: the events are the same
        assert read_verified(path) == read_verified(originals_path(tmp_path_factory, data))


def originals_path(factory: pytest.TempPathFactory, data: bytes) -> Path:
    path = factory.mktemp("original") / "l.sqlite"
    path.write_bytes(data)
    return path
