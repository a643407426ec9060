"""Published heads: what a disclosure, report or announcement says the ledger was.

A chain alone cannot show that events were cut from its end: the shorter chain
is still whole. So every publication carries the ledger's head at that moment,
the hash of its last event and their count, in one of two forms:

- text: ``ledger head 台账头: <64 lowercase hex> events 事件数: <N>`` on one line;
- JSON: ``"ledger_head": {"hash": "<64 hex>", "events": N}``.

Anyone holding an earlier head checks a ledger against it
(``randcheck ledger verify --head``): event #N must still have that hash; the
ledger may have grown since.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from randcheck.errors import InputError, LedgerError
from randcheck.ledger.chain import GENESIS, LedgerEvent, PublishedHead
from randcheck.ledger.store import Ledger

LINE = re.compile(
    r"ledger head 台账头:[ \t]*([0-9a-fA-F]{64})[ \t]+events 事件数:[ \t]*(\d{1,15})(?!\d)"
)
"""The text form of a published head, as found in any text."""
MAX_HEAD_FILE_BYTES = 64 * 1024 * 1024
_FORMS = (
    "a head hash (64 hexadecimal digits), <hash>:<N>, or a file holding "
    "`ledger head 台账头: <hash> events 事件数: <N>` or a JSON "
    '"ledger_head": {"hash": …, "events": N}'
)


def published_head(source: Ledger | Sequence[LedgerEvent]) -> PublishedHead:
    """The head to publish: the hash of the last event and the number of events.

    ``source``: an open ledger (it is verified first: a head is published only for
    a whole, valid chain; a :class:`LedgerError` otherwise), or the events
    :func:`~randcheck.ledger.stores.read_verified` returned. An empty ledger's head
    is 64 zeros and 0 events.
    """
    if isinstance(source, Ledger):
        report = source.verify()
        if not report.ok:
            raise LedgerError(
                f"the ledger is {report.status} at event #{report.first_break}: {report.reason}",
                where=str(source.path),
                hint="a head is published only for a ledger that verifies: run "
                f"`randcheck ledger verify {source.path}`",
            )
        return PublishedHead(report.head, report.events)
    events = list(source)
    if not events:
        return PublishedHead(GENESIS, 0)
    last = events[-1]
    if last.seq != len(events):
        raise LedgerError(
            f"these {len(events)} events end with event #{last.seq}: not a whole ledger",
            hint="give the events read_verified() returned",
        )
    return PublishedHead(last.hash, last.seq)


def head_from(value: str, where: str = "--head") -> PublishedHead:
    """A published head given as ``<hash>``, ``<hash>:<N>``, or the path of a file that
    carries one (see :func:`head_from_file`)."""
    text = value.strip()
    if re.fullmatch(r"[0-9a-fA-F]{64}(:\d{1,15})?", text):
        return PublishedHead.parse(text, where)
    path = Path(value)
    try:
        exists = path.exists()
    except (OSError, ValueError):  # a name too long, a NUL byte: not a file
        exists = False
    if exists:
        return head_from_file(path)
    if re.fullmatch(r"[0-9a-fA-F]+(:\d*)?", text):
        digits = text.split(":")[0]
        raise InputError(
            f"{text[:80]!r} is not a ledger head: {len(digits)} hexadecimal digits, not 64",
            where=where,
            hint=f"give {_FORMS}",
        )
    raise InputError(
        f"{text[:80]!r} is neither a head hash nor an existing file",
        where=where,
        hint=f"give {_FORMS}",
    )


def _json_heads(data: Any, where: str) -> list[PublishedHead]:
    found: list[PublishedHead] = []
    stack = [data]
    while stack:
        item = stack.pop()
        if isinstance(item, Mapping):
            for key, value in item.items():
                if key == "ledger_head":
                    if not isinstance(value, Mapping) or set(value) != {"hash", "events"}:
                        raise InputError(
                            'a "ledger_head" is an object {"hash": "<64 hex>", "events": N}',
                            where=where,
                        )
                    found.append(PublishedHead.of(value["hash"], value["events"], where))
                else:
                    stack.append(value)
        elif isinstance(item, list):
            stack.extend(item)
    return found


def _xlsx_heads(path: Path) -> list[PublishedHead]:
    """The head lines in the first cells of a workbook's ``…ledger_head`` sheets."""
    from randcheck.io.tables import check_xlsx_archive

    check_xlsx_archive(path)  # refuses a ZIP bomb before anything is unpacked
    from openpyxl import load_workbook

    lines: list[str] = []
    try:
        book = load_workbook(path, read_only=True, data_only=True)
        try:
            for sheet in book.worksheets:
                if "ledger_head" not in sheet.title:
                    continue
                for row in sheet.iter_rows(max_row=20, max_col=10, values_only=True):
                    lines.extend(v for v in row if isinstance(v, str))
        finally:
            book.close()
    except Exception as exc:  # openpyxl raises anything on a damaged workbook
        raise InputError(
            f"not a readable XLSX workbook ({str(exc)[:200] or type(exc).__name__})",
            where=str(path),
        ) from None
    where = str(path)
    return [
        PublishedHead.of(m.group(1), int(m.group(2)), where)
        for line in lines
        for m in LINE.finditer(line)
    ]


def head_from_file(path: Path | str) -> PublishedHead:
    """The head a published file carries: a JSON document with a ``ledger_head`` object
    (at the top or nested), an XLSX workbook with a ``台账头 ledger_head`` sheet, or any
    UTF-8 text (Markdown, HTML, CSV …) with the line ``ledger head 台账头: … events
    事件数: N``. Read bounded and strict; an :class:`InputError` when it carries none,
    or two different ones."""
    from randcheck.io.safe import decode_utf8, parse_json, read_bytes

    path = Path(path)
    data = read_bytes(path, "published head file", MAX_HEAD_FILE_BYTES)
    where = str(path)
    found: list[PublishedHead] = []
    if data.startswith(b"PK\x03\x04"):
        found = _xlsx_heads(path)
        text = ""
    else:
        text = decode_utf8(data, where)
    if text.lstrip().startswith(("{", "[")):
        found = _json_heads(parse_json(text, where), where)
    if not found:
        found = [
            PublishedHead.of(m.group(1).lower(), int(m.group(2)), where)
            for m in LINE.finditer(text)
        ]
    distinct = sorted({(h.hash, h.events or 0) for h in found}, key=lambda h: h[1])
    if not distinct:
        raise InputError(
            "no published ledger head in this file",
            where=where,
            hint="a disclosure, report or announcement carries the line `ledger head 台账头: "
            "<hash> events 事件数: <N>` (in XLSX, on a sheet 台账头 ledger_head) or, in JSON, "
            '"ledger_head": {"hash": …, "events": N}',
        )
    if len(distinct) > 1:
        shown = "; ".join(f"{h}:{n}" for h, n in distinct[:5])
        raise InputError(
            f"this file carries {len(distinct)} different ledger heads ({shown})",
            where=where,
            hint="give the one to check as --head <hash>:<N>",
        )
    return PublishedHead(*distinct[0])


__all__ = ["PublishedHead", "head_from", "head_from_file", "published_head"]
