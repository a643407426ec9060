"""The bureau's own records: disclosures of results (检查结果公开), exceptions approved
(例外情况说明), plans published (抽查计划公开)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, Field

from randcheck.ledger.events import EventType
from randcheck.service.auth import Who
from randcheck.service.context import MAX_TASKS, Ctx, Jurisdiction, Name, Text
from randcheck.service.problems import ApiProblem
from randcheck.service.routing import OneHop
from randcheck.service.tasks import tasks_from

router = APIRouter(prefix="/j/{jurisdiction}", tags=["records"], route_class=OneHop)


class DisclosureRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    task_ids: list[Name] = Field(min_length=1, max_length=MAX_TASKS)
    channel: Name | None = Field(None, description="where: the bureau's website, 信用中国 …")


class ExceptionRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    rule_id: Name = Field(description="the policy rule not followed")
    subjects: list[Name] = Field(min_length=1, max_length=MAX_TASKS)
    reason: Text


class PlanRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    year: int = Field(ge=2000, le=2100)
    quarter: int | None = Field(None, ge=1, le=4, description="None: the annual plan")


@router.post("/disclosures", operation_id="publish_disclosure", status_code=201)
def publish_disclosure(
    jurisdiction: Jurisdiction, body: DisclosureRequest, who: Who, ctx: Ctx
) -> dict[str, Any]:
    """Record that these tasks' results were published (``DISCLOSURE_PUBLISHED``); each
    must have its result recorded."""
    with ctx.ledgers.open(jurisdiction) as ledger:
        states = tasks_from(ledger.verified_events())
        for n, task_id in enumerate(body.task_ids):
            task = states.get(task_id)
            if task is None or not task.results:
                raise ApiProblem(
                    409,
                    f"task {task_id} has no result recorded: there is nothing to disclose",
                    field=f"body.task_ids.{n}",
                )
        event = ledger.append(
            "DISCLOSURE_PUBLISHED",
            actor=who.actor,
            subject="disclosures",
            payload={"task_ids": body.task_ids, "channel": body.channel},
            time=ctx.now(),
        )
    return {"seq": event.seq, "hash": event.hash}


@router.get("/disclosures", operation_id="list_disclosures")
def list_disclosures(jurisdiction: Jurisdiction, who: Who, ctx: Ctx) -> dict[str, Any]:
    """Every disclosure recorded: when, which tasks, where."""
    with ctx.ledgers.open(jurisdiction, readonly=True) as ledger:
        found = [
            {
                "seq": e.seq,
                "time": e.time.isoformat(),
                "task_ids": e.payload["task_ids"],
                "channel": e.payload.get("channel"),
            }
            for e in ledger.verified_events()
            if e.type is EventType.DISCLOSURE_PUBLISHED
        ]
    return {"disclosures": found}


@router.post("/exceptions", operation_id="record_exception", status_code=201)
def record_exception(
    jurisdiction: Jurisdiction, body: ExceptionRequest, who: Who, ctx: Ctx
) -> dict[str, Any]:
    """Record, with approval, why a 原则上 rule was not followed (``EXCEPTION_RECORDED``)."""
    with ctx.ledgers.open(jurisdiction) as ledger:
        event = ledger.append(
            "EXCEPTION_RECORDED",
            actor=who.actor,
            subject="exceptions",
            payload={**body.model_dump(), "approved_by": who.name},
            time=ctx.now(),
        )
    return {"seq": event.seq, "hash": event.hash}


@router.post("/plans", operation_id="publish_plan", status_code=201)
def publish_plan(
    jurisdiction: Jurisdiction, body: PlanRequest, who: Who, ctx: Ctx
) -> dict[str, Any]:
    """Record that the year's (or a quarter's) plan was published (``PLAN_PUBLISHED``)."""
    with ctx.ledgers.open(jurisdiction) as ledger:
        event = ledger.append(
            "PLAN_PUBLISHED",
            actor=who.actor,
            subject="plan",
            payload=body.model_dump(),
            time=ctx.now(),
        )
    return {"seq": event.seq, "hash": event.hash}
