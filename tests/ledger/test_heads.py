"""Published heads: a cut or rewritten tail is caught against the head published with
a disclosure, report or announcement, in any of its forms."""

from __future__ import annotations

import json
import re
import sqlite3
from pathlib import Path

import pytest

from randcheck.errors import InputError, LedgerError
from randcheck.ledger import GENESIS, PublishedHead, head_from, published_head
from randcheck.ledger.stores import open_ledger, read_verified
from tests.ledger.helpers import fill, make, verify

LINE = re.compile(r"^ledger head 台账头: [0-9a-f]{64} events 事件数: \d+$")


@pytest.fixture(params=["l.sqlite", "l.jsonl"])
def ledger_path(request: pytest.FixtureRequest, tmp_path: Path) -> Path:
    return tmp_path / str(request.param)


def test_the_published_forms(ledger_path: Path) -> None:
    head = make(ledger_path)
    with open_ledger(ledger_path, readonly=True) as ledger:
        published = published_head(ledger)
    assert published == PublishedHead(head, 6)
    assert published.line() == f"ledger head 台账头: {head} events 事件数: 6"
    assert LINE.match(published.line())
    assert published.to_json() == {"hash": head, "events": 6}
    assert json.loads(json.dumps({"ledger_head": published.to_json()})) == {
        "ledger_head": {"hash": head, "events": 6}
    }
    assert published_head(read_verified(ledger_path)) == published
    assert published_head([]) == PublishedHead(GENESIS, 0)
    result = verify(ledger_path)  # verify prints the line to publish
    assert published.line() in result.stdout.splitlines()


def test_no_head_is_published_for_a_broken_ledger(tmp_path: Path) -> None:
    path = tmp_path / "l.sqlite"
    make(path)
    db = sqlite3.connect(path)
    db.execute("UPDATE events SET actor = 'x' WHERE seq = 2")
    db.commit()
    db.close()
    with open_ledger(path, readonly=True) as ledger, pytest.raises(LedgerError, match="#2"):
        published_head(ledger)


def _forms(tmp_path: Path, head: str, events: int) -> dict[str, str]:
    text = tmp_path / "disclosure.md"
    text.write_text(
        f"# 抽查结果公开\n\n…\n\nledger head 台账头: {head} events 事件数: {events}\n",
        encoding="utf-8",
    )
    top = tmp_path / "top.json"
    top.write_text(json.dumps({"ledger_head": {"hash": head, "events": events}}), "utf-8")
    nested = tmp_path / "nested.json"
    nested.write_text(
        json.dumps(
            {
                "title": "报告",
                "meta": [{"x": 1}, {"ledger_head": {"hash": head, "events": events}}],
            },
            ensure_ascii=False,
        ),
        encoding="utf-8",
    )
    return {
        "pair": f"{head}:{events}",
        "bare": head,
        "text file": str(text),
        "json file": str(top),
        "nested json file": str(nested),
    }


@pytest.mark.parametrize("form", ["pair", "bare", "text file", "json file", "nested json file"])
def test_every_form_of_a_head_catches_a_cut_tail(ledger_path: Path, form: str) -> None:
    with open_ledger(ledger_path) as ledger:
        fill(ledger, 2)
        published = published_head(ledger)
        fill(ledger, 1, first=2)  # grown since: fine
    given = _forms(ledger_path.parent, published.hash, published.events or 0)[form]
    grown = verify(ledger_path, "--head", given)
    assert grown.exit_code == 0, grown.output
    assert "6 events at publication, 9 now" in grown.stdout
    events = [json.loads(line) for line in _dump(ledger_path)][:5]  # cut after event #5
    _replace(ledger_path, events)
    cut = verify(ledger_path, "--head", given)
    assert cut.exit_code == 1, cut.output
    assert "BROKEN 台账链断裂" in cut.stdout and published.hash in cut.stdout
    if form != "bare":
        assert "the published head has 6 events" in cut.stdout and "the ledger only 5" in cut.stdout
    assert verify(ledger_path).exit_code == 0  # without the head, the cut cannot be seen


def test_a_rewritten_ledger_with_as_many_events_is_caught(ledger_path: Path) -> None:
    published = make(ledger_path)
    ledger_path.unlink()
    for side in ("-wal", "-shm"):
        Path(f"{ledger_path}{side}").unlink(missing_ok=True)
    with open_ledger(ledger_path) as ledger:  # written again from scratch, one event other
        fill(ledger, 1)
        ledger.append(
            "TASK_DISPATCHED",
            actor="别人",
            payload={"task_id": "T1", "uscc": "x", "inspectors": ["I1"]},
        )
        fill(ledger, 1, first=7)
    assert verify(ledger_path).exit_code == 0
    result = verify(ledger_path, "--head", f"{published}:6")
    assert result.exit_code == 1
    assert f"not the published head {published}" in result.stdout
    assert "event #6 is " in result.stdout


