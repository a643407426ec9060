"""Spreadsheet cells that cannot run: formula injection neutralised, exactly reversibly.

A text cell beginning with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return
is taken by Excel, LibreOffice and WPS as a formula when the file is opened
(``=HYPERLINK(...)``, ``=cmd|' /C calc'!A0``). OWASP's advice is to write such a
text with a single quote ``'`` in front, which spreadsheets show as text.

randcheck writes every CSV and XLSX text cell through :func:`escape_cell` and
reads every CSV and XLSX cell back through :func:`unescape_cell`, so what it
reads is exactly what it wrote, for every string:

- :func:`escape_cell` puts ``'`` in front of a text that begins with a trigger
  character, and also in front of a text that begins with ``'`` followed by a
  trigger or by another ``'`` (so such a text is not mistaken for an escaped
  one when read back);
- :func:`unescape_cell` removes the first character of a text that begins with
  ``'`` followed by a trigger or by ``'``, and leaves every other text alone.

Why the round trip is exact: if ``escape_cell`` added the quote, the second
character of the result is a trigger or ``'``, so ``unescape_cell`` removes
exactly that quote. If it did not, the text does not begin with ``'`` followed
by a trigger or ``'``, so ``unescape_cell`` leaves it alone. A test checks this
over arbitrary text through CSV and XLSX files.

Numbers are not text: a negative number is written as a number and never
escaped. JSON output is never escaped (no spreadsheet evaluates it).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import Any

from randcheck.errors import InputError

FORMULA_TRIGGERS = frozenset("=+-@\t\r")
"""The first characters that make a spreadsheet read a text cell as a formula (OWASP)."""
QUOTE = "'"
_ESCAPED_SECOND = FORMULA_TRIGGERS | {QUOTE}


def needs_escape(text: str) -> bool:
    """Whether :func:`escape_cell` changes ``text``."""
    if not text:
        return False
    first = text[0]
    if first in FORMULA_TRIGGERS:
        return True
    return first == QUOTE and len(text) > 1 and text[1] in _ESCAPED_SECOND


def escape_cell(text: str) -> str:
    """``text`` safe to put in a spreadsheet cell; :func:`unescape_cell` gives it back."""
    return QUOTE + text if needs_escape(text) else text


def unescape_cell(text: str) -> str:
    """The text :func:`escape_cell` was given (any other text is returned unchanged)."""
    if len(text) > 1 and text[0] == QUOTE and text[1] in _ESCAPED_SECOND:
        return text[1:]
    return text


def escape_value(value: Any) -> Any:
    """A cell value to write: text escaped, numbers and everything else unchanged."""
    return escape_cell(value) if isinstance(value, str) else value


def unescape_texts(cells: list[str]) -> list[str]:
    """A CSV row as read, every cell unescaped (one C-level scan when no cell has a quote)."""
    if QUOTE not in "".join(cells):
        return cells
    return [unescape_cell(cell) for cell in cells]


# --- XLSX ---------------------------------------------------------------------------

EXCEL_MAX_TEXT = 32_767
"""The most characters an Excel cell holds (openpyxl would cut a longer text silently)."""
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def xlsx_text(value: Any) -> Any:
    """A value for an XLSX cell: line breaks as LF (XML reads CR as LF), then escaped."""
    if isinstance(value, str):
        if "\r" in value:
            value = value.replace("\r\n", "\n").replace("\r", "\n")
        return escape_cell(value)
    return value


def xlsx_problem(text: str) -> str | None:
    """Why ``text`` cannot be stored exactly in an XLSX cell, or ``None``."""
    if len(text) > EXCEL_MAX_TEXT:
        return f"a text of {len(text):,} characters; an XLSX cell holds at most 32,767"
    bad = _NOT_XML.search(text)
    if bad:
        return f"the control character {bad.group()!r}, which an XLSX file cannot hold"
    return None


def xlsx_row(
    sheet: Any, values: Iterable[Any], *, where: str, headers: Sequence[str] = ()
) -> list[Any]:
    """``values`` ready for ``sheet.append``: every text is stored as text, never a formula.

    The values are already escaped (:func:`escape_value`). A text openpyxl would
    store as a formula (``=…``) or an error (``#N/A``) becomes a cell of type
    string with Excel's quote prefix. A text an XLSX cell cannot hold is an
    :class:`~randcheck.errors.InputError` naming ``where`` and the column.
    """
    from openpyxl.cell.cell import ERROR_CODES, Cell

    out: list[Any] = []
    for index, value in enumerate(values):
        if isinstance(value, str):
            problem = xlsx_problem(value)
            if problem:
                column = headers[index] if index < len(headers) else f"column {index + 1}"
                raise InputError(
                    f"{column}: {problem}",
                    where=where,
                    hint="remove the character, or write CSV or JSON instead",
                )
            if value.startswith("=") or value in ERROR_CODES:
                cell = Cell(sheet, row=1, column=1, value=value)
                cell.data_type = "s"
                cell.quotePrefix = True
                value = cell
        out.append(value)
    return out
