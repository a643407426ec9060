"""What a bureau publishes and what an auditor reads: the schedule (JSON, ICS), the plans
and the disclosure (JSON, XLSX, CSV, each carrying the ledger's head), and the verdict
(JSON, HTML). Made by the same library functions as ``randcheck schedule``, ``plan``,
``disclose`` and ``audit``; nothing here writes to the ledger."""

from __future__ import annotations

import datetime as dt
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Literal

from fastapi import APIRouter, Query
from fastapi.responses import Response

from randcheck.ledger.events import EventType
from randcheck.service.auth import Who
from randcheck.service.context import Ctx, Jurisdiction, PolicyId
from randcheck.service.files import DIGEST, Files
from randcheck.service.roles import Role
from randcheck.service.routing import OneHop

if TYPE_CHECKING:
    from randcheck.ledger.chain import LedgerEvent
    from randcheck.policies.model import Policy
    from randcheck.publish.table import Table
    from randcheck.registry import Registry
    from randcheck.report.published import LedgerHead

router = APIRouter(prefix="/j/{jurisdiction}", tags=["published"], route_class=OneHop)

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MEDIA = {"json": "application/json", "xlsx": XLSX, "csv": "text/csv; charset=utf-8"}
CST = dt.timezone(dt.timedelta(hours=8))

PolicyQuery = Annotated[PolicyId, Query(description="a policy id randcheck holds")]
Year = Annotated[int, Query(ge=2000, le=2100)]
QuarterQuery = Annotated[int | None, Query(ge=1, le=4)]
RegistryQuery = Annotated[
    str | None,
    Query(pattern=DIGEST, description="a kept registry's digest; default: the last uploaded"),
]
TableFormat = Annotated[Literal["json", "xlsx", "csv"], Query()]


def _documents(*media: str) -> dict[int | str, dict[str, Any]]:
    return {200: {"content": {m.split(";")[0]: {} for m in media}, "description": "the document"}}


def _policy(policy: str, year: int, quarter: int | None) -> Policy:
    from randcheck.periods import Quarter
    from randcheck.policies import in_force_during

    if quarter:
        period = Quarter(year, quarter)
        return in_force_during(policy, period.start, period.end)
    return in_force_during(policy, dt.date(year, 1, 1), dt.date(year, 12, 31))


def _last_registry(files: Files, events: list[LedgerEvent], digest: str | None) -> Registry | None:
    """The registry named, or the last one uploaded that the service keeps (None: none)."""
    if digest is not None:
        return files.registry(digest)
    kept = set(files.registries())
    for event in reversed(events):
        if event.type is EventType.REGISTRY_SNAPSHOT and event.payload["digest"] in kept:
            return files.registry(event.payload["digest"])
    return None


def _table_file(table: Table, fmt: str, head: LedgerHead | None, name: str) -> Response:
    """The table as a file in ``fmt``, written by the same code as the command line's."""
    from randcheck.report.published import write_table_as

    with tempfile.TemporaryDirectory(prefix="randcheck-") as scratch:
        path = Path(scratch) / f"{name}.{fmt}"
        write_table_as(table, path, fmt, head)
        data = path.read_bytes()
    return Response(
        data,
        media_type=MEDIA[fmt],
        headers={"Content-Disposition": f'attachment; filename="{name}.{fmt}"'},
    )


def _events(ctx: Any, jurisdiction: str) -> tuple[list[LedgerEvent], LedgerHead]:
    from randcheck.report.published import ledger_head

    with ctx.ledgers.open(jurisdiction, readonly=True) as ledger:
        events = ledger.verified_events()
    return events, ledger_head(events)


@router.get(
    "/schedule",
    operation_id="schedule",
    response_class=Response,
    responses=_documents("application/json", "text/calendar"),
)
def schedule(
    jurisdiction: Jurisdiction,
    who: Who,
    policy: PolicyQuery,
    year: Year,
    format: Annotated[Literal["json", "ics"], Query()] = "json",
) -> Response:
    """Every dated obligation of the year, each with its clause (ics: for a calendar)."""
    from randcheck.policies import get_policy
    from randcheck.publish.schedule import schedule_table, to_ics

    chosen = get_policy(policy)
    if format == "ics":
        return Response(to_ics(chosen, year), media_type="text/calendar")
    return _json(schedule_table(chosen, year).to_json())


