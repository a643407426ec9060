"""Load and write registries: CSV, XLSX and JSON, Chinese or English headers.

Loading reads every row once and reports every problem it finds (file, row,
column, reason). A file with problems loads nothing, unless the caller asks
to skip bad rows; then the good rows load and the skipped rows are listed.
"""

from __future__ import annotations

import contextlib
import csv
import json
import types
import typing
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from enum import Enum
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from randcheck.errors import InputError, Problem, ProblemsFound
from randcheck.io.atomic import atomic_group
from randcheck.io.cells import escape_cell, xlsx_row
from randcheck.io.headers import (
    KEY_FIELD,
    KINDS,
    LOOKUP,
    MODELS,
    SHEET_NAMES,
    HeaderStyle,
    Kind,
    enum_label,
    header_for,
    normalise,
    required_fields,
)
from randcheck.io.safe import check_input_file
from randcheck.io.tables import RawTable, read_tables, sibling
from randcheck.models.fields import LabelledEnum
from randcheck.models.rows import RowInvalid, RowValidator
from randcheck.registry import ENTITY_FIELDS, FLAG_FIELDS, SHARED_FIELDS, Registry, RegistryBuilder

FORMAT_NAME = "randcheck-registry"
FORMAT_VERSION = 1


@dataclass
class LoadReport:
    """What loading found: the registry, the rows skipped and the columns ignored."""

    registry: Registry
    skipped: list[Problem] = field(default_factory=list)
    ignored_columns: list[str] = field(default_factory=list)
    files: list[str] = field(default_factory=list)

    @property
    def skipped_rows(self) -> int:
        return len({(p.file, p.row) for p in self.skipped})


def _enum_of(model: type[BaseModel], name: str) -> type[LabelledEnum] | None:
    annotation = model.model_fields[name].annotation
    candidates = [annotation]
    if isinstance(annotation, types.UnionType) or typing.get_origin(annotation) is typing.Union:
        candidates = list(typing.get_args(annotation))
    for candidate in candidates:
        if isinstance(candidate, type) and issubclass(candidate, LabelledEnum):
            return candidate
    return None


def _reason(model: type[BaseModel], error: Any) -> str:
    kind = error["type"]
    loc = error["loc"]
    given = error.get("input")
    if kind == "missing":
        return "missing value (required)"
    if kind == "enum" and loc:
        enum = _enum_of(model, str(loc[0]))
        if enum is not None:
            return f"{given!r} is not allowed here; use one of {enum.spellings()}"
    message = str(error["msg"])
    if message.startswith("Value error, "):
        return message[len("Value error, ") :]
    if isinstance(given, str | int | float):
        return f"{message} (got {given!r})"
    return message


def _validator(kind: Kind) -> RowValidator:
    repeating = SHARED_FIELDS | set(FLAG_FIELDS) if kind == "entities" else frozenset()
    return RowValidator(MODELS[kind], frozenset(repeating))


def _problems_of(
    errors: list[dict[str, Any]],
    model: type[BaseModel],
    file: str,
    row: int,
    header_of: dict[str, str],
) -> list[Problem]:
    out = []
    for error in errors:
        loc = error["loc"]
        column = header_of.get(str(loc[0]), str(loc[0])) if loc else None
        out.append(Problem(file, row, column, _reason(model, error)))
    return out


def _blank(cell: Any) -> bool:
    return cell is None or (isinstance(cell, str) and not cell.strip())


def _shown(cell: Any) -> str:
    text = repr(cell)
    return text if len(text) <= 40 else text[:37] + "…"


