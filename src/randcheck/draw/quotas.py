"""Quotas: how many entities of each class to draw this quarter, and why.

For each class, every rule of the policy that sets a number gives a term:

- ``QuarterlyShare``: the fraction of the class's operating entities (within its
  scope), rounded up;
- ``StaffMultiple``: the yearly count (k × inspectors) not yet reached this
  year, spread over the quarters left;
- ``CoverageCycle``: the inspections the cycle still needs (each entity M times
  in N years), spread over the quarters left in the cycle, and never fewer than
  the entities that must be drawn now to fit their remaining visits in;
- ``QuarterlyMinimum``: a fixed number.

The quota is the largest term, never more than the eligible pool; a quota cut
to the pool is flagged, never silently. ``NoMinimum`` and ``NotSpecified``
give no term and say so.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from randcheck.draw.history import History
from randcheck.models import EntityClass, Inspector
from randcheck.periods import Quarter
from randcheck.policies.dates import cycle_of
from randcheck.policies.model import (
    CoverageCycle,
    NoMinimum,
    NotSpecified,
    Policy,
    QuarterlyMinimum,
    QuarterlyShare,
    StaffMultiple,
    years_after,
)

CLASS_ORDER = (EntityClass.KEY, EntityClass.SPECIAL, EntityClass.GENERAL)
"""The order classes are drawn and teams assigned in."""


@dataclass(frozen=True)
class QuotaTerm:
    """One rule's number for one class, with the clause behind it."""

    rule_id: str
    clause: str
    count: int
    explanation: str


@dataclass(frozen=True)
class ClassQuota:
    """The number of entities of one class to draw, and how it was reached."""

    entity_class: EntityClass
    quota: int
    required: int
    base: int
    eligible: int
    uncovered: int
    terms: tuple[QuotaTerm, ...]
    notes: tuple[str, ...] = ()

    @property
    def capped(self) -> bool:
        """The rules asked for more than the eligible pool holds."""
        return self.required > self.eligible

    @property
    def deciding(self) -> QuotaTerm | None:
        return max(self.terms, key=lambda t: t.count) if self.terms else None

    def to_json(self) -> dict[str, Any]:
        return {
            "class": self.entity_class.value,
            "quota": self.quota,
            "required": self.required,
            "capped": self.capped,
            "base": self.base,
            "eligible": self.eligible,
            "uncovered": self.uncovered,
            "terms": [vars(t) for t in self.terms],
            "notes": list(self.notes),
        }


def count_inspectors(inspectors: Sequence[Inspector], basis: str) -> int:
    """On-staff officers (``on_staff``) or certified on-staff officers (``certified``)."""
    if basis == "certified":
        return sum(1 for i in inspectors if i.on_staff and i.has_certificate and not i.auxiliary)
    return sum(1 for i in inspectors if i.on_staff and not i.auxiliary)


@dataclass(frozen=True)
class CycleNeeds:
    """Eligible entities the coverage cycle still needs, and those it needs now.

    ``uncovered``: not yet inspected as often as the cycle asks. ``now``: of those,
    the ones that must be drawn this quarter to fit their remaining visits into the
    quarters left (an entity with 0 of its 2 visits and two quarters left).
    """

    uncovered: frozenset[str] = frozenset()
    now: frozenset[str] = frozenset()


@dataclass
class ClassPool:
    """A class's entities for one draw: all in its base (``operating``: the operating ones
    unless the policy's DrawBase says otherwise), and those eligible now."""

    operating: list[str] = field(default_factory=list)
    eligible: list[str] = field(default_factory=list)
    in_scope: Mapping[str, bool] = field(default_factory=dict)
    base_label: str = "operating"
    """How the quota terms name the base: "operating", or "registered (not closed)"."""


def _gap_term(
    rule: CoverageCycle, policy: Policy, pool: ClassPool, period: Quarter, earlier: History
) -> tuple[QuotaTerm, CycleNeeds]:
    """A per-entity cycle: each entity again within ``years`` of its last inspection (or of
    the policy's start, for one never inspected). Due this quarter: those whose limit falls
    in it or before; the term spreads the rest over the quarters left to each limit."""
    last = earlier.last_dates()
    start = policy.effective_from
    limits: dict[dt.date, int] = {}  # last inspection -> the quarter its limit falls in

    def limit_quarter(day: dt.date) -> int:
        found = limits.get(day)
        if found is None:
            limit = years_after(day, rule.years) - dt.timedelta(days=1)
            found = limits[day] = limit.year * 4 + (limit.month - 1) // 3
        return found

    now: set[str] = set()
    soon: set[str] = set()
    rate = 0.0
    here = period.index
    get = last.get
    for u in pool.eligible:
        left = limit_quarter(get(u, start)) - here + 1
        if left <= 1:
            now.add(u)
            rate += 1
        else:
            rate += 1 / left
            if left <= 4:
                soon.add(u)
    count = max(math.ceil(round(rate, 9)), len(now))
    why = (
        f"{len(now)} due by {period.label} ({rule.years} years since their last inspection); "
        f"{len(pool.eligible) - len(now)} others spread over the quarters to their limits"
    )
    return (
        QuotaTerm(rule.id, str(rule.citation), count, why),
        CycleNeeds(frozenset(now | soon), frozenset(now)),
    )


