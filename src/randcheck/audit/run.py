"""``audit``: every rule of a policy judged against a ledger's events, as of a date."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Iterable

from randcheck.audit.evidence import UNSHOWN, shown_by
from randcheck.audit.facts import Facts, gather, per_inspector
from randcheck.audit.judges import Context, judge_all
from randcheck.audit.obligations import Monitor, Obligations
from randcheck.audit.verdict import Verdict
from randcheck.calendar import WorkingCalendar, default_calendar
from randcheck.ledger.chain import LedgerEvent
from randcheck.models.vocab import Evidence
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
    evidence: Collection[Evidence | str] | None = None,
) -> Verdict:
    """Judge every rule of ``policy`` against a ledger's events, as of a date.

    Per-record obligations are fed event by event to durable-rules
    (:mod:`randcheck.audit.obligations`); aggregates are computed from the facts
    gathered in the same pass (:mod:`randcheck.audit.facts`); each rule is judged
    by its kind's judge (:mod:`randcheck.audit.judges`). Coverage cycles need the
    ``registry``'s entity list. A period before the policy is in force is refused.

    Records that do not show classes take each entity's class from ``registry``.

    ``evidence``: what the records can show (:class:`~randcheck.models.vocab.Evidence`);
    by default read from the events: everything for a ledger randcheck kept, what the
    imports declare for records kept elsewhere (:mod:`randcheck.audit.evidence`). A rule
    needing evidence not shown is NOT_ENOUGH_DATA, naming it.
    """
    calendar = calendar or default_calendar()
    as_of = as_of or dt.date.today()
    policy.check_in_force(year, quarter)
    monitor = Monitor(Obligations(policy, calendar, registry))
    recorded = events if isinstance(events, list) else list(events)
    # as of a date: what had happened by then; a later event does not count for it (what
    # the records can show is read from all of them: an import is recorded after the fact)
    events = [e for e in recorded if e.day <= as_of]
    facts = gather(events, monitor)
    violations = monitor.violations(as_of)
    shown = shown_by(recorded) if evidence is None else frozenset(Evidence.of(e) for e in evidence)
    if Evidence.CLASSES not in shown and registry is not None:
        classes_from_registry(facts, registry)
        shown |= {Evidence.CLASSES}
    context = Context(policy, facts, violations, year, quarter, as_of, calendar, registry, shown)
    results = judge_all(context, policy.rules)
    gated = {r.rule.id for r in results if r.note.startswith(UNSHOWN)}
    kept = [v for v in violations if v.rule_id not in gated]
    return Verdict(policy, year, quarter, as_of, results, kept, dict(per_inspector(facts, year)))


def classes_from_registry(facts: Facts, registry: Registry) -> None:
    """Records that do not show each entity's class (a published disclosure table has
    no column for it) take it from the registry given: the class the bureau's own
    名录库 gives the entity. An entity missing from the registry stays unclassed."""
    for task in facts.tasks.values():
        entity = registry.get_entity(task.uscc) if task.uscc else None
        task.entity_class = entity.entity_class.value if entity is not None else None
