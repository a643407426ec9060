"""The PostgreSQL store behaves as the file stores do: one whole chain per jurisdiction
whatever the writers do at once, readers that never write and read one snapshot, and
damage done by SQL reported at its event number, never a crash.

Runs against a real server (tests/ledger/pg_server.py): skipped without one, saying
why, except under CI (RANDCHECK_REQUIRE_POSTGRES=1), where a skip is a failure.
"""

from __future__ import annotations

import datetime as dt
import multiprocessing
import secrets
import signal
import subprocess
import sys
import threading
import time
import urllib.parse
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import typer
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from randcheck.cli import ledger_cmd
from randcheck.errors import LedgerError
from randcheck.ledger import GENESIS, PublishedHead, event_hash, published_head
from randcheck.ledger.stores import open_ledger, open_store, read_verified
from tests.ledger.helpers import T0, fill
from tests.ledger.pg_server import Server, serve


@pytest.fixture(scope="module")
def postgres() -> Iterator[Server]:
    yield from serve()


# --- the behaviour every store shares ------------------------------------------------------


@pytest.fixture(params=["sqlite", "jsonl", "postgresql"])
def address(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A new ledger in each store: a file path, or a PostgreSQL URL naming a new chain."""
    if request.param == "postgresql":
        server: Server = request.getfixturevalue("postgres")
        return server.ledger()
    return str(tmp_path / f"l.{request.param}")


def _dispatch(task: str) -> dict[str, Any]:
    return {"task_id": task, "uscc": "91410724000000001J", "inspectors": ["I1", "I2"]}


def test_a_whole_chain_verifies_and_a_result_is_never_edited(address: str) -> None:
    with open_ledger(address) as ledger:
        fill(ledger, 2)
        first = ledger.events_for("T0")[-1]
        with pytest.raises(LedgerError, match="already has a result"):
            ledger.append(
                "RESULT_RECORDED", actor="I1", payload={"task_id": "T0", "outcome": "RECTIFY"}
            )
        request = ledger.append(
            "CORRECTION_REQUESTED",
            actor="中队",
            payload={"task_id": "T0", "result_seq": first.seq, "reason": "录入错误"},
        )
        ledger.append(
            "CORRECTION_APPROVED",
            actor="局长",
            payload={"task_id": "T0", "request_seq": request.seq, "approved_by": "局长"},
        )
        ledger.append(
            "RESULT_RECORDED", actor="I1", payload={"task_id": "T0", "outcome": "RECTIFY"}
        )
        report = ledger.verify()
        head = ledger.head
    assert report.ok and report.events == 9 and report.head == head
    with open_ledger(address, readonly=True) as reader:
        assert [e.seq for e in reader.events_for("T0")] == [1, 2, 3, 7, 8, 9]
        assert [e.seq for e in reader.events()] == list(range(1, 10))
        assert published_head(reader) == PublishedHead(head, 9)
        assert reader.verify(expected_head=f"{head}:9").ok
    assert [e.hash for e in read_verified(address)][-1] == head


def test_a_refused_batch_writes_nothing(address: str) -> None:
    with open_ledger(address) as ledger:
        fill(ledger, 1)
        head = ledger.head
        with pytest.raises(LedgerError, match="unknown event type"):
            ledger.append_many(
                [
                    ("TASK_DISPATCHED", "大队", _dispatch("T8"), None, None),
                    ("NO_SUCH_TYPE", "大队", {}, "T9", None),
                ]
            )
        with pytest.raises(LedgerError, match="every event needs an actor"):
            ledger.append("TASK_DISPATCHED", actor=" ", payload=_dispatch("T9"))
        assert ledger.head == head and ledger.verify().events == 3


def test_threads_sharing_one_ledger_keep_the_chain_whole(address: str) -> None:
    with open_ledger(address) as ledger:

        def work(k: int) -> None:
            for n in range(25):
                ledger.append("TASK_DISPATCHED", actor="大队", payload=_dispatch(f"T{k}-{n}"))

        threads = [threading.Thread(target=work, args=(k,)) for k in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        report = ledger.verify()
    assert report.ok and report.events == 100


# --- writers in several processes ------------------------------------------------------------


def _append(urls: list[str], k: int, count: int, out: Any) -> None:
    """Append ``count`` events to each ledger in turn; report every acknowledged one."""
    ledgers = [open_ledger(url) for url in urls]
    acknowledged: list[tuple[str, int, str]] = []
    try:
        for n in range(count):
            for url, ledger in zip(urls, ledgers):
                event = ledger.append(
                    "TASK_DISPATCHED", actor="大队", payload=_dispatch(f"P{k}-{n}")
                )
                acknowledged.append((url, event.seq, event.hash))
    finally:
        for ledger in ledgers:
            ledger.close()
        out.put(acknowledged)


def _race(urls: list[str], processes: int, count: int) -> list[tuple[str, int, str]]:
    context = multiprocessing.get_context("spawn")
    out = context.Queue()
    workers = [
        context.Process(target=_append, args=(urls, k, count, out)) for k in range(processes)
    ]
    for worker in workers:
        worker.start()
    acknowledged = [item for _ in workers for item in out.get(timeout=300)]
    for worker in workers:
        worker.join(60)
        assert worker.exitcode == 0
    return acknowledged


def _whole(
    postgres: Server, url: str, chain: str, count: int, acknowledged: set[tuple[int, str]]
) -> None:
    events = read_verified(url)  # the chain verifies, every event checked
    assert [e.seq for e in events] == list(range(1, count + 1))  # no gap, no fork
    assert acknowledged <= {(e.seq, e.hash) for e in events}  # nothing acknowledged is lost
    assert len(acknowledged) == count
    rows = postgres.sql(
        "SELECT count(*), max(seq), (SELECT seq FROM ledger_heads WHERE chain = %s), "
        "(SELECT hash FROM ledger_heads WHERE chain = %s) FROM ledger_events WHERE chain = %s",
        (chain, chain, chain),
    )
    assert rows == [(count, count, count, events[-1].hash)]


def test_four_processes_appending_200_each_to_one_chain(postgres: Server) -> None:
    chain = postgres.chain()
    url = postgres.ledger(chain)
    acknowledged = _race([url], processes=4, count=200)
    _whole(postgres, url, chain, 800, {(s, h) for _, s, h in acknowledged})


def test_four_processes_appending_to_two_chains_at_once(postgres: Server) -> None:
    chains = [postgres.chain(), postgres.chain()]
    urls = [postgres.ledger(c) for c in chains]
    acknowledged = _race(urls, processes=4, count=200)
    for chain, url in zip(chains, urls):
        mine = {(s, h) for u, s, h in acknowledged if u == url}
        _whole(postgres, url, chain, 800, mine)


def _record_result(url: str, k: int, go: Any, out: Any) -> None:
    with open_ledger(url) as ledger:
        go.wait(30)
        try:
            ledger.append(
                "RESULT_RECORDED", actor=f"I{k}", payload={"task_id": "T1", "outcome": "RECTIFY"}
            )
            out.put("won")
        except LedgerError as exc:
            out.put(f"refused: {exc.what}")


def test_exactly_one_of_racing_result_records_wins(postgres: Server) -> None:
    url = postgres.ledger()
    with open_ledger(url) as ledger:
        ledger.append("TASK_DISPATCHED", actor="大队", payload=_dispatch("T1"))
    context = multiprocessing.get_context("spawn")
    go, out = context.Event(), context.Queue()
    racers = [context.Process(target=_record_result, args=(url, k, go, out)) for k in range(6)]
    for racer in racers:
        racer.start()
    go.set()
    outcomes = sorted(out.get(timeout=120) for _ in racers)
    for racer in racers:
        racer.join(60)
    assert outcomes.count("won") == 1
    assert all("already has a result" in o for o in outcomes if o != "won")
    assert [e.type.value for e in read_verified(url)] == ["TASK_DISPATCHED", "RESULT_RECORDED"]


WRITER = """
import sys
from randcheck.ledger.stores import open_ledger
with open_ledger(sys.argv[1]) as ledger:
    n = 0
    while True:
        ledger.append_many([("TASK_DISPATCHED", "大队", {"task_id": f"K{n}-{m}", "uscc": "x",
                             "inspectors": ["I1", "I2"]}, None, None) for m in range(50)])
        n += 1
        if n == 5:
            print("ready", flush=True)
"""


def test_a_writer_killed_mid_append_leaves_a_whole_chain(postgres: Server) -> None:
    url = postgres.ledger()
    writer = subprocess.Popen(
        [sys.executable, "-c", WRITER, url], stdout=subprocess.PIPE, text=True
    )
    assert writer.stdout is not None
    assert writer.stdout.readline().strip() == "ready"
    time.sleep(0.2)
    writer.send_signal(signal.SIGKILL)
    writer.wait()
    with open_ledger(url, readonly=True) as ledger:
        report = ledger.verify()
    assert report.ok and report.events >= 250 and report.events % 50 == 0  # whole batches only
    with open_ledger(url) as ledger:  # the next writer carries on (the server rolled back)
        ledger.append("TASK_DISPATCHED", actor="大队", payload=_dispatch("after"))
        assert ledger.verify().events == report.events + 1


# --- readers -----------------------------------------------------------------------------------


@pytest.fixture
def reader(postgres: Server) -> Iterator[tuple[str, str]]:
    """A role that may only read the schema (whatever a reader tried to write would
    fail), and the URL of the schema as that role, password included."""
    role, password = f"randcheck_reader_{secrets.token_hex(4)}", secrets.token_hex(8)
    postgres.sql(f"CREATE ROLE {role} LOGIN PASSWORD '{password}'")
    try:
        parts = urllib.parse.urlsplit(postgres.url)
        host = parts.netloc.rpartition("@")[2]
        url = urllib.parse.urlunsplit(parts._replace(netloc=f"{role}:{password}@{host}"))
        yield role, f"{url}{'&' if parts.query else '?'}schema={postgres.schema}"
    finally:
        postgres.sql(f"DROP OWNED BY {role}")
        postgres.sql(f"DROP ROLE {role}")


def test_readers_write_nothing(
    postgres: Server, reader: tuple[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    chain = postgres.chain()
    with open_ledger(postgres.ledger(chain)) as ledger:
        fill(ledger, 2)
        head = ledger.head
    role, store = reader
    postgres.sql(f"GRANT USAGE ON SCHEMA {postgres.schema} TO {role}")
    postgres.sql(f"GRANT SELECT ON ALL TABLES IN SCHEMA {postgres.schema} TO {role}")
    url = f"{store}&chain={chain}"
    with open_ledger(url, readonly=True) as ledger:
        assert ledger.verify().ok and ledger.head == head
        assert len(list(ledger.events())) == 6 and len(ledger.verified_events(f"{head}:6")) == 6
        assert [e.seq for e in ledger.events_for("T1")] == [4, 5, 6]
        assert published_head(ledger) == PublishedHead(head, 6)
        with pytest.raises(LedgerError, match="read-only"):
            fill(ledger, 1, first=5)
    assert len(read_verified(url)) == 6
    code, out = _cli_verify(url, capsys)
    assert code == 0 and "OK: 6 events" in out
    with pytest.raises(LedgerError, match="could not be opened to append") as caught:
        open_ledger(url)  # this role may not write: said so, no traceback
    password = store.split("@")[0].rpartition(":")[2]
    assert "***" in str(caught.value) and password not in str(caught.value)


def test_a_reading_is_one_snapshot(postgres: Server) -> None:
    url = postgres.ledger()
    with open_ledger(url) as writer:
        fill(writer, 2)
        with open_ledger(url, readonly=True) as reader:
            events = reader.events()
            assert next(events).seq == 1
            fill(writer, 3, first=2)  # committed while the reading is under way
            assert [e.seq for e in events] == list(range(2, 7))  # the snapshot: 6 events
            assert reader.verify().events == 15 and reader.head == writer.head


def test_an_empty_chain_is_empty_and_a_missing_one_is_an_error(postgres: Server) -> None:
    chain = postgres.chain()
    with open_ledger(postgres.ledger(chain)):
        pass
    with open_ledger(postgres.ledger(chain), readonly=True) as ledger:
        report = ledger.verify()
        assert report.empty and ledger.head == GENESIS
    with pytest.raises(LedgerError, match="there is no chain 'nowhere' here") as caught:
        open_ledger(postgres.ledger("nowhere"), readonly=True)
    assert chain in str(caught.value)  # the chains there are named


# --- damage done by SQL ------------------------------------------------------------------------


def _cli_verify(url: str, capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    """``randcheck ledger verify URL``: its exit status and output."""
    capsys.readouterr()
    try:
        ledger_cmd.verify(url, None)  # type: ignore[arg-type]
        code = 0
    except typer.Exit as exit_:
        code = exit_.exit_code
    return code, capsys.readouterr().out


def _six(server: Server) -> tuple[str, str]:
    chain = server.chain()
    with open_ledger(server.ledger(chain)) as ledger:
        fill(ledger, 2)
    return chain, server.ledger(chain)


UPDATE = "UPDATE ledger_events SET {} WHERE chain = %s AND seq = {}"
DAMAGE: dict[str, tuple[list[str], int, str]] = {
    # name: (statements with {chain} as %s, the event reported, words of the reason)
    "payload not JSON": ([UPDATE.format("payload = '{\"task_id\": '", 3)], 3, "not valid JSON"),
    "payload a JSON array": ([UPDATE.format("payload = '[1, 2]'", 3)], 3, "changed after"),
    "payload a number": ([UPDATE.format("payload = '42'", 3)], 3, "changed after"),
    "payload with NaN": (
        [UPDATE.format('payload = \'{"task_id":"T0","outcome":NaN}\'', 3)],
        3,
        "not a number JSON allows",
    ),
    "payload with a key twice": (
        [
            UPDATE.format(
                'payload = \'{"outcome":"NO_PROBLEM","outcome":"RECTIFY","task_id":"T0"}\'', 3
            )
        ],
        3,
        "appears twice",
    ),
    "payload nested too deep": (
        [UPDATE.format("payload = '" + "[" * 5000 + "]" * 5000 + "'", 3)],
        3,
        "nested too deeply",
    ),
    "a payload edited": (
        [UPDATE.format("payload = replace(payload, 'NO_PROBLEM', 'RECTIFY')", 3)],
        3,
        "changed after it was written",
    ),
    "a name edited": (
        [UPDATE.format("actor = '执法大队李四'", 1)],
        1,
        "changed after it was written",
    ),
    "a row deleted": (["DELETE FROM ledger_events WHERE chain = %s AND seq = 3"], 3, "missing"),
    "the last row deleted": (
        ["DELETE FROM ledger_events WHERE chain = %s AND seq = 6"],
        6,
        "head record has 6 events",
    ),
    "two rows swapped": (
        [
            "UPDATE ledger_events SET seq = CASE seq WHEN 3 THEN 1004 ELSE 1003 END "
            "WHERE chain = %s AND seq IN (3, 4)",
            "UPDATE ledger_events SET seq = seq - 1000 WHERE chain = %s AND seq > 1000",
        ],
        3,
        "does not follow",
    ),
    "the head row deleted": (["DELETE FROM ledger_heads WHERE chain = %s"], 7, "no head record"),
}


@pytest.mark.parametrize("damage", sorted(DAMAGE))
def test_damage_is_reported_at_its_event(
    postgres: Server, damage: str, capsys: pytest.CaptureFixture[str]
) -> None:
    chain, url = _six(postgres)
    statements, number, words = DAMAGE[damage]
    for statement in statements:
        postgres.sql(statement, (chain,))
    with open_ledger(url, readonly=True) as ledger:
        report = ledger.verify()
    assert report.first_break == number and words in (report.reason or ""), report
    code, out = _cli_verify(url, capsys)
    assert code == 1 and f"at event #{number}" in out, out
    with pytest.raises(LedgerError, match=f"event #{number}"):
        read_verified(url)
    other = postgres.ledger()  # the other chains are not touched
    with open_ledger(other) as ledger:
        fill(ledger, 1)
        assert ledger.verify().ok


def _forge(events: list[dict[str, Any]], at: int) -> list[dict[str, Any]]:
    """The chain rehashed from event #``at`` on, as a forger with SQL would."""
    previous = events[at - 2]["hash"] if at > 1 else GENESIS
    for event in events[at - 1 :]:
        event["prev_hash"] = previous
        body = {k: v for k, v in event.items() if k != "hash"}
        event["hash"] = previous = event_hash(body)
    return events


def test_a_forged_tail_is_caught_by_the_head_row(postgres: Server) -> None:
    chain, url = _six(postgres)
    events = [e.to_json() for e in read_verified(url)]
    events[5]["actor"] = "伪造"
    forged = _forge(events, 6)[5]
    postgres.sql(
        "UPDATE ledger_events SET actor = %s, hash = %s WHERE chain = %s AND seq = 6",
        (forged["actor"], forged["hash"], chain),
    )
    with open_ledger(url, readonly=True) as ledger:
        report = ledger.verify()
    assert report.first_break == 6 and "not the chain's recorded head" in (report.reason or "")
    with open_ledger(url) as writer, pytest.raises(LedgerError, match="outside randcheck"):
        fill(writer, 1, first=7)  # and no writer chains onto it


def test_an_event_added_by_sql_is_caught(postgres: Server) -> None:
    chain, url = _six(postgres)
    events = [e.to_json() for e in read_verified(url)]
    extra = dict(
        events[-1], seq=7, subject="T9", payload={"task_id": "T9", "outcome": "NO_PROBLEM"}
    )
    extra = _forge([*events, extra], 7)[6]
    postgres.sql(
        "INSERT INTO ledger_events VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s)",
        (
            chain,
            7,
            extra["type"],
            extra["time"],
            extra["actor"],
            extra["subject"],
            '{"outcome":"NO_PROBLEM","task_id":"T9"}',
            extra["prev_hash"],
            extra["hash"],
        ),
    )
    with open_ledger(url, readonly=True) as ledger:
        report = ledger.verify()
    assert report.first_break == 7 and "past the chain's recorded head" in (report.reason or "")


def test_a_whole_rewrite_needs_the_published_head(postgres: Server) -> None:
    chain, url = _six(postgres)
    with open_ledger(url, readonly=True) as ledger:
        published = f"{ledger.head}:6"
    postgres.sql("DELETE FROM ledger_events WHERE chain = %s AND seq = 6", (chain,))
    postgres.sql(
        "UPDATE ledger_heads SET seq = 5, hash = (SELECT hash FROM ledger_events "
        "WHERE chain = %s AND seq = 5) WHERE chain = %s",
        (chain, chain),
    )
    with open_ledger(url, readonly=True) as ledger:
        assert ledger.verify().ok  # cut cleanly, head row too: a shorter chain…
        report = ledger.verify(expected_head=published)
    assert report.head_mismatch and report.first_break == 6  # …caught by the published head


def test_a_writer_refuses_to_chain_onto_a_damaged_last_event(postgres: Server) -> None:
    chain, url = _six(postgres)
    postgres.sql(UPDATE.format("payload = 'nonsense'", 6), (chain,))
    with open_ledger(url) as ledger, pytest.raises(LedgerError, match="event #6"):
        fill(ledger, 1, first=9)
    assert postgres.sql("SELECT max(seq) FROM ledger_events WHERE chain = %s", (chain,)) == [(6,)]


@pytest.mark.parametrize(
    ("statements", "words"),
    [
        (
            [
                "ALTER TABLE ledger_events ALTER payload DROP NOT NULL",
                UPDATE.format("payload = NULL", 3),
            ],
            "payload is NULL",
        ),
        (
            ["ALTER TABLE ledger_events ALTER time DROP NOT NULL", UPDATE.format("time = NULL", 3)],
            "changed after",
        ),
        (
            [
                "ALTER TABLE ledger_events ALTER payload TYPE bytea "
                "USING convert_to(payload, 'UTF8')"
            ],
            "payload is a bytes",
        ),
        (
            ["ALTER TABLE ledger_events ALTER time TYPE timestamptz USING time::timestamptz"],
            "cannot be hashed",
        ),
    ],
)
def test_a_table_altered_by_hand_is_reported_not_crashed_on(
    postgres: Server, statements: list[str], words: str
) -> None:
    server = postgres.isolated()  # its own tables: these damage the table itself
    chain, url = _six(server)
    for statement in statements:
        server.sql(statement, (chain,) if "%s" in statement else ())
    with open_ledger(url, readonly=True) as ledger:
        report = ledger.verify()
    assert not report.ok and words in (report.reason or ""), report


COLUMNS = ["type", "time", "actor", "subject", "payload", "prev_hash", "hash"]


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    seq=st.integers(min_value=1, max_value=6),
    how=st.sampled_from([*COLUMNS, "delete", "swap", "move"]),
)
def test_any_single_change_by_sql_is_detected(postgres: Server, seq: int, how: str) -> None:
    chain, url = _six(postgres)
    if how == "payload":  # a value changed (white space in the JSON text is no change)
        postgres.sql(
            "UPDATE ledger_events SET payload = replace(payload, 'T', 'X') "
            "WHERE chain = %s AND seq = %s",
            (chain, seq),
        )
    elif how in COLUMNS:
        postgres.sql(
            f"UPDATE ledger_events SET {how} = {how} || ' ' WHERE chain = %s AND seq = %s",
            (chain, seq),
        )
    elif how == "delete":
        postgres.sql("DELETE FROM ledger_events WHERE chain = %s AND seq = %s", (chain, seq))
    elif how == "move":  # the row moved to another chain
        postgres.sql(
            "UPDATE ledger_events SET chain = 'elsewhere' WHERE chain = %s AND seq = %s",
            (chain, seq),
        )
        postgres.sql("DELETE FROM ledger_events WHERE chain = 'elsewhere'")
    else:  # swapped with the next event (the first, for the last)
        other = seq % 6 + 1
        postgres.sql(
            "UPDATE ledger_events SET seq = CASE seq WHEN %s THEN %s ELSE %s END "
            "WHERE chain = %s AND seq IN (%s, %s)",
            (seq, 1000 + other, 1000 + seq, chain, seq, other),
        )
        postgres.sql(
            "UPDATE ledger_events SET seq = seq - 1000 WHERE chain = %s AND seq > 1000", (chain,)
        )
    with open_ledger(url, readonly=True) as ledger:
        report = ledger.verify()
    assert not report.ok and report.first_break is not None and report.first_break <= 6


