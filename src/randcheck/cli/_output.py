"""Shared pieces of the commands' output: consoles, tables of a registry, labels, and
the checks every command runs on the files it will write (:func:`check_outputs`)."""

from __future__ import annotations

import contextlib
import json
import os
import stat
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

from randcheck.errors import InputError
from randcheck.io import format_cell
from randcheck.models import EntityClass
from randcheck.registry import Registry

console = Console(highlight=False, soft_wrap=True)
err_console = Console(stderr=True, highlight=False, soft_wrap=True)


def new_table(title: str, *headers: str) -> Table:
    """A table whose long cells wrap instead of being cut off (codes and names matter)."""
    table = Table(title=title, title_justify="left")
    for header in headers:
        table.add_column(header, overflow="fold")
    return table


def print_json(data: Any) -> None:
    """Plain JSON on standard output (no colour, no wrapping), for scripts."""
    print(json.dumps(data, ensure_ascii=False, indent=2, default=str))


def class_counts_table(registry: Registry, title: str = "Entities by class 各类检查对象") -> Table:
    table = new_table(title, "class 监管类别", "entities 数量")
    counts = registry.class_counts()
    for cls in EntityClass:
        table.add_row(cls.label, str(counts[cls]))
    table.add_row("total 合计", str(registry.entity_count), style="bold")
    return table


PREVIEW_FIELDS = (
    ("uscc", "USCC 统一社会信用代码"),
    ("name", "name 企业名称"),
    ("entity_class", "class 监管类别"),
    ("division_code", "division 行政区划"),
    ("industry_code", "industry 行业类别"),
    ("production_status", "status 生产状态"),
)


def entities_preview_table(registry: Registry, rows: int = 5) -> Table:
    shown = min(rows, registry.entity_count)
    table = new_table(
        f"First {shown} entities 检查对象（前{shown}行）", *(h for _, h in PREVIEW_FIELDS)
    )
    columns = [registry.column(f) for f, _ in PREVIEW_FIELDS]
    for row in range(shown):
        values = [col[row] for col in columns]
        table.add_row(
            *(v.label if isinstance(v, EntityClass) else format_cell(v, "zh") for v in values)
        )
    return table


def registry_summary(registry: Registry) -> None:
    """Counts per class, a few rows, inspectors and items, and the digest."""
    console.print(class_counts_table(registry))
    console.print(entities_preview_table(registry))
    console.print(
        f"inspectors 检查人员: {registry.inspector_count}    items 抽查事项: {len(registry.items)}"
    )
    console.print(f"registry digest 名录库摘要 (SHA-256): {registry.digest}")


# --- files a command writes ------------------------------------------------------------


def _implied_inputs(path: Path) -> list[Path]:
    """``path`` and the files reading it also reads: a CSV registry's sidecars
    (``NAME.inspectors.csv``, ``NAME.items.csv``), a SQLite ledger's journal files."""
    from randcheck.io.tables import sibling
    from randcheck.ledger.stores import SQLITE_SUFFIXES

    found = [path]
    suffix = path.suffix.lower()
    if suffix == ".csv":
        found += [sibling(path, "inspectors"), sibling(path, "items")]
    elif suffix in SQLITE_SUFFIXES:
        found += [path.with_name(path.name + end) for end in ("-wal", "-shm", "-journal")]
    return found


def policy_file(spec: str | None) -> Path | None:
    """The file a ``--policy`` value names (a policy or variant file), or None for an id:
    an input like any other."""
    if spec is None or not spec.lower().endswith((".json", ".yaml", ".yml")):
        return None
    return Path(spec)


def _absolute(path: Path) -> Path:
    try:
        return path.resolve()
    except (OSError, RuntimeError):  # a symlink loop
        return Path(os.path.abspath(path))


def same_file(a: Path, b: Path) -> bool:
    """Whether ``a`` and ``b`` are one file: the same inode when both exist (a hard link
    or a symlink to the other counts), else the same resolved path."""
    try:
        if a.exists() and b.exists():
            return os.path.samefile(a, b)
    except OSError:
        pass
    return _absolute(a) == _absolute(b)


def _check_target(path: Path, overwrite: bool) -> None:
    from randcheck.io.atomic import check_target

    check_target(path)  # the folder exists, is a folder, is writable; path is no folder
    try:
        info = path.stat()
    except FileNotFoundError:
        return
    except OSError as exc:
        raise InputError(f"cannot use {path}: {exc.strerror or exc}") from None
    if not stat.S_ISREG(info.st_mode):
        raise InputError(
            f"{path} is not a regular file (a device, pipe or socket): randcheck writes a "
            "new file and moves it into place, which would replace it",
            hint="write to a regular file",
        )
    if not overwrite:
        raise InputError(
            f"{path} exists; choose another name or remove it",
            hint="this file is never overwritten",
        )


def _extensions(formats: Mapping[str, str]) -> str:
    return ", ".join(sorted(s for s in formats if s))


