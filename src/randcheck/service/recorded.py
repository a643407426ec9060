"""A step whose files and ledger event must agree, when the append's outcome is uncertain.

An append to a database can fail after the database committed it (the connection lost
during ``COMMIT``: the client cannot tell). So a step that writes files with its event
(a draw's announcement, its sealed receipt and list, a replacement, the revealed
receipt) writes them as pending files first (:meth:`~randcheck.service.files.Files.write`
with ``pending=True``), appends, and only then renames them into place. When the append
fails, :func:`append_recorded` asks the ledger whether the event is there:

- it is: the step happened; the files are put in place and the request succeeds;
- it is not: the pending files are removed and the error is answered (nothing happened);
- the ledger cannot be asked either: the pending files stay and the error is answered
  (a 503); the next request for the draw settles them by what the ledger then holds
  (:func:`settle`), so a retry succeeds or says the step already happened.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from typing import Any

from randcheck.errors import RandcheckError
from randcheck.ledger.chain import LedgerEvent
from randcheck.ledger.events import EventType
from randcheck.service.context import Context
from randcheck.service.files import PENDING, Files

log = logging.getLogger("randcheck.service")

Match = Callable[[Sequence[LedgerEvent]], LedgerEvent | None]
"""Given a subject's events, the event a step appends, if it is there."""


def stored_event(ctx: Context, jurisdiction: str, subject: str, match: Match) -> LedgerEvent | None:
    """The step's event as the ledger holds it now (None: not there), read afresh; a
    :class:`~randcheck.errors.RandcheckError` when the ledger cannot be read."""
    with ctx.ledgers.open(jurisdiction, readonly=True) as ledger:
        return match(ledger.events_for(subject))


def append_recorded(
    ctx: Context,
    jurisdiction: str,
    files: Files,
    draw_id: str,
    names: Sequence[str],
    *,
    subject: str,
    append: Callable[[], LedgerEvent],
    match: Match,
) -> LedgerEvent:
    """Append the step's event (``append``), its files ``names`` written pending before;
    the files put in place once the event is stored. See the module's text for a
    failed append."""
    try:
        event = append()
    except Exception as failure:
        try:
            found = stored_event(ctx, jurisdiction, subject, match)
        except RandcheckError:
            log.warning(
                "draw %s: the append failed (%s) and the ledger cannot be read: the "
                "pending files %s stay until a later request settles them",
                draw_id,
                failure,
                ", ".join(names),
            )
            raise failure from None
        if found is None:
            files.discard(draw_id, *names)
            raise
        log.warning(
            "draw %s: the append reported a failure (%s) but event #%d is stored: the step is done",
            draw_id,
            failure,
            found.seq,
        )
        event = found
    files.promote(draw_id, *names)
    return event


def settle(
    ctx: Context,
    jurisdiction: str,
    files: Files,
    draw_id: str,
    names: Sequence[str],
    *,
    subject: str,
    match: Match,
) -> LedgerEvent | None:
    """Pending files left by an earlier request whose append's outcome could not be told:
    put in place when the ledger holds their event (returned), removed when it does not.
    Nothing to do (None) when there are no pending files."""
    if not any(files.has(draw_id, name + PENDING) for name in names):
        return None
    found = stored_event(ctx, jurisdiction, subject, match)
    if found is None:
        files.discard(draw_id, *names)
    else:
        files.promote(draw_id, *names)
    return found


def replacement_match(current: dict[str, Any], made: dict[str, Any]) -> Match:
    """Finds the INSPECTOR_REPLACED event of replacement ``made`` (the last one of a
    pending list), ``current`` being the list without it: the task's replacements and
    its INSPECTOR_REPLACED events go one for one, in order."""
    before = sum(
        1 for r in current["revealed"].get("replacements", []) if r["task_id"] == made["task_id"]
    )

    def match(events: Sequence[LedgerEvent]) -> LedgerEvent | None:
        replaced = [e for e in events if e.type is EventType.INSPECTOR_REPLACED]
        if len(replaced) <= before:
            return None
        event = replaced[before]
        same = (event.payload["removed"], event.payload["added"]) == (
            made["removed"],
            made["added"],
        )
        return event if same else None

    return match


def settle_list(ctx: Context, jurisdiction: str, files: Files, draw_id: str) -> LedgerEvent | None:
    """A drawn list left pending by a replacement that could not tell whether its event
    was stored, settled by the ledger (see :func:`settle`); the replacement's event when
    it was stored. The caller holds the draw's files
    (:meth:`~randcheck.service.files.Files.locked`)."""
    pending = files.pending(draw_id, "list.json")
    if pending is None:
        return None
    made = pending["revealed"]["replacements"][-1]
    return settle(
        ctx,
        jurisdiction,
        files,
        draw_id,
        ("list.json",),
        subject=made["task_id"],
        match=replacement_match(files.document(draw_id, "list.json"), made),
    )
