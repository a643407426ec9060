"""Tasks 检查任务: read (under the rules of the sealed list), start and end the
inspection, record the result, corrections and their approval, replacements,
rectification. An inspector acts only on tasks dispatched to them; every write is a
ledger event with the caller as its actor, checked by the ledger's own rules (a
recorded result is never edited: 青岛 四)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path, Query
from pydantic import BaseModel, ConfigDict, Field

from randcheck.ledger.events import EventType
from randcheck.ledger.store import Ledger
from randcheck.models.vocab import Outcome, ReplacementReason, Withheld
from randcheck.service.auth import Principal, Who
from randcheck.service.context import (
    MAX_NAME,
    MAX_TEAM,
    Ctx,
    Jurisdiction,
    Name,
    TaskId,
    Text,
)
from randcheck.service.problems import ApiProblem
from randcheck.service.recorded import append_recorded, replacement_match, settle_list
from randcheck.service.roles import Role
from randcheck.service.routing import OneHop
from randcheck.service.tasks import (
    TaskState,
    draw_revealed,
    entity_visible,
    record_reads,
    task_of,
    tasks_from,
)

router = APIRouter(prefix="/j/{jurisdiction}/tasks", tags=["tasks"], route_class=OneHop)


def _task(ledger: Ledger, task_id: str, who: Principal) -> TaskState:
    """The task, if dispatched; an inspector only gets their own (403 otherwise)."""
    task = task_of(ledger, task_id)
    if task is None:
        raise ApiProblem(404, f"no task {task_id} has been dispatched here", field="task_id")
    if who.role is Role.INSPECTOR and who.name not in task.team:
        raise ApiProblem(
            403,
            f"task {task_id} is not dispatched to {who.name}",
            hint="an inspector sees and records only the tasks of their own team",
        )
    return task


def _appended(event: Any) -> dict[str, Any]:
    return {"seq": event.seq, "type": event.type.value, "hash": event.hash}


@router.get("", operation_id="list_tasks")
def list_tasks(
    jurisdiction: Jurisdiction,
    who: Who,
    ctx: Ctx,
    draw_id: Annotated[str | None, Query(max_length=MAX_NAME)] = None,
) -> dict[str, Any]:
    """The tasks dispatched here (an inspector: their own), without their entities."""
    with ctx.ledgers.open(jurisdiction, readonly=True) as ledger:
        states = tasks_from(ledger.verified_events())
    tasks = [
        s.to_json()
        for s in states.values()
        if (who.role is not Role.INSPECTOR or who.name in s.team)
        and (draw_id is None or s.draw_id == draw_id)
    ]
    return {"tasks": tasks}


@router.get("/{task_id}", operation_id="read_task")
def read_task(
    jurisdiction: Jurisdiction,
    task_id: TaskId,
    who: Who,
    ctx: Ctx,
    purpose: Annotated[
        str, Query(min_length=2, max_length=MAX_NAME, description="why (recorded in the ledger)")
    ] = "准备检查 preparing the inspection",
) -> dict[str, Any]:
    """One task with its entity where the reader may see it (its team and approvers before
    the inspection starts; everyone signed in after). Every entity shown is recorded first
    as ``LIST_ACCESSED`` (who, role, when, the purpose given)."""
    files = ctx.files(jurisdiction)
    with ctx.ledgers.open(jurisdiction) as ledger:
        task = _task(ledger, task_id, who)
        visible = entity_visible(task, who, draw_revealed(ledger, task.draw_id))
        if visible:
            record_reads(ledger, [task], who, purpose, ctx.now())
    entity = None
    if visible and task.draw_id is not None and files.has(task.draw_id, "announcement.json"):
        digest = files.document(task.draw_id, "announcement.json")["inputs"]["registry_digest"]
        found = files.registry(digest).get_entity(task.uscc)
        entity = found.model_dump(mode="json") if found else None
    return {**task.to_json(), "uscc": task.uscc if visible else None, "entity": entity}


class StartRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    inspectors: list[Name] | None = Field(
        None, min_length=1, max_length=MAX_TEAM, description="default: the task's team"
    )
    complaint: bool = Field(False, description="prompted by a complaint (本溪 七(三))")


class CompleteRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    inspectors: list[Name] | None = Field(None, min_length=1, max_length=MAX_TEAM)
    items: list[Name] = Field(default_factory=list, max_length=100)
    signed_by_entity: bool = Field(True, description="the entity signed the record (青岛 四)")


class ResultRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    outcome: Outcome
    facts: Text | None = None
    handling: Text | None = None
    withheld: Withheld | None = Field(None, description="why it is left out of disclosure")


class CorrectionRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    result_seq: int = Field(ge=1, le=10**12, description="the RESULT_RECORDED event to correct")
    reason: Text


class ReplacementRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    removed: Name = Field(description="the inspector leaving the team (人员编号)")
    reason: ReplacementReason
    chosen: Name | None = Field(
        None, description="the inspector chosen instead, where the policy lets one be chosen"
    )
    note: Text | None = None


class RectificationRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    stage: Literal["ordered", "progress", "completed"]
    requirement: Text | None = Field(None, description="ordered: what must be put right")
    note: Text | None = Field(None, description="progress: what was done (required)")
    reason_not_done: Text | None = Field(None, description="progress: why it is not done yet")


@router.post("/{task_id}/start", operation_id="start_inspection", status_code=201)
def start_inspection(
    jurisdiction: Jurisdiction,
    task_id: TaskId,
    who: Who,
    ctx: Ctx,
    body: StartRequest | None = None,
) -> dict[str, Any]:
    """The inspection starts (``INSPECTION_STARTED``); from now on the task is no secret."""
    body = body or StartRequest()
    with ctx.ledgers.open(jurisdiction) as ledger:
        task = _task(ledger, task_id, who)
        if task.started_at is not None:
            raise ApiProblem(409, f"task {task_id}'s inspection has already started")
        event = ledger.append(
            "INSPECTION_STARTED",
            actor=who.actor,
            payload={
                "task_id": task_id,
                "mode": task.mode,
                "inspectors": body.inspectors or task.team or [who.name],
                "complaint": body.complaint,
            },
            time=ctx.now(),
        )
    return _appended(event)


@router.post("/{task_id}/complete", operation_id="complete_inspection", status_code=201)
def complete_inspection(
    jurisdiction: Jurisdiction,
    task_id: TaskId,
    who: Who,
    ctx: Ctx,
    body: CompleteRequest | None = None,
) -> dict[str, Any]:
    """The inspection ends (``INSPECTION_COMPLETED``)."""
    body = body or CompleteRequest()
    with ctx.ledgers.open(jurisdiction) as ledger:
        task = _task(ledger, task_id, who)
        if task.started_at is None:
            raise ApiProblem(409, f"task {task_id}'s inspection has not started", hint="start it")
        if task.completed_at is not None:
            raise ApiProblem(409, f"task {task_id}'s inspection has already ended")
        event = ledger.append(
            "INSPECTION_COMPLETED",
            actor=who.actor,
            payload={
                "task_id": task_id,
                "mode": task.mode,
                "inspectors": body.inspectors or task.team or [who.name],
                "items": body.items or task.items,
                "signed_by_entity": body.signed_by_entity,
            },
            time=ctx.now(),
        )
    return _appended(event)


@router.post("/{task_id}/result", operation_id="record_result", status_code=201)
def record_result(
    jurisdiction: Jurisdiction, task_id: TaskId, body: ResultRequest, who: Who, ctx: Ctx
) -> dict[str, Any]:
    """The result (``RESULT_RECORDED``): once; a second needs an approved correction."""
    with ctx.ledgers.open(jurisdiction) as ledger:
        task = _task(ledger, task_id, who)
        if task.completed_at is None:
            raise ApiProblem(
                409, f"task {task_id}'s inspection has not ended", hint="end the inspection first"
            )
        event = ledger.append(
            "RESULT_RECORDED",
            actor=who.actor,
            payload={"task_id": task_id, **body.model_dump(mode="json", exclude_none=True)},
            time=ctx.now(),
        )
    return _appended(event)


@router.post("/{task_id}/corrections", operation_id="request_correction", status_code=201)
def request_correction(
    jurisdiction: Jurisdiction, task_id: TaskId, body: CorrectionRequest, who: Who, ctx: Ctx
) -> dict[str, Any]:
    """Ask for a recorded result to be corrected (``CORRECTION_REQUESTED``)."""
    with ctx.ledgers.open(jurisdiction) as ledger:
        _task(ledger, task_id, who)
        event = ledger.append(
            "CORRECTION_REQUESTED",
            actor=who.actor,
            payload={"task_id": task_id, "result_seq": body.result_seq, "reason": body.reason},
            time=ctx.now(),
        )
    return _appended(event)


@router.post(
    "/{task_id}/corrections/{request_seq}/approval",
    operation_id="approve_correction",
    status_code=201,
)
def approve_correction(
    jurisdiction: Jurisdiction,
    task_id: TaskId,
    request_seq: Annotated[int, Path(ge=1, le=10**12)],
    who: Who,
    ctx: Ctx,
) -> dict[str, Any]:
    """Approve a correction (``CORRECTION_APPROVED``, the approver named): the new result
    may then be recorded."""
    with ctx.ledgers.open(jurisdiction) as ledger:
        _task(ledger, task_id, who)
        event = ledger.append(
            "CORRECTION_APPROVED",
            actor=who.actor,
            payload={"task_id": task_id, "request_seq": request_seq, "approved_by": who.name},
            time=ctx.now(),
        )
    return _appended(event)


@router.post("/{task_id}/replacements", operation_id="replace_inspector", status_code=201)
def replace_inspector(
    jurisdiction: Jurisdiction, task_id: TaskId, body: ReplacementRequest, who: Who, ctx: Ctx
) -> dict[str, Any]:
    """Replace an inspector on a dispatched task, as the policy says (drawn again, or
    chosen where it lets one be chosen), approved by the caller (``INSPECTOR_REPLACED``);
    the draw's record keeps it, so the revealed receipt verifies with it."""
    from randcheck.draw.receipt import record_replacement

    files = ctx.files(jurisdiction)
    with ctx.ledgers.open(jurisdiction) as ledger:
        draw_id = _task(ledger, task_id, who).draw_id
    if draw_id is None or not files.has(draw_id, "list.json"):
        raise ApiProblem(409, f"task {task_id} was not drawn by this service")
    # the draw's list is read, changed and recorded by one request at a time
    with files.locked(draw_id), ctx.ledgers.open(jurisdiction) as ledger:
        settled = settle_list(ctx, jurisdiction, files, draw_id)  # an earlier request's
        if (
            settled is not None
            and settled.payload["task_id"] == task_id
            and settled.payload["removed"] == body.removed
        ):  # this request, sent again: recorded by the first, whose answer was a 503
            made = next(
                r
                for r in reversed(files.document(draw_id, "list.json")["revealed"]["replacements"])
                if r["task_id"] == task_id and r["removed"] == body.removed
            )
            return {**_appended(settled), "added": made["added"], "method": made["method"]}
        task = _task(ledger, task_id, who)
        if task.started_at is not None:
            raise ApiProblem(409, f"task {task_id}'s inspection has already started")
        if files.has(draw_id, "revealed.json"):
            raise ApiProblem(409, f"draw {draw_id} is already revealed")
        drawn = files.document(draw_id, "list.json")
        updated = record_replacement(
            drawn,
            files.registry(drawn["registry_digest"]),
            task_id,
            body.removed,
            body.reason,
            history=files.history(draw_id),
            approved_by=who.name,
            chosen=body.chosen,
            note=body.note,
        )
        made = updated["revealed"]["replacements"][-1]
        # the list changes with its event: written pending, put in place once recorded
        files.write(draw_id, "list.json", updated, private=True, pending=True)
        event = append_recorded(
            ctx,
            jurisdiction,
            files,
            draw_id,
            ("list.json",),
            subject=task_id,
            append=lambda: ledger.append(
                "INSPECTOR_REPLACED",
                actor=who.actor,
                payload={
                    "task_id": task_id,
                    "removed": made["removed"],
                    "added": made["added"],
                    "reason": made["reason"],
                    "approved_by": who.name,
                    "drawn": made["method"] == "drawn_again",
                },
                time=ctx.now(),
            ),
            match=replacement_match(drawn, made),
        )
    return {**_appended(event), "added": made["added"], "method": made["method"]}


@router.post("/{task_id}/rectification", operation_id="record_rectification", status_code=201)
def record_rectification(
    jurisdiction: Jurisdiction, task_id: TaskId, body: RectificationRequest, who: Who, ctx: Ctx
) -> dict[str, Any]:
    """Rectification 整改: ordered, progressing (a note; the reason where it is late),
    completed."""
    with ctx.ledgers.open(jurisdiction) as ledger:
        task = _task(ledger, task_id, who)
        if not task.results:
            raise ApiProblem(409, f"task {task_id} has no result recorded", hint="record it first")
        if body.stage == "ordered":
            kind = EventType.RECTIFICATION_ORDERED
            payload: dict[str, Any] = {"task_id": task_id, "requirement": body.requirement}
        elif body.stage == "progress":
            if body.note is None:
                raise ApiProblem(422, "a progress report needs a note", field="body.note")
            kind = EventType.RECTIFICATION_PROGRESS
            payload = {
                "task_id": task_id,
                "note": body.note,
                "reason_not_done": body.reason_not_done,
            }
        else:
            kind = EventType.RECTIFICATION_COMPLETED
            payload = {"task_id": task_id}
        event = ledger.append(kind, actor=who.actor, payload=payload, time=ctx.now())
    return _appended(event)
