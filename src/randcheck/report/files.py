"""Tables a bureau prints, posts or sends on, written as XLSX, CSV and JSON by file extension.

A :class:`~randcheck.publish.table.Table` has a title, column headers and rows of
plain values. XLSX output is a printable form laid out as Chinese government
forms (报表) are (:mod:`randcheck.report.form`): the title, the reporting unit,
period and date, a bordered table whose header row repeats on every page, page
numbers 第 X 页 共 Y 页, signature lines on a form that is filed, A4. An empty
table is written with its headers; the caller says why it is empty.

CSV and XLSX text cells are escaped against formula injection (a text beginning
with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return gets a ``'`` in front,
see :mod:`randcheck.io.cells`); numbers are written as numbers. A text an XLSX
cell cannot hold (a control character, more than 32,767 characters) is an error
naming its row and column, before anything is written.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
from pathlib import Path
from typing import Any

from randcheck.errors import InputError
from randcheck.io.atomic import atomic_write
from randcheck.io.cells import escape_value, xlsx_row, xlsx_text
from randcheck.publish.table import Table

CST = dt.timezone(dt.timedelta(hours=8))


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


# --- the printed form (报表) ----------------------------------------------------------
#
# Widths are in column units: the width of a digit of the workbook's default font,
# set to Arial 11 pt (8 px, or Liberation Sans, its metric twin), so that Excel, WPS
# and LibreOffice give a column the same width; heights are in points. openpyxl
# cannot measure text, and neither Excel nor LibreOffice fits a row to wrapped text
# in a file they did not lay out, so widths and heights are computed here from each
# text's characters: a CJK character is 1 em (11 pt, 1.83 units), others about half.

BODY_PT = 11.0
"""The table's font size: 11 pt, never printed below 9 pt (the sheet is not shrunk)."""
MIN_PRINTED_PT = 9.0
"""No text prints smaller."""
TITLE_PT = 16.0
LINE_PT = 16.0
"""The height of one line of 11 pt CJK text (the CJK fonts' line gap is ≈1.45 em)."""
TITLE_LINE_PT = 24.0
PAD_PT = 5.0
BODY_FONT = "宋体"
TITLE_FONT = "黑体"
UNIT_FONT = "Arial"
"""The workbook's default font, which sets the column unit (one digit: 8 px at 11 pt)."""
MARGIN_IN = 0.5
PORTRAIT_UNITS = 84.0
"""What fits across A4 portrait between 0.5 in margins (523 pt, 87 units), less 3%."""
LANDSCAPE_UNITS = 124.0
"""The same across A4 landscape (770 pt, 128 units)."""
MAX_ROW_PT = 409.0
"""The tallest row a spreadsheet allows."""


def _char_units(ch: str) -> float:
    """How wide a character prints at 11 pt, in column units, erring wide: the Latin
    letters and digits of a CJK font, or of the font a renderer puts in its place
    (DejaVu Sans where 宋体 is missing), are wider than Arial's."""
    if ord(ch) > 0x2E7F:  # CJK ideographs and full-width forms: 1 em
        return 1.85
    if ch.isdigit():
        return 1.2
    if ch.isupper():
        return 1.4
    if ch == " ":
        return 0.6
    return 1.05


CELL_PAD = 1.0
"""Column units a cell's margins take."""
CELL_FILL = 0.97
"""The share of the rest a line fills before it wraps (estimates err wide)."""


def _units_needed(units: float) -> float:
    """The column width that holds a line ``units`` wide."""
    return units / CELL_FILL + CELL_PAD + 0.2


def text_units(text: str) -> float:
    """How wide ``text`` prints on one line, in column units."""
    return sum(_char_units(ch) for ch in text)


def _tokens(line: str) -> list[str]:
    """Where a line may break: between CJK characters, after spaces in Latin text."""
    out: list[str] = []
    word = ""
    for ch in line:
        if ord(ch) > 0x2E7F:
            if word:
                out.append(word)
                word = ""
            out.append(ch)
        else:
            word += ch
            if ch == " ":
                out.append(word)
                word = ""
    if word:
        out.append(word)
    return out


