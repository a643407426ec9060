"""``audit``: every rule of a policy judged against a ledger's events, as of a date."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from randcheck.audit.facts import gather
from randcheck.audit.judges import Context, judge_all
from randcheck.audit.obligations import Monitor, Obligations
from randcheck.audit.verdict import Verdict
from randcheck.calendar import WorkingCalendar, default_calendar
from randcheck.ledger.chain import LedgerEvent
from randcheck.policies.model import Policy
from randcheck.registry import Registry


def audit(
    policy: Policy,
    events: Iterable[LedgerEvent],
    year: int,
    *,
    quarter: int | None = None,
    as_of: dt.date | None = None,
    registry: Registry | None = None,
    calendar: WorkingCalendar | None = None,
) -> Verdict:
    """Judge every rule of ``policy`` against a ledger's events, as of a date.

    Per-record obligations are fed event by event to durable-rules
    (:mod:`randcheck.audit.obligations`); aggregates are computed from the facts
    gathered in the same pass (:mod:`randcheck.audit.facts`); each rule is judged
    by its kind's judge (:mod:`randcheck.audit.judges`). Coverage cycles need the
    ``registry``'s entity list. A period before the policy is in force is refused.
    """
    calendar = calendar or default_calendar()
    as_of = as_of or dt.date.today()
    policy.check_in_force(year, quarter)
    monitor = Monitor(Obligations(policy, calendar, registry))
    facts = gather(events, monitor)
    violations = monitor.violations(as_of)
    context = Context(policy, facts, violations, year, quarter, as_of, calendar, registry)
    results = judge_all(context, policy.rules)
    return Verdict(policy, year, quarter, as_of, results, violations, dict(facts.per_inspector))
