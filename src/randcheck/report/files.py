"""Tables a bureau prints, posts or sends on, written as XLSX, CSV and JSON by file extension.

A :class:`~randcheck.publish.table.Table` has a title, column headers and rows of
plain values. XLSX output has bold headers, column widths fitted to the
content, a frozen header row and an A4 print set-up (landscape when wide, fit
to the page width, header row repeated on every page). An empty table is
written with its headers; the caller says why it is empty.

CSV and XLSX text cells are escaped against formula injection (a text beginning
with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return gets a ``'`` in front,
see :mod:`randcheck.io.cells`); numbers are written as numbers. A text an XLSX
cell cannot hold (a control character, more than 32,767 characters) is an error
naming its row and column, before anything is written.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

from randcheck.errors import InputError
from randcheck.io.atomic import atomic_write
from randcheck.io.cells import escape_value, xlsx_row, xlsx_text
from randcheck.publish.table import Table


def _width(text: Any) -> float:
    value = str(text)
    return sum(2.0 if ord(ch) > 0x2E7F else 1.1 for ch in value)


def write_table(table: Table, path: Path | str) -> Path:
    """Write ``table`` to ``path``: .xlsx, .csv or .json. Nothing is written on error."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in (".xlsx", ".csv", ".json"):
        raise InputError(
            f"cannot write {suffix or 'a file without an extension'}",
            where=str(path),
            hint="give a .xlsx, .csv or .json file name",
        )
    with atomic_write(path) as temp:
        if suffix == ".json":
            temp.write_text(
                json.dumps(table.to_json(), ensure_ascii=False, indent=1) + "\n", encoding="utf-8"
            )
        elif suffix == ".csv":
            with temp.open("w", newline="", encoding="utf-8-sig") as handle:
                writer = csv.writer(handle)
                writer.writerow([escape_value(h) for h in table.headers])
                writer.writerows([escape_value(v) for v in row] for row in table.values())
        else:
            _write_xlsx(table, temp, path)
    return path


_SHEET_TITLE_FORBIDDEN = str.maketrans({c: "-" for c in "[]:*?/\\"})


def sheet_title(title: str) -> str:
    """A title Excel accepts for a sheet: no ``[]:*?/\\``, no control character, 1–31 long."""
    cleaned = "".join(ch for ch in title.translate(_SHEET_TITLE_FORBIDDEN) if ch.isprintable())
    cleaned = cleaned[:31].strip("'")
    return cleaned if cleaned.strip() else "Sheet1"


def _write_xlsx(table: Table, path: Path, target: Path) -> None:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = sheet_title(table.title)
    headers = [xlsx_text(h) for h in table.headers]
    sheet.append(xlsx_row(sheet, headers, where=f"{target}, row 1"))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, vertical="center")
    for number, values in enumerate(table.values(), start=2):
        escaped = [xlsx_text(v) for v in values]
        sheet.append(xlsx_row(sheet, escaped, where=f"{target}, row {number}", headers=headers))
    for index, header in enumerate(table.headers, start=1):
        longest = max([_width(header), *(_width(v[index - 1]) for v in table.values())], default=8)
        sheet.column_dimensions[get_column_letter(index)].width = min(60, max(8, longest + 2))
    for row in sheet.iter_rows(min_row=2):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    sheet.freeze_panes = "A2"
    setup = sheet.page_setup
    setup.paperSize = sheet.PAPERSIZE_A4
    setup.orientation = "landscape" if len(table.headers) > 6 else "portrait"
    setup.fitToWidth = 1
    setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.print_title_rows = "1:1"
    # a page header is at most 255 characters, and & starts a code (&P: the page number)
    printable = "".join(ch for ch in table.title if ch.isprintable())
    sheet.oddHeader.center.text = printable.replace("&", "&&")[:250]
    book.save(path)