def wrapped_lines(text: str, width: float) -> int:
    """How many lines ``text`` wraps to in a cell ``width`` units wide (each line break
    kept; a word wider than the cell broken, as the spreadsheet breaks it)."""
    usable = max(1.0, (width - CELL_PAD) * CELL_FILL)
    count = 0
    for line in str(text).split("\n"):
        count += 1
        used = 0.0
        for token in _tokens(line):
            size = text_units(token.rstrip(" "))
            if used and used + size > usable:
                count += 1
                used = 0.0
            while size > usable:  # a word wider than the cell
                count += 1
                size -= usable
            used += text_units(token)
    return count


def _longest_word(text: str) -> float:
    return max((text_units(t.strip()) for t in _tokens(str(text))), default=0.0)


def column_widths(headers: list[str], rows: list[list[Any]]) -> tuple[list[float], bool]:
    """(the columns' widths, landscape): each as wide as its content, narrowed where the
    page needs it (wide texts wrap; a word is never split if it fits, nor a header
    wrapped onto more than two lines), portrait when the content fits across A4."""
    natural: list[float] = []
    floors: list[float] = []
    for index, header in enumerate(headers):
        texts = [str(header), *(str(r[index]) for r in rows)]
        longest = max(text_units(line) for t in texts for line in t.split("\n"))
        word = max(_longest_word(t) for t in texts)
        natural.append(max(6.0, _units_needed(longest)))
        floors.append(
            max(6.0, _units_needed(min(word, 30.0)), _units_needed(text_units(str(header)) / 2))
        )
    floors = [min(f, w) for f, w in zip(floors, natural)]
    landscape = sum(natural) > PORTRAIT_UNITS
    budget = LANDSCAPE_UNITS if landscape else PORTRAIT_UNITS
    if sum(natural) <= budget or sum(floors) >= budget:
        return (natural if sum(natural) <= budget else floors), landscape
    return _share_out(headers, rows, natural, floors, budget), landscape


WIDTH_STEP = 1.0
MAX_LAYOUT_ROWS = 400
"""The rows the widths are chosen on (the first ones: a long table repeats its kind)."""


def _share_out(
    headers: list[str],
    rows: list[list[Any]],
    natural: list[float],
    floors: list[float],
    budget: float,
) -> list[float]:
    """Widths from ``floors`` up to ``natural`` within ``budget``, each unit given where it
    saves the most lines over the whole table: rows (a row is as tall as its tallest
    cell) first, then the cells' own lines (which part a tie of several tall cells)."""
    texts = [[str(h), *(str(r[c]) for r in rows[:MAX_LAYOUT_ROWS])] for c, h in enumerate(headers)]
    cache: dict[tuple[int, float], list[int]] = {}

    def lines(column: int, width: float) -> list[int]:
        key = (column, width)
        if key not in cache:
            cache[key] = [wrapped_lines(t, width) if t else 1 for t in texts[column]]
        return cache[key]

    widths = list(floors)
    count = len(texts[0])
    while True:
        current = [lines(c, w) for c, w in enumerate(widths)]
        # per row: its tallest cell, which column holds it, and the tallest of the others
        top, owner, second = [], [], []
        for r in range(count):
            ranked = sorted(((col[r], c) for c, col in enumerate(current)), reverse=True)
            top.append(ranked[0][0])
            owner.append(ranked[0][1])
            second.append(ranked[1][0] if len(ranked) > 1 else 1)
        best: tuple[float, float, int, float] | None = None
        left = budget - sum(widths)
        for c, w in enumerate(widths):
            gap = natural[c] - w
            steps = [st for st in STEPS if st < gap] + ([gap] if gap > 1e-9 else [])
            for step in steps:  # a narrow column gains a line only every few units
                if step > left + 1e-9:
                    break
                wider = lines(c, w + step)
                saved_rows = sum(
                    top[r] - max(second[r] if owner[r] == c else top[r], wider[r])
                    for r in range(count)
                )
                # the column's own lines saved: what parts a tie of several tall cells
                saved_cells = sum(current[c][r] - wider[r] for r in range(count))
                key = ((4 * saved_rows + saved_cells) / step, natural[c] - w, -c, step)
                if best is None or key > best:
                    best = key
        if best is None:
            return widths
        widths[-best[2]] += best[3]


