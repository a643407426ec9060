"""Raw tables from CSV, XLSX and JSON files: headers and rows, nothing validated yet.

- CSV: one table per file, UTF-8 (with or without BOM) or GB18030 (what Excel
  writes on Chinese Windows). Which table it is comes from its headers. A CSV
  of entities may have sibling files ``<stem>.inspectors.csv`` and
  ``<stem>.items.csv``; they are read with it.
- XLSX: every sheet whose headers identify a table (检查对象名录库,
  执法检查人员名录库, 抽查事项清单 or their English names).
- JSON: ``{"entities": [...], "inspectors": [...], "items": [...]}``, records
  keyed by English field names or Chinese headers.

Row numbers are those a person sees: in CSV and XLSX the header is row 1 and
the first record row 2; in JSON the first record of a list is 1.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import sys
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from randcheck.errors import InputError
from randcheck.io.headers import KINDS, SHEET_NAMES, Kind, detect_kind

csv.field_size_limit(min(sys.maxsize, 2**31 - 1))

SUFFIXES = (".csv", ".xlsx", ".json")


@dataclass
class RawTable:
    """One table as read: where it came from, its kind, headers and numbered rows."""

    file: str
    kind: Kind
    headers: list[str]
    rows: Iterator[tuple[int, Sequence[Any]]]


def sibling(path: Path, kind: Kind) -> Path:
    """``registry.csv`` -> ``registry.inspectors.csv`` (the CSV file holding ``kind``)."""
    return path.with_name(f"{path.stem}.{kind}{path.suffix}")


def _check_readable(path: Path) -> None:
    if not path.exists():
        raise InputError(f"file {path} does not exist", where=str(path), hint="check the path")
    if path.is_dir():
        raise InputError(f"{path} is a folder, not a file", where=str(path))
    if path.suffix.lower() not in SUFFIXES:
        raise InputError(
            f"cannot read {path.suffix or 'files without an extension'}",
            where=str(path),
            hint="give a .csv, .xlsx or .json file",
        )


def _csv_encoding(path: Path) -> str:
    """UTF-8 when the file decodes as UTF-8, else GB18030."""
    with path.open("rb") as handle:
        sample = handle.read(1 << 20)
    try:
        sample.decode("utf-8")
    except UnicodeDecodeError as exc:
        if exc.start < len(sample) - 4:  # not just a character cut at the sample's end
            return "gb18030"
    return "utf-8-sig"


def _csv_rows(path: Path, encoding: str) -> Iterator[tuple[int, Sequence[Any]]]:
    with path.open(newline="", encoding=encoding) as handle:
        reader = csv.reader(handle)
        next(reader, None)
        try:
            yield from enumerate(reader, start=2)
        except UnicodeDecodeError as exc:
            raise InputError(
                f"the file is not valid {encoding} text ({exc.reason})",
                where=str(path),
                hint="save it as UTF-8 (CSV UTF-8 in Excel)",
            ) from None
        except csv.Error as exc:
            raise InputError(
                f"not a well-formed CSV file ({exc})", where=f"{path}, row {reader.line_num}"
            ) from None


def read_csv(path: Path, kind: Kind | None = None) -> RawTable:
    _check_readable(path)
    encoding = _csv_encoding(path)
    try:
        with path.open(newline="", encoding=encoding) as handle:
            headers = next(csv.reader(handle), [])
    except (UnicodeDecodeError, csv.Error) as exc:
        raise InputError(f"cannot read the header row ({exc})", where=str(path)) from None
    if not headers:
        raise InputError("the file is empty (no header row)", where=str(path))
    found = detect_kind(headers)
    if found is None or (kind is not None and found != kind):
        raise InputError(
            "cannot tell which table this is from its header row",
            where=f"{path}, row 1",
            hint="an entity table needs 统一社会信用代码 (uscc), an inspector table 人员编号 "
            "(inspector_id), an item table 事项编号 and 检查事项 (code, name)",
        )
    return RawTable(str(path), found, headers, _csv_rows(path, encoding))


def _xlsx_cell(value: Any) -> Any:
    if value is None or isinstance(value, str | dt.date):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def read_xlsx(path: Path) -> list[RawTable]:
    _check_readable(path)
    import zipfile

    from openpyxl import load_workbook

    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, OSError, KeyError, ValueError) as exc:
        raise InputError(
            f"not a readable XLSX workbook ({exc})", where=str(path), hint="save it as .xlsx"
        ) from None
    tables: list[RawTable] = []
    for sheet in book.worksheets:
        rows = sheet.iter_rows(values_only=True)
        header_row = next(rows, None)
        if not header_row:
            continue
        headers = ["" if h is None else str(h) for h in header_row]
        kind = detect_kind(headers)
        if kind is None:
            wanted = [k for k in KINDS if sheet.title in SHEET_NAMES[k]]
            if wanted:
                raise InputError(
                    f"sheet {sheet.title!r} has no key column",
                    where=f"{path} [{sheet.title}], row 1",
                    hint="add the key column (统一社会信用代码 / 人员编号 / 事项编号)",
                )
            continue

        def numbered(
            rows: Iterator[tuple[Any, ...]] = rows,
        ) -> Iterator[tuple[int, Sequence[Any]]]:
            for number, row in enumerate(rows, start=2):
                yield number, [_xlsx_cell(v) for v in row]

        tables.append(RawTable(f"{path} [{sheet.title}]", kind, headers, numbered()))
    if not tables:
        raise InputError(
            "no sheet of this workbook is an entity, inspector or item table",
            where=str(path),
            hint="name sheets 检查对象名录库 / 执法检查人员名录库 / 抽查事项清单 "
            "with their headers in row 1",
        )
    return tables


def _json_rows(
    records: list[dict[str, Any]], names: list[str]
) -> Iterator[tuple[int, Sequence[Any]]]:
    for number, record in enumerate(records, start=1):
        yield number, [record.get(h) for h in names]


def read_json(path: Path) -> list[RawTable]:
    _check_readable(path)
    try:
        data = json.loads(path.read_text(encoding="utf-8-sig"))
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise InputError(f"not valid JSON ({exc})", where=str(path)) from None
    if isinstance(data, list):
        data = {"entities": data}
    if not isinstance(data, dict) or not any(k in data for k in KINDS):
        raise InputError(
            "expected an object with 'entities', 'inspectors' and/or 'items' lists",
            where=str(path),
        )
    tables: list[RawTable] = []
    for kind in KINDS:
        records = data.get(kind)
        if records is None:
            continue
        if not isinstance(records, list) or not all(isinstance(r, dict) for r in records):
            raise InputError(f"'{kind}' must be a list of objects", where=f"{path}, {kind}")
        headers: dict[str, None] = {}
        for record in records:
            headers.update(dict.fromkeys(record))
        names = list(headers)
        tables.append(RawTable(f"{path} [{kind}]", kind, names, _json_rows(records, names)))
    return tables


def read_tables(path: Path) -> list[RawTable]:
    """Every table in ``path`` (and, for an entity CSV, in its sibling files)."""
    path = Path(path)
    _check_readable(path)
    suffix = path.suffix.lower()
    if suffix == ".xlsx":
        return read_xlsx(path)
    if suffix == ".json":
        return read_json(path)
    main = read_csv(path)
    tables = [main]
    if main.kind == "entities":
        others: tuple[Kind, ...] = ("inspectors", "items")
        for kind in others:
            other = sibling(path, kind)
            if other.exists():
                tables.append(read_csv(other, kind))
    return tables