# --- errors --------------------------------------------------------------------------------------


def test_connection_errors_say_what_where_and_what_to_do(postgres: Server) -> None:
    parts = urllib.parse.urlsplit(postgres.url)
    user = parts.netloc.rpartition("@")[0]
    login = f"{user}@" if user else ""
    host = parts.hostname or "127.0.0.1"
    server = f"{host}:{parts.port or 5432}"
    cases = {
        f"postgresql://user:secret@{host}:1/test?chain=a": "cannot connect to PostgreSQL",
        f"postgresql://{login}{server}/randcheck_no_such_db?chain=a": "does not exist",
        f"postgresql://randcheck_no_such_role:secret@{server}/test?chain=a": (
            "does not exist|password authentication failed"
        ),
        "postgresql://no-such-host.invalid/test?chain=a": "no-such-host.invalid",
        f"postgresql://{login}{server}/test?sslmode=nonsense&chain=a": "sslmode",
        f"postgresql://{server}/test?no_such_option=1&chain=a": "not a usable PostgreSQL URL",
    }
    wrong = f"postgresql://{user.partition(':')[0] or 'root'}:wrong-{secrets.token_hex(4)}@{server}"
    try:  # a server that asks for passwords (Debian's own) refuses a wrong one
        open_ledger(f"{wrong}/test?chain=a", readonly=True).close()
    except LedgerError as exc:
        if "password" in str(exc):
            cases[f"{wrong}/test?chain=a"] = "check the user and password"
    for url, words in cases.items():
        for readonly in (False, True):
            with pytest.raises(LedgerError, match=words) as caught:
                open_ledger(url, readonly=readonly)
            message = str(caught.value)
            assert "What to do" in message and "\n" not in caught.value.what, message
            assert "secret" not in message and "wrong-" not in message, message
    with pytest.raises(LedgerError, match="no randcheck ledger here") as caught:
        url = postgres.store.replace(postgres.schema, "randcheck_none")
        open_ledger(f"{url}&chain=a", readonly=True)
    assert "schema randcheck_none" in str(caught.value)
    with pytest.raises(LedgerError, match="which jurisdiction"):
        open_ledger(postgres.store)