def compute_quota(
    policy: Policy,
    entity_class: EntityClass,
    pool: ClassPool,
    period: Quarter,
    history: History,
    inspectors: Sequence[Inspector],
) -> tuple[ClassQuota, CycleNeeds]:
    """The class's quota, and the eligible entities its coverage cycle still needs."""
    terms: list[QuotaTerm] = []
    notes: list[str] = []
    earlier = history.before(period.start)
    needs_now = CycleNeeds()

    share = policy.class_rule(QuarterlyShare, entity_class)
    if share is not None:
        base = [u for u in pool.operating if not share.scope or pool.in_scope.get(u, False)]
        count = math.ceil(round(share.min_fraction * len(base), 9))
        scope = " in scope" if share.scope else ""
        why = (
            f"{share.min_fraction * 100:g} % of {len(base)} {pool.base_label} "
            f"{entity_class.value.lower()} entities{scope}, rounded up"
        )
        terms.append(QuotaTerm(share.id, str(share.citation), count, why))

    multiple = policy.class_rule(StaffMultiple, entity_class)
    if multiple is not None:
        staff = count_inspectors(inspectors, multiple.basis)
        yearly = math.ceil(multiple.multiple * staff)
        members = set(pool.operating)
        done = sum(
            1 for u in earlier.between(dt.date(period.year, 1, 1), period.start) if u in members
        )
        left = period.quarters_left_in_year
        count = math.ceil(max(0, yearly - done) / left)
        why = (
            f"{multiple.multiple:g} x {staff} inspectors = {yearly} a year; "
            f"{done} done; {max(0, yearly - done)} over {left} quarter(s) left"
        )
        terms.append(QuotaTerm(multiple.id, str(multiple.citation), count, why))

    coverage = policy.class_rule(CoverageCycle, entity_class)
    if coverage is not None and coverage.measure == "gap":
        term, needs_now = _gap_term(coverage, policy, pool, period, earlier)
        terms.append(term)
    elif coverage is not None:
        cycle = cycle_of(coverage, policy, period)
        seen = earlier.between(cycle.start, cycle.end)
        times, done_in_cycle = coverage.times, seen.get
        needs = {u: n for u in pool.eligible if (n := times - done_in_cycle(u, 0)) > 0}
        now = frozenset(u for u, n in needs.items() if n >= cycle.quarters_left)
        needs_now = CycleNeeds(frozenset(needs), now)
        total = sum(needs.values())
        forced = len(now)
        count = max(math.ceil(total / cycle.quarters_left), forced)
        why = (
            f"{total} inspection(s) still needed by {cycle.end} ({len(needs)} entities) "
            f"over {cycle.quarters_left} quarter(s)"
            + (f"; {forced} must be drawn now" if forced else "")
        )
        terms.append(QuotaTerm(coverage.id, str(coverage.citation), count, why))

    minimum = policy.class_rule(QuarterlyMinimum, entity_class)
    if minimum is not None:
        why = f"at least {minimum.count} each quarter"
        terms.append(QuotaTerm(minimum.id, str(minimum.citation), minimum.count, why))

    for rule in policy.rules_of(NotSpecified):
        if rule.entity_class is entity_class:
            notes.append(f"{rule.id}: not specified ({rule.stated}), {rule.citation}")
    no_minimum = policy.class_rule(NoMinimum, entity_class)
    if no_minimum is not None:
        notes.append(f"{no_minimum.id}: no minimum, inspections any time, {no_minimum.citation}")
    if not terms and not notes:
        notes.append("the policy sets no number for this class")

    required = max((t.count for t in terms), default=0)
    quota = min(required, len(pool.eligible))
    if required > quota:
        notes.append(f"capped: the rules ask for {required}, the eligible pool holds {quota}")
    quota_ = ClassQuota(
        entity_class,
        quota,
        required,
        len(pool.operating),
        len(pool.eligible),
        len(needs_now.uncovered),
        tuple(terms),
        tuple(notes),
    )
    return quota_, needs_now
