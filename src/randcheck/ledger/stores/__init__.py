"""The ledger stores, one interface (:class:`randcheck.ledger.store.Ledger`):

- :mod:`~randcheck.ledger.stores.sqlite`: SQLite, the embedded default;
- :mod:`~randcheck.ledger.stores.jsonl`: JSON Lines, for exchange.

:func:`open_ledger` picks the store by the file's extension.
"""

from __future__ import annotations

from pathlib import Path

from randcheck.errors import LedgerError
from randcheck.ledger.chain import LedgerEvent
from randcheck.ledger.store import Ledger
from randcheck.ledger.stores.jsonl import JsonlLedger
from randcheck.ledger.stores.sqlite import SqliteLedger
from randcheck.randomness import canonical_json

SQLITE_SUFFIXES = (".sqlite", ".sqlite3", ".db")
JSONL_SUFFIXES = (".jsonl",)


def open_ledger(path: Path | str) -> Ledger:
    """The ledger at ``path`` (created when missing): SQLite or JSON Lines by extension."""
    path = Path(path)
    suffix = path.suffix.lower()
    if path.is_dir():
        raise LedgerError(f"{path} is a folder", hint="give a ledger file name")
    if not path.parent.exists():
        raise LedgerError(f"folder {path.parent} does not exist", where=str(path))
    if suffix in SQLITE_SUFFIXES:
        return SqliteLedger(path)
    if suffix in JSONL_SUFFIXES:
        return JsonlLedger(path)
    raise LedgerError(
        f"cannot tell the ledger format of {path.name}",
        hint="use .sqlite (the default store) or .jsonl (for exchange)",
    )


def read_verified(path: Path | str) -> list[LedgerEvent]:
    """Every event of an existing ledger whose chain is whole; a clear error otherwise."""
    path = Path(path)
    if not path.is_file():
        raise LedgerError(f"ledger {path} does not exist", where=str(path), hint="check the path")
    with open_ledger(path) as ledger:
        report = ledger.verify()
        if not report.ok:
            raise LedgerError(
                f"the ledger's chain is broken at event #{report.first_break}: {report.reason}",
                where=str(path),
                hint="run `randcheck ledger verify` and restore the ledger",
            )
        return list(ledger.events())


def export_jsonl(ledger: Ledger, path: Path | str) -> int:
    """Write every event of ``ledger`` to a JSON Lines file (atomically); the count."""
    from randcheck.io.atomic import atomic_write

    count = 0
    with atomic_write(Path(path)) as temp, temp.open("w", encoding="utf-8") as handle:
        for data in ledger._stored():
            handle.write(canonical_json(data) + "\n")
            count += 1
    return count


__all__ = [
    "JSONL_SUFFIXES",
    "SQLITE_SUFFIXES",
    "JsonlLedger",
    "SqliteLedger",
    "export_jsonl",
    "open_ledger",
    "read_verified",
]
