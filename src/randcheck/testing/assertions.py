"""Expected verdicts, compared with the verdict, and a failure that explains itself.

A case (or a Python test, :func:`assert_verdict`) names the rules it checks and
what each should be: a status, and optionally the measured value, who is at
fault, and a note. Rules it does not name are not checked, as an OpenFisca test
checks only the outputs it names. A difference is reported rule by rule with
what a reviewer needs to judge it without a debugger: the clause and its quoted
sentence, expected against actual, what the verdict found, and the ledger events
that decided it, one line each.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from randcheck.audit import RuleVerdict, Status, Verdict, audit
from randcheck.calendar import WorkingCalendar
from randcheck.errors import InputError
from randcheck.ledger.chain import LedgerEvent
from randcheck.ledger.events import PAYLOADS, SHANGHAI, EventType
from randcheck.ledger.store import Ledger
from randcheck.models.vocab import Evidence
from randcheck.periods import Quarter
from randcheck.policies import Policy, get_policy, resolve_policy
from randcheck.registry import Registry
from randcheck.testing.compact import CaseError, EventBuilder

HEX64 = re.compile(r"[0-9a-f]{64}")

MAX_EVENT_LINES = 30
"""Events shown under one rule; the rest are counted."""


@dataclass(frozen=True)
class Expected:
    """What one rule's verdict should be.

    ``measured`` and ``note`` match when they appear in the verdict's text;
    ``violations`` are who is at fault (the verdict's subjects: task ids for
    per-record rules, quarters or entities for aggregates), compared as a set.
    """

    rule_id: str
    status: Status
    measured: str | None = None
    violations: tuple[str, ...] | None = None
    note: str | None = None

    def differs_from(self, actual: RuleVerdict) -> list[str]:
        """What of this expectation ``actual`` does not meet: status, measured …"""
        wrong = []
        if actual.status is not self.status:
            wrong.append("status")
        if self.measured is not None and self.measured not in actual.measured:
            wrong.append("measured")
        if self.violations is not None and set(self.violations) != set(actual.subjects):
            wrong.append("violations")
        if self.note is not None and self.note not in actual.note:
            wrong.append("note")
        return wrong

    def describe(self) -> str:
        parts = [self.status.value]
        if self.measured is not None:
            parts.append(f"measured ⊇ {self.measured!r}")
        if self.violations is not None:
            parts.append(f"violations [{', '.join(self.violations)}]")
        if self.note is not None:
            parts.append(f"note ⊇ {self.note!r}")
        return "; ".join(parts)


def _status(value: Any, where: str) -> Status:
    if isinstance(value, str):
        try:
            return Status.of(value)
        except ValueError:
            pass
    raise CaseError(
        f"unknown status {value!r}",
        where=where,
        hint=f"write one of {', '.join(s.value for s in Status)} (or its Chinese label)",
    )


def _texts(value: Any, where: str) -> tuple[str, ...]:
    items = [value] if isinstance(value, str) else value
    if not isinstance(items, list | tuple) or not all(isinstance(i, str) for i in items):
        raise CaseError(
            "violations is a list of task ids or subjects (texts)",
            where=where,
            hint="write violations: [T1, T2], or [] for none",
        )
    return tuple(items)


EXPECT_KEYS = ("status", "measured", "violations", "note")


def parse_expect(policy: Policy, expect: Any, where: str) -> dict[str, Expected]:
    """``{rule_id: STATUS}`` or ``{rule_id: {status, measured, violations, note}}``,
    checked against the policy's rules; a :class:`CaseError` naming the field."""
    if not isinstance(expect, Mapping) or not expect:
        raise CaseError(
            "expect names at least one rule and its status",
            where=where,
            hint="write expect: {disclosure.deadline: PASS}",
        )
    known = [r.id for r in policy.rules]
    out: dict[str, Expected] = {}
    for rule_id, value in expect.items():
        here = f"{where}.{rule_id}"
        if rule_id not in known:
            raise CaseError(
                f"{policy.id} {policy.version} has no rule {rule_id!r}",
                where=here,
                hint=f"its rules: {', '.join(known)}",
            )
        if isinstance(value, Mapping):
            unknown = sorted(set(value) - set(EXPECT_KEYS))
            if unknown:
                raise CaseError(
                    f"unknown key {unknown[0]!r}",
                    where=f"{here}.{unknown[0]}",
                    hint=f"an expected verdict has {', '.join(EXPECT_KEYS)}",
                )
            if "status" not in value:
                raise CaseError("the expected status is missing", where=f"{here}.status")
            for key in ("measured", "note"):
                if key in value and not isinstance(value[key], str):
                    raise CaseError(f"{key} is a text", where=f"{here}.{key}")
            out[rule_id] = Expected(
                rule_id,
                _status(value["status"], f"{here}.status"),
                value.get("measured"),
                _texts(value["violations"], f"{here}.violations")
                if "violations" in value
                else None,
                value.get("note"),
            )
        else:
            out[rule_id] = Expected(rule_id, _status(value, here))
    return out