@router.get(
    "/plan",
    operation_id="plan_file",
    response_class=Response,
    responses=_documents(*MEDIA.values()),
)
def plan_file(
    jurisdiction: Jurisdiction,
    who: Who,
    ctx: Ctx,
    policy: PolicyQuery,
    year: Year,
    quarter: QuarterQuery = None,
    registry: RegistryQuery = None,
    items: Annotated[bool, Query(description="the item list 抽查事项清单 instead")] = False,
    format: TableFormat = "json",
) -> Response:
    """The annual plan (获嘉 附件1), a quarterly plan (本溪 六(一)2) or the item list, from a
    kept registry and the ledger's history."""
    from randcheck.periods import Quarter
    from randcheck.publish.tables import annual_plan_table, item_list_table, quarterly_plan_table
    from randcheck.service.problems import ApiProblem
    from randcheck.service.tasks import history_from

    chosen = _policy(policy, year, quarter)
    events, _head = _events(ctx, jurisdiction)
    snapshot = _last_registry(ctx.files(jurisdiction), events, registry)
    if snapshot is None:
        raise ApiProblem(409, "no registry uploaded here yet", hint="upload one first")
    past = history_from(events)
    if items:
        table = item_list_table(snapshot)
    elif quarter:
        table = quarterly_plan_table(chosen, snapshot, Quarter(year, quarter), past)
    else:
        table = annual_plan_table(chosen, snapshot, year, past)
    if format == "json":
        return _json(table.to_json())
    return _table_file(table, format, None, "plan")


def _json(data: dict[str, Any]) -> Response:
    import json

    return Response(json.dumps(data, ensure_ascii=False), media_type="application/json")


@router.get(
    "/disclosure",
    operation_id="disclosure_file",
    response_class=Response,
    responses=_documents(*MEDIA.values()),
)
def disclosure_file(
    jurisdiction: Jurisdiction,
    who: Who,
    ctx: Ctx,
    policy: PolicyQuery,
    year: Year,
    quarter: QuarterQuery = None,
    registry: RegistryQuery = None,
    format: TableFormat = "json",
) -> Response:
    """The disclosure of results 抽查结果公开, with the ledger's head. The public sees the
    rows already disclosed; the bureau's roles every result recorded."""
    from randcheck.publish.tables import disclosure_table

    chosen = _policy(policy, year, quarter)
    events, head = _events(ctx, jurisdiction)
    snapshot = _last_registry(ctx.files(jurisdiction), events, registry)
    table = disclosure_table(chosen, events, year, quarter, snapshot)
    if who.role in (Role.PUBLIC, Role.INSPECTOR):
        table.rows = [r for r in table.rows if r.get("published") != "未公开"]
    if format == "json":
        return _json({**table.to_json(), "ledger_head": head.to_json()})
    return _table_file(table, format, head, "disclosure")


@router.get(
    "/audit",
    operation_id="audit",
    response_class=Response,
    responses=_documents("application/json", "text/html"),
)
def audit(
    jurisdiction: Jurisdiction,
    who: Who,
    ctx: Ctx,
    policy: PolicyQuery,
    year: Year,
    quarter: QuarterQuery = None,
    as_of: Annotated[dt.date | None, Query(description="judge as of; default today")] = None,
    registry: RegistryQuery = None,
    format: Annotated[Literal["json", "html"], Query()] = "json",
) -> Response:
    """Every rule of the policy judged against the ledger (``randcheck audit``): JSON
    (with the ledger's head) or the HTML report."""
    from randcheck.audit.run import audit as run
    from randcheck.report.verdict import render

    chosen = _policy(policy, year, quarter)
    events, head = _events(ctx, jurisdiction)
    snapshot = _last_registry(ctx.files(jurisdiction), events, registry)
    day = as_of or ctx.now().astimezone(CST).date()
    verdict = run(chosen, events, year, quarter=quarter, as_of=day, registry=snapshot)
    text = render(verdict, format, head)
    media = "application/json" if format == "json" else "text/html; charset=utf-8"
    return Response(text, media_type=media)
