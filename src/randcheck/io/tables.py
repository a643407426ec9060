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

import codecs
import contextlib
import csv
import datetime as dt
import io
import sys
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from randcheck.errors import InputError
from randcheck.io.cells import unescape_cell, unescape_texts
from randcheck.io.headers import KINDS, MODELS, SHEET_NAMES, Kind, detect_kind
from randcheck.io.safe import (
    MAX_JSON_REGISTRY_BYTES,
    MAX_REGISTRY_BYTES,
    MiB,
    check_input_file,
    load_json,
)

csv.field_size_limit(min(sys.maxsize, 2**31 - 1))

SUFFIXES = (".csv", ".xlsx", ".json")
_CHUNK = 8 * MiB
_UTF16_32_BOMS = (
    codecs.BOM_UTF32_LE,
    codecs.BOM_UTF32_BE,
    codecs.BOM_UTF16_LE,
    codecs.BOM_UTF16_BE,
)


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


def max_bytes_for(path: Path) -> int:
    """The largest registry file randcheck reads: 4 GiB for CSV and XLSX, 1 GiB for JSON."""
    return MAX_JSON_REGISTRY_BYTES if path.suffix.lower() == ".json" else MAX_REGISTRY_BYTES


def _check_readable(path: Path) -> None:
    check_input_file(path, "registry file", max_bytes_for(path))
    if path.suffix.lower() not in SUFFIXES:
        raise InputError(
            f"cannot read {path.suffix or 'files without an extension'}",
            where=str(path),
            hint="give a .csv, .xlsx or .json file",
        )


# --- CSV ----------------------------------------------------------------------------


class _Prefix(io.RawIOBase):
    """The first ``size`` bytes of a binary file: what was checked, never more."""

    def __init__(self, handle: IO[bytes], size: int) -> None:
        self._handle = handle
        self._left = size

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        view = memoryview(buffer)
        if self._left <= 0 or not len(view):
            return 0
        data = self._handle.read(min(len(view), self._left))
        view[: len(data)] = data
        self._left -= len(data)
        return len(data)

    def close(self) -> None:
        self._handle.close()
        super().close()


def _chunks(path: Path, max_bytes: int) -> Iterator[bytes]:
    total = 0
    try:
        with path.open("rb") as handle:
            while chunk := handle.read(_CHUNK):
                total += len(chunk)
                if total > max_bytes:  # grew while being read, or a file whose size lies
                    raise InputError(f"{path} is larger than {max_bytes:,} bytes", where=str(path))
                yield chunk
    except OSError as exc:
        raise InputError(f"cannot read {path}: {exc.strerror or exc}", where=str(path)) from None


def _first_bad_utf8(path: Path, max_bytes: int) -> tuple[int | None, int]:
    """(offset of the first byte that is not UTF-8 or None, size) over the whole file."""
    offset = 0  # offset of ``pending`` in the file
    pending = b""
    size = 0
    for chunk in _chunks(path, max_bytes):
        size += len(chunk)
        data = pending + chunk
        try:
            _, used = codecs.utf_8_decode(data, "strict", False)
        except UnicodeDecodeError as exc:
            return offset + exc.start, size
        pending = data[used:]
        offset += used
    if pending:
        try:
            codecs.utf_8_decode(pending, "strict", True)
        except UnicodeDecodeError as exc:
            return offset + exc.start, size
    return None, size


def _is_gb18030(path: Path, max_bytes: int) -> bool:
    decoder = codecs.getincrementaldecoder("gb18030")("strict")
    try:
        for chunk in _chunks(path, max_bytes):
            decoder.decode(chunk)
        decoder.decode(b"", True)
    except UnicodeDecodeError:
        return False
    return True


def csv_encoding(path: Path, max_bytes: int = MAX_REGISTRY_BYTES) -> tuple[str, int]:
    """(encoding, size): ``utf-8-sig`` when the whole file is UTF-8, else ``gb18030``.

    The whole file is checked, not a sample: a file whose first megabytes are ASCII
    and whose rest is GB18030 is GB18030. A file that is neither is refused with the
    offset of its first byte that is not UTF-8.
    """
    head = next(_chunks(path, max_bytes), b"")[:4]
    if head.startswith(_UTF16_32_BOMS):
        raise InputError(
            'the file is UTF-16 or UTF-32 text (Excel\'s "Unicode text"), not UTF-8',
            where=str(path),
            hint="save it as CSV UTF-8 (comma delimited)",
        )
    bad, size = _first_bad_utf8(path, max_bytes)
    if bad is None:
        return "utf-8-sig", size
    if _is_gb18030(path, max_bytes):
        return "gb18030", size
    byte = b""
    with contextlib.suppress(OSError), path.open("rb") as handle:
        handle.seek(bad)
        byte = handle.read(1)
    raise InputError(
        f"not UTF-8 text: byte {bad} (0x{byte.hex()}) is not valid UTF-8, and the file "
        "is not GB18030 text either",
        where=str(path),
        hint="save it as UTF-8 (CSV UTF-8 in Excel)",
    )