def test_the_password_hint() -> None:
    from randcheck.ledger.stores.postgres import _connection_hint
    from randcheck.ledger.stores.urls import parse_url

    address = parse_url("postgresql://u:p@h/db?chain=a")
    message = 'connection failed: FATAL: password authentication failed for user "u"'
    assert "password" in _connection_hint(message, address)
    assert "createdb" in _connection_hint('FATAL: database "x" does not exist', address)
    assert "existing user" in _connection_hint('FATAL: role "x" does not exist', address)


def test_a_table_that_is_not_randcheck_s_is_refused(postgres: Server) -> None:
    server = postgres.isolated()
    server.sql(f'CREATE SCHEMA "{server.schema}"')
    server.sql("CREATE TABLE ledger_events (id int)")
    for readonly in (False, True):
        with pytest.raises(LedgerError, match="not a randcheck ledger table"):
            open_ledger(server.ledger(), readonly=readonly)


def test_without_psycopg_the_store_says_what_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "psycopg", None)
    monkeypatch.delitem(sys.modules, "randcheck.ledger.stores.postgres", raising=False)
    with pytest.raises(LedgerError, match=r"randcheck\[postgres\]"):
        open_ledger("postgresql://127.0.0.1/test?chain=a")
    with pytest.raises(LedgerError, match=r"randcheck\[postgres\]"):
        open_store("postgresql://127.0.0.1/test")


