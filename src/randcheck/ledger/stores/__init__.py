"""The ledger stores, one interface (:class:`randcheck.ledger.store.Ledger`):

- :mod:`~randcheck.ledger.stores.sqlite`: SQLite, the embedded default;
- :mod:`~randcheck.ledger.stores.jsonl`: JSON Lines, for exchange.

:func:`open_ledger` picks the store by the file's extension; ``readonly=True``
opens an existing ledger only to read it, writing nothing at all.
"""

from __future__ import annotations

import stat
from pathlib import Path

from randcheck.errors import LedgerError
from randcheck.ledger.chain import LedgerEvent, PublishedHead
from randcheck.ledger.store import Ledger
from randcheck.ledger.stores.jsonl import JsonlLedger
from randcheck.ledger.stores.sqlite import SqliteLedger
from randcheck.randomness import canonical_json

SQLITE_SUFFIXES = (".sqlite", ".sqlite3", ".db")
JSONL_SUFFIXES = (".jsonl",)


def _is_folder(path: Path) -> bool:
    try:
        return path.is_dir()
    except (OSError, ValueError):  # a name too long, a NUL byte
        return False


def _check_path(path: Path, readonly: bool) -> None:
    try:
        info = path.stat()
    except (FileNotFoundError, NotADirectoryError):
        if readonly:
            raise LedgerError(
                f"ledger {path} does not exist", where=str(path), hint="check the path"
            ) from None
        if not _is_folder(path.parent):
            raise LedgerError(f"folder {path.parent} does not exist", where=str(path)) from None
        return
    except (OSError, ValueError) as exc:
        raise LedgerError(
            f"cannot read ledger {path}: {getattr(exc, 'strerror', None) or exc}", where=str(path)
        ) from None
    if stat.S_ISDIR(info.st_mode):
        raise LedgerError(f"{path} is a folder", hint="give a ledger file name")
    if not stat.S_ISREG(info.st_mode):
        raise LedgerError(
            f"{path} is not a regular file (a device, pipe or socket)",
            where=str(path),
            hint="give a ledger file",
        )


def open_ledger(path: Path | str, *, readonly: bool = False) -> Ledger:
    """The ledger at ``path``: SQLite or JSON Lines by extension.

    To append, a missing file is created. ``readonly=True`` (verify, audit,
    reports): the file must exist and is never written, not its bytes, its
    modification time, its journal mode, nor a ``-wal``/``-shm``/lock file beside
    it; a file that is not a randcheck ledger is a :class:`LedgerError`.
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in SQLITE_SUFFIXES + JSONL_SUFFIXES:
        if _is_folder(path):
            raise LedgerError(f"{path} is a folder", hint="give a ledger file name")
        raise LedgerError(
            f"cannot tell the ledger format of {path.name}",
            hint="use .sqlite (the default store) or .jsonl (for exchange)",
        )
    _check_path(path, readonly)
    if suffix in SQLITE_SUFFIXES:
        return SqliteLedger(path, readonly=readonly)
    return JsonlLedger(path, readonly=readonly)


def read_verified(
    path: Path | str, expected_head: PublishedHead | str | None = None
) -> list[LedgerEvent]:
    """Every event of an existing ledger, read-only, whose chain is whole and whose events
    are all valid (and that holds ``expected_head``, when given); a
    :class:`LedgerError` naming the first bad event otherwise."""
    with open_ledger(path, readonly=True) as ledger:
        return ledger.verified_events(expected_head)


def export_jsonl(ledger: Ledger, path: Path | str) -> int:
    """Write every event of ``ledger`` to a JSON Lines file (atomically); the count.

    Only a whole, valid ledger is exported: a :class:`LedgerError` naming the first
    bad event otherwise, and nothing is written.
    """
    from randcheck.io.atomic import atomic_write

    events = ledger.verified_events()
    with atomic_write(Path(path)) as temp, temp.open("w", encoding="utf-8") as handle:
        for event in events:
            handle.write(canonical_json(event.to_json()) + "\n")
    return len(events)


__all__ = [
    "JSONL_SUFFIXES",
    "SQLITE_SUFFIXES",
    "JsonlLedger",
    "SqliteLedger",
    "export_jsonl",
    "open_ledger",
    "read_verified",
]
