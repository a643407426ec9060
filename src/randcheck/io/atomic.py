"""Write files whole or not at all, with the permissions the user's umask gives.

Every file randcheck writes goes through :func:`atomic_write` (or
:func:`atomic_group` for several files that belong together): the content is
written to a temporary file beside the target and moved into place only when
complete, so an error or a crash never leaves a half-written file.

Permissions: a written file gets mode ``0666`` less the user's umask, as any
program's output does (``0644`` under the usual umask ``022``): receipts,
disclosures, plans, reports and registries are meant to be read by others. The
temporary file is created with that mode by ``open(2)`` itself, so the umask is
applied by the kernel and never read or changed by randcheck (changing it
would race with other threads). Overwriting a file replaces it with a file of
that mode.

A secret (the seed material a draw commits to before it is revealed) is
written by :func:`write_secret`: mode ``0600`` from the first byte, never over
an existing file.

A folder that does not exist, is not a folder, or cannot be written is an
:class:`~randcheck.errors.InputError` naming it, raised before anything is
written.
"""

from __future__ import annotations

import contextlib
import errno
import os
import secrets
import stat
from collections.abc import Iterator
from pathlib import Path

from randcheck.errors import InputError

PUBLIC_MODE = 0o666
"""The mode files are created with; the umask removes bits (``0644`` under ``022``)."""
SECRET_MODE = 0o600
"""The mode secret files are created with: readable and writable by their owner only."""

_FLAGS = os.O_CREAT | os.O_EXCL | os.O_WRONLY | getattr(os, "O_CLOEXEC", 0)
_WRITE_ERRORS = frozenset(
    {
        errno.ENOSPC,
        errno.EDQUOT,
        errno.EFBIG,
        errno.EROFS,
        errno.EACCES,
        errno.EPERM,
        errno.EIO,
        errno.ENAMETOOLONG,
    }
)
_NO_HARD_LINKS = frozenset(
    {errno.EPERM, errno.ENOTSUP, errno.EOPNOTSUPP, errno.ENOSYS, errno.EMLINK, errno.EXDEV}
)


def _folder_of(path: Path) -> Path:
    return path.parent


def _cannot_write(path: Path, exc: OSError) -> InputError:
    reason = exc.strerror or str(exc)
    folder = _folder_of(path)
    if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        return InputError(
            f"cannot write {path}: folder {folder} is not writable ({reason})",
            where=str(path),
            hint="write somewhere else, or get write permission for the folder",
        )
    return InputError(f"cannot write {path} in folder {folder}: {reason}", where=str(path))


def check_target(path: Path) -> None:
    """Refuse before writing: a missing, non-folder or read-only folder; a folder as target."""
    folder = _folder_of(path)
    try:
        info = os.stat(folder)
    except FileNotFoundError:
        raise InputError(
            f"folder {folder} does not exist",
            where=str(path),
            hint="create the folder first, or write somewhere else",
        ) from None
    except NotADirectoryError:
        raise InputError(
            f"folder {folder} does not exist (part of its path is a file)",
            where=str(path),
            hint="check the path",
        ) from None
    except OSError as exc:
        raise InputError(
            f"cannot use folder {folder}: {exc.strerror or exc}", where=str(path)
        ) from None
    if not stat.S_ISDIR(info.st_mode):
        raise InputError(
            f"{folder} is not a folder (it is a file)", where=str(path), hint="check the path"
        )
    if not os.access(folder, os.W_OK | os.X_OK):
        raise InputError(
            f"folder {folder} is not writable (permission denied or a read-only file system)",
            where=str(path),
            hint="write somewhere else, or get write permission for the folder",
        )
    try:
        target = os.stat(path)
    except OSError:
        return
    if stat.S_ISDIR(target.st_mode):
        raise InputError(f"{path} is a folder", where=str(path), hint="give a file name")


def _create_temp(target: Path, mode: int) -> tuple[int, Path]:
    """A new, empty file beside ``target``, opened for writing, created with ``mode``."""
    stem = target.name[:200]
    for _ in range(100):
        name = target.parent / f".{stem}.{secrets.token_hex(4)}.tmp"
        try:
            return os.open(name, _FLAGS, mode), name
        except FileExistsError:
            continue
        except OSError as exc:
            raise _cannot_write(target, exc) from None
    raise InputError(f"cannot create a temporary file beside {target}", where=str(target))


