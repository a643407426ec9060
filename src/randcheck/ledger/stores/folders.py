"""A folder of ledger files, one per jurisdiction: ``<folder>/<jurisdiction>.sqlite``
(``sqlite:///folder``) or ``.jsonl`` (``jsonl:///folder``)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from randcheck.errors import LedgerError
from randcheck.ledger.store import Ledger
from randcheck.ledger.stores.base import Store
from randcheck.ledger.stores.urls import JURISDICTION, Address, check_jurisdiction, suffixes


class FolderStore(Store):
    """One ledger file per jurisdiction in an existing folder."""

    def __init__(self, address: Address, opener: Callable[[Path, bool], Ledger]) -> None:
        assert address.path is not None and not address.is_file
        self.address = address
        self.url = address.shown
        self.folder = address.path
        self.suffix = suffixes(address.kind)[0]
        self._open = opener
        try:
            folder = self.folder.is_dir()
        except (OSError, ValueError):
            folder = False
        if not folder:
            raise LedgerError(
                f"folder {self.folder} does not exist (or is not a folder)",
                where=self.url,
                hint="create the folder first; each jurisdiction's ledger is a file in it",
            )

    def ledger(self, jurisdiction: str, *, readonly: bool = False) -> Ledger:
        name = check_jurisdiction(jurisdiction, where=self.url)
        return self._open(self.folder / f"{name}{self.suffix}", readonly)

    def jurisdictions(self) -> list[str]:
        try:
            files = [p for p in self.folder.iterdir() if p.suffix == self.suffix]
        except OSError as exc:
            raise LedgerError(
                f"cannot list the folder: {exc.strerror}", where=str(self.folder)
            ) from None
        return sorted(p.stem for p in files if JURISDICTION.fullmatch(p.stem) and p.is_file())

    def close(self) -> None:
        """Nothing held: each ledger is its own file."""