def open_csv(
    path: Path, what: str, max_bytes: int
) -> tuple[list[str], Iterator[tuple[int, list[str]]]]:
    """The header row and the numbered rows (from 2) of a CSV file, read safely.

    The file must be a regular file of at most ``max_bytes``; its encoding is
    UTF-8 (with or without BOM) or GB18030 (checked over the whole file, see
    :func:`csv_encoding`); cells are unescaped (:mod:`randcheck.io.cells`). Bad
    CSV syntax is an :class:`~randcheck.errors.InputError` naming the row.
    """
    check_input_file(path, what, max_bytes)
    encoding, size = csv_encoding(path, max_bytes)
    lines = _csv_lines(path, encoding, size)
    first = next(lines, None)
    return ([] if first is None else first[1]), lines


def _csv_lines(path: Path, encoding: str, size: int) -> Iterator[tuple[int, list[str]]]:
    try:
        raw = path.open("rb")
    except OSError as exc:
        raise InputError(f"cannot read {path}: {exc.strerror}", where=str(path)) from None
    with io.TextIOWrapper(
        io.BufferedReader(_Prefix(raw, size), _CHUNK), encoding=encoding, newline=""
    ) as handle:
        reader = csv.reader(handle)
        number = 0
        try:
            for number, row in enumerate(reader, start=1):
                yield number, unescape_texts(row)
        except UnicodeDecodeError as exc:  # checked beforehand; kept as a guard
            raise InputError(
                f"the file is not valid {encoding} text ({exc.reason})",
                where=str(path),
                hint="save it as UTF-8 (CSV UTF-8 in Excel)",
            ) from None
        except csv.Error as exc:
            raise InputError(
                f"not a well-formed CSV file ({exc})", where=f"{path}, row {number + 1}"
            ) from None


def read_csv(path: Path, kind: Kind | None = None) -> RawTable:
    _check_readable(path)
    headers, rows = open_csv(path, "registry file", MAX_REGISTRY_BYTES)
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
    return RawTable(str(path), found, headers, rows)


# --- XLSX ---------------------------------------------------------------------------


MAX_XLSX_SHEET_BYTES = MAX_REGISTRY_BYTES
"""The largest worksheet (unpacked XML) read: 4 GiB; worksheets are streamed."""
MAX_XLSX_STRINGS_BYTES = MAX_JSON_REGISTRY_BYTES
"""The largest shared-string table (unpacked XML) read: 1 GiB; it is held in memory."""
MAX_XLSX_PART_BYTES = 64 * MiB
"""Any other part of a workbook (workbook, styles, relationships), parsed whole."""
MAX_XLSX_TOTAL_BYTES = 2 * MAX_REGISTRY_BYTES
"""All parts of a workbook together, unpacked."""


def _part_limit(name: str) -> int:
    if name.startswith("xl/worksheets/") and name.endswith(".xml"):
        return MAX_XLSX_SHEET_BYTES
    if name == "xl/sharedStrings.xml":
        return MAX_XLSX_STRINGS_BYTES
    return MAX_XLSX_PART_BYTES


def check_xlsx_archive(path: Path) -> None:
    """Refuse a file that is not a ZIP archive, not a workbook, or unpacks too large.

    The sizes checked are those the archive declares; Python's ``zipfile`` never
    unpacks more than a part declares, so a ZIP bomb is refused before it is opened.
    """
    import zipfile

    try:
        with zipfile.ZipFile(path) as archive:
            infos = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, ValueError) as exc:
        raise InputError(
            "not a readable XLSX workbook: not a ZIP archive, or a damaged or truncated "
            f"one ({exc})",
            where=str(path),
            hint="save it as .xlsx (an old .xls workbook must be saved again as .xlsx)",
        ) from None
    except OSError as exc:
        raise InputError(f"cannot read {path}: {exc.strerror or exc}", where=str(path)) from None
    names = {info.filename for info in infos}
    if "[Content_Types].xml" not in names or "xl/workbook.xml" not in names:
        raise InputError(
            "not a readable XLSX workbook: a ZIP archive without [Content_Types].xml or "
            "xl/workbook.xml",
            where=str(path),
            hint="save it as .xlsx",
        )
    total = 0
    for info in infos:
        limit = _part_limit(info.filename)
        if info.file_size > limit:
            raise InputError(
                f"part {info.filename} of the workbook unpacks to {info.file_size:,} bytes; "
                f"randcheck reads at most {limit:,}",
                where=str(path),
                hint="check that this is the right file (it may be a ZIP bomb)",
            )
        total += info.file_size
    if total > MAX_XLSX_TOTAL_BYTES:
        raise InputError(
            f"the workbook unpacks to {total:,} bytes; randcheck reads at most "
            f"{MAX_XLSX_TOTAL_BYTES:,}",
            where=str(path),
            hint="check that this is the right file (it may be a ZIP bomb)",
        )


