"""Draws: announced (commit), drawn and sealed, dispatched, revealed; and the sealed list.

Each step is the library's, as ``randcheck commit``, ``draw`` and ``reveal`` make it
(:mod:`randcheck.draw.announcement`, :mod:`randcheck.draw.receipt`); the service keeps
the files (:mod:`randcheck.service.files`) and records each step in the ledger with
the caller as its actor. The announcement and the receipts are public; the secret is
never served; the drawn list is served only under the rules
(:mod:`randcheck.service.tasks`).
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query
from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from randcheck.ledger.events import SHANGHAI, EventType
from randcheck.periods import Quarter
from randcheck.registry import EntityFilter
from randcheck.service.auth import Who
from randcheck.service.context import (
    MAX_EARLIER,
    MAX_NAME,
    Ctx,
    DrawId,
    Jurisdiction,
    Name,
    PolicyId,
)
from randcheck.service.files import DRAW_ID, PENDING, DrawExists, Files
from randcheck.service.problems import ApiProblem
from randcheck.service.recorded import append_recorded, settle, settle_list
from randcheck.service.routing import OneHop
from randcheck.service.tasks import entity_visible, record_reads, tasks_from

router = APIRouter(prefix="/j/{jurisdiction}/draws", tags=["draws"], route_class=OneHop)


class Randomness(BaseModel):
    """The public randomness the draw will use, declared before it exists."""

    model_config = ConfigDict(extra="forbid")

    kind: Literal["dice", "lottery", "beacon"]
    source: str = Field(min_length=3, max_length=300, examples=["福彩双色球 第2025075期"])
    expected_at: AwareDatetime = Field(description="when it will exist; after now")


class EarlierInspection(BaseModel):
    """An inspection made before the ledger began (kept elsewhere)."""

    model_config = ConfigDict(extra="forbid")

    uscc: str = Field(min_length=18, max_length=18)
    date: dt.date
    mode: Literal["ON_SITE", "NON_SITE"] = "ON_SITE"
    items: list[Name] = Field(default_factory=list, max_length=100)
    task_id: Name | None = None


class CommitRequest(BaseModel):
    """What ``randcheck commit`` takes, the registry named by its digest."""

    model_config = ConfigDict(extra="forbid")

    policy: PolicyId = Field(description="a policy id randcheck holds (huojia, benxi …)")
    year: int = Field(ge=2000, le=2100)
    quarter: int = Field(ge=1, le=4)
    registry: str = Field(pattern=r"^[0-9a-f]{64}$", description="an uploaded registry's digest")
    randomness: Randomness
    draw_id: str | None = Field(
        None, pattern=DRAW_ID, description="default: <period>-draw (2025Q3-draw)"
    )
    division: str | None = Field(
        None, pattern=r"^\d{6}$", description="draw in this division only (six digits)"
    )
    campaign: EntityFilter | None = Field(None, description="a targeted campaign's filter")
    departments: list[Name] = Field(default_factory=list, max_length=20)
    expertise: list[Name] = Field(default_factory=list, max_length=50)
    capacity: int | None = Field(None, ge=1, le=10_000)
    earlier: list[EarlierInspection] = Field(
        default_factory=list,
        max_length=MAX_EARLIER,
        description="inspections before the ledger began; the ledger's own are added",
    )


class SealRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    public_randomness: str = Field(
        min_length=20, max_length=300, description="the announced randomness, as published"
    )


class DispatchRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    items: list[Name] = Field(
        default_factory=list, max_length=100, description="the items every task checks"
    )


def _policy(announced: dict[str, Any]) -> Any:
    from randcheck.policies import get_policy

    named = announced["inputs"]["policy"]
    return get_policy(named["id"], version=named["version"])


def _stage(files: Files, draw_id: str) -> str:
    if files.has(draw_id, "revealed.json"):
        return "revealed"
    if files.has(draw_id, "receipt.json"):
        return "sealed"
    return "announced"


@router.get("", operation_id="list_draws")
def list_draws(jurisdiction: Jurisdiction, who: Who, ctx: Ctx) -> dict[str, Any]:
    """Every draw announced here: its period, commitment and stage."""
    files = ctx.files(jurisdiction)
    draws = []
    for draw_id in files.draws():
        announced = files.document(draw_id, "announcement.json")
        draws.append(
            {
                "draw_id": draw_id,
                "period": announced["inputs"]["period"],
                "commitment": announced["commitment"],
                "announced_at": announced["announced_at"],
                "stage": _stage(files, draw_id),
            }
        )
    return {"draws": draws}


@router.post("", operation_id="commit_draw", status_code=201)
def commit_draw(
    jurisdiction: Jurisdiction, body: CommitRequest, who: Who, ctx: Ctx
) -> dict[str, Any]:
    """Announce a draw (``randcheck commit``): every input bound to a new secret, before
    the public randomness exists. Publish the announcement now."""
    from randcheck.draw.announcement import (
        RandomnessSource,
        announce,
        announcement_digest,
        draw_inputs,
    )
    from randcheck.draw.history import History, Inspection
    from randcheck.ledger import published_head
    from randcheck.policies import in_force_during
    from randcheck.randomness import new_secret
    from randcheck.service.tasks import history_from

    period = Quarter(body.year, body.quarter)
    policy = in_force_during(body.policy, period.start, period.end)
    files = ctx.files(jurisdiction)
    registry = files.registry(body.registry)
    draw_id = body.draw_id or f"{period.label}-draw"
    source = RandomnessSource.model_validate(body.randomness.model_dump())
    now = ctx.now()
    with ctx.ledgers.open(jurisdiction) as ledger:
        events = ledger.verified_events()
        earlier = History(Inspection.model_validate(e.model_dump()) for e in body.earlier)
        history = earlier + history_from(events)
        inputs = draw_inputs(
            policy,
            period,
            registry_digest=registry.digest,
            history_digest=history.digest,
            jurisdiction=body.division,
            campaign=body.campaign,
            departments=body.departments,
            expertise=frozenset(body.expertise),
            capacity=body.capacity,
            randomness=source,
        )
        secret = new_secret()
        head = published_head(events).to_json()
        announcement = announce(secret, inputs, announced_at=now, ledger_head=head)
        _claim(ctx, jurisdiction, files, draw_id)
        digest = announcement_digest(announcement)
        try:
            files.write_secret(draw_id, secret)
            files.save_history(draw_id, history)
            files.write(draw_id, "announcement.json", announcement, pending=True)
            event = append_recorded(
                ctx,
                jurisdiction,
                files,
                draw_id,
                ("announcement.json",),
                subject=draw_id,
                append=lambda: ledger.append(
                    "DRAW_ANNOUNCED",
                    actor=who.actor,
                    subject=draw_id,
                    payload={
                        "period": period.label,
                        "commitment": announcement["commitment"],
                        "announcement_digest": digest,
                        "policy": f"{policy.id}@{policy.version}",
                        "randomness": source.source,
                        "randomness_at": source.expected_at.isoformat(),
                    },
                    time=now,
                ),
                match=_announced_event(digest),
            )
        except BaseException:
            # not stored: the draw's folder goes; stored or not, that cannot be told: the
            # folder (its secret) stays, pending, for the next commit of this id to settle
            if not files.has(draw_id, "announcement.json" + PENDING):
                files.release_draw(draw_id)
            raise
    return {"draw_id": draw_id, "seq": event.seq, "announcement": announcement}


def _announced_event(digest: str | None = None) -> Any:
    """Finds the draw's DRAW_ANNOUNCED event (of the announcement of ``digest``, if given)."""

    def match(events: Any) -> Any:
        for e in events:
            if e.type is EventType.DRAW_ANNOUNCED and digest in (
                None,
                e.payload["announcement_digest"],
            ):
                return e
        return None

    return match


