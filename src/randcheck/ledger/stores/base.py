"""A store: one hash chain (one :class:`~randcheck.ledger.store.Ledger`) per jurisdiction.

Open one with :func:`randcheck.ledger.stores.open_store`; a service serving many
jurisdictions keeps one store and asks it for each jurisdiction's ledger.
"""

from __future__ import annotations

import abc

from randcheck.ledger.store import Ledger


class Store(abc.ABC):
    """The chains of several jurisdictions behind one URL (:attr:`url`, password hidden)."""

    url: str

    @abc.abstractmethod
    def ledger(self, jurisdiction: str, *, readonly: bool = False) -> Ledger:
        """The ledger of ``jurisdiction``: to append (created when new), or ``readonly``
        (it must exist, and nothing is ever written)."""

    @abc.abstractmethod
    def jurisdictions(self) -> list[str]:
        """The jurisdictions with a chain here, sorted."""

    @abc.abstractmethod
    def close(self) -> None:
        """Release what the store holds (the ledgers it handed out close on their own)."""

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