# --- the failure report --------------------------------------------------------------


def _shown(value: Any) -> str:
    if isinstance(value, str) and HEX64.fullmatch(value):
        return value[:12] + "…"  # a digest: its start tells one from another
    if isinstance(value, list):
        return "[" + ", ".join(_shown(v) for v in value) + "]"
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"), sort_keys=True)
    return str(value)


def event_line(event: LedgerEvent, label: str | None = None) -> str:
    """One event on one line: where it came from, when, what, its subject, who, and
    the payload fields that differ from their defaults."""
    fields = PAYLOADS[event.type].model_fields
    shown = []
    for name, value in event.payload.items():
        if name in ("task_id", "draw_id", "source") and value in (event.subject, None):
            continue
        info = fields.get(name)
        default = info.get_default(call_default_factory=True) if info else object()
        if info is not None and not info.is_required() and value == default:
            continue
        shown.append(f"{name}={_shown(value)}")
    when = event.time.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M")
    place = label or f"#{event.seq}"
    what = f"{event.type.value} {event.type.zh}"
    return f"{place}  {when}  {what}  {event.subject} by {event.actor}: " + ", ".join(shown)


def _periods(subjects: Iterable[str]) -> list[tuple[dt.date, dt.date]]:
    spans = []
    for subject in subjects:
        if subject.isdigit() and len(subject) == 4:
            spans.append((dt.date(int(subject), 1, 1), dt.date(int(subject), 12, 31)))
            continue
        try:
            quarter = Quarter.parse(subject)
        except InputError:
            continue
        spans.append((quarter.start, quarter.end))
    return spans


def deciding_events(events: list[LedgerEvent], subjects: Iterable[str]) -> list[LedgerEvent]:
    """The events of the subjects involved: a task's own events (a disclosure naming it
    too), an entity's tasks, a draw's events, a quarter's or a year's events; all of
    the events when none of them names a subject (a PASS expected to fail, say)."""
    wanted = set(subjects)
    tasks = set(wanted)
    for event in events:
        if event.type is EventType.TASK_DISPATCHED and event.payload.get("uscc") in wanted:
            tasks.add(event.payload["task_id"])
    spans = _periods(wanted)
    picked = [
        e
        for e in events
        if e.subject in tasks
        or e.payload.get("draw_id") in wanted
        or any(t in tasks for t in e.payload.get("task_ids", ()))
        or any(start <= e.day <= end for start, end in spans)
    ]
    return picked or events


def _actual(actual: RuleVerdict) -> str:
    parts = [actual.status.value]
    if actual.measured:
        parts.append(f"measured {actual.measured!r}")
    parts.append(f"violations [{', '.join(actual.subjects)}]")
    return "; ".join(parts)


def explain(
    verdict: Verdict,
    actual: RuleVerdict,
    expected: Expected,
    wrong: list[str],
    events: list[LedgerEvent],
    labels: Mapping[int, str] | None = None,
) -> list[str]:
    """The lines that explain one rule's difference (see the module docstring)."""
    rule, cite = actual.rule, actual.rule.citation
    lines = [
        f"{rule.id} — {cite.document} {cite.clause} ({rule.strength.value}): {rule.title}",
        f"  「{cite.quote}」",
        f"  expected: {expected.describe()}",
        f"  actual:   {_actual(actual)}",
        f"  differs in: {', '.join(wrong)}",
    ]
    if actual.required:
        lines.append(f"  required: {actual.required}")
    if actual.note:
        lines.append(f"  note: {actual.note}")
    found = [v for v in verdict.violations if v.rule_id == rule.id]
    if found:
        lines.append("  violations found:")
        lines += [f"    {v.task_id}: {v.kind} {_shown(v.detail)}" for v in found]
    involved = sorted(set(actual.subjects) | set(expected.violations or ()))
    deciding = deciding_events(events, involved)
    whose = f" (those of {', '.join(involved)})" if deciding is not events else ""
    lines.append(f"  events that decided it{whose}:" if deciding else "  no events")
    labels = labels or {}
    lines += [f"    {event_line(e, labels.get(e.seq))}" for e in deciding[:MAX_EVENT_LINES]]
    if len(deciding) > MAX_EVENT_LINES:
        lines.append(f"    … and {len(deciding) - MAX_EVENT_LINES} more")
    return lines


