"""Tables a bureau prints, posts or sends on, written as XLSX, CSV and JSON by file extension.

A :class:`~randcheck.publish.table.Table` has a title, column headers and rows of
plain values. XLSX output has bold headers, column widths fitted to the
content, a frozen header row and an A4 print set-up (landscape when wide, fit
to the page width, header row repeated on every page). An empty table is
written with its headers; the caller says why it is empty.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

from randcheck.errors import InputError
from randcheck.io.atomic import atomic_write
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
                writer.writerow(table.headers)
                writer.writerows(table.values())
        else:
            _write_xlsx(table, temp)
    return path


def _write_xlsx(table: Table, path: Path) -> None:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = table.title[:31].replace("/", "-")
    sheet.append(table.headers)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, vertical="center")
    for values in table.values():
        sheet.append(values)
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
    sheet.oddHeader.center.text = table.title
    book.save(path)
