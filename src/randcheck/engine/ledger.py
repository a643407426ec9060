"""Deprecated: moved, and re-exported here for one release (0.2); importing it warns.

New home: randcheck.ledger. See CHANGELOG.md.
"""

import warnings

from randcheck.ledger.chain import (
    GENESIS,
    ChainReport,
    LedgerEvent,
    event_hash,
    walk_chain,
)
from randcheck.ledger.store import (
    Ledger,
)
from randcheck.ledger.stores import (
    JSONL_SUFFIXES,
    SQLITE_SUFFIXES,
    export_jsonl,
    open_ledger,
    read_verified,
)
from randcheck.ledger.stores.jsonl import (
    JsonlLedger,
)
from randcheck.ledger.stores.sqlite import (
    SqliteLedger,
)

MOVED_TO = "randcheck.ledger"
warnings.warn(
    f"{__name__} is deprecated: import from {MOVED_TO} (see CHANGELOG.md)",
    DeprecationWarning,
    stacklevel=2,
)


__all__ = [
    "GENESIS",
    "JSONL_SUFFIXES",
    "SQLITE_SUFFIXES",
    "ChainReport",
    "JsonlLedger",
    "Ledger",
    "LedgerEvent",
    "SqliteLedger",
    "event_hash",
    "export_jsonl",
    "open_ledger",
    "read_verified",
    "walk_chain",
]