def _load_table(
    table: RawTable,
    builder: RegistryBuilder,
    first_seen: dict[str, tuple[str, int]],
    problems: list[Problem],
    ignored: list[str],
) -> bool:
    """Validate every row of ``table`` into ``builder``; False when a column problem stops it."""
    lookup = LOOKUP[table.kind]
    model = MODELS[table.kind]
    key = KEY_FIELD[table.kind]
    positions: list[tuple[int, str]] = []
    header_of: dict[str, str] = {}
    fatal = False
    for index, header in enumerate(table.headers):
        name = lookup.get(normalise(header)) if header else None
        if name is None:
            if header and header.strip():
                shown = header if header.isprintable() else repr(header)
                ignored.append(f"{table.file}: {shown}")
            continue
        if name in header_of:
            problems.append(
                Problem(
                    table.file,
                    1,
                    header,
                    f"column for {name} given twice ({header_of[name]!r} and {header!r})",
                )
            )
            fatal = True
            continue
        header_of[name] = header
        positions.append((index, name))
    for name in required_fields(table.kind):
        if name not in header_of:
            title = model.model_fields[name].title
            problems.append(
                Problem(table.file, None, f"{title} ({name})", "required column is missing")
            )
            fatal = True
    if fatal:
        return False

    if table.kind == "entities":

        def add(values: list[Any]) -> None:
            builder.add_entity_values(values, shared=True)

    else:
        add_model = builder.add_inspector if table.kind == "inspectors" else builder.add_item
        fields = tuple(model.model_fields)

        def add(values: list[Any]) -> None:
            add_model(model.model_construct(**dict(zip(fields, values))))  # type: ignore[arg-type]

    validate = _validator(table.kind).reader(dict((name, i) for i, name in positions))
    key_index = list(model.model_fields).index(key)
    width = len(table.headers)
    # the header's columns end at its last non-blank cell (a sheet may pad the row)
    named = max((i + 1 for i, h in enumerate(table.headers) if h and h.strip()), default=0)
    for number, cells in table.rows:
        if len(cells) < width:
            cells = list(cells) + [None] * (width - len(cells))
        if not any(cells) and all(c is None or c == "" for c in cells):
            continue  # a blank line
        if len(cells) > named:
            beyond = [i for i in range(named, len(cells)) if not _blank(cells[i])]
            if beyond:
                problems.extend(
                    Problem(
                        table.file,
                        number,
                        f"column {i + 1}",
                        f"a value beyond the header's {named} columns ({_shown(cells[i])})",
                    )
                    for i in beyond
                )
                continue
        try:
            values = validate(cells)
        except RowInvalid as exc:
            problems.extend(_problems_of(exc.errors, model, table.file, number, header_of))
            continue
        ident = values[key_index]
        seen = first_seen.get(ident)
        if seen is not None:
            where = f"row {seen[1]}" if seen[0] == table.file else f"{seen[0]}, row {seen[1]}"
            problems.append(
                Problem(table.file, number, header_of[key], f"duplicate {ident} (first at {where})")
            )
            continue
        first_seen[ident] = (table.file, number)
        add(values)
    return True


def read_registry(
    paths: Path | str | Iterable[Path | str], *, skip_bad_rows: bool = False
) -> LoadReport:
    """Read a registry from one or more files; every problem is reported in one pass.

    Raises :class:`ProblemsFound` listing every problem when there are any, unless
    ``skip_bad_rows`` is set: then the good rows load and the report lists the
    skipped ones. A missing required column is never skipped over.
    """
    paths = [paths] if isinstance(paths, str | Path) else list(paths)
    builder = RegistryBuilder()
    problems: list[Problem] = []
    ignored: list[str] = []
    files: list[str] = []
    column_problem = False
    first_seen: dict[Kind, dict[str, tuple[str, int]]] = {k: {} for k in KINDS}
    for path in paths:
        for table in read_tables(Path(path)):
            files.append(table.file)
            ok = _load_table(table, builder, first_seen[table.kind], problems, ignored)
            column_problem = column_problem or not ok
    where = ", ".join(str(p) for p in paths) or "registry"
    if problems and (column_problem or not skip_bad_rows):
        hint = (
            "add the missing columns (see docs/registry.md for the headers)"
            if column_problem
            else None
        )
        raise ProblemsFound(where, problems, hint=hint)
    return LoadReport(builder.build(), skipped=problems, ignored_columns=ignored, files=files)


def load_registry(paths: Path | str | Iterable[Path | str]) -> Registry:
    """The registry in ``paths``; :class:`ProblemsFound` when any row has a problem."""
    return read_registry(paths).registry


# --- writing --------------------------------------------------------------------


def format_cell(value: Any, style: HeaderStyle) -> str:
    """How one value is written in a CSV or XLSX cell."""
    if value is None:
        return ""
    if isinstance(value, bool):
        if style == "zh":
            return "是" if value else "否"
        return "true" if value else "false"
    if isinstance(value, Enum):
        return enum_label(value, style)
    if isinstance(value, frozenset | set):
        return ";".join(sorted(format_cell(v, style) for v in value))
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def _json_value(value: Any) -> Any:
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, frozenset | set):
        return sorted(_json_value(v) for v in value)
    if isinstance(value, date):
        return value.isoformat()
    return value


def spreadsheet_text(value: Any, style: HeaderStyle) -> str:
    """:func:`format_cell`, with a text escaped against formula injection.

    A number is never escaped (a number cell is not a formula); any other value's
    text is (see :mod:`randcheck.io.cells`), and reading unescapes it again.
    """
    text = format_cell(value, style)
    if isinstance(value, int | float) and not isinstance(value, bool):
        return text
    return escape_cell(text)


def _formatted_columns(columns: Sequence[Sequence[Any]], style: HeaderStyle) -> list[Sequence[str]]:
    out: list[Sequence[str]] = []
    for column in columns:
        memo: dict[Any, str] = {}
        formatted = []
        for value in column:
            try:
                text = memo.get(value)
            except TypeError:
                text = None
            if text is None:
                text = spreadsheet_text(value, style)
                if not isinstance(value, str) or len(memo) < 4096:
                    memo[value] = text
            formatted.append(text)
        out.append(formatted)
    return out


