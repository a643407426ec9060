"""JSON Lines (``.jsonl``), for exchange.

One event per line, each line ending in a newline, appended under an exclusive
file lock. Two things are kept apart:

- **Verification reports.** A reader takes the file as it is: bytes after the
  last newline (an append cut off by a crash, or a file cut short) are reported
  as a broken event, ``incomplete last line (K bytes)``; a reader never changes
  the file, not even its modification time.
- **Only a writer repairs, and says so.** The next append, under the lock,
  removes such a fragment before it writes (it cannot be an event still being
  written: writers hold the lock while they write), logs a warning naming the
  bytes removed and keeps the message in :attr:`JsonlLedger.repaired`.
"""

from __future__ import annotations

import contextlib
import fcntl
import logging
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from randcheck.errors import LedgerError
from randcheck.ledger.chain import (
    ChainWalker,
    Damaged,
    EventProblem,
    LedgerEvent,
    loads_strict,
)
from randcheck.ledger.store import Ledger
from randcheck.randomness import canonical_json

log = logging.getLogger("randcheck.ledger")


def parse_line(line: bytes, number: int) -> Any:
    """Line ``number`` (with its newline) as JSON data, or :class:`Damaged` saying why not."""
    if not line.endswith(b"\n"):
        return Damaged(
            f"incomplete last line ({len(line)} bytes): an append that did not finish, or "
            "a file cut short (only the next append by a writer removes it)",
            fragment=True,
        )
    body = line[:-1]
    if not body.strip():
        return Damaged(f"line {number} is blank (every line is an event)")
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as exc:
        return Damaged(f"line {number} is not UTF-8 text (byte {exc.start + 1} of the line)")
    try:
        return loads_strict(text)
    except ValueError as exc:
        return Damaged(f"line {number} is not valid JSON ({exc})")


class JsonlLedger(Ledger):
    """JSON Lines, for exchange: one event per line, appends under a file lock."""

    def __init__(self, path: Path, readonly: bool = False) -> None:
        super().__init__(path, readonly)
        self._handle = None
        self._offset = 0
        self._walker = ChainWalker()
        self._by_subject: dict[str, list[LedgerEvent]] = {}
        self._pending: list[tuple[bytes, LedgerEvent]] = []
        self.repaired: list[str] = []
        """What appends removed (unfinished lines), one message each."""
        if not readonly:
            # O_CREAT without O_TRUNC: an existing file is opened as it is (not touched).
            try:
                descriptor = os.open(path, os.O_RDWR | os.O_CREAT, 0o666)
            except OSError as exc:
                raise LedgerError(
                    f"cannot open the ledger to append: {exc.strerror}", where=str(path)
                ) from None
            self._handle = os.fdopen(descriptor, "r+b")

    @contextlib.contextmanager
    def _transaction(self) -> Iterator[None]:
        self._refuse_readonly()
        assert self._handle is not None
        fcntl.flock(self._handle, fcntl.LOCK_EX)
        try:
            self._catch_up(repair=False)
            self._pending = []
            try:
                yield
            except BaseException:  # all or none: the batch is not written
                self._pending = []
                raise
            self._flush(self._pending)
        finally:
            self._pending = []
            fcntl.flock(self._handle, fcntl.LOCK_UN)

    def _flush(self, pending: list[tuple[bytes, LedgerEvent]]) -> None:
        """Write a batch's lines in one write and sync it, then count them as appended."""
        assert self._handle is not None
        if not pending:
            return
        data = b"".join(line for line, _ in pending)
        self._handle.seek(0, os.SEEK_END)
        self._handle.write(data)
        self._handle.flush()
        os.fsync(self._handle.fileno())
        self._offset += len(data)
        for _, event in pending:
            self._walker.count, self._walker.previous = event.seq, event.hash
            self._by_subject.setdefault(event.subject, []).append(event)

    def _catch_up(self, repair: bool) -> None:
        """Read what other writers appended; remove a crashed writer's unfinished line."""
        assert self._handle is not None
        self._handle.seek(self._offset)
        data = self._handle.read()
        complete = data.rfind(b"\n") + 1
        start = 0
        while start < complete:
            end = data.index(b"\n", start) + 1
            item = parse_line(data[start:end], self._walker.count + 1)
            try:
                event = self._walker.step(item, build=True)
            except EventProblem as problem:
                raise LedgerError(
                    problem.message(),
                    where=str(self.path),
                    hint="nothing is appended to a broken ledger; run `randcheck ledger "
                    f"verify {self.path}` and restore it from a copy that verifies",
                ) from None
            assert event is not None
            self._by_subject.setdefault(event.subject, []).append(event)
            self._offset += end - start
            start = end
        if complete < len(data) and repair:
            message = (
                f"removed an incomplete last line ({len(data) - complete} bytes at byte "
                f"{self._offset}) left by an append that did not finish"
            )
            self._handle.truncate(self._offset)
            self._handle.flush()
            os.fsync(self._handle.fileno())
            self.repaired.append(message)
            log.warning("%s: %s", self.path, message)

    def _head(self) -> tuple[int, str]:
        self._catch_up(repair=True)  # only an append repairs: this is called by appends
        return (self._walker.count, self._walker.previous)

    def _subject_events(self, subject: str) -> list[LedgerEvent]:
        if self.readonly:
            return [event for event in self.events() if event.subject == subject]
        return list(self._by_subject.get(subject, []))

    def _write(self, event: LedgerEvent) -> None:
        """Kept until the transaction ends: written then in one go, or not at all."""
        line = (canonical_json(event.to_json()) + "\n").encode("utf-8")
        self._pending.append((line, event))

    def _stored(self) -> Iterator[Any]:
        """The lines as they are, up to the size the file had when the reading began
        (taken under a shared lock, so no append is half-written then)."""
        try:
            handle = self.path.open("rb")
        except OSError as exc:
            raise LedgerError(
                f"cannot read the ledger: {exc.strerror}", where=str(self.path)
            ) from None
        with handle:
            fcntl.flock(handle, fcntl.LOCK_SH)
            try:
                size = os.fstat(handle.fileno()).st_size
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)
            offset = number = 0
            while offset < size:
                line = handle.readline(size - offset)
                if not line:
                    return
                offset += len(line)
                number += 1
                yield parse_line(line, number)
                if not line.endswith(b"\n"):
                    return

    def _last(self) -> tuple[int, str]:
        if not self.readonly:
            with self._lock, self._transaction():
                return (self._walker.count, self._walker.previous)
        walker = ChainWalker()  # like a writer: the complete lines, a fragment left aside
        with self._rows() as rows:
            for data in rows:
                if isinstance(data, Damaged) and data.fragment:
                    break
                try:
                    walker.step(data)
                except EventProblem as problem:
                    raise self._refusal(problem) from None
        return (walker.count, walker.previous)

    def close(self) -> None:
        if self._handle is not None:
            self._handle.close()
            self._handle = None