def _claim(ctx: Any, jurisdiction: str, files: Files, draw_id: str) -> None:
    """Claim a new draw's id; a draw left pending by a commit that could not tell whether
    it was recorded is settled first: recorded, it is the draw announced (409); not, its
    folder is removed and the id claimed afresh."""
    from randcheck.draw.announcement import announcement_digest

    try:
        files.claim_draw(draw_id)
        return
    except DrawExists:
        pending = files.pending(draw_id, "announcement.json")
        if pending is None:
            raise
    found = settle(
        ctx,
        jurisdiction,
        files,
        draw_id,
        ("announcement.json",),
        subject=draw_id,
        match=_announced_event(announcement_digest(pending)),
    )
    if found is not None:
        raise DrawExists(
            f"draw {draw_id} was already announced (event #{found.seq})",
            hint="GET …/announcement shows it; give another draw_id for a new draw",
        )
    files.release_draw(draw_id)
    files.claim_draw(draw_id)


@router.get("/{draw_id}/announcement", operation_id="get_announcement")
def get_announcement(
    jurisdiction: Jurisdiction, draw_id: DrawId, who: Who, ctx: Ctx
) -> dict[str, Any]:
    """The announcement, as published (the commitment and every input)."""
    found: dict[str, Any] = ctx.files(jurisdiction).document(draw_id, "announcement.json")
    return found


