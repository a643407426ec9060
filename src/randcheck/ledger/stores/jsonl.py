"""JSON Lines (``.jsonl``), for exchange.

One event per line, appended under an exclusive file lock. A line without its
newline is a crashed writer's fragment: readers ignore it and the next writer
removes it.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from randcheck.errors import LedgerError
from randcheck.ledger.chain import GENESIS, LedgerEvent
from randcheck.ledger.store import Ledger
from randcheck.randomness import canonical_json


class JsonlLedger(Ledger):
    """JSON Lines, for exchange: one event per line, appends under a file lock."""

    def __init__(self, path: Path) -> None:
        super().__init__(path)
        path.touch(exist_ok=True)
        self._handle = path.open("r+b")
        self._offset = 0
        self._last = (0, GENESIS)
        self._by_subject: dict[str, list[LedgerEvent]] = {}

    @contextlib.contextmanager
    def _transaction(self) -> Iterator[None]:
        fcntl.flock(self._handle, fcntl.LOCK_EX)
        try:
            self._catch_up()
            yield
        finally:
            fcntl.flock(self._handle, fcntl.LOCK_UN)

    def _catch_up(self) -> None:
        """Read what other writers appended; drop a crashed writer's unfinished line."""
        self._handle.seek(self._offset)
        data = self._handle.read()
        complete = data.rfind(b"\n") + 1
        for line in data[:complete].splitlines():
            if line.strip():
                event = LedgerEvent.from_json(json.loads(line))
                self._by_subject.setdefault(event.subject, []).append(event)
                self._last = (event.seq, event.hash)
        self._offset += complete
        if complete < len(data):
            self._handle.truncate(self._offset)

    def _head(self) -> tuple[int, str]:
        return self._last

    def _subject_events(self, subject: str) -> list[LedgerEvent]:
        return list(self._by_subject.get(subject, []))

    def _write(self, event: LedgerEvent) -> None:
        line = (canonical_json(event.to_json()) + "\n").encode("utf-8")
        self._handle.seek(0, os.SEEK_END)
        self._handle.write(line)
        self._handle.flush()
        os.fsync(self._handle.fileno())
        self._offset += len(line)
        self._by_subject.setdefault(event.subject, []).append(event)
        self._last = (event.seq, event.hash)

    def _stored(self) -> Iterator[dict[str, Any]]:
        with self.path.open("rb") as handle:
            for number, line in enumerate(handle, start=1):
                if not line.endswith(b"\n"):
                    return  # an unfinished append: not part of the ledger
                if not line.strip():
                    continue
                try:
                    yield json.loads(line)
                except json.JSONDecodeError as exc:
                    raise LedgerError(
                        f"line {number} is not valid JSON ({exc.msg})", where=str(self.path)
                    ) from None

    def close(self) -> None:
        self._handle.close()