def _broken_workbook(path: Path | str, exc: BaseException) -> InputError:
    detail = str(exc) or type(exc).__name__
    return InputError(
        f"not a readable XLSX workbook: its contents are damaged ({detail})",
        where=str(path),
        hint="open it in Excel or WPS and save it again as .xlsx",
    )


def _xlsx_cell(value: Any) -> Any:
    if value is None or isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        return unescape_cell(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _sheet_rows(where: str, rows: Iterator[tuple[Any, ...]]) -> Iterator[tuple[int, Sequence[Any]]]:
    number = 1
    try:
        for number, row in enumerate(rows, start=2):
            yield number, [_xlsx_cell(v) for v in row]
    except InputError:
        raise
    except Exception as exc:  # openpyxl raises anything on a damaged sheet (XML, ZIP, values)
        raise _broken_workbook(f"{where}, row {number + 1}", exc) from None


def read_xlsx(path: Path) -> list[RawTable]:
    _check_readable(path)
    check_xlsx_archive(path)
    from openpyxl import load_workbook

    try:
        book = load_workbook(path, read_only=True, data_only=True)
        sheets = list(book.worksheets)
    except Exception as exc:  # openpyxl raises anything on a damaged workbook
        raise _broken_workbook(path, exc) from None
    tables: list[RawTable] = []
    for sheet in sheets:
        where = f"{path} [{sheet.title}]"
        try:
            rows = sheet.iter_rows(values_only=True)
            header_row = next(rows, None)
        except Exception as exc:  # as above
            raise _broken_workbook(where, exc) from None
        if not header_row:
            continue
        headers = ["" if h is None else str(_xlsx_cell(h)) for h in header_row]
        kind = detect_kind(headers)
        if kind is None:
            wanted = [k for k in KINDS if sheet.title in SHEET_NAMES[k]]
            if wanted:
                raise InputError(
                    f"sheet {sheet.title!r} has no key column",
                    where=f"{where}, row 1",
                    hint="add the key column (统一社会信用代码 / 人员编号 / 事项编号)",
                )
            continue
        tables.append(RawTable(where, kind, headers, _sheet_rows(where, rows)))
    if not tables:
        raise InputError(
            "no sheet of this workbook is an entity, inspector or item table",
            where=str(path),
            hint="name sheets 检查对象名录库 / 执法检查人员名录库 / 抽查事项清单 "
            "with their headers in row 1",
        )
    return tables


# --- JSON ---------------------------------------------------------------------------


def _json_rows(
    records: list[dict[str, Any]], names: list[str]
) -> Iterator[tuple[int, Sequence[Any]]]:
    for number, record in enumerate(records, start=1):
        yield number, [record.get(h) for h in names]


def _kind_of(value: Any) -> str:
    if value is None:
        return "null"
    return {bool: "boolean", int: "number", float: "number", str: "text", list: "list"}.get(
        type(value), type(value).__name__
    )


def read_json(path: Path) -> list[RawTable]:
    """The tables of a JSON registry (at most 1 GiB, strict JSON).

    A kind given as an empty list is an empty table, as a CSV with only its
    header row is: a jurisdiction may have no entities of its own.
    """
    _check_readable(path)
    data = load_json(path, "registry file", MAX_JSON_REGISTRY_BYTES)
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
        if not isinstance(records, list):
            raise InputError(
                f"'{kind}' must be a list of objects, not {_kind_of(records)}",
                where=f"{path}, {kind}",
            )
        for number, record in enumerate(records, start=1):
            if not isinstance(record, dict):
                raise InputError(
                    f"entry {number} of '{kind}' is {_kind_of(record)}, not an object",
                    where=f"{path}, {kind}, entry {number}",
                    hint="each record is an object of field names and values",
                )
        headers: dict[str, None] = {}
        for record in records:
            headers.update(dict.fromkeys(record))
        names = list(headers) if records else list(MODELS[kind].model_fields)
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
            if other.exists() or other.is_symlink():
                tables.append(read_csv(other, kind))
    return tables