def _table_rows(
    registry: Registry, kind: Kind, style: HeaderStyle
) -> tuple[list[str], Iterable[Sequence[Any]]]:
    fields = list(MODELS[kind].model_fields)
    headers = [escape_cell(header_for(kind, f, style)) for f in fields]
    if kind == "entities":
        columns = _formatted_columns([registry.column(f) for f in ENTITY_FIELDS], style)
        return headers, zip(*columns)
    records: Sequence[BaseModel] = registry.inspectors if kind == "inspectors" else registry.items
    return headers, ([spreadsheet_text(getattr(r, f), style) for f in fields] for r in records)


def _present(registry: Registry) -> list[Kind]:
    kinds: list[Kind] = ["entities"]
    if registry.inspectors:
        kinds.append("inspectors")
    if registry.items:
        kinds.append("items")
    return kinds


def write_registry(
    registry: Registry, path: Path | str, *, headers: HeaderStyle = "zh"
) -> list[Path]:
    """Write ``registry`` to ``path`` (format by extension); returns the files written.

    CSV writes the entities to ``path`` and the inspectors and items to sibling
    files (``<stem>.inspectors.csv``, ``<stem>.items.csv``). Nothing is written
    unless everything can be: the files appear together or not at all.
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if headers not in ("zh", "en"):
        raise InputError(f"unknown header style {headers!r}", hint="use 'zh' or 'en'")
    if suffix == ".csv":
        kinds = _present(registry)
        targets = [path if k == "entities" else sibling(path, k) for k in kinds]
        with atomic_group(*targets) as temps:
            for kind, temp in zip(kinds, temps):
                names, rows = _table_rows(registry, kind, headers)
                with temp.open("w", newline="", encoding="utf-8-sig") as handle:
                    writer = csv.writer(handle)
                    writer.writerow(names)
                    writer.writerows(rows)
        return targets
    if suffix == ".xlsx":
        _write_xlsx(registry, path, headers)
        return [path]
    if suffix == ".json":
        _write_json(registry, path)
        return [path]
    raise InputError(
        f"cannot write {suffix or 'files without an extension'}",
        where=str(path),
        hint="give a .csv, .xlsx or .json file name",
    )


def _write_xlsx(registry: Registry, path: Path, style: HeaderStyle) -> None:
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    if registry.entity_count > 1_048_575:
        raise InputError(
            f"{registry.entity_count} entities do not fit in one XLSX sheet (1,048,575 rows)",
            where=str(path),
            hint="write CSV or JSON instead",
        )
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.cell.cell import Cell

    with atomic_group(path) as (temp,):  # the folder is checked before any row is built
        book = Workbook(write_only=True)
        try:
            for kind in _present(registry):
                zh, en = SHEET_NAMES[kind]
                sheet = book.create_sheet(zh if style == "zh" else en)
                names, rows = _table_rows(registry, kind, style)
                for index, name in enumerate(names, start=1):
                    width = max(10, 2 * len(name) + 2)
                    sheet.column_dimensions[get_column_letter(index)].width = width
                sheet.freeze_panes = "A2"
                header_cells = []
                for value in xlsx_row(sheet, names, where=f"{path} [{sheet.title}], row 1"):
                    cell = value if isinstance(value, Cell) else WriteOnlyCell(sheet, value=value)
                    cell.font = Font(bold=True)
                    header_cells.append(cell)
                sheet.append(header_cells)
                for number, row in enumerate(rows, start=2):
                    where = f"{path} [{sheet.title}], row {number}"
                    sheet.append(xlsx_row(sheet, row, where=where, headers=names))
        except BaseException:
            _discard(book)
            raise
        book.save(temp)


def _discard(book: Any) -> None:
    """Close a write-only workbook that will not be saved and remove its temporary files."""
    for sheet in book.worksheets:
        with contextlib.suppress(Exception):
            sheet.close()
        writer = getattr(sheet, "_writer", None)  # openpyxl streams each sheet to a temp file
        if writer is not None:
            with contextlib.suppress(Exception):
                writer.cleanup()


def _write_json(registry: Registry, path: Path) -> None:
    body: dict[str, Any] = {
        "format": FORMAT_NAME,
        "version": FORMAT_VERSION,
        "digest": registry.digest,
        "entities": [
            {f: _json_value(v) for f, v in zip(ENTITY_FIELDS, row)}
            for row in zip(*(registry.column(f) for f in ENTITY_FIELDS))
        ],
        "inspectors": [
            {f: _json_value(getattr(i, f)) for f in MODELS["inspectors"].model_fields}
            for i in registry.inspectors
        ],
        "items": [
            {f: _json_value(getattr(i, f)) for f in MODELS["items"].model_fields}
            for i in registry.items
        ],
    }
    with atomic_group(path) as (temp,), temp.open("w", encoding="utf-8") as handle:
        json.dump(body, handle, ensure_ascii=False, indent=1)
        handle.write("\n")


def require_file(path: Path | str, what: str = "file") -> Path:
    """``path`` as a Path; an :class:`InputError` naming it when it is not a regular file."""
    return check_input_file(path, what)