def check_outputs(
    outputs: Sequence[Path],
    inputs: Sequence[Path | None] = (),
    *,
    overwrite: bool = True,
    formats: Mapping[str, str] | None = None,
) -> list[str]:
    """Refuse, before anything is read or written, outputs that must not or cannot be written.

    Call it first in a command, with every file the command will write
    (``outputs``) and every file it reads (``inputs``; ``None`` entries, for
    options not given, are skipped). Each output is refused with an
    :class:`~randcheck.errors.InputError` (exit 2) when:

    - it is one of the inputs: the same resolved path, or the same file where both
      exist (:func:`os.path.samefile`: a hard link or a symlink to an input counts).
      A CSV input's sidecar files (``NAME.inspectors.csv``, ``NAME.items.csv``, which a
      CSV registry implies) and a SQLite ledger's ``-wal``/``-shm``/``-journal``
      files count as inputs;
    - two outputs are the same file;
    - its folder does not exist, is not a folder (part of the path is a file), or is
      not writable; it is itself a folder;
    - it exists and is not a regular file (``/dev/null``, a pipe, a socket): the atomic
      write would replace it;
    - ``overwrite=False`` and it exists (a receipt, a secret): "PATH exists; choose
      another name or remove it";
    - ``formats`` is given (lower-cased extension -> format name, e.g.
      ``{".csv": "csv", ".xlsx": "xlsx"}``) and its extension is not a key: the
      message lists the extensions the command writes.

    Returns, for each output, its format name (``formats[extension]``), or its
    lower-cased extension when ``formats`` is not given. Nothing is written here.
    """
    targets = [Path(p) for p in outputs]
    read = [(q, Path(p)) for p in inputs if p is not None for q in _implied_inputs(Path(p))]
    found: list[str] = []
    for number, target in enumerate(targets):
        if not target.name or target.name in (".", ".."):
            raise InputError(
                f"{str(target) or 'an empty name'} is not a file name", hint="give a file name"
            )
        for source, given in read:
            if same_file(target, source):
                shown = "" if str(source) == str(target) else f" ({source})"
                if source != given:
                    shown += f", read with {given}"
                raise InputError(
                    f"{target} is also an input of this command{shown}: writing it would "
                    "destroy it",
                    hint="write the output to another file",
                )
        for earlier in targets[:number]:
            if same_file(target, earlier):
                raise InputError(f"{target} is given as two outputs ({earlier})")
        _check_target(target, overwrite)
        suffix = target.suffix.lower()
        if formats is not None:
            if suffix not in formats:
                raise InputError(
                    f"unknown output format {suffix or '(no extension)'} of {target}: this "
                    f"command writes {_extensions(formats)}",
                    hint=f"end the file name in {_extensions(formats)}",
                )
            found.append(formats[suffix])
        else:
            found.append(suffix)
    return found


def output_format(
    path: Path, requested: str | None, formats: Mapping[str, str], *, option: str = "--format"
) -> str:
    """The format to write ``path`` in: its extension decides.

    - ``path`` has an extension: it must be one of ``formats`` (extension -> format
      name), else an error listing them; when ``requested`` (the ``--format`` given)
      names another format, an error naming both;
    - no extension: ``requested`` decides and exactly ``path`` is written (no
      extension is added); without ``requested``, an error asking for an extension.
    """
    suffix = path.suffix.lower()
    if suffix:
        if suffix not in formats:
            raise InputError(
                f"unknown output format {suffix} of {path}: this command writes "
                f"{_extensions(formats)}",
                hint=f"end the file name in {_extensions(formats)}",
            )
        fmt = formats[suffix]
        if requested is not None and requested != fmt:
            raise InputError(
                f"{option} {requested} disagrees with the file name {path} ({suffix} is {fmt})",
                hint=f"drop {option}, or end the file name in the extension of {requested}",
            )
        return fmt
    if requested is None:
        raise InputError(
            f"{path} has no extension: the format is not known",
            hint=f"end the file name in {_extensions(formats)}, or give {option}",
        )
    if requested not in formats.values():
        raise InputError(f"{option} {requested} cannot be written to a file ({path})")
    return requested


def check_output_folder(
    folder: Path, names: Sequence[str], inputs: Sequence[Path | None] = ()
) -> list[Path]:
    """``folder / name`` for each name, checked as :func:`check_outputs` checks files.

    ``folder`` may be missing: it is then created by :func:`output_folder` when
    writing, and its parent must exist, be a folder and be writable. ``folder`` that
    is a file is refused.
    """
    folder = Path(folder)
    paths = [folder / name for name in names]
    try:
        exists = folder.exists()
    except OSError as exc:  # a name too long, a loop of links
        raise InputError(f"cannot use {folder}: {exc.strerror or exc}") from None
    if exists:
        if not folder.is_dir():
            raise InputError(f"{folder} is a file, not a folder", hint="give a folder")
        check_outputs(paths, inputs)
    else:
        _check_target(folder, overwrite=True)
        if os.path.lexists(folder):
            raise InputError(f"{folder} is a broken link", hint="give a folder")
    return paths


@contextlib.contextmanager
def output_folder(folder: Path) -> Iterator[Path]:
    """``folder``, created when missing (its parent must exist); removed again when the
    block fails and leaves it empty."""
    created = not folder.exists()
    if created:
        try:
            folder.mkdir()
        except OSError as exc:
            raise InputError(f"cannot create folder {folder}: {exc.strerror or exc}") from None
    try:
        yield folder
    except BaseException:
        if created:
            with contextlib.suppress(OSError):
                folder.rmdir()
        raise


@contextlib.contextmanager
def write_errors(*paths: Path | str) -> Iterator[None]:
    """Turn an operating-system error while writing ``paths`` into an InputError naming them."""
    try:
        yield
    except OSError as exc:
        shown = ", ".join(_shown(p) for p in paths)
        raise InputError(f"cannot write {shown}: {exc.strerror or exc}") from None


LEDGER_HELP = (
    "a .sqlite or .jsonl file, or a store URL naming the chain "
    "(postgresql://host/db?chain=410724, sqlite:///srv/ledgers?chain=410724)"
)
"""How a command's help names what a ledger argument takes."""


def ledger_file(ledger: str) -> Path | None:
    """The file a ledger argument names (a file URL and a folder URL's chain included), or
    None for a database, which has no file to check as an input or an output."""
    from randcheck.ledger.stores.urls import ledger_path

    return ledger_path(ledger)


def _shown(path: Path | str) -> str:
    from randcheck.ledger.stores.urls import hide_password

    return hide_password(path) if isinstance(path, str) else str(path)
