"""One replicate: the quarterly draws over the years, with the real draw engine.

Each quarter, in order:

1. the world moves (:class:`~randcheck.simulation.models.ChurnModel`): at the
   first quarter of every year after the first, the directory update (class
   changes; violators become SPECIAL / 特殊); every quarter, openings and closings;
2. the draw: :func:`randcheck.draw.select.plan_draw` for the whole registry or,
   with ``by_jurisdiction``, for each 行政区划 with its own inspectors, on the
   inspections simulated so far, under the seed ``<seed>|r<replicate>|<quarter>``;
3. the outcomes (:class:`~randcheck.simulation.models.OutcomeModel`): each drawn
   entity is inspected in the middle of the quarter and found in violation or not.

A replicate is a pure function of its :class:`ReplicateSpec` and the registry,
so it gives the same numbers in any process, on any machine.
"""

from __future__ import annotations

import datetime as dt
import random
from bisect import bisect_left, bisect_right
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from itertools import pairwise
from typing import Any, Literal, get_args

from randcheck.draw.history import History, Inspection
from randcheck.draw.select import plan_draw
from randcheck.draw.teams import eligible_inspectors
from randcheck.errors import DrawError
from randcheck.models import EntityClass, ProductionStatus
from randcheck.models.vocab import Mode
from randcheck.periods import Quarter
from randcheck.policies.dates import cycle_of
from randcheck.policies.model import CoverageCycle, Policy
from randcheck.registry import ENTITY_FIELDS, Registry
from randcheck.simulation.models import ChurnModel, OutcomeModel
from randcheck.synth import uscc_like

TeamMode = Literal["drawn", "balanced"]
"""How teams are formed. Both take the least-loaded inspectors and draw the same
entities; they differ in who breaks a tie between inspectors of equal load:
``drawn``, each entity's inspector tickets, exactly as a real draw (a SHA-256 per
candidate inspector per task, about half a replicate's time); ``balanced``, the
replicate's own random stream."""

TEAM_MODES: tuple[str, ...] = get_args(TeamMode)
"""The team modes, for checking input: ``("drawn", "balanced")``."""

DEFAULT_TEAMS: TeamMode = "balanced"
"""Simulated draws are never sealed or verified, so the exact pairing a receipt
would carry buys nothing there; the workload it gives is the same in distribution."""

COUNTED = (
    "on_site",
    "non_site",
    "violations",
    "quota",
    "cap_hits",
    "capped_quotas",
    "quota_shortfall",
)
"""Metrics counted per class and year as the quarters go by."""

Row = tuple[str, str, int | None, str, float]
"""(metric, class, year, key, value): one number of one replicate."""

MID_QUARTER = dt.timedelta(days=45)
OPERATING = tuple(s for s in ProductionStatus if s.operating)


@dataclass(frozen=True)
class ReplicateSpec:
    """Everything a replicate needs besides the registry (small, so cheap to send)."""

    policy: Policy
    years: int
    start_year: int
    seed: str
    replicate: int
    churn: ChurnModel
    outcomes: OutcomeModel
    by_jurisdiction: bool = False
    teams: TeamMode = DEFAULT_TEAMS


class _Timeline(History):
    """Inspections simulated so far, in date order: ``before`` and ``between`` bisect.

    The engine's :class:`History` keeps pydantic records and scans them; a
    replicate adds thousands a quarter and asks for counts many times, so it
    keeps two growing lists instead and hands the engine views of them.
    """

    def __init__(self, dates: list[dt.date], usccs: list[str], end: int | None = None) -> None:
        super().__init__(())
        self._dates = dates
        self._usccs = usccs
        self._end = len(dates) if end is None else end

    def __len__(self) -> int:
        return self._end

    def __iter__(self) -> Iterator[Inspection]:
        for n in range(self._end):
            yield Inspection(uscc=self._usccs[n], date=self._dates[n])

    def _whole(self) -> History:
        return History(iter(self))

    def __add__(self, other: History) -> History:
        return self._whole() + other

    def before(self, day: dt.date) -> History:
        return _Timeline(self._dates, self._usccs, bisect_left(self._dates, day, 0, self._end))

    def between(self, start: dt.date, end: dt.date) -> Counter[str]:
        low = bisect_left(self._dates, start, 0, self._end)
        high = bisect_right(self._dates, end, 0, self._end)
        return Counter(self._usccs[low:high])

    def last_dates(self) -> dict[str, dt.date]:
        # in date order, so the last date seen is each entity's latest
        return dict(zip(self._usccs[: self._end], self._dates[: self._end]))

    def item_counts(self, year: int) -> Counter[tuple[str, str]]:
        return self._whole().item_counts(year)

    @property
    def digest(self) -> str:
        return self._whole().digest