SEALED = ("list.json", "receipt.json")
"""The files a seal writes, in the order they are put in place (the receipt last: a
draw is sealed once its receipt is there)."""


def _seal(
    files: Files, draw_id: str, announced: dict[str, Any], randomness: str, at: dt.datetime
) -> tuple[dict[str, Any], dict[str, Any]]:
    """The sealed receipt and the drawn list (with the secret) for ``randomness`` at
    ``at``: the same inputs give the same receipt."""
    from randcheck.draw.receipt import reveal, seal

    inputs = announced["inputs"]
    registry = files.registry(inputs["registry_digest"])
    history = files.history(draw_id)
    secret = files.secret(draw_id)
    campaign = EntityFilter.model_validate(inputs["campaign"]) if inputs["campaign"] else None
    receipt, _result = seal(
        _policy(announced),
        registry,
        Quarter.parse(inputs["period"]),
        secret=secret,
        public_randomness=randomness,
        history=history,
        jurisdiction=inputs["jurisdiction"],
        campaign=campaign,
        departments=inputs["departments"],
        expertise=frozenset(inputs["expertise"]),
        capacity=inputs["capacity"],
        announcement=announced,
        sealed_at=at,
    )
    return receipt, reveal(receipt, secret, registry, history)


def _sealed_event(digest: str | None = None) -> Any:
    """Finds the draw's DRAW_SEALED event (with the receipt of ``digest``, if given)."""

    def match(events: Any) -> Any:
        for e in events:
            if e.type is EventType.DRAW_SEALED and digest in (None, e.payload["receipt_digest"]):
                return e
        return None

    return match


def _restore_seal(files: Files, draw_id: str, announced: dict[str, Any], event: Any) -> None:
    """The sealed files as the ledger's DRAW_SEALED ``event`` says (a seal whose append
    was stored though it failed, files removed by an older version): kept when they
    match it, made again from the event's randomness and time otherwise."""
    from randcheck.randomness import canonical_digest

    digest = event.payload["receipt_digest"]
    if (
        files.has(draw_id, "receipt.json")
        and files.has(draw_id, "list.json")
        and canonical_digest(files.document(draw_id, "receipt.json")) == digest
    ):
        return
    receipt, drawn = _seal(
        files, draw_id, announced, event.payload["public_randomness"], event.time
    )
    if canonical_digest(receipt) != digest:
        raise ApiProblem(
            409,
            f"the ledger records draw {draw_id} sealed (event #{event.seq}), but its receipt "
            "cannot be made again from the draw's files: the files were not restored",
            hint="restore the draw's files (data_dir) from a backup taken after the seal",
        )
    files.write(draw_id, "list.json", drawn, private=True)
    files.write(draw_id, "receipt.json", receipt)


@router.post("/{draw_id}/seal", operation_id="seal_draw", status_code=201)
def seal_draw(
    jurisdiction: Jurisdiction, draw_id: DrawId, body: SealRequest, who: Who, ctx: Ctx
) -> dict[str, Any]:
    """Draw with the announced inputs and the published randomness, and seal it
    (``randcheck draw --announcement``): the sealed receipt names no entity. Sending the
    same request again after an answer that was lost (or a 503) is safe: once the seal is
    recorded, the answer is the recorded seal."""
    from randcheck.randomness import canonical_digest

    files = ctx.files(jurisdiction)
    announced = files.document(draw_id, "announcement.json")
    receipt, drawn = _seal(files, draw_id, announced, body.public_randomness, ctx.now())
    digest = canonical_digest(receipt)
    with (
        files.step(draw_id, "sealed"),
        files.locked(draw_id),
        ctx.ledgers.open(jurisdiction) as ledger,
    ):
        pending = files.pending(draw_id, "receipt.json")
        if pending is not None:  # an earlier seal that could not tell whether it was stored
            settle(
                ctx,
                jurisdiction,
                files,
                draw_id,
                SEALED,
                subject=draw_id,
                match=_sealed_event(canonical_digest(pending)),
            )
        earlier = _sealed_event()(ledger.events_for(draw_id))
        if earlier is None:
            files.write(draw_id, "list.json", drawn, private=True, pending=True)
            files.write(draw_id, "receipt.json", receipt, pending=True)
            event = append_recorded(
                ctx,
                jurisdiction,
                files,
                draw_id,
                SEALED,
                subject=draw_id,
                append=lambda: ledger.append(
                    "DRAW_SEALED",
                    actor=who.actor,
                    payload={
                        "draw_id": draw_id,
                        "period": receipt["period"],
                        "commitment": receipt["commitment"],
                        "receipt_digest": digest,
                        "announcement_digest": receipt["announcement_digest"],
                        "public_randomness": receipt["public_randomness"],
                    },
                    time=dt.datetime.fromisoformat(receipt["sealed_at"]),
                ),
                match=_sealed_event(digest),
            )
        else:  # recorded by an earlier request: the files made to match it, the step kept
            _restore_seal(files, draw_id, announced, earlier)
            event = earlier
            receipt = files.document(draw_id, "receipt.json")
            drawn = files.document(draw_id, "list.json")
    if earlier is not None and earlier.payload["public_randomness"] != body.public_randomness:
        raise ApiProblem(
            409,
            f"draw {draw_id} is already sealed (event #{earlier.seq}), with other randomness",
            hint="GET …/receipt shows the sealed receipt",
        )
    return {
        "draw_id": draw_id,
        "seq": event.seq,
        "tasks": len(drawn["revealed"]["tasks"]),
        "receipt": receipt,
    }


