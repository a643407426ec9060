"""The ledgers the service writes to: one hash chain per jurisdiction, in the store the
settings name (:func:`randcheck.ledger.stores.open_store`: a folder of SQLite or JSON
Lines files, one per jurisdiction, or PostgreSQL with one chain per jurisdiction).

A plain folder is ``sqlite:///<folder>``, made if missing. A jurisdiction with no chain
yet reads as an empty ledger: a request that only reads never creates a file or a chain.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator

from randcheck.errors import LedgerError, RandcheckError
from randcheck.ledger.store import Ledger
from randcheck.ledger.stores import open_store
from randcheck.ledger.stores.base import Store
from randcheck.ledger.stores.memory import MemoryLedger
from randcheck.service.settings import Settings, store_folder


class Ledgers:
    """The store, opened once, and the ledger of a jurisdiction for one request at a time."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.folder = store_folder(settings.store)
        if self.folder is not None:  # the service's own folder of ledgers: made if missing
            try:
                self.folder.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise LedgerError(
                    f"cannot create the ledger folder: {exc.strerror}", where=str(self.folder)
                ) from None
        self._store: Store | None = None
        self._lock = threading.Lock()

    @property
    def url(self) -> str:
        """The store's URL: a plain folder is ``sqlite:///<absolute folder>``."""
        if "://" in self.settings.store:
            return self.settings.store
        assert self.folder is not None
        return f"sqlite://{self.folder.resolve()}"

    def check(self) -> list[str]:
        """Open the store once, read which chains it holds, and close it: a bad URL, a
        server that cannot be reached, a missing database, tables that are not
        randcheck's are a :class:`LedgerError` naming the setting ``store`` (and the URL,
        its password hidden), before the service serves. The chains found."""
        try:
            with contextlib.closing(open_store(self.url)) as store:
                return store.jurisdictions()
        except RandcheckError as exc:
            where = f"the setting store ({exc.where})" if exc.where else "the setting store"
            raise LedgerError(exc.what, where=where, hint=exc.hint) from None

    def store(self) -> Store:
        with self._lock:
            if self._store is None:
                self._store = open_store(self.url)
            return self._store

    @contextlib.contextmanager
    def open(self, jurisdiction: str, *, readonly: bool = False) -> Iterator[Ledger]:
        """The jurisdiction's ledger; ``readonly``: nothing is written (an empty ledger
        when the jurisdiction has none yet)."""
        store = self.store()
        if readonly and jurisdiction not in store.jurisdictions():
            ledger: Ledger = MemoryLedger(f"<{jurisdiction}: no ledger yet>")
        else:
            ledger = store.ledger(jurisdiction, readonly=readonly)
        try:
            yield ledger
        finally:
            ledger.close()

    def close(self) -> None:
        with self._lock:
            if self._store is not None:
                self._store.close()
            self._store = None
