"""The ledger: an append-only, hash-chained log of everything that happened.

A recorded result is never edited (青岛 四: 检查结果一经录入不得随意修改): a
correction is requested, approved, and only then is a new result recorded.

:class:`Ledger` is the one interface every store implements
(:mod:`randcheck.ledger.stores`); the chain itself is :mod:`randcheck.ledger.chain`.
"""

from __future__ import annotations

import abc
import contextlib
import datetime as dt
import threading
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from randcheck.errors import LedgerError
from randcheck.ledger.chain import (
    EARLIEST_YEAR,
    LATEST_YEAR,
    ChainReport,
    ChainWalker,
    EventProblem,
    LedgerEvent,
    PublishedHead,
    event_hash,
    walk_chain,
)
from randcheck.ledger.events import EventType, aware, validate_payload


class LedgerMoved(Exception):
    """The file changed while a snapshot of it was read: read it again."""


class Ledger(abc.ABC):
    """An append-only, hash-chained event log. Open one with :func:`open_ledger`.

    ``readonly``: opened only to read (verify, audit, reports): nothing is ever
    written, not even a lock or journal file; appending is refused.
    """

    def __init__(self, path: Path, readonly: bool = False) -> None:
        self.path = path
        self.readonly = readonly
        self._lock = threading.Lock()

    # --- storage, per backend --------------------------------------------------

    @abc.abstractmethod
    def _transaction(self) -> contextlib.AbstractContextManager[None]:
        """Exclusive access for an append: other threads and processes wait."""

    @abc.abstractmethod
    def _head(self) -> tuple[int, str]:
        """(last seq, last hash), or (0, GENESIS) when empty. Inside a transaction."""

    @abc.abstractmethod
    def _subject_events(self, subject: str) -> list[LedgerEvent]:
        """The events of one subject, in order (inside a transaction unless read-only)."""

    @abc.abstractmethod
    def _write(self, event: LedgerEvent) -> None:
        """Store one event. Inside a transaction."""

    @abc.abstractmethod
    def _stored(self) -> Iterator[Any]:
        """Every stored event as JSON data (or :class:`Damaged`), in storage order."""

    @abc.abstractmethod
    def _last(self) -> tuple[int, str]:
        """(last seq, last hash) as stored, without a transaction (read-only safe)."""

    @abc.abstractmethod
    def close(self) -> None: ...

    @contextlib.contextmanager
    def _rows(self) -> Iterator[Iterator[Any]]:
        """The stored rows of one consistent snapshot; :class:`LedgerMoved` on leaving
        when the store cannot vouch that the snapshot held."""
        rows = self._stored()
        try:
            yield rows
        finally:
            close = getattr(rows, "close", None)
            if close is not None:
                close()

    def _refuse_readonly(self) -> None:
        if self.readonly:
            raise LedgerError(
                "this ledger was opened read-only (to verify, audit or report): nothing "
                "may be appended",
                where=str(self.path),
                hint="open it with open_ledger(path) to append",
            )

    # --- the public interface ----------------------------------------------------

    def __enter__(self) -> Ledger:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def append(
        self,
        kind: EventType | str,
        *,
        actor: str,
        payload: BaseModel | dict[str, Any],
        subject: str | None = None,
        time: dt.datetime | None = None,
    ) -> LedgerEvent:
        """Append one event; the rules of the record are checked first.

        ``subject`` defaults to the payload's task id (or draw id). ``time`` is when
        the thing happened (for a result, when it was entered); naive times are
        China Standard Time; default now.
        """
        return self.append_many([(kind, actor, payload, subject, time)])[0]

    def append_many(
        self,
        entries: Iterable[
            tuple[EventType | str, str, BaseModel | dict[str, Any], str | None, dt.datetime | None]
        ],
    ) -> list[LedgerEvent]:
        """Append several events in one transaction (all or none)."""
        self._refuse_readonly()
        prepared = [self._prepare(*entry) for entry in entries]
        with self._lock, self._transaction():
            seq, previous = self._head()
            events = self._chained(prepared, seq, previous, {})
            for event in events:
                self._write(event)
        return events

    def _chained(
        self,
        prepared: list[tuple[EventType, str, dict[str, Any], str, dt.datetime]],
        seq: int,
        previous: str,
        histories: dict[str, list[LedgerEvent]],
    ) -> list[LedgerEvent]:
        """The prepared entries as events following ``seq`` and ``previous``, each
        checked against its subject's history (``histories``, read once per subject
        and kept up to date with the events made here); nothing is written. Inside a
        transaction, the chain held."""
        events: list[LedgerEvent] = []
        for kind, actor, payload, subject, moment in prepared:
            history = histories.get(subject)
            if history is None:
                history = histories[subject] = self._subject_events(subject)
            self._check_record(kind, payload, subject, history)
            seq += 1
            body = {
                "seq": seq,
                "type": kind.value,
                "time": moment.isoformat(),
                "actor": actor,
                "subject": subject,
                "payload": payload,
                "prev_hash": previous,
            }
            event = LedgerEvent(
                seq, kind, moment, actor, subject, payload, previous, event_hash(body)
            )
            history.append(event)
            events.append(event)
            previous = event.hash
        return events

    def edit_result(self, *_: object, **__: object) -> None:
        """Always refused: a recorded result is never edited (青岛 四)."""
        raise LedgerError(
            "a recorded result cannot be edited (青岛 四: 检查结果一经录入不得随意修改)",
            hint="file a correction: append CORRECTION_REQUESTED naming the result's event, "
            "then CORRECTION_APPROVED with the approver, then record the new result",
        )

    def events(self) -> Iterator[LedgerEvent]:
        """Every event, in chain order, each checked (its link, its hash, its content).

        A broken or invalid event stops the reading with a :class:`LedgerError`
        naming its number: the audit and the reports never see it.
        """
        walker = ChainWalker()
        try:
            with self._rows() as rows:
                for data in rows:
                    try:
                        event = walker.step(data, build=True)
                    except EventProblem as problem:
                        raise self._refusal(problem) from None
                    assert event is not None
                    yield event
        except LedgerMoved:
            raise self._moved() from None

    def verified_events(
        self, expected_head: PublishedHead | str | None = None
    ) -> list[LedgerEvent]:
        """Every event of a whole, valid chain (and holding ``expected_head``), in one
        reading; a :class:`LedgerError` naming the first bad event otherwise."""
        for _ in range(3):
            events: list[LedgerEvent] = []
            try:
                with self._rows() as rows:
                    report = walk_chain(rows, expected_head, collect=events.append)
            except LedgerMoved:
                continue
            if report.first_break is not None:
                raise self._refusal(
                    EventProblem(
                        report.first_break, report.reason or "broken", invalid=report.invalid
                    )
                )
            return events
        raise self._moved()

    def events_for(self, subject: str) -> list[LedgerEvent]:
        """The events of one subject (a task, a draw), in order, each checked on its own."""
        if self.readonly:
            return list(self._subject_events(subject))
        with self._lock, self._transaction():
            return list(self._subject_events(subject))

    def verify(self, expected_head: PublishedHead | str | None = None) -> ChainReport:
        """Walk the chain; the first broken link or invalid event, if any.

        ``expected_head``: a published head (:class:`PublishedHead`, or ``<hash>`` or
        ``<hash>:<N>``): event #N must be that hash; the ledger may have grown since.
        """
        for _ in range(3):
            try:
                with self._rows() as rows:
                    return walk_chain(rows, expected_head)
            except LedgerMoved:
                continue
        raise self._moved()

    @property
    def head(self) -> str:
        """The hash of the last event (64 zeros when empty)."""
        return self._last()[1]

    def _refusal(self, problem: EventProblem) -> LedgerError:
        return LedgerError(
            problem.message(),
            where=str(self.path),
            hint=f"run `randcheck ledger verify {self.path}`; restore the ledger from a copy "
            "that verifies",
        )

    def _moved(self) -> LedgerError:
        return LedgerError(
            "the ledger kept changing while it was read (a writer is at work)",
            where=str(self.path),
            hint="read it again when the writer has finished",
        )

    # --- helpers ---------------------------------------------------------------------

    def _prepare(
        self,
        kind: EventType | str,
        actor: str,
        payload: BaseModel | dict[str, Any],
        subject: str | None,
        moment: dt.datetime | None,
    ) -> tuple[EventType, str, dict[str, Any], str, dt.datetime]:
        try:
            event_type = kind if isinstance(kind, EventType) else EventType.of(kind)
        except ValueError:
            raise LedgerError(
                f"unknown event type {kind!r}", hint=f"use one of {EventType.spellings()}"
            ) from None
        if not isinstance(actor, str) or not actor.strip():
            raise LedgerError("every event needs an actor (who did it), as a text")
        if moment is not None and not isinstance(moment, dt.datetime):
            raise LedgerError(f"the time of an event is a datetime, not {type(moment).__name__}")
        data = validate_payload(event_type, payload)
        natural = data.get("task_id") or data.get("draw_id")
        if subject is None:
            if not isinstance(natural, str):
                raise LedgerError(f"a {event_type.value} event needs a subject")
            subject = natural
        elif isinstance(natural, str) and natural != subject:
            raise LedgerError(
                f"subject {subject!r} differs from the payload's {natural!r}",
                hint="leave subject out; it is taken from the payload",
            )
        if not isinstance(subject, str) or not subject.strip():
            raise LedgerError(f"a {event_type.value} event needs a subject (a non-empty text)")
        moment = aware(moment or dt.datetime.now(dt.timezone.utc))
        if not EARLIEST_YEAR <= moment.year <= LATEST_YEAR:
            raise LedgerError(
                f"the time {moment.isoformat()} is outside the years {EARLIEST_YEAR}–{LATEST_YEAR}"
            )
        return event_type, actor.strip(), data, subject, moment

    @staticmethod
    def _check_record(
        kind: EventType, payload: dict[str, Any], subject: str, history: list[LedgerEvent]
    ) -> None:
        if kind is EventType.RESULT_RECORDED:
            results = [e for e in history if e.type is EventType.RESULT_RECORDED]
            # An imported record (with its source) tells what a platform let happen: a
            # result changed there without an approved correction is kept as it
            # happened, for the verdict to judge (results.immutable), not refused.
            if results and payload.get("source") is None:
                last = results[-1]
                approved = any(
                    e.type is EventType.CORRECTION_APPROVED
                    and any(
                        r.seq == e.payload["request_seq"]
                        and r.type is EventType.CORRECTION_REQUESTED
                        and r.payload["result_seq"] == last.seq
                        for r in history
                    )
                    for e in history
                    if e.seq > last.seq
                )
                if not approved:
                    raise LedgerError(
                        f"task {subject} already has a result (event #{last.seq}); a recorded "
                        "result is never edited (青岛 四)",
                        hint=f"file a correction: CORRECTION_REQUESTED with result_seq "
                        f"{last.seq}, then CORRECTION_APPROVED, then record the new result",
                    )
        elif kind is EventType.CORRECTION_REQUESTED:
            target = payload["result_seq"]
            if not any(e.seq == target and e.type is EventType.RESULT_RECORDED for e in history):
                raise LedgerError(
                    f"event #{target} is not a result of task {subject}",
                    hint="name the RESULT_RECORDED event to correct",
                )
        elif kind is EventType.CORRECTION_APPROVED:
            target = payload["request_seq"]
            if not any(
                e.seq == target and e.type is EventType.CORRECTION_REQUESTED for e in history
            ):
                raise LedgerError(
                    f"event #{target} is not a correction request of task {subject}",
                    hint="approve the CORRECTION_REQUESTED event by its number",
                )
