"""Export files as tables: CSV (UTF-8 or GB18030) and XLSX, each sheet its own table.

Reading goes through :mod:`randcheck.io` (bounded, encodings checked over the whole
file, formula-guarded cells unescaped, ZIP bombs refused). The header row is the
first of the first :data:`HEADER_ROWS` rows that a mapping fits, so a title row
above the headers (a merged cell 2025年抽查结果公开) is passed over. Row numbers are
those a person sees in a spreadsheet: the first row of the file is 1.

Rows that carry nothing are passed over: an empty row, and the line
``ledger head 台账头: …`` that randcheck's own published tables end with (the
sheet ``台账头 ledger_head`` of an XLSX file likewise).
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from itertools import chain
from pathlib import Path
from typing import Any

from randcheck.errors import InputError
from randcheck.imports.mapping import Mapping, Match, match, shipped_mappings
from randcheck.io.cells import unescape_cell
from randcheck.io.safe import MiB, check_input_file

MAX_RECORDS_BYTES = 512 * MiB
"""The largest export read: about a million rows of CSV. Every row's facts are held in
memory until the import is written all at once."""
HEADER_ROWS = 5
"""The header row is looked for in this many first rows."""
HEAD_SHEET = "台账头 ledger_head"
"""The sheet randcheck's published XLSX tables carry their ledger head in."""
HEAD_LINE = "ledger head 台账头:"
SUFFIXES = (".csv", ".xlsx")

Row = Sequence[Any]


@dataclass
class SourceTable:
    """One table of an export: where it is, its header row and how its mapping fits."""

    path: Path
    sheet: str | None
    header_row: int
    headers: list[str]
    fit: Match
    rows: Iterator[tuple[int, Row]]
    picked: str = ""
    """how the mapping was chosen (shown to the user)"""

    @property
    def name(self) -> str:
        """The file's name as recorded in provenance (no folder: a ledger is published)."""
        return self.path.name

    @property
    def where(self) -> str:
        return f"{self.name} [{self.sheet}]" if self.sheet else self.name


@dataclass
class SourceFile:
    """One export file: its digest, its tables, and what was passed over."""

    path: Path
    sha256: str
    tables: list[SourceTable] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def file_digest(path: Path) -> str:
    """SHA-256 of the file's bytes (``RECORDS_IMPORTED.sha256``)."""
    digest = hashlib.sha256()
    try:
        with path.open("rb") as handle:
            while chunk := handle.read(8 * MiB):
                digest.update(chunk)
    except OSError as exc:
        raise InputError(f"cannot read {path}: {exc.strerror or exc}", where=str(path)) from None
    return digest.hexdigest()


def open_source(path: Path, mapping: Mapping | None) -> SourceFile:
    """The tables of one export file, each with its mapping (``mapping``, or the shipped
    mapping its headers fit best). An :class:`InputError` when the file cannot be read
    or no table of it fits."""
    path = Path(path)
    check_input_file(path, "records file", MAX_RECORDS_BYTES)
    suffix = path.suffix.lower()
    if suffix not in SUFFIXES:
        raise InputError(
            f"cannot import {suffix or 'a file without an extension'}",
            where=str(path),
            hint="give the export as .csv or .xlsx",
        )
    source = SourceFile(path, file_digest(path))
    if suffix == ".csv":
        # open_csv takes row 1 as the header; it is given back to find the real one
        header, rows = _csv_rows(path)
        table = _table(path, None, chain(header, rows), mapping, required=True)
        assert table is not None
        source.tables.append(table)
        return source
    for sheet, rows in _xlsx_sheets(path):
        if sheet == HEAD_SHEET:
            source.notes.append(f"sheet {sheet!r} (the published ledger head) passed over")
            continue
        found = _table(path, sheet, rows, mapping, required=False)
        if found is None:
            source.notes.append(f"sheet {sheet!r}: no header row a mapping fits; passed over")
        else:
            source.tables.append(found)
    if not source.tables:
        raise _unfit(path, None, [], mapping)
    return source


def _csv_rows(path: Path) -> tuple[list[tuple[int, Row]], Iterator[tuple[int, Row]]]:
    from randcheck.io.tables import open_csv

    first, rows = open_csv(path, "records file", MAX_RECORDS_BYTES)
    if not first:
        raise InputError("the file is empty (no header row)", where=str(path))
    return [(1, first)], rows


