"""Write files whole or not at all.

Every file randcheck writes goes through :func:`atomic_write` (or
:func:`atomic_group` for several files that belong together): the content is
written to a temporary file beside the target and moved into place only when
complete, so an error or a crash never leaves a half-written file.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

from randcheck.errors import InputError


def _check_parent(path: Path) -> None:
    if not path.parent.exists():
        raise InputError(
            f"folder {path.parent} does not exist",
            where=str(path),
            hint="create the folder first, or write somewhere else",
        )
    if path.exists() and path.is_dir():
        raise InputError(f"{path} is a folder", where=str(path), hint="give a file name")


@contextlib.contextmanager
def atomic_group(*paths: Path) -> Iterator[list[Path]]:
    """Temporary paths for ``paths``; all are moved into place together on success.

    On any exception every temporary file is removed and no target is touched.
    """
    targets = [Path(p) for p in paths]
    for target in targets:
        _check_parent(target)
    temps: list[Path] = []
    try:
        for target in targets:
            fd, name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
            os.close(fd)
            temps.append(Path(name))
        yield temps
        for temp, target in zip(temps, targets):
            os.replace(temp, target)
    except BaseException:
        for temp in temps:
            with contextlib.suppress(FileNotFoundError):
                temp.unlink()
        raise


@contextlib.contextmanager
def atomic_write(path: Path) -> Iterator[Path]:
    """A temporary path to write; moved to ``path`` when the block succeeds."""
    with atomic_group(path) as (temp,):
        yield temp


def write_text(path: Path, text: str) -> None:
    """Write UTF-8 text atomically."""
    with atomic_write(path) as temp:
        temp.write_text(text, encoding="utf-8")