# --- the store: one chain per jurisdiction ---------------------------------------------------


def test_a_store_holds_one_chain_per_jurisdiction(postgres: Server) -> None:
    server = postgres.isolated()
    with open_store(server.store) as store:
        assert store.jurisdictions() == []  # no tables yet: nothing written
        with store.ledger("410724") as huojia, store.ledger("qingdao_west_coast") as qingdao:
            fill(huojia, 2)
            fill(qingdao, 1)
            assert huojia.verify().events == 6 and qingdao.verify().events == 3
            assert huojia.head != qingdao.head
        assert store.jurisdictions() == ["410724", "qingdao_west_coast"]
        with store.ledger("410724", readonly=True) as reader:
            assert [e.seq for e in reader.events()] == list(range(1, 7))
        with pytest.raises(LedgerError, match="not a jurisdiction's chain name"):
            store.ledger("410724; DROP TABLE ledger_events")
    with open_ledger(f"{server.store}&chain=410724", readonly=True) as same:
        assert same.verify().events == 6


def test_many_appends_stay_fast(postgres: Server) -> None:
    """A batch of 2,000 events is one transaction (the rows inserted in batches)."""
    url = postgres.ledger()
    with open_ledger(url) as ledger:
        started = time.perf_counter()
        ledger.append_many(
            [
                ("TASK_DISPATCHED", "大队", _dispatch(f"B{n}"), None, T0 + dt.timedelta(minutes=n))
                for n in range(2000)
            ]
        )
        assert time.perf_counter() - started < 30
        assert ledger.verify().events == 2000


