"""Documents published from a ledger carry its head: the hash of the last event and the
number of events when the document was made, so that anyone can later check that the
ledger still holds what was published (``randcheck ledger verify --head FILE``).

Where the head goes, by format:

- Markdown, HTML, plain text and the terminal: a last line
  ``ledger head 台账头: <64 lowercase hex> events 事件数: <N>``;
- JSON: a top-level object ``"ledger_head": {"hash": "<hex>", "events": N}``;
- CSV: after the table, one empty line, then a row whose only cell is that line (the
  table above stays plain CSV; a reader stops at the empty line);
- XLSX: a second sheet named ``台账头 ledger_head`` whose cell A1 holds that line (A2/B2
  the hash, A3/B3 the count), hidden so that printing the workbook prints the form
  alone and its page count (共 Y 页) is the form's; the form, which stays first and
  whose cells are unchanged, prints the line in its page header (9 pt), so every
  printed page carries it.
"""

from __future__ import annotations

import json
import shutil
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Protocol

from randcheck.errors import InputError
from randcheck.io.atomic import atomic_write
from randcheck.ledger.chain import GENESIS, LedgerEvent
from randcheck.publish.table import Table

HEAD_SHEET = "台账头 ledger_head"
"""The XLSX sheet that carries the ledger head."""
TABLE_FORMATS = ("xlsx", "csv", "json")


class LedgerHead(Protocol):
    """What a published head offers (:class:`randcheck.ledger.PublishedHead`)."""

    @property
    def hash(self) -> str: ...

    def line(self) -> str: ...

    def to_json(self) -> dict[str, Any]: ...


class _Head:
    """The head computed here, for a ledger package without ``published_head``."""

    def __init__(self, hash_: str, events: int) -> None:
        self.hash = hash_
        self.events = events

    def line(self) -> str:
        return f"ledger head 台账头: {self.hash} events 事件数: {self.events}"

    def to_json(self) -> dict[str, Any]:
        return {"hash": self.hash, "events": self.events}


def ledger_head(events: Sequence[LedgerEvent]) -> LedgerHead:
    """The head of a whole ledger whose events (as read, verified) are ``events``: the
    hash of the last one and their count; an empty ledger's is 64 zeros and 0.

    The one place the head is computed: :func:`randcheck.ledger.published_head` when the
    ledger package has it, the last event's hash and the count otherwise.
    """
    try:
        from randcheck.ledger import published_head  # type: ignore[attr-defined,unused-ignore]
    except ImportError:
        return _Head(events[-1].hash if events else GENESIS, len(events))
    head: LedgerHead = published_head(list(events))
    return head


def with_head(text: str, head: LedgerHead | None) -> str:
    """``text`` with the head as its last line (Markdown, plain text)."""
    if head is None:
        return text
    return text.rstrip("\n") + "\n\n" + head.line() + "\n"


def _restaged(exc: InputError, staged: Path, target: Path) -> InputError:
    """The error ``write_table`` raised on the staged file, naming the target instead."""
    what = exc.what.replace(str(staged), str(target))
    where = exc.where.replace(str(staged), str(target)) if exc.where else str(target)
    return InputError(what, where=where, hint=exc.hint)


def write_table_as(
    table: Table, path: Path | str, fmt: str, head: LedgerHead | None = None
) -> Path:
    """Write ``table`` to ``path`` as ``fmt`` (xlsx, csv or json), whatever the name's
    extension, with the ledger ``head`` when given (see the module's notes on where).

    The file appears whole or not at all; nothing is written on an error.
    """
    from randcheck.report.files import write_table

    path = Path(path)
    if fmt not in TABLE_FORMATS:
        raise InputError(f"cannot write a table as {fmt}", where=str(path))
    if head is None and path.suffix.lower() == f".{fmt}":
        return write_table(table, path)
    with tempfile.TemporaryDirectory(prefix="randcheck-") as scratch:
        staged = Path(scratch) / f"{path.stem or 'table'}.{fmt}"
        try:
            write_table(table, staged)
        except InputError as exc:
            raise _restaged(exc, staged, path) from None
        with atomic_write(path) as temp:
            if head is None:
                shutil.copyfile(staged, temp)
            elif fmt == "json":
                data = json.loads(staged.read_text(encoding="utf-8"))
                data["ledger_head"] = head.to_json()
                temp.write_text(
                    json.dumps(data, ensure_ascii=False, indent=1) + "\n", encoding="utf-8"
                )
            elif fmt == "csv":
                body = staged.read_bytes()
                if not body.endswith(b"\n"):
                    body += b"\r\n"
                temp.write_bytes(body + b"\r\n" + head.line().encode("utf-8") + b"\r\n")
            else:
                _add_head_sheet(staged, temp, head)
    return path


def _add_head_sheet(source: Path, target: Path, head: LedgerHead) -> None:
    from openpyxl import load_workbook

    book = load_workbook(source)
    line = head.line()
    header = book.worksheets[0].oddHeader.center  # at the top of every printed page
    header.text, header.size = line, 9
    sheet = book.create_sheet(HEAD_SHEET)
    sheet.sheet_state = "hidden"
    data = head.to_json()
    sheet.append([line])
    sheet.append(["hash 哈希", data["hash"]])
    sheet.append(["events 事件数", data["events"]])
    sheet.column_dimensions["A"].width = 16
    sheet.column_dimensions["B"].width = 70
    book.save(target)
