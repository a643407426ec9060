"""The ledger 台账: its head (public, to be published and checked later), its events
(auditors; a sealed task's entity withheld), and the check of its chain. Read only:
nothing here writes."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query

from randcheck.service.auth import Who
from randcheck.service.context import Ctx, Jurisdiction
from randcheck.service.problems import ApiProblem
from randcheck.service.routing import OneHop
from randcheck.service.tasks import revealed_draws, tasks_from, withheld

router = APIRouter(prefix="/j/{jurisdiction}/ledger", tags=["ledger"], route_class=OneHop)


@router.get("/head", operation_id="ledger_head")
def ledger_head(jurisdiction: Jurisdiction, who: Who, ctx: Ctx) -> dict[str, Any]:
    """The head to publish: the hash of the last event and the count (``ledger verify
    --head`` checks a ledger still holds it). Only a chain that verifies has one."""
    from randcheck.ledger import published_head

    with ctx.ledgers.open(jurisdiction, readonly=True) as ledger:
        head = published_head(ledger)
    return {**head.to_json(), "line": head.line()}


@router.get("/events", operation_id="ledger_events")
def ledger_events(
    jurisdiction: Jurisdiction,
    who: Who,
    ctx: Ctx,
    after: Annotated[int, Query(ge=0, le=10**12, description="events after this number")] = 0,
    limit: Annotated[int, Query(ge=1, le=100_000, description="at most this many")] = 100,
) -> dict[str, Any]:
    """The events after ``after``, in order, each whole (with its hashes) except where a
    sealed task's entity is withheld (``withheld`` names the field)."""
    if limit > ctx.settings.limits.max_events_page:
        raise ApiProblem(
            422,
            f"limit {limit}: at most {ctx.settings.limits.max_events_page} events a page",
            field="query.limit",
        )
    with ctx.ledgers.open(jurisdiction, readonly=True) as ledger:
        events = ledger.verified_events()
    tasks = tasks_from(events)
    revealed = revealed_draws(events)
    page = events[after : after + limit]
    following = after + len(page)
    return {
        "events": [withheld(e, tasks, revealed) for e in page],
        "next_after": following if following < len(events) else None,
        "total": len(events),
    }


@router.get("/verify", operation_id="verify_ledger")
def verify_ledger(
    jurisdiction: Jurisdiction,
    who: Who,
    ctx: Ctx,
    head: Annotated[
        str | None,
        Query(
            pattern=r"^[0-9a-fA-F]{64}(:\d{1,15})?$",
            description="a published head (HASH or HASH:N) the ledger must still hold",
        ),
    ] = None,
) -> dict[str, Any]:
    """Walk the chain: whole (and holding the published head), or the first broken link."""
    from randcheck.ledger.chain import PublishedHead

    published = PublishedHead.parse(head, "query.head") if head else None
    with ctx.ledgers.open(jurisdiction, readonly=True) as ledger:
        report = ledger.verify(expected_head=published)
    return {
        "ok": report.ok,
        "status": report.status,
        "events": report.events,
        "head": report.head,
        "first_break": report.first_break,
        "reason": report.reason,
        "note": report.note,
        "head_mismatch": report.head_mismatch,
    }
