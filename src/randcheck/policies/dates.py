"""When a policy's dated rules fall due: obligation instances and coverage cycles.

Period arithmetic on policy rules, shared by the draw (quotas), the audit and
the published schedule: one place, so the three agree on every date.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from randcheck.calendar import WorkingCalendar
from randcheck.periods import Quarter
from randcheck.policies.model import (
    BeforeYearEnd,
    CoverageCycle,
    DatedObligation,
    MonthlyBy,
    Policy,
    QuarterEnd,
    QuarterMonthDay,
    QuarterStartWithin,
    YearlyDate,
)


def instances(
    rule: DatedObligation,
    year: int,
    quarters: Sequence[Quarter],
    calendar: WorkingCalendar | None = None,
) -> list[tuple[str, dt.date]]:
    """(the period it covers, the date it is due) for each time ``rule`` falls due.

    A period counted in days from a quarter's start (青岛 二(二) 15 日内) whose last day
    is a day off ends on the next working day (民法典 第二百零三条), on ``calendar``;
    a fixed date (每年1月5日前, 每月5日前) stays where the text puts it. Without a
    calendar no date is moved.
    """
    when = rule.when
    if isinstance(when, YearlyDate):
        target = str(year + 1) if when.of == "next_year_plan" else str(year)
        return [(target, dt.date(year, when.month, when.day))]
    if isinstance(when, BeforeYearEnd):
        return [(str(year), dt.date(year, 12, 31))]
    if isinstance(when, QuarterEnd):
        return [(q.label, q.end) for q in quarters]
    if isinstance(when, QuarterMonthDay):
        offset = {"first": 0, "last": 2}[when.month]
        return [(q.label, dt.date(q.year, q.first_month + offset, when.day)) for q in quarters]
    if isinstance(when, QuarterStartWithin):
        previous = rule.obligation == "quarterly_report"  # the report covers the quarter before
        out_: list[tuple[str, dt.date]] = []
        for q in quarters:
            if when.working and calendar is not None:
                due = calendar.add_working_days(q.start - dt.timedelta(days=1), when.days).date
            else:
                due = q.start + dt.timedelta(days=when.days - 1)
                if calendar is not None:
                    due = calendar.next_working_day(due).date
            out_.append(((q.previous() if previous else q).label, due))
        return out_
    assert isinstance(when, MonthlyBy)
    out: list[tuple[str, dt.date]] = []
    for q in quarters:
        for month in range(q.first_month, q.last_month + 1):
            before = dt.date(q.year, month, 1) - dt.timedelta(days=1)
            out.append((f"{before.year}-{before.month:02d}", dt.date(q.year, month, when.day)))
    return out


@dataclass(frozen=True)
class Cycle:
    """A coverage window: from ``start`` to ``end``, and the quarters left in it."""

    start: dt.date
    end: dt.date
    quarters_left: int


def cycle_of(rule: CoverageCycle, policy: Policy, period: Quarter) -> Cycle:
    """The cycle window holding ``period``: N-year windows counted from the policy's first year."""
    anchor = policy.effective_from.year
    index = max(0, (period.year - anchor) // rule.years)
    first = anchor + index * rule.years
    last = first + rule.years - 1
    left = (last - period.year) * 4 + period.quarters_left_in_year
    return Cycle(dt.date(first, 1, 1), dt.date(last, 12, 31), left)