def _sync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_CLOEXEC", 0))
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


@contextlib.contextmanager
def atomic_group(*paths: Path) -> Iterator[list[Path]]:
    """Temporary paths for ``paths``; all are moved into place together on success.

    Each temporary file exists (empty) when the block starts; write it by path.
    On any exception every temporary file is removed and no target is touched.
    Writing errors (a full disk, a read-only folder) become an
    :class:`~randcheck.errors.InputError` naming the file.
    """
    targets = [Path(p) for p in paths]
    for target in targets:
        check_target(target)
    temps: list[Path] = []
    try:
        for target in targets:
            fd, temp = _create_temp(target, PUBLIC_MODE)
            os.close(fd)
            temps.append(temp)
        try:
            yield temps
        except OSError as exc:
            names = {str(t): target for t, target in zip(temps, targets)}
            if exc.errno in _WRITE_ERRORS and (exc.filename is None or exc.filename in names):
                target = names.get(exc.filename, targets[0])
                raise _cannot_write(target, exc) from None
            raise
        except UnicodeEncodeError as exc:
            raise InputError(
                f"cannot write {', '.join(map(str, targets))}: the text holds a character "
                f"that cannot be written as UTF-8 ({exc.object[exc.start : exc.end]!r})",
                where=str(targets[0]),
            ) from None
        for temp, target in zip(temps, targets):
            try:
                _sync(temp)
            except OSError as exc:
                raise _cannot_write(target, exc) from None
        for temp, target in zip(temps, targets):
            try:
                os.replace(temp, target)
            except OSError as exc:
                raise _cannot_write(target, exc) from None
    finally:
        for temp in temps:
            with contextlib.suppress(FileNotFoundError):
                temp.unlink()


@contextlib.contextmanager
def atomic_write(path: Path) -> Iterator[Path]:
    """A temporary path to write; moved to ``path`` when the block succeeds."""
    with atomic_group(path) as (temp,):
        yield temp


def write_text(path: Path, text: str) -> None:
    """Write UTF-8 text atomically."""
    with atomic_write(path) as temp:
        temp.write_text(text, encoding="utf-8")


def write_secret(path: Path, text: str) -> None:
    """Write a secret to a NEW file ``path``: mode 0600 from the first byte, atomically.

    The file is created with mode ``0600`` (the umask can only take bits away), so
    no other user can read it at any moment. It is written to a temporary file
    beside ``path`` and then hard-linked into place, which fails rather than replace
    a file that appeared meanwhile; where the file system has no hard links, ``path``
    is created exclusively and written directly. An existing ``path`` (even a
    dangling link) or a missing or read-only folder is an
    :class:`~randcheck.errors.InputError`, raised before anything is written.
    """
    path = Path(path)
    check_target(path)
    if os.path.lexists(path):
        raise _exists(path)
    try:
        data = text.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise InputError(
            f"cannot write {path}: the text holds a character that cannot be written as UTF-8",
            where=str(path),
        ) from exc
    fd, temp = _create_temp(path, SECRET_MODE)
    try:
        try:
            _write_all(fd, data)
        finally:
            os.close(fd)
        try:
            os.link(temp, path)
        except FileExistsError:
            raise _exists(path) from None
        except OSError as exc:
            if exc.errno not in _NO_HARD_LINKS:
                raise _cannot_write(path, exc) from None
            _write_new(path, data)
    except OSError as exc:
        raise _cannot_write(path, exc) from None
    finally:
        with contextlib.suppress(FileNotFoundError):
            temp.unlink()


def _exists(path: Path) -> InputError:
    return InputError(
        f"{path} already exists; a secret file is never overwritten",
        where=str(path),
        hint="give a new file name, or move the old file away first",
    )


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        written = os.write(fd, view)
        view = view[written:]
    os.fsync(fd)


def _write_new(path: Path, data: bytes) -> None:
    """Create ``path`` exclusively with mode 0600 and write ``data``; removed on failure."""
    try:
        fd = os.open(path, _FLAGS | getattr(os, "O_NOFOLLOW", 0), SECRET_MODE)
    except FileExistsError:
        raise _exists(path) from None
    try:
        try:
            _write_all(fd, data)
        finally:
            os.close(fd)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            path.unlink()
        raise
