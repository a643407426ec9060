"""Per-record obligations, judged by durable-rules, one task at a time.

Each ledger event becomes facts about its task, with deadlines already worked
out on the official calendar (durable-rules compares numbers; it cannot count
working days): the result-entry deadline when an inspection ends (睢县 三(四),
西平 二(二)), the disclosure deadline when the inspection ends (本溪 八(二)) or
the task is completed (获嘉 第二十条), the rectification deadline when a
problem is found (青岛 四). The rules, compiled from the policy, then find:

- ``result_entry.late`` / ``result_entry.missing`` (past due as of the audit date);
- ``disclosure.late`` / ``disclosure.missing``;
- ``rectification.late`` (unless a progress record with its reason came in time);
- ``team.too_small`` (本溪 七(五)): the team dispatched, left after a replacement, or
  named by the inspection itself (an inspection's start, else its end), once per task;
- ``list.unapproved_change``: a replacement without the approval the policy names;
- ``list.unapproved_change`` also when the inspectors who did the inspection are
  not the dispatched team and no replacement was recorded;
- ``confidential.early_access``: the list read before the inspection by someone
  neither on the task's team nor reading it in a recorded role the texts allow
  (approver, the filing 本溪 七(二) asks for), or by the inspected entity; "before"
  the inspection's recorded start, else its end; a read of a whole draw's list (no
  task named) is a read of each task on it;
- ``non_site.on_site``: a positive-list entity inspected on site without a
  complaint (本溪 七(三)), from the inspection's start, else its end;
- ``task.not_drawn``: a task dispatched without a draw, or under a draw the
  ledger never shows sealed and revealed (the random draw is the regime);
- ``task.uninspected``: a drawn task (on a revealed list, or dispatched under a draw)
  with no inspection by the end of its quarter: never dispatched, never inspected, or
  inspected only after the quarter.

One code path serves the live monitor and the batch audit: :class:`Monitor`
keeps each open task's facts in Python; judging a task asserts its facts and an
``audit`` fact for the date into a fresh durable session, then deletes it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from durable import lang

from randcheck.calendar import WorkingCalendar, default_calendar
from randcheck.ledger.chain import LedgerEvent
from randcheck.ledger.events import AccessRole, EventType
from randcheck.models.vocab import NOT_RECORDED, Mode, Outcome
from randcheck.periods import Quarter
from randcheck.policies.model import (
    Confidential,
    Deadline,
    ListFixed,
    NonSite,
    Policy,
    RandomDraw,
    Replacement,
    Team,
)
from randcheck.registry import Registry
from randcheck.rules_engine import Emit, RuleEngine

m, c = lang.m, lang.c


@dataclass(frozen=True)
class Violation:
    """A task that broke a per-record rule: which rule, which task, the details."""

    rule_id: str
    kind: str
    task_id: str
    detail: dict[str, Any]

    def __str__(self) -> str:
        return f"{self.task_id}: {self.kind} ({self.rule_id}) {self.detail}"


@dataclass(frozen=True)
class Due:
    """An obligation still open: what, for which task, by when."""

    kind: str
    task_id: str
    due: dt.date
    rule_id: str


def _began(task: _Task) -> float:
    """When the inspection began, as far as the records tell: its start, else its end (a
    read after the end was after the start), else not yet."""
    for moment in (task.started_at, task.completed_at):
        if moment is not None:
            return moment
    return float("inf")


def _day(moment: dt.datetime) -> dt.date:
    return moment.astimezone(dt.timezone(dt.timedelta(hours=8))).date()


@dataclass
class _Task:
    facts: list[dict[str, Any]] = field(default_factory=list)
    team: set[str] = field(default_factory=set)
    uscc: str | None = None
    started: bool = False
    started_at: float | None = None
    completed_at: float | None = None
    on_site: bool = True
    inspected: bool = False
    inspected_on: int | None = None  # the day (ordinal) it was first inspected
    quarter_end: int | None = None  # a drawn task: the day by which it must be inspected


class Obligations:
    """The per-record rules of one policy, and how events become facts."""

    def __init__(
        self,
        policy: Policy,
        calendar: WorkingCalendar | None = None,
        registry: Registry | None = None,
    ) -> None:
        self.policy = policy
        self.calendar = calendar or default_calendar()
        self.positive = set(_positive(registry)) if registry is not None else None
        self.entry = _deadline(policy, "result_entry")
        self.disclosure = _deadline(policy, "disclosure")
        self.rectification = _deadline(policy, "rectification")
        team = policy.one(Team)
        self.min_team = team.min_size if team and team.min_size else None
        replacement = policy.one(Replacement)
        fixed = policy.one(ListFixed)
        self.approval_rule = next(
            (r for r in (replacement, fixed) if r is not None and _approver(r)), None
        )
        # The sealed list itself: 睢县 三(四), 西平 二(一), 青岛 三(一), 本溪 七(二).
        self.list_rule = fixed
        # 获嘉 第十二条: a replacement is drawn again by the system, not picked by hand.
        self.redraw_rule = (
            replacement if replacement and replacement.method == "drawn_again" else None
        )
        self.confidential = policy.one(Confidential)
        non_site = [r for r in policy.rules_of(NonSite) if r.on_site_allowed == "complaint_only"]
        self.non_site = non_site[0] if non_site else None
        self.random = policy.one(RandomDraw)
        self.engine = self._engine()

    # --- the rules, compiled once per policy -------------------------------------------

    def _engine(self) -> RuleEngine:
        spec = json.dumps(
            [
                self.entry is not None,
                self.disclosure is not None,
                self.rectification is not None,
                self.min_team,
                self.approval_rule is not None,
                self.confidential is not None,
                self.non_site is not None,
                self.random is not None,
                5,  # the rule set's revision: v5 owes every revealed task an inspection
            ],
        )
        name = f"randcheck.obligations.{hashlib.sha256(spec.encode()).hexdigest()[:16]}"
        return RuleEngine.get(name, self._define)

    def _define(self, emit: Emit) -> None:
        def on(rule: str, build: Any) -> Any:
            def action(ctx: Any) -> None:  # one parameter: see randcheck.rules_engine
                emit(rule, build(ctx))

            return action

        for kind in ("result_entry", "disclosure", "rectification"):
            done = DONE_BY[kind]
            lang.when_all(
                c.a << (m.t == f"{kind}_due"),
                c.b << ((m.t == done) & (m.day > c.a.due)),
                lang.none(m.t == f"{kind}_excused"),
            )(on(f"{kind}.late", lambda x: {"due": x.a.due, "day": x.b.day}))
            lang.when_all(
                c.a << (m.t == f"{kind}_due"),
                c.b << ((m.t == "audit") & (m.day > c.a.due)),
                lang.none(m.t == done),
                lang.none(m.t == f"{kind}_excused"),
            )(on(f"{kind}.missing", lambda x: {"due": x.a.due, "as_of": x.b.day}))
        lang.when_all((m.t == "team_size") & (m.team < m.min_team))(
            on("team.too_small", lambda x: {"team": x.m.team, "min": x.m.min_team})
        )
        lang.when_all((m.t == "replaced") & (m.approved == False))(  # noqa: E712
            on("list.unapproved_change", lambda x: {"removed": x.m.removed, "added": x.m.added})
        )
        lang.when_all(m.t == "off_list")(
            on("list.off_list_task", lambda x: {"draw": x.m.draw, "uscc": x.m.uscc})
        )
        lang.when_all((m.t == "accessed") & (m.insider == False) & (m.before_start == True))(  # noqa: E712
            on("confidential.early_access", lambda x: {"by": x.m.actor, "day": x.m.day})
        )
        lang.when_all(
            (m.t == "started") & (m.onsite == True) & (m.positive == True) & (m.complaint == False)  # noqa: E712
        )(on("non_site.on_site", lambda x: {"day": x.m.day}))
        lang.when_all(m.t == "team_differs")(
            on("list.unapproved_change", lambda x: {"team": x.m.team, "inspected_by": x.m.by})
        )
        lang.when_all(m.t == "not_drawn")(on("task.not_drawn", lambda x: {"why": x.m.why}))
        lang.when_all(m.t == "uninspected")(
            on("task.uninspected", lambda x: {"due": x.m.due, "as_of": x.m.as_of})
        )

    # --- events to facts ---------------------------------------------------------------------

    def _due(self, rule: Deadline, start: dt.date) -> int:
        if rule.unit == "working_days":
            return self.calendar.add_working_days(start, rule.amount).date.toordinal()
        # A period in months or days ending on a day off ends on the next working day
        # (民法典 第二百零三条).
        if rule.unit == "months":
            end = self.calendar.add_months(start, rule.amount).date
        else:
            end = self.calendar.add_days(start, rule.amount).date
        return self.calendar.next_working_day(end).date.toordinal()

    def facts(self, event: LedgerEvent, task: _Task) -> list[dict[str, Any]]:
        """The facts one event adds to its task (updating what is known of the task)."""
        p = event.payload
        day = _day(event.time)
        n = day.toordinal()
        out: list[dict[str, Any]] = []
        kind = event.type
        if kind is EventType.TASK_DISPATCHED:
            task.team = set(p["inspectors"])
            task.uscc = p["uscc"]
            on_site = p.get("mode", Mode.ON_SITE.value) == Mode.ON_SITE.value
            task.on_site = on_site
            if self.min_team and on_site:  # a non-site task has no team to size
                out.append({"t": "team_size", "team": len(task.team), "min_team": self.min_team})
            if self.random is not None and p.get("draw_id"):
                task.quarter_end = _quarter(p.get("period"), day).end.toordinal()
        elif kind is EventType.INSPECTOR_REPLACED:
            task.team = (task.team - {p["removed"]}) | {p["added"]}
            if self.min_team and task.on_site:  # a replacement may leave too few
                out.append({"t": "team_size", "team": len(task.team), "min_team": self.min_team})
            if self.approval_rule is not None or self.redraw_rule is not None:
                ok = (self.approval_rule is None or bool(p.get("approved_by"))) and (
                    self.redraw_rule is None or bool(p.get("drawn"))
                )
                out.append(
                    {"t": "replaced", "approved": ok, "removed": p["removed"], "added": p["added"]}
                )
        elif kind is EventType.LIST_ACCESSED:
            if self.confidential is not None:
                role = p.get("role")
                allowed = role != AccessRole.ENTITY.value and (
                    event.actor in task.team
                    or role in (AccessRole.APPROVER.value, AccessRole.FILING.value)
                )
                out.append(
                    {
                        "t": "accessed",
                        "actor": event.actor,
                        "day": n,
                        "at": event.time.timestamp(),
                        "insider": allowed,
                        "before_start": True,  # set when judged, from the start's time
                    }
                )
        elif kind is EventType.INSPECTION_STARTED:
            task.started = True
            at = event.time.timestamp()
            task.started_at = at if task.started_at is None else min(task.started_at, at)
            out.extend(self._inspection_facts(p, n, task))
        elif kind is EventType.INSPECTION_COMPLETED:
            at = event.time.timestamp()
            task.completed_at = at if task.completed_at is None else min(task.completed_at, at)
            if not task.started:  # only its end recorded (an export's 检查日期): it tells the same
                out.extend(self._inspection_facts(p, n, task))
            task.inspected = True
            task.inspected_on = task.inspected_on or n
            watched = self.approval_rule or self.redraw_rule or self.list_rule
            by = set(p.get("inspectors", []))
            if watched is not None and task.on_site and task.team and by != task.team:
                out.append({"t": "team_differs", "team": sorted(task.team), "by": sorted(by)})
            if self.entry is not None:
                out.append({"t": "result_entry_due", "due": self._due(self.entry, day)})
            if self.disclosure is not None and self.disclosure.after == "inspection_completed":
                out.append({"t": "disclosure_due", "due": self._due(self.disclosure, day)})
        elif kind is EventType.RESULT_RECORDED:
            out.append({"t": "result", "day": n})
            task.inspected = True
            task.inspected_on = task.inspected_on or n
            if self.disclosure is not None and self.disclosure.after == "task_completed":
                out.append({"t": "disclosure_due", "due": self._due(self.disclosure, day)})
            problem = p["outcome"] in (Outcome.RECTIFY.value, Outcome.CASE_FILED.value)
            if self.rectification is not None and problem:
                due = self._due(self.rectification, day)
                task.facts.append({"t": "rect_marker", "due": due})
                out.append({"t": "rectification_due", "due": due})
        elif kind is EventType.RECTIFICATION_PROGRESS:
            marker = next((f["due"] for f in task.facts if f["t"] == "rect_marker"), None)
            if p.get("reason_not_done") and marker is not None and n <= marker:
                out.append({"t": "rectification_excused"})
        elif kind is EventType.RECTIFICATION_COMPLETED:
            out.append({"t": "rectified", "day": n})
        elif kind is EventType.DISCLOSURE_PUBLISHED:
            out.append({"t": "disclosed", "day": n})
        return out

    def _inspection_facts(self, p: dict[str, Any], n: int, task: _Task) -> list[dict[str, Any]]:
        """What an inspection shows, from its start (or its end when no start is recorded):
        how it was made (on site, of a positive-list entity) and by how many."""
        out: list[dict[str, Any]] = []
        onsite = p.get("mode", Mode.ON_SITE.value) == Mode.ON_SITE.value
        if self.non_site is not None and self.positive is not None:
            out.append(
                {
                    "t": "started",
                    "day": n,
                    "onsite": onsite,
                    "complaint": bool(p.get("complaint")),
                    "positive": task.uscc in self.positive,
                }
            )
        # 本溪 七(五) 检查人员执行抽查任务时…不少于2人: the team that inspects, when the
        # record names it (an import without the names records a placeholder, not a team)
        who = [i for i in p.get("inspectors", []) if i != NOT_RECORDED]
        if self.min_team and onsite and who:
            out.append({"t": "team_size", "team": len(set(who)), "min_team": self.min_team})
        return out


def _quarter(label: str | None, day: dt.date) -> Quarter:
    """The quarter a dispatch names (``period``), else the quarter of its day."""
    if label:
        try:
            return Quarter.parse(label)
        except Exception:  # a period the dispatch does not name well: its day decides
            pass
    return Quarter.of(day)


def _approver(rule: Replacement | ListFixed) -> str | None:
    return rule.approval_by if isinstance(rule, Replacement) else rule.changes_approved_by


def _deadline(policy: Policy, obligation: str) -> Deadline | None:
    rule = policy.deadline(obligation)
    return rule if isinstance(rule, Deadline) else None


def _positive(registry: Registry) -> list[str]:
    return [u for u, flag in zip(registry.column("uscc"), registry.column("positive_list")) if flag]


DONE_BY = {"result_entry": "result", "disclosure": "disclosed", "rectification": "rectified"}
"""The fact that fulfils each deadline."""


class Monitor:
    """Feed ledger events as they happen; ask for violations and what is due soon.

    A batch audit is the same: feed every event of a ledger, then ask.
    """

    def __init__(self, obligations: Obligations) -> None:
        self.obligations = obligations
        self._tasks: dict[str, _Task] = {}
        self._revealed: dict[str, set[str]] = {}
        self._sealed: set[str] = set()
        self._periods: dict[str, str] = {}  # draw -> the period it was sealed for
        self._imported_draws: set[str] = set()
        self._dispatched: dict[str, list[tuple[str, dict[str, Any]]]] = {}
        self._draw_of: dict[str, str | None] = {}

    def _check_list(self, task_id: str, payload: dict[str, Any], revealed: set[str]) -> None:
        """A task dispatched under a draw but not on its revealed list, without approval."""
        if (
            task_id not in revealed
            and not payload.get("approved_by")
            and self.obligations.list_rule
        ):
            fact = {"t": "off_list", "draw": payload.get("draw_id"), "uscc": payload.get("uscc")}
            self._tasks.setdefault(task_id, _Task()).facts.append(fact)

    def feed(self, event: LedgerEvent) -> None:
        if event.type is EventType.DRAW_SEALED:
            self._sealed.add(event.payload["draw_id"])
            self._periods[event.payload["draw_id"]] = event.payload["period"]
            return
        if event.type is EventType.TASK_DISPATCHED:
            self._draw_of.setdefault(event.payload["task_id"], event.payload.get("draw_id"))
        if event.type is EventType.DRAW_REVEALED:
            draw = event.payload["draw_id"]
            revealed = set(event.payload.get("tasks", []))
            if event.payload.get("source") is not None:  # exports may name a batch's
                revealed |= self._revealed.get(draw, set())  # tasks across several files
            self._revealed[draw] = revealed
            if self.obligations.random is not None:  # each drawn task is owed an inspection
                end = _quarter(self._periods.get(draw), _day(event.time)).end.toordinal()
                for task_id in revealed:
                    drawn = self._tasks.setdefault(task_id, _Task())
                    drawn.quarter_end = drawn.quarter_end or end
            if event.payload.get("source") is not None:
                # a platform's record of its draw (ledger import): it has no commitment
                # to seal, and its word is what the records hold (see RandomDraw's note)
                self._imported_draws.add(draw)
            for task_id, payload in self._dispatched.pop(draw, []):
                self._check_list(task_id, payload, revealed)
            return
        if event.type is EventType.TASK_DISPATCHED and event.payload.get("draw_id"):
            draw = event.payload["draw_id"]
            if draw in self._revealed:
                self._check_list(event.payload["task_id"], event.payload, self._revealed[draw])
            else:
                self._dispatched.setdefault(draw, []).append(
                    (event.payload["task_id"], event.payload)
                )
        if event.type is EventType.DISCLOSURE_PUBLISHED:
            subjects = list(event.payload["task_ids"])
        elif event.type is EventType.LIST_ACCESSED and event.task_id is None:
            # the whole draw's list read: a read of each task's entry on it
            draw = event.payload["draw_id"]
            subjects = sorted(
                self._revealed.get(draw) or {t for t, d in self._draw_of.items() if d == draw}
            )
        elif event.task_id is not None:
            subjects = [event.task_id]
        else:
            return  # draw-level and reporting events: judged by the aggregates
        for subject in subjects:
            task = self._tasks.setdefault(subject, _Task())
            task.facts.extend(self.obligations.facts(event, task))

    def feed_all(self, events: Iterable[LedgerEvent]) -> Monitor:
        for event in events:
            self.feed(event)
        return self

    def violations(self, as_of: dt.date) -> list[Violation]:
        """Every violation so far, missing obligations included, as of ``as_of``."""
        found: list[Violation] = []
        audit = {"t": "audit", "day": as_of.toordinal()}
        rule_ids = self._rule_ids()
        for subject, task in self._tasks.items():
            facts = [
                # "before the inspection" by the times recorded, whatever order they came in
                {**f, "before_start": f["at"] < _began(task)} if f["t"] == "accessed" else f
                for f in task.facts
                if f["t"] != "rect_marker"
            ]
            if self.obligations.random is not None and subject in self._draw_of:
                draw = self._draw_of[subject]
                why = (
                    "dispatched without a draw"
                    if draw is None
                    else None
                    if (draw in self._sealed or draw in self._imported_draws)
                    and draw in self._revealed
                    else f"draw {draw} is not sealed and revealed in the ledger"
                )
                if why:
                    facts.append({"t": "not_drawn", "why": why})
            # a drawn task not inspected by its quarter's end, as of the audit date
            late = task.quarter_end is not None and as_of.toordinal() > task.quarter_end
            after = task.inspected_on is not None and task.inspected_on > (task.quarter_end or 0)
            if late and (not task.inspected or after):
                facts.append(
                    {"t": "uninspected", "due": task.quarter_end, "as_of": as_of.toordinal()}
                )
            if not facts:
                continue
            too_small = False
            for finding in self.obligations.engine.facts(subject, [*facts, audit]):
                detail = {k: _date_of(k, v) for k, v in finding.data.items()}
                kind = finding.rule_id
                if kind == "team.too_small":  # one per task, however many times it was short
                    if too_small:
                        continue
                    too_small = True
                rule_id = rule_ids.get(kind) or rule_ids.get(kind.rsplit(".", 1)[0], kind)
                found.append(Violation(rule_id, kind, subject, detail))
        return sorted(found, key=lambda v: (v.task_id, v.kind))

    def due_within(self, today: dt.date, working_days: int) -> list[Due]:
        """Open obligations falling due from ``today`` to ``working_days`` working days ahead."""
        horizon = self.obligations.calendar.add_working_days(today, working_days).date.toordinal()
        rule_ids = self._rule_ids()
        out = []
        for subject, task in self._tasks.items():
            kinds = {f["t"] for f in task.facts}
            for fact in task.facts:
                kind = fact["t"].removesuffix("_due")
                open_ = fact["t"].endswith("_due") and DONE_BY[kind] not in kinds
                if open_ and today.toordinal() <= fact["due"] <= horizon:
                    out.append(Due(kind, subject, dt.date.fromordinal(fact["due"]), rule_ids[kind]))
        return sorted(out, key=lambda d: (d.due, d.task_id))

    def _rule_ids(self) -> dict[str, str]:
        ob = self.obligations
        ids = {}
        for short, rule in (
            ("result_entry", ob.entry),
            ("disclosure", ob.disclosure),
            ("rectification", ob.rectification),
        ):
            if rule is not None:
                ids[short] = rule.id
        team = ob.policy.one(Team)
        if team is not None:
            ids["team"] = team.id
        if ob.approval_rule is not None or ob.redraw_rule is not None:
            ids["list"] = (ob.approval_rule or ob.redraw_rule).id  # type: ignore[union-attr]
        if ob.list_rule is not None:
            ids["list.off_list_task"] = ob.list_rule.id
        if ob.confidential is not None:
            ids["confidential"] = ob.confidential.id
        if ob.non_site is not None:
            ids["non_site"] = ob.non_site.id
        if ob.random is not None:
            ids["task"] = ob.random.id
        if ob.list_rule is not None and "list" not in ids:
            ids["list"] = ob.list_rule.id
        return ids


def _date_of(key: str, value: Any) -> Any:
    if key in ("due", "day", "as_of") and isinstance(value, int | float):
        return dt.date.fromordinal(int(value)).isoformat()
    return value
