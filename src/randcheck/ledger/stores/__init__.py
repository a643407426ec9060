"""The ledger stores, one interface (:class:`randcheck.ledger.store.Ledger`):

- :mod:`~randcheck.ledger.stores.sqlite`: SQLite, the embedded default;
- :mod:`~randcheck.ledger.stores.jsonl`: JSON Lines, for exchange;
- :mod:`~randcheck.ledger.stores.postgres`: PostgreSQL, for a service (the
  ``postgres`` extra: psycopg 3).

:func:`open_ledger` opens one ledger (one jurisdiction's chain): a file path, by
its extension, or a URL (:mod:`~randcheck.ledger.stores.urls`); ``readonly=True``
opens an existing ledger only to read it, writing nothing at all.
:func:`open_store` opens a store holding one chain per jurisdiction.
"""

from __future__ import annotations

import stat
from pathlib import Path

from randcheck.errors import LedgerError
from randcheck.ledger.chain import LedgerEvent, PublishedHead
from randcheck.ledger.store import Ledger
from randcheck.ledger.stores.base import Store
from randcheck.ledger.stores.jsonl import JsonlLedger
from randcheck.ledger.stores.sqlite import SqliteLedger
from randcheck.ledger.stores.urls import (
    JSONL_SUFFIXES,
    SQLITE_SUFFIXES,
    Address,
    is_url,
    parse_url,
)
from randcheck.randomness import canonical_json


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
    """The ledger at ``path``: a file, SQLite or JSON Lines by extension, or a URL.

    To append, a missing file (or chain) is created. ``readonly=True`` (verify,
    audit, reports): the file must exist and is never written, not its bytes, its
    modification time, its journal mode, nor a ``-wal``/``-shm``/lock file beside
    it; a file that is not a randcheck ledger is a :class:`LedgerError`.

    A text starting with ``sqlite:``, ``jsonl:``, ``postgresql:`` or ``postgres:`` is
    a URL (:mod:`~randcheck.ledger.stores.urls`): ``sqlite:///srv/2025.sqlite``,
    ``sqlite:///srv/ledgers?chain=410724``, ``postgresql://host/db?chain=410724``. A
    :class:`~pathlib.Path` is always a file path.
    """
    if is_url(path):
        assert isinstance(path, str)
        address = parse_url(path)
        if address.kind == "postgresql":
            if address.chain is None:
                raise LedgerError(
                    "a PostgreSQL URL names a store of chains: which jurisdiction's?",
                    where=address.shown,
                    hint=f"add the chain: {address.shown}"
                    f"{'&' if '?' in address.shown else '?'}chain=<jurisdiction>",
                )
            return _postgres_ledger(address, readonly)
        return _open_file(address.ledger_file(), readonly)
    return _open_file(Path(path), readonly)


def open_store(url: str) -> Store:
    """The store at ``url``, holding one chain per jurisdiction
    (``store.ledger(jurisdiction, readonly=False)``, ``store.jurisdictions()``):

    - ``sqlite:///srv/ledgers`` or ``jsonl:///srv/ledgers``: an existing folder, one file
      per jurisdiction (``410724.sqlite``);
    - ``postgresql://user@host:5432/db`` (``?schema=name``): one database.
    """
    if not is_url(url):
        raise LedgerError(
            f"{url!r} is not a store URL",
            hint="sqlite:///folder, jsonl:///folder or postgresql://user@host:5432/database",
        )
    address = parse_url(url)
    if address.chain is not None:
        raise LedgerError(
            "a store URL names no chain (?chain= names one ledger)",
            where=address.shown,
            hint="leave ?chain= out and ask the store: store.ledger(jurisdiction)",
        )
    if address.kind == "postgresql":
        return _postgres_store(address)
    if address.is_file:
        raise LedgerError(
            "this URL names one ledger file; a store is a folder of them",
            where=address.shown,
            hint=f"name the folder: {address.kind}:///srv/ledgers",
        )
    from randcheck.ledger.stores.folders import FolderStore

    return FolderStore(address, _open_file)


# The PostgreSQL store is imported when first used: psycopg is an optional extra.


def _no_psycopg(exc: ImportError) -> LedgerError:
    return LedgerError(
        f"the PostgreSQL store needs psycopg 3, which cannot be imported ({exc})",
        hint="install it: pip install 'randcheck[postgres]'",
    )


def _postgres_ledger(address: Address, readonly: bool) -> Ledger:
    try:
        from randcheck.ledger.stores.postgres import PostgresLedger
    except ImportError as exc:
        raise _no_psycopg(exc) from None
    return PostgresLedger(address, readonly=readonly)


def _postgres_store(address: Address) -> Store:
    try:
        from randcheck.ledger.stores.postgres import PostgresStore
    except ImportError as exc:
        raise _no_psycopg(exc) from None
    return PostgresStore(address)


def _open_file(path: Path, readonly: bool) -> Ledger:
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
    "Address",
    "JsonlLedger",
    "SqliteLedger",
    "Store",
    "export_jsonl",
    "open_ledger",
    "open_store",
    "parse_url",
    "read_verified",
]