STEPS = (1.0, 2.0, 3.0, 4.0, 6.0, 8.0, 12.0)
"""The widenings tried at each turn, in column units."""


def row_height(texts: list[str], widths: list[float], line_pt: float = LINE_PT) -> float:
    """The height of a row whose cells hold ``texts`` in columns ``widths`` wide."""
    lines = max((wrapped_lines(t, w) for t, w in zip(texts, widths) if t != ""), default=1)
    return min(MAX_ROW_PT, lines * line_pt + PAD_PT)


LABELS = {
    "unit": ("填报单位：", "Reporting unit: "),
    "period": ("所属期间：", "Period: "),
    "date": ("填报日期：", "Date: "),
    "filler": ("填报人：", "Prepared by: "),
    "checker": ("审核人：", "Checked by: "),
    "head": ("负责人：", "Approved by: "),
    "footer": ("第 &P 页 共 &N 页", "Page &P of &N"),
}


def _label(key: str, lang: str) -> str:
    from randcheck.publish.table import pick

    zh, en = LABELS[key]
    if lang == "both":
        return zh.rstrip("：") + " " + en.rstrip(" ").rstrip(":") + "："
    return pick(lang, zh, en)


def _date_text(day: dt.date, lang: str) -> str:
    return f"{day.year}年{day.month}月{day.day}日" if lang != "en" else day.isoformat()


PAGE_PT = {False: (595.3, 841.9), True: (841.9, 595.3)}
"""A4 (width, height) in points, by landscape."""
TOP_IN, BOTTOM_IN, HEADER_IN, FOOTER_IN = 0.6, 0.75, 0.3, 0.3
PAGE_FILL = 0.97
"""The share of a page's height the rows are laid out to fill (renderers round)."""


def _needed(text: str) -> float:
    """The width a text needs to stay on one line."""
    return _units_needed(text_units(text))


def _groups(widths: list[float], parts: list[str]) -> list[tuple[int, int]] | None:
    """Column ranges (first, last) for ``parts`` laid left, centre, right: of all the
    ways to cut the columns into that many runs, the one that leaves the narrowest
    part the most room; None when no way gives every part the room it needs."""
    n, k = len(widths), len(parts)
    if k == 1:
        return [(1, n)]
    best: tuple[float, list[tuple[int, int]]] | None = None
    cuts_list = (
        [(a,) for a in range(1, n)]
        if k == 2
        else [(a, b) for a in range(1, n) for b in range(a + 1, n)]
    )
    for cuts in cuts_list:
        bounds = [0, *cuts, n]
        groups = [(bounds[i] + 1, bounds[i + 1]) for i in range(k)]
        spare = min(
            sum(widths[first - 1 : last]) - _needed(part)
            for (first, last), part in zip(groups, parts)
        )
        if spare >= 0 and (best is None or spare > best[0]):
            best = (spare, groups)
    return None if best is None else best[1]


def _spread_row(
    sheet: Any,
    number: int,
    parts: list[str],
    widths: list[float],
    font: Any,
    target: Path,
    height: float | None = None,
) -> None:
    """``parts`` spread over row ``number``: left, centre, right; on one merged cell,
    separated by spaces, when they do not fit side by side."""
    from openpyxl.styles import Alignment
    from openpyxl.utils import get_column_letter

    groups = _groups(widths, parts)
    if groups is None and len(parts) == 3:  # the unit on the left, the rest on the right
        parts = [parts[0], "　　".join(parts[1:])]
        groups = _groups(widths, parts)
    if groups is None:
        parts, groups = ["　　".join(parts)], [(1, len(widths))]
    aligns = {1: ["left"], 2: ["left", "right"], 3: ["left", "center", "right"]}[len(parts)]
    needed = 1
    for (first, last), text, align in zip(groups, parts, aligns):
        cell = sheet.cell(row=number, column=first)
        cell.value = xlsx_row(sheet, [xlsx_text(text)], where=f"{target}, row {number}")[0]
        cell.font = font
        cell.alignment = Alignment(horizontal=align, vertical="center", wrap_text=True)
        if last > first:
            sheet.merge_cells(
                f"{get_column_letter(first)}{number}:{get_column_letter(last)}{number}"
            )
        needed = max(needed, wrapped_lines(text, sum(widths[first - 1 : last])))
    sheet.row_dimensions[number].height = max(height or 0.0, needed * LINE_PT + PAD_PT)