def _shuffled(rng: random.Random) -> Callable[[list[str], str], Iterator[str]]:
    """A tie order for ``balanced`` teams: inspectors of equal load in random order."""

    random = rng.random

    def order(inspectors: list[str], _seed: str) -> Iterator[str]:
        members = list(inspectors)  # in the engine's order, the same in every process
        left = len(members)
        while left:
            pick = int(random() * left)  # below 2**53 members, as uniform as randrange
            yield members[pick]
            left -= 1
            members[pick] = members[left]

    return order


def _stochastic_round(x: float, rng: random.Random) -> int:
    whole = int(x)
    return whole + (1 if rng.random() < x - whole else 0)


class _World:
    """The registry as it changes: columns as lists, classes as the directory says."""

    def __init__(self, registry: Registry, rng: random.Random) -> None:
        self.registry = registry
        self.rng = rng
        self.columns: dict[str, list[Any]] = {f: list(registry.column(f)) for f in ENTITY_FIELDS}
        self.row_of: dict[str, int] = {u: n for n, u in enumerate(self.columns["uscc"])}
        # the directory's class; violators are SPECIAL until `special_until` (a year)
        self.listed: list[EntityClass] = list(self.columns["entity_class"])
        self.special_until: dict[int, int] = {}
        self.changed = False

    @property
    def size(self) -> int:
        return len(self.listed)

    def operating_rows(self) -> list[int]:
        return [n for n, s in enumerate(self.columns["production_status"]) if s in OPERATING]

    def directory_update(self, year: int, churn: ChurnModel) -> None:
        """The yearly 名录 revision: some key entities swapped with general ones."""
        rows = self.operating_rows()
        key = [n for n in rows if self.listed[n] is EntityClass.KEY]
        general = [n for n in rows if self.listed[n] is EntityClass.GENERAL]
        moves = min(_stochastic_round(churn.reclassify_rate * len(key), self.rng), len(general))
        for n in self.rng.sample(key, moves):
            self.listed[n] = EntityClass.GENERAL
        for n in self.rng.sample(general, moves):
            self.listed[n] = EntityClass.KEY
        self.refresh_classes(year)

    def refresh_classes(self, year: int) -> None:
        classes = self.columns["entity_class"]
        for n, listed in enumerate(self.listed):
            cls = EntityClass.SPECIAL if self.special_until.get(n, 0) >= year else listed
            if classes[n] is not cls:
                classes[n] = cls
                self.changed = True

    def open_and_close(self, churn: ChurnModel) -> None:
        """A quarter's openings and closings."""
        rows = self.operating_rows()
        if not rows:
            return
        closing = _stochastic_round(churn.closing_rate / 4 * len(rows), self.rng)
        status = self.columns["production_status"]
        for n in self.rng.sample(rows, min(closing, len(rows))):
            status[n] = ProductionStatus.CLOSED
        opening = _stochastic_round(churn.opening_rate / 4 * len(rows), self.rng)
        for _ in range(opening):
            self._open_like(self.rng.choice(rows))
        self.changed = self.changed or bool(closing or opening)

    def _open_like(self, template: int) -> None:
        """A new entity in the template's division and trade, with a fresh USCC."""
        old = self.columns["uscc"][template]
        while True:
            code = uscc_like(old, self.rng)
            if code not in self.row_of:
                break
        self.row_of[code] = self.size
        listed = self.listed[template]
        cls = EntityClass.GENERAL if listed is EntityClass.SPECIAL else listed
        for column in self.columns.values():
            column.append(column[template])
        self.columns["uscc"][-1] = code
        self.columns["production_status"][-1] = ProductionStatus.OPERATING
        self.columns["entity_class"][-1] = cls
        self.listed.append(cls)

    def snapshot(self) -> Registry:
        if self.changed:
            self.registry = self.registry.with_entity_columns(
                {f: tuple(c) for f, c in self.columns.items()}
            )
            self.changed = False
        return self.registry