@pytest.mark.parametrize(
    ("given", "message"),
    [
        ("abc", "3 hexadecimal digits, not 64"),
        ("g" * 64, "neither a head hash nor an existing file"),
        ("a" * 64 + ":x", "neither"),
        ("a" * 64 + ":0", "a head of 0 events is the empty chain"),
        ("a" * 65, "65 hexadecimal digits"),
        ("no such file.json", "neither a head hash nor an existing file"),
    ],
)
def test_bad_heads_are_errors(tmp_path: Path, given: str, message: str) -> None:
    make(tmp_path / "l.jsonl")
    result = verify(tmp_path / "l.jsonl", "--head", given)
    assert result.exit_code == 2 and message in result.stderr, result.output


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"no head here", "no published ledger head"),
        (b'{"ledger_head": {"hash": "ab", "events": 3}}', "not a ledger head"),
        (b'{"ledger_head": {"hash": "' + b"a" * 64 + b'", "events": -1}}', "whole number"),
        (b'{"ledger_head": {"hash": "' + b"a" * 64 + b'", "events": true}}', "whole number"),
        (b'{"ledger_head": "x"}', '"ledger_head" is an object'),
        (b'{"a": 1, "a": 2}', "twice"),
        (b"\xff\xfe not text", "not UTF-8"),
        (
            (
                "ledger head 台账头: " + "a" * 64 + " events 事件数: 3\n"
                "ledger head 台账头: " + "b" * 64 + " events 事件数: 4\n"
            ).encode(),
            "2 different ledger heads",
        ),
    ],
)
def test_bad_head_files_are_errors(tmp_path: Path, content: bytes, message: str) -> None:
    make(tmp_path / "l.jsonl")
    (tmp_path / "head.txt").write_bytes(content)
    result = verify(tmp_path / "l.jsonl", "--head", str(tmp_path / "head.txt"))
    assert result.exit_code == 2 and message in result.stderr, result.output


def test_a_folder_is_not_a_head_file(tmp_path: Path) -> None:
    make(tmp_path / "l.jsonl")
    result = verify(tmp_path / "l.jsonl", "--head", str(tmp_path))
    assert result.exit_code == 2 and "folder" in result.stderr


def test_the_same_head_twice_in_a_file_is_one_head(tmp_path: Path) -> None:
    head = make(tmp_path / "l.jsonl")
    line = f"ledger head 台账头: {head} events 事件数: 6\n"
    (tmp_path / "h.txt").write_text(line + "…\n" + line, encoding="utf-8")
    assert head_from(str(tmp_path / "h.txt")) == PublishedHead(head, 6)
    with pytest.raises(InputError):
        PublishedHead(head).line()  # a bare hash has no count to publish


def _dump(path: Path) -> list[str]:
    from randcheck.randomness import canonical_json

    return [canonical_json(e.to_json()) for e in read_verified(path)]


def _replace(path: Path, events: list[dict[str, object]]) -> None:
    from tests.ledger.helpers import write

    write(path, events)


@pytest.mark.parametrize("given", ["x" * 5000, "a" * 64 + ":" + "9" * 40, " ", ""])
def test_odd_heads_are_errors_not_crashes(tmp_path: Path, given: str) -> None:
    make(tmp_path / "l.jsonl")
    result = verify(tmp_path / "l.jsonl", "--head", given)
    assert result.exit_code == 2 and "internal error" not in result.output, result.output


def _workbook(path: Path, head_line: str | None) -> None:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "抽查结果公开"
    sheet.append(["企业名称", "检查结果"])
    sheet.append(["示例企业", "未发现问题"])
    if head_line is not None:
        extra = book.create_sheet("台账头 ledger_head")
        extra["A1"] = head_line
    book.save(path)


def test_a_workbook_and_a_csv_carry_the_head_too(tmp_path: Path) -> None:
    path = tmp_path / "l.sqlite"
    head = make(path)
    line = f"ledger head 台账头: {head} events 事件数: 6"
    _workbook(tmp_path / "d.xlsx", line)
    (tmp_path / "d.csv").write_text(
        f'企业名称,检查结果\n示例企业,未发现问题\n\n"{line}"\n', "utf-8"
    )
    for name in ("d.xlsx", "d.csv"):
        result = verify(path, "--head", str(tmp_path / name))
        assert result.exit_code == 0 and "6 events at publication, 6 now" in result.stdout
    _workbook(tmp_path / "none.xlsx", None)
    result = verify(path, "--head", str(tmp_path / "none.xlsx"))
    assert result.exit_code == 2 and "no published ledger head" in result.stderr
    (tmp_path / "zip.xlsx").write_bytes(b"PK\x03\x04" + bytes(100))
    result = verify(path, "--head", str(tmp_path / "zip.xlsx"))
    assert result.exit_code == 2 and "XLSX" in result.stderr