@router.get("/{draw_id}/receipt", operation_id="get_receipt")
def get_receipt(jurisdiction: Jurisdiction, draw_id: DrawId, who: Who, ctx: Ctx) -> dict[str, Any]:
    """The receipt as published: the revealed one once revealed, the sealed one before."""
    files = ctx.files(jurisdiction)
    name = "revealed.json" if files.has(draw_id, "revealed.json") else "receipt.json"
    found: dict[str, Any] = files.document(draw_id, name)
    return found


def _drawn(files: Files, draw_id: str) -> dict[str, Any]:
    if not files.has(draw_id, "list.json"):
        files.document(draw_id, "announcement.json")  # 404 for a draw never announced
        raise ApiProblem(409, f"draw {draw_id} is not sealed yet", hint="seal it first")
    found: dict[str, Any] = files.document(draw_id, "list.json")
    return found


@router.post("/{draw_id}/dispatch", operation_id="dispatch_draw", status_code=201)
def dispatch_draw(
    jurisdiction: Jurisdiction,
    draw_id: DrawId,
    who: Who,
    ctx: Ctx,
    body: DispatchRequest | None = None,
) -> dict[str, Any]:
    """Dispatch every task of a sealed draw to its team (``TASK_DISPATCHED``). The answer
    names the tasks and teams, not the entities: the list stays sealed."""
    files = ctx.files(jurisdiction)
    drawn = _drawn(files, draw_id)
    tasks = drawn["revealed"]["tasks"]
    items = body.items if body else []
    # each dispatch carries the entity's name as the draw's registry has it, so the
    # ledger alone can name the entities a disclosure lists
    registry = files.registry(drawn["registry_digest"])
    with files.step(draw_id, "dispatched"), ctx.ledgers.open(jurisdiction) as ledger:
        # task ids are the period's (2025Q3-ALL-00001): a second draw of the quarter would
        # merge its tasks into the first's, so it is refused rather than dispatched
        taken = [
            t["task_id"]
            for t in tasks
            if any(e.type is EventType.TASK_DISPATCHED for e in ledger.events_for(t["task_id"]))
        ]
        if taken:
            raise ApiProblem(
                409,
                f"{len(taken)} task id(s) of draw {draw_id} are already dispatched in this "
                f"jurisdiction's ledger (first: {taken[0]}): another draw of {drawn['period']} "
                "holds them",
                hint="a period has one dispatched draw per jurisdiction: use the one made",
            )
        now = ctx.now()
        entries: list[Any] = [
            (
                EventType.TASK_DISPATCHED,
                who.actor,
                {
                    "task_id": t["task_id"],
                    "uscc": t["uscc"],
                    "entity_name": registry.name_of(t["uscc"]),
                    "inspectors": t["team"],
                    "entity_class": t["class"],
                    "items": items,
                    "mode": t["mode"],
                    "draw_id": draw_id,
                    "period": drawn["period"],
                },
                None,
                now,
            )
            for t in tasks
        ]
        events = ledger.append_many(entries)
    return {
        "draw_id": draw_id,
        "dispatched": [
            {"task_id": t["task_id"], "mode": t["mode"], "team": t["team"], "seq": e.seq}
            for t, e in zip(tasks, events)
        ],
    }


