"""What happened: ledger events, the hash chain, and the stores behind one interface.

- :mod:`~randcheck.ledger.events`: event types and their validated payloads;
- :mod:`~randcheck.ledger.chain`: stored events and the hash chain;
- :mod:`~randcheck.ledger.store`: the :class:`Ledger` interface;
- :mod:`~randcheck.ledger.stores`: SQLite and JSON Lines, :func:`open_ledger`;
- :mod:`~randcheck.ledger.head`: published heads (:func:`published_head`).
"""

from randcheck.ledger.chain import (
    GENESIS,
    ChainReport,
    LedgerEvent,
    PublishedHead,
    event_hash,
    walk_chain,
)
from randcheck.ledger.events import EventType, ReportKind, validate_payload
from randcheck.ledger.head import head_from, head_from_file, published_head
from randcheck.ledger.store import Ledger
from randcheck.ledger.stores import export_jsonl, open_ledger, read_verified

__all__ = [
    "GENESIS",
    "ChainReport",
    "EventType",
    "Ledger",
    "LedgerEvent",
    "PublishedHead",
    "ReportKind",
    "event_hash",
    "export_jsonl",
    "head_from",
    "head_from_file",
    "open_ledger",
    "published_head",
    "read_verified",
    "validate_payload",
    "walk_chain",
]