def test_a_store_s_threads_take_turns_and_share_transactions(
    postgres: Server, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The service's appends to one chain (threads of one process, one store) are
    combined: while one transaction is open the others wait, and the next carries
    every batch waiting. Each batch is still all or none: of the racing results on one
    task exactly one is kept, the refused ones leave nothing and do not disturb the
    batches beside them, and every caller gets its own events."""
    from randcheck.ledger.stores import postgres as pg

    sizes: list[int] = []
    original = pg.PostgresLedger._append_batches

    def counted(self: pg.PostgresLedger, batches: list[Any]) -> None:
        sizes.append(len(batches))
        if len(sizes) == 1:
            time.sleep(0.5)  # the first transaction is slow: the others queue behind it
        original(self, batches)

    monkeypatch.setattr(pg.PostgresLedger, "_append_batches", counted)
    server = postgres.isolated()
    with open_store(server.store) as store:
        with store.ledger("410724") as ledger:
            ledger.append("TASK_DISPATCHED", actor="大队", payload=_dispatch("R"))
        sizes.clear()
        go = threading.Barrier(12, timeout=60)
        outcomes: dict[int, Any] = {}

        def work(k: int) -> None:
            go.wait()  # (more threads than the pool's connections: some wait for one)
            with store.ledger("410724") as mine:
                try:
                    if k % 2:
                        outcomes[k] = mine.append(
                            "RESULT_RECORDED",
                            actor=f"I{k}",
                            payload={"task_id": "R", "outcome": "NO_PROBLEM"},
                        )
                    else:
                        outcomes[k] = mine.append_many(
                            [
                                ("TASK_DISPATCHED", "大队", _dispatch(f"T{k}-{m}"), None, None)
                                for m in range(3)
                            ]
                        )
                except LedgerError as exc:
                    outcomes[k] = exc

        threads = [threading.Thread(target=work, args=(k,)) for k in range(12)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(60)
        assert max(sizes) > 1 and len(sizes) < 12  # transactions were shared
        won = [k for k in range(1, 12, 2) if not isinstance(outcomes[k], LedgerError)]
        assert len(won) == 1
        refused = [outcomes[k] for k in range(1, 12, 2) if k not in won]
        assert all("already has a result" in exc.what for exc in refused)
        for k in range(0, 12, 2):
            assert [e.subject for e in outcomes[k]] == [f"T{k}-{m}" for m in range(3)]
        with store.ledger("410724", readonly=True) as reader:
            events = list(reader.events())
            assert reader.verify().ok
        assert len(events) == 1 + 1 + 6 * 3
        stored = {e.seq: e.hash for e in events}
        acknowledged = [outcomes[won[0]], *(e for k in range(0, 12, 2) for e in outcomes[k])]
        assert all(stored[e.seq] == e.hash for e in acknowledged)