def _xlsx_sheets(path: Path) -> Iterator[tuple[str, Iterator[tuple[int, Row]]]]:
    from randcheck.io.tables import check_xlsx_archive

    check_xlsx_archive(path)
    from openpyxl import load_workbook

    try:
        book = load_workbook(path, read_only=True, data_only=True)
        sheets = list(book.worksheets)
    except Exception as exc:  # openpyxl raises anything on a damaged workbook
        raise _broken(str(path), exc) from None
    for sheet in sheets:
        yield sheet.title, _sheet_rows(f"{path} [{sheet.title}]", sheet)


def _broken(where: str, exc: BaseException) -> InputError:
    return InputError(
        f"not a readable XLSX workbook: its contents are damaged ({exc or type(exc).__name__})",
        where=where,
        hint="open it in Excel or WPS and save it again as .xlsx",
    )


def _xlsx_cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, str):
        return unescape_cell(value)
    if isinstance(value, dt.date):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _sheet_rows(where: str, sheet: Any) -> Iterator[tuple[int, Row]]:
    number = 0
    try:
        for number, row in enumerate(sheet.iter_rows(values_only=True), start=1):
            yield number, [_xlsx_cell(v) for v in row]
    except InputError:
        raise
    except Exception as exc:  # openpyxl raises anything on a damaged sheet
        raise _broken(f"{where}, row {number + 1}", exc) from None


def _blank(row: Row) -> bool:
    return all(v == "" or (isinstance(v, str) and not v.strip()) for v in row)


def _head_line(row: Row) -> bool:
    first = row[0] if row else ""
    return (
        isinstance(first, str)
        and first.startswith(HEAD_LINE)
        and all(v == "" for v in list(row)[1:])
    )


def _data_rows(rows: Iterator[tuple[int, Row]]) -> Iterator[tuple[int, Row]]:
    for number, row in rows:
        if _blank(row) or _head_line(row):
            continue
        yield number, row


def _header_texts(row: Row) -> list[str]:
    return ["" if v is None else (v.isoformat() if isinstance(v, dt.date) else str(v)) for v in row]


def _choose(headers: list[str], mapping: Mapping | None) -> tuple[Match | None, list[Match]]:
    """The fitting match (None when none or several fit equally well) and every fit."""
    candidates = [mapping] if mapping is not None else list(shipped_mappings().values())
    fits = [m for m in (match(c, headers) for c in candidates) if m.fits]
    if not fits:
        return None, []
    fits.sort(key=lambda m: -m.known)
    if len(fits) > 1 and fits[0].known == fits[1].known:
        return None, fits
    return fits[0], fits


def _table(
    path: Path,
    sheet: str | None,
    rows: Iterator[tuple[int, Row]],
    mapping: Mapping | None,
    *,
    required: bool,
) -> SourceTable | None:
    where = f"{path} [{sheet}]" if sheet else str(path)
    looked: list[tuple[int, Row]] = []
    first_headers: list[str] = []
    for number, row in rows:
        looked.append((number, row))
        if _blank(row):
            if len(looked) >= HEADER_ROWS:
                break
            continue
        headers = _header_texts(row)
        first_headers = first_headers or headers
        found, fits = _choose(headers, mapping)
        if found is None and len(fits) > 1:
            names = ", ".join(f.mapping.name for f in fits)
            raise InputError(
                f"the headers fit several mappings equally well ({names})",
                where=f"{where}, row {number}",
                hint="name one with --mapping",
            )
        if found is not None:
            if mapping is not None:
                picked = f"mapping {found.mapping.name} (given)"
            else:
                picked = (
                    f"mapping {found.mapping.name} (picked: {found.known} of "
                    f"{sum(1 for h in headers if h.strip())} headers known)"
                )
            rest = _data_rows(rows)
            return SourceTable(path, sheet, number, headers, found, rest, picked)
        if len(looked) >= HEADER_ROWS:
            break
    if not looked:
        if required:
            raise InputError("the file is empty (no header row)", where=where)
        return None
    if required:
        raise _unfit(path, sheet, first_headers, mapping)
    return None


def _unfit(
    path: Path, sheet: str | None, headers: list[str], mapping: Mapping | None
) -> InputError:
    where = f"{path} [{sheet}]" if sheet else str(path)
    candidates = [mapping] if mapping is not None else list(shipped_mappings().values())
    expected = "; ".join(
        f"{m.name} needs {', '.join(f'{m.header_of(f)} ({f})' for f in m.needed())}"
        for m in candidates
    )
    shown = ", ".join(h for h in headers if h.strip()) or "none"
    return InputError(
        f"cannot tell which records these are from the headers (found: {shown})",
        where=where,
        hint=f"{expected}. Rename the columns, or write a mapping file naming your headers "
        "and give it with --mapping",
    )