def _revealed_event(events: Any) -> Any:
    return next((e for e in events if e.type is EventType.DRAW_REVEALED), None)


@router.post("/{draw_id}/reveal", operation_id="reveal_draw", status_code=201)
def reveal_draw(jurisdiction: Jurisdiction, draw_id: DrawId, who: Who, ctx: Ctx) -> dict[str, Any]:
    """Reveal the draw (``randcheck reveal``): publish the secret, the seed and the list
    with its teams and replacements. Only once every task's inspection has started, or
    the quarter is over: before that the list is sealed."""
    from randcheck.draw.receipt import verify

    files = ctx.files(jurisdiction)
    _drawn(files, draw_id)
    now = ctx.now()
    with (
        files.step(draw_id, "revealed"),
        files.locked(draw_id),
        ctx.ledgers.open(jurisdiction) as ledger,
    ):
        # what earlier requests left pending, settled by the ledger first
        settle_list(ctx, jurisdiction, files, draw_id)
        settle(
            ctx,
            jurisdiction,
            files,
            draw_id,
            ("revealed.json",),
            subject=draw_id,
            match=_revealed_event,
        )
        drawn = _drawn(files, draw_id)
        period = Quarter.parse(drawn["period"])
        ids = [t["task_id"] for t in drawn["revealed"]["tasks"]]
        earlier = _revealed_event(ledger.events_for(draw_id))
        if earlier is not None:  # recorded by an earlier request whose answer was lost
            if not files.has(draw_id, "revealed.json"):
                files.write(draw_id, "revealed.json", drawn)
            return {"draw_id": draw_id, "seq": earlier.seq, "receipt": drawn}
        states = tasks_from(ledger.verified_events())
        waiting = [i for i in ids if i not in states or states[i].started_at is None]
        if waiting and now.astimezone(SHANGHAI).date() <= period.end:
            raise ApiProblem(
                409,
                f"{len(waiting)} task(s) of draw {draw_id} have not started (first: "
                f"{waiting[0]}): the list stays sealed until every inspection has started "
                f"or the quarter ends ({period.end.isoformat()})",
                hint="reveal when the inspections have started",
            )
        report = verify(
            drawn,
            files.registry(drawn["registry_digest"]),
            files.history(draw_id),
            announcement=files.document(draw_id, "announcement.json"),
        )
        if not report.ok:
            failure = report.first_failure
            raise ApiProblem(
                409,
                "the draw does not verify: "
                + (f"{failure.name}: {failure.detail}" if failure else "nothing checked"),
            )
        files.write(draw_id, "revealed.json", drawn, pending=True)
        event = append_recorded(
            ctx,
            jurisdiction,
            files,
            draw_id,
            ("revealed.json",),
            subject=draw_id,
            append=lambda: ledger.append(
                "DRAW_REVEALED",
                actor=who.actor,
                payload={"draw_id": draw_id, "tasks": ids},
                time=now,
            ),
            match=_revealed_event,
        )
    return {"draw_id": draw_id, "seq": event.seq, "receipt": drawn}


Purpose = Annotated[
    str,
    Query(
        min_length=2,
        max_length=MAX_NAME,
        description="why the list is read (recorded in the ledger)",
    ),
]


@router.get("/{draw_id}/list", operation_id="read_list")
def read_list(
    jurisdiction: Jurisdiction,
    draw_id: DrawId,
    who: Who,
    ctx: Ctx,
    purpose: Purpose = "审批 approval",
) -> dict[str, Any]:
    """The drawn list of a dispatched draw, each task with its entity where the reader may
    see it: approvers always; others once its inspection has started. Every entity shown
    is recorded first (``LIST_ACCESSED``, with the reader, role and purpose)."""
    files = ctx.files(jurisdiction)
    _drawn(files, draw_id)
    with ctx.ledgers.open(jurisdiction) as ledger:
        events = ledger.verified_events()
        states = tasks_from(events)
        revealed = any(
            e.type is EventType.DRAW_REVEALED and e.payload["draw_id"] == draw_id for e in events
        )
        mine = [s for s in states.values() if s.draw_id == draw_id]
        if not mine:
            raise ApiProblem(409, f"draw {draw_id} is not dispatched yet")
        shown = [s for s in mine if entity_visible(s, who, revealed)]
        record_reads(ledger, shown, who, purpose, ctx.now())
    visible = {s.task_id for s in shown}
    return {
        "draw_id": draw_id,
        "tasks": [{**s.to_json(), "uscc": s.uscc if s.task_id in visible else None} for s in mine],
    }
