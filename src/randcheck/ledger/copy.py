"""Copy a ledger from one store to another (file ↔ PostgreSQL), checking as it goes.

The copy is the same chain: every event keeps its number, its stored form and so
its hash, and the head at the destination is the source's head. It is made in
two readings of the source:

1. the source is verified whole (every hash, link and event), before anything
   is opened for writing: a broken source is refused and nothing is created;
2. inside one transaction of the destination (its writers wait), the source is
   read again, each event checked again, link by link, as it is written.

The destination may be new or empty, or hold the **start** of the source (an
earlier copy, or one cut short): then only the rest is appended. Anything else (a
destination whose event #N differs from the source's, or that is longer) is
refused before anything is written: a copy never forks a chain nor mixes two.

All or nothing: SQLite and PostgreSQL destinations roll the whole copy back on
any failure. JSON Lines has no transactions; since the source was verified first,
only an I/O error or a source changed meanwhile can stop a copy midway, and what
it leaves is a shorter whole chain, the start of the source, which copying again
completes. The destination is verified against the source's head at the end.

The record rules (a result is never edited …) are not judged again: the chain is
copied as it is; what it holds is for the audit to judge.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from randcheck.errors import LedgerError
from randcheck.ledger.chain import ChainWalker, EventProblem, PublishedHead
from randcheck.ledger.store import Ledger, LedgerMoved
from randcheck.ledger.stores import JsonlLedger, SqliteLedger, open_ledger


@dataclass(frozen=True)
class CopyReport:
    """What a copy did: ``copied`` events appended, ``kept`` already at the destination
    (the start of the source), and the destination's head now (the source's)."""

    source: str
    destination: str
    copied: int
    kept: int
    head: PublishedHead


def _name(ledger: Ledger) -> str:
    """The ledger as messages name it (a PostgreSQL ledger by its URL, password hidden)."""
    where = getattr(ledger, "where", None)
    return where if isinstance(where, str) else str(ledger.path)


def _same_file(source: Ledger, destination: Ledger) -> bool:
    files = (SqliteLedger, JsonlLedger)
    if not (isinstance(source, files) and isinstance(destination, files)):
        return False
    try:
        return os.path.samefile(source.path, destination.path)
    except OSError:
        return False


def copy_ledger(source: str | Path, destination: str | Path) -> CopyReport:
    """Copy the ledger at ``source`` to ``destination`` (paths or URLs, as
    :func:`~randcheck.ledger.stores.open_ledger` takes them); see the module docstring.

    A :class:`LedgerError` says why nothing was copied: a broken source (naming the
    event), a destination that is broken or not the start of the source, the same
    ledger twice, or a store that cannot be reached.
    """
    with open_ledger(source, readonly=True) as src:
        whole = src.verify()
        if not whole.ok:
            problem = EventProblem(
                whole.first_break or 0, whole.reason or "", invalid=whole.invalid
            )
            raise LedgerError(
                f"{problem.message()}; nothing was copied",
                where=_name(src),
                hint=f"run `randcheck ledger verify {_name(src)}`; copy from a ledger that "
                "verifies",
            )
        with open_ledger(destination) as dst:
            return _copy_into(src, dst, PublishedHead(whole.head, whole.events))


def _copy_into(src: Ledger, dst: Ledger, head: PublishedHead) -> CopyReport:
    if _same_file(src, dst):
        raise LedgerError(
            "the source and the destination are the same ledger",
            where=_name(dst),
            hint="copy to another file or store",
        )
    there = dst.verify()
    if not there.ok:
        raise LedgerError(
            f"the destination is broken at event #{there.first_break}: {there.reason}; "
            "nothing was copied",
            where=_name(dst),
            hint="copy into a new or empty ledger",
        )
    if there.events > head.count:
        raise LedgerError(
            f"the destination already holds {there.events} events, the source only "
            f"{head.count}: it is not a copy of the source's start; nothing was copied",
            where=_name(dst),
            hint="copy into a new or empty ledger",
        )
    for _ in range(3):
        try:
            copied = _append_rest(src, dst, head, there.events, there.head)
        except LedgerMoved:  # a SQLite source written meanwhile: read it again
            continue
        break
    else:
        raise LedgerError(
            "the source kept changing while it was copied; nothing was copied",
            where=_name(src),
            hint="copy again when its writers have finished",
        )
    check = dst.verify(expected_head=head)
    if not check.ok:
        raise LedgerError(
            f"the copy does not verify at the destination: event #{check.first_break}: "
            f"{check.reason}",
            where=_name(dst),
            hint=f"run `randcheck ledger verify {_name(dst)}`; report this as a bug",
        )
    return CopyReport(_name(src), _name(dst), copied, there.events, head)


def _append_rest(src: Ledger, dst: Ledger, head: PublishedHead, kept: int, kept_head: str) -> int:
    """Inside one destination transaction: read the source again, check each event and
    its link, check that the destination's events are its start, and append the rest."""
    copied = 0
    with dst._lock, dst._transaction():
        if dst._head() != (kept, kept_head):
            raise LedgerError(
                "another writer appended to the destination while the copy began; nothing "
                "was copied",
                where=_name(dst),
                hint="copy again when its writers have finished",
            )
        walker = ChainWalker()
        with src._rows() as rows:
            for data in rows:
                try:
                    event = walker.step(data, build=True)
                except EventProblem as problem:
                    raise LedgerError(
                        f"{problem.message()}; nothing was copied",
                        where=_name(src),
                        hint=f"run `randcheck ledger verify {_name(src)}`",
                    ) from None
                assert event is not None
                if event.seq == kept and event.hash != kept_head:
                    raise LedgerError(
                        f"the destination's {kept} events are not the start of the source: "
                        f"its event #{kept} differs; nothing was copied",
                        where=_name(dst),
                        hint="copy into a new or empty ledger",
                    )
                if event.seq > kept:
                    dst._write(event)
                    copied += 1
                if event.seq == head.count:
                    break
        if (walker.count, walker.previous) != (head.count, head.hash):
            raise LedgerError(
                f"the source changed while it was copied (event #{head.count} is no longer "
                f"{head.hash}); nothing was copied",
                where=_name(src),
                hint=f"run `randcheck ledger verify {_name(src)}`",
            )
    return copied