class VerdictMismatch(AssertionError):
    """The verdict is not what was expected; the message explains each rule."""


def check_verdict(
    verdict: Verdict,
    expected: Mapping[str, Expected],
    events: list[LedgerEvent],
    *,
    title: str,
    labels: Mapping[int, str] | None = None,
) -> None:
    """Raise :class:`VerdictMismatch` listing every expected rule the verdict differs on."""
    by_id = {r.rule.id: r for r in verdict.rules}
    blocks = []
    for exp in expected.values():
        actual = by_id[exp.rule_id]
        wrong = exp.differs_from(actual)
        if wrong:
            blocks.append(explain(verdict, actual, exp, wrong, events, labels))
    if blocks:
        period = f"{verdict.year}Q{verdict.quarter}" if verdict.quarter else str(verdict.year)
        head = (
            f"{title}: {len(blocks)} of {len(expected)} expected verdict(s) differ "
            f"({verdict.policy.id} {verdict.policy.version}, {period}, as of {verdict.as_of})"
        )
        raise VerdictMismatch("\n".join([head, *("\n".join(b) for b in blocks)]))


# --- for Python tests ------------------------------------------------------------------


def _policy(policy: Policy | str, year: int, quarter: int | None) -> Policy:
    if isinstance(policy, Policy):
        return policy
    if "@" in policy:
        policy_id, version = policy.split("@", 1)
        return get_policy(policy_id, version=version)
    span = Quarter(year, quarter) if quarter else None
    start, end = (span.start, span.end) if span else (dt.date(year, 1, 1), dt.date(year, 12, 31))
    return resolve_policy(policy, during=(start, end))


def assert_verdict(
    ledger_or_events: Ledger | Iterable[LedgerEvent] | Iterable[Mapping[str, Any]],
    policy: Policy | str,
    year: int,
    *,
    expect: Mapping[str, Any],
    quarter: int | None = None,
    as_of: dt.date | None = None,
    registry: Registry | None = None,
    evidence: Collection[Evidence | str] | None = None,
    calendar: WorkingCalendar | None = None,
) -> Verdict:
    """Audit and assert the verdict of the rules named in ``expect``; return the verdict.

    ``ledger_or_events``: a ledger, its events, or events in the compact form of the
    case files (``{"on": "2025-07-10", "do": "dispatch", "task": "T1", ...}``).
    ``policy``: a policy, or an id (``huojia``), ``id@version`` or a policy file.
    ``expect``: as in a case file, ``{"disclosure.deadline": "PASS",
    "key.quarterly_share": {"status": "FAIL", "violations": ["2025Q3"]}}``.
    A difference raises :class:`VerdictMismatch` (an ``AssertionError``) explaining
    each rule: its clause, expected against actual, and the events that decided it.
    """
    chosen = _policy(policy, year, quarter)
    expected = parse_expect(chosen, expect, "expect")
    labels: dict[int, str] = {}
    if isinstance(ledger_or_events, Ledger):
        events = list(ledger_or_events.events())
    else:
        given = list(ledger_or_events)
        if all(isinstance(e, LedgerEvent) for e in given):
            events = [e for e in given if isinstance(e, LedgerEvent)]
        elif all(isinstance(e, Mapping) for e in given):
            builder = EventBuilder("events", policy=chosen, registry=registry)
            builder.add_all(given)
            events, labels = builder.events, builder.labels
        else:
            raise InputError(
                "give a ledger, its events, or compact events (mappings), not a mix",
                where="ledger_or_events",
            )
    verdict = audit(
        chosen,
        events,
        year,
        quarter=quarter,
        as_of=as_of,
        registry=registry,
        calendar=calendar,
        evidence=evidence,
    )
    check_verdict(verdict, expected, events, title="assert_verdict", labels=labels)
    return verdict