def run_replicate(spec: ReplicateSpec, registry: Registry) -> list[Row]:
    """The numbers of one replicate (see :mod:`randcheck.simulation` for their meaning)."""
    policy = spec.policy
    rng = random.Random(f"{spec.seed}|r{spec.replicate}|world")
    tie_order = (
        _shuffled(random.Random(f"{spec.seed}|r{spec.replicate}|teams"))
        if spec.teams == "balanced"
        else None
    )
    world = _World(registry, rng)
    divisions: Sequence[str | None] = (
        sorted({d for d in registry.column("division_code")}) if spec.by_jurisdiction else [None]
    )
    histories: dict[str | None, tuple[list[dt.date], list[str]]] = {d: ([], []) for d in divisions}
    division_of_row = world.columns["division_code"]
    years = range(spec.start_year, spec.start_year + spec.years)

    # row -> class value, for the entities operating at a draw of the year
    present: dict[int, dict[int, str]] = {y: {} for y in years}
    inspected: dict[int, list[int]] = defaultdict(list)  # row -> quarter ordinals
    counts: Counter[tuple[str, str, int]] = Counter()
    loads: dict[int, Counter[str]] = {y: Counter() for y in years}
    violators: set[int] = set()
    seen_upto = 0

    for ordinal, period in enumerate(q for y in years for q in Quarter(y, 1).year_quarters()):
        year = period.year
        if period.quarter == 1 and year > spec.start_year:
            for n in violators:
                world.special_until[n] = year + spec.outcomes.special_years - 1
            violators = set()
            world.directory_update(year, spec.churn)
        if ordinal > 0:
            world.open_and_close(spec.churn)
        snapshot = world.snapshot()
        # classes change only at the directory update; later quarters add new rows
        seen = present[year]
        classes = world.columns["entity_class"]
        statuses = world.columns["production_status"]
        for n in range(0 if period.quarter == 1 else seen_upto, world.size):
            if n not in seen and statuses[n] in OPERATING:
                seen[n] = classes[n]._value_
        seen_upto = world.size
        day = period.start + MID_QUARTER
        for division in divisions:
            try:
                result = plan_draw(
                    policy,
                    snapshot,
                    period,
                    f"{spec.seed}|r{spec.replicate}|{period.label}"
                    + (f"|{division}" if division else ""),
                    history=_Timeline(*histories[division]),
                    jurisdiction=division,
                    tie_order=tie_order,
                )
            except DrawError:
                # e.g. too few qualified inspectors for a team: no draw this quarter
                counts["failed_draws", "", year] += 1
                continue
            for quota in result.quotas:
                cls = quota.entity_class.value
                counts["quota", cls, year] += quota.quota
                counts["cap_hits", cls, year] += quota.base - quota.eligible
                if quota.capped:
                    counts["capped_quotas", cls, year] += 1
                    counts["quota_shortfall", cls, year] += quota.required - quota.quota
            for task in result.tasks:
                row = world.row_of[task.uscc]
                cls = task.entity_class._value_
                counts["on_site" if task.mode is Mode.ON_SITE else "non_site", cls, year] += 1
                inspected[row].append(ordinal)
                loads[year].update(task.team)
                dates, usccs = histories[division_of_row[row] if spec.by_jurisdiction else None]
                dates.append(day)
                usccs.append(task.uscc)
                if rng.random() < spec.outcomes.rate(task.entity_class):
                    violators.add(row)
                    counts["violations", cls, year] += 1

    return _metrics(spec, registry, years, present, inspected, counts, loads)


def _count_between(quarters: list[int] | None, lo: int, hi: int) -> int:
    """How many of the ascending quarter ordinals ``quarters`` lie in ``[lo, hi]``."""
    return bisect_right(quarters, hi) - bisect_left(quarters, lo) if quarters else 0


