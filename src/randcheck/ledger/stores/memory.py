"""An in-memory ledger: the same chain, the same checks, nothing on disk.

For records read to be audited and then thrown away (``randcheck audit
--records``, conformance cases, tests): an outside auditor's reading never
writes a file.
"""

from __future__ import annotations

import contextlib
import copy
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from randcheck.ledger.chain import GENESIS, LedgerEvent
from randcheck.ledger.store import Ledger


class MemoryLedger(Ledger):
    """A ledger held in a list; it lives as long as the object."""

    def __init__(self, name: str = "<memory>") -> None:
        super().__init__(Path(name), readonly=False)
        self._events: list[LedgerEvent] = []
        self._by_subject: dict[str, list[LedgerEvent]] = {}

    @contextlib.contextmanager
    def _transaction(self) -> Iterator[None]:
        written = len(self._events)
        try:
            yield
        except BaseException:
            # all or none, as the stores on disk
            for event in self._events[written:]:
                self._by_subject[event.subject].remove(event)
            del self._events[written:]
            raise

    def _head(self) -> tuple[int, str]:
        return self._last()

    def _last(self) -> tuple[int, str]:
        if not self._events:
            return 0, GENESIS
        last = self._events[-1]
        return last.seq, last.hash

    def _subject_events(self, subject: str) -> list[LedgerEvent]:
        return list(self._by_subject.get(subject, []))

    def _write(self, event: LedgerEvent) -> None:
        self._events.append(event)
        self._by_subject.setdefault(event.subject, []).append(event)

    def _stored(self) -> Iterator[Any]:
        for event in list(self._events):
            yield copy.deepcopy(event.to_json())

    def close(self) -> None:
        """Nothing to close: the events stay readable until the object goes."""