def _is_short(text: str) -> bool:
    return "\n" not in text and text_units(text) <= 24


def merged_runs(
    table: Table, values: list[list[Any]], limit: float, widths: list[float]
) -> list[tuple[int, int, int]]:
    """(column, first row, last row) of the runs of equal values ``table.merge`` names
    (rows counted from 0), each no taller than ``limit`` points when merged."""
    keys = [k for k, _ in table.columns]
    runs: list[tuple[int, int, int]] = []
    for key in table.merge:
        if key not in keys:
            continue
        column = keys.index(key)
        start = 0
        for index in range(1, len(values) + 1):
            if index < len(values) and values[index][column] == values[start][column]:
                continue
            text = str(values[start][column])
            tall = wrapped_lines(text, widths[column]) * LINE_PT + PAD_PT
            if index - start > 1 and text and tall <= limit:
                runs.append((column, start, index - 1))
            start = index
    return runs


def _write_xlsx(table: Table, path: Path, target: Path) -> None:
    """The table as a printable form: title, unit/period/date line, bordered table with
    its header repeated on every page, page numbers, signature lines when filed; rows
    as tall as their wrapped text, pages broken between rows (never inside a merged
    cell), A4, landscape when the table is wide."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Border, Font, Side
    from openpyxl.utils import get_column_letter
    from openpyxl.utils.indexed_list import IndexedList
    from openpyxl.worksheet.pagebreak import Break
    from openpyxl.worksheet.properties import PageSetupProperties

    lang = table.lang
    values = table.values()
    headers = [xlsx_text(h) for h in table.headers]
    n = max(1, len(headers))
    widths, landscape = column_widths(table.headers or [""], values)
    book = Workbook()
    default = Font(name=UNIT_FONT, size=BODY_PT)  # font 0, the unit of column widths
    book._fonts = IndexedList([default])
    book._named_styles["Normal"].font = default
    sheet = book.active
    assert sheet is not None
    sheet.title = sheet_title(table.title)
    # fitted to the page width only while that keeps the text at 9 pt or more: the
    # widths fit the page, so this only guards against a renderer's rounding (≈100%);
    # a table too wide even so is printed across pages at full size instead
    budget = LANDSCAPE_UNITS if landscape else PORTRAIT_UNITS
    fits = BODY_PT * min(1.0, budget / sum(widths)) >= MIN_PRINTED_PT
    sheet.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=fits)
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = round(width, 2)
    last = get_column_letter(n)
    thin = Side(style="thin", color="000000")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    body_font = Font(name=BODY_FONT, size=BODY_PT)

    # row 1: the title
    sheet.append(xlsx_row(sheet, [xlsx_text(table.title)], where=f"{target}, row 1"))
    if n > 1:
        sheet.merge_cells(f"A1:{last}1")
    title = sheet["A1"]
    title.font = Font(name=TITLE_FONT, size=TITLE_PT, bold=True)
    title.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    title_lines = wrapped_lines(table.title, sum(widths) * BODY_PT / TITLE_PT)
    sheet.row_dimensions[1].height = min(MAX_ROW_PT, title_lines * TITLE_LINE_PT + 10)

    # row 2: who reports, for which period, when
    day = table.date or dt.datetime.now(CST).date()
    parts = [_label("unit", lang) + (table.unit or "＿" * 10)]
    if table.period:
        parts.append(_label("period", lang) + table.period)
    parts.append(_label("date", lang) + _date_text(day, lang))
    _spread_row(sheet, 2, parts, widths, body_font, target)

    # row 3: the headers; then the rows
    sheet.append(xlsx_row(sheet, headers, where=f"{target}, row 3"))
    bold = Font(name=BODY_FONT, size=BODY_PT, bold=True)
    for cell in sheet[3]:
        cell.font = bold
        cell.border = border
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    sheet.row_dimensions[3].height = row_height([str(h) for h in table.headers], widths)
    page_h = PAGE_PT[landscape][1]
    body_h = (page_h - 72 * (TOP_IN + BOTTOM_IN)) * PAGE_FILL
    repeated = sum(sheet.row_dimensions[r].height or 15.0 for r in (1, 2, 3))
    room = body_h - repeated
    runs = merged_runs(table, values, room, widths)
    # a column of numbers or of short texts is centred, one of longer texts set left
    aligns = [
        "center"
        if all(isinstance(r[c], int | float) or _is_short(str(r[c])) for r in values)
        else "left"
        for c in range(len(table.columns))
    ]
    heights: list[float] = []
    for index, row in enumerate(values):
        number = index + 4
        escaped = [xlsx_text(v) for v in row]
        sheet.append(xlsx_row(sheet, escaped, where=f"{target}, row {number}", headers=headers))
        for cell, align in zip(sheet[number], aligns):
            cell.font = body_font
            cell.border = border
            cell.alignment = Alignment(horizontal=align, vertical="center", wrap_text=True)
        merged = {c for c, a, b in runs if a <= index <= b}
        own = ["" if c in merged else str(v) for c, v in enumerate(row)]
        heights.append(row_height(own, widths) if any(own) else LINE_PT + PAD_PT)
    for column, first, last_row in runs:  # a merged cell's text shares out its rows' height
        text = str(values[first][column])
        need = row_height([text], [widths[column]])
        have = sum(heights[first : last_row + 1])
        if need > have:
            extra = (need - have) / (last_row - first + 1)
            for index in range(first, last_row + 1):
                heights[index] += extra
        letter = get_column_letter(column + 1)
        sheet.merge_cells(f"{letter}{first + 4}:{letter}{last_row + 4}")
    for index, height in enumerate(heights):
        sheet.row_dimensions[index + 4].height = round(min(MAX_ROW_PT, height), 1)

    # the signature lines of a form filed upward
    tail = 0.0
    if table.filed:
        sign = sheet.max_row + 2
        blank = "　" * 6
        names = [_label(k, lang) + blank for k in ("filler", "checker", "head")]
        _spread_row(sheet, sign, names, widths, body_font, target, height=36.0)
        tail += 15.0 + (sheet.row_dimensions[sign].height or 36.0)

    # pages break between rows, a merged run kept whole, the signatures kept with the
    # last rows: the breaks are set, not left to the renderer
    blocks: list[tuple[int, int]] = []
    index = 0
    while index < len(values):
        end = max([b for _, a, b in runs if a <= index <= b], default=index)
        while any(a <= end < b for _, a, b in runs):
            end = max(b for _, a, b in runs if a <= end <= b)
        blocks.append((index, end))
        index = end + 1
    used = 0.0
    for number, (first, last_row) in enumerate(blocks):
        height = sum(heights[first : last_row + 1])
        if number == len(blocks) - 1:
            height += tail
        if used and used + height > room:
            sheet.row_breaks.append(Break(id=first + 3))  # a break after the row above
            used = 0.0
        used += height

    sheet.freeze_panes = "A4"
    sheet.print_title_rows = "1:3"
    setup = sheet.page_setup
    setup.paperSize = sheet.PAPERSIZE_A4
    setup.orientation = "landscape" if landscape else "portrait"
    if fits:
        setup.fitToWidth = 1
        setup.fitToHeight = 0
    margins = sheet.page_margins
    margins.left = margins.right = MARGIN_IN
    margins.top, margins.bottom = TOP_IN, BOTTOM_IN
    margins.header, margins.footer = HEADER_IN, FOOTER_IN
    sheet.print_options.horizontalCentered = True
    sheet.oddFooter.center.text = _label("footer", lang)
    sheet.oddFooter.center.size = 10
    book.save(path)