def _metrics(
    spec: ReplicateSpec,
    registry: Registry,
    years: range,
    present: dict[int, dict[int, str]],
    inspected: dict[int, list[int]],
    counts: Counter[tuple[str, str, int]],
    loads: dict[int, Counter[str]],
) -> list[Row]:
    rows: list[Row] = []
    first = years[0]
    classes = [c.value for c in EntityClass]

    # the rows inspected in each year (quarter ordinals run 0, 1, … from the first)
    inspected_in: dict[int, set[int]] = {year: set() for year in years}
    for n, quarters in inspected.items():
        for q in quarters:
            inspected_in[first + q // 4].add(n)

    # coverage per class and year: entities operating at a draw of the year (in the
    # class they had at the first), and the share of them inspected that year
    for year in years:
        entities = Counter(present[year].values())
        seen = inspected_in[year]
        covered = Counter(cls for n, cls in present[year].items() if n in seen)
        for cls in classes:
            total = entities[cls]
            rows.append(("entities", cls, year, "", float(total)))
            rows.append(("inspected", cls, year, "", float(covered[cls])))
            rows.append(
                ("coverage", cls, year, "", covered[cls] / total if total else float("nan"))
            )
            for metric in COUNTED:
                rows.append((metric, cls, year, "", float(counts[metric, cls, year])))

    # coverage per cycle, for classes whose policy sets one (each entity M times in N years)
    for rule in spec.policy.rules_of(CoverageCycle):
        windows = sorted(
            {
                (c.start.year, c.end.year)
                for c in (cycle_of(rule, spec.policy, Quarter(y, 1)) for y in years)
            }
        )
        for start, end in windows:
            in_cycle = [y for y in years if start <= y <= end]
            lo = (in_cycle[0] - first) * 4
            hi = (in_cycle[-1] - first) * 4 + 3
            wanted = rule.entity_class.value
            members = [n for n, cls in present[in_cycle[0]].items() if cls == wanted]
            done = sum(1 for n in members if _count_between(inspected.get(n), lo, hi) >= rule.times)
            complete = len(in_cycle) == end - start + 1
            key = f"{start}-{end}" + ("" if complete else " (partial)")
            value = done / len(members) if members else float("nan")
            rows.append(("cycle_coverage", rule.entity_class.value, end, key, value))

    # over the whole run, per class as first seen: inspected at all; gaps between
    # inspections (quarters); the longest run of years without one
    first_class: dict[int, str] = {}
    for year in years:
        for n, cls in present[year].items():
            first_class.setdefault(n, cls)
    always = set(present[first]).intersection(*(present[y] for y in years))
    gaps: Counter[tuple[str, int]] = Counter()
    ever: Counter[str] = Counter()
    members_all: Counter[str] = Counter()
    streaks: Counter[tuple[str, int]] = Counter()
    always_by_class: Counter[str] = Counter()
    for n, cls in first_class.items():
        quarters = inspected.get(n, [])
        members_all[cls] += 1
        if quarters:
            ever[cls] += 1
        for a, b in pairwise(quarters):
            gaps[cls, b - a] += 1
        if n in always:
            always_by_class[cls] += 1
            longest = run = 0
            for year in years:
                run = 0 if n in inspected_in[year] else run + 1
                longest = max(longest, run)
            for k in range(1, longest + 1):
                streaks[cls, k] += 1
    for name in classes:
        total = members_all[name]
        rows.append(
            ("horizon_coverage", name, None, "", ever[name] / total if total else float("nan"))
        )
        base = always_by_class[name]
        for k in range(1, len(years) + 1):
            share = streaks[name, k] / base if base else float("nan")
            rows.append(("uninspected_years", name, None, str(k), share))
    for (name, gap), count in sorted(gaps.items()):
        rows.append(("gap_quarters", name, None, str(gap), float(count)))

    # draws that could not be made (too few inspectors for a team), per year
    for year in years:
        rows.append(("failed_draws", "", year, "", float(counts["failed_draws", "", year])))

    # inspections per inspector and year (on-site teams), zeros included
    pool = [i.inspector_id for i in eligible_inspectors(spec.policy, registry.inspectors, None)]
    for year in years:
        load = loads[year]
        for inspector in sorted(set(pool) | set(load)):
            rows.append(("inspector_load", "", year, inspector, float(load[inspector])))
    return rows
