"""The official working-day calendar: deadlines counted in 工作日.

Working days are Monday to Friday, less the statutory holidays the State
Council announces each year, plus the weekend days it makes working days to
balance them (调休). The schedule comes from the ``holidays`` package
(``holidays.China``), which carries each year's State Council notice.

A year whose notice is not in that data (the State Council publishes the next
year's schedule late in the year) is *estimated*: its holidays follow the
statutory rules and it has no make-up days. Every answer says whether it rests
on an estimated year, and a published schedule can be loaded from a small YAML
or JSON file (``docs/calendar.md``) to make that year official.
"""

from __future__ import annotations

import bisect
import datetime as dt
import re
import threading
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any, Literal

import holidays
from dateutil.relativedelta import relativedelta
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from randcheck.errors import CalendarError, InputError

YearStatus = Literal["official", "estimated"]
_ISO = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def parse_date(text: str, *, where: str | None = None) -> dt.date:
    """``YYYY-MM-DD`` as a date; a :class:`CalendarError` naming the text otherwise."""
    cleaned = text.strip()
    if _ISO.match(cleaned):
        try:
            return dt.date.fromisoformat(cleaned)
        except ValueError as exc:
            raise CalendarError(f"{text!r} is not a real date ({exc})", where=where) from None
    raise CalendarError(
        f"{text!r} is not a date", where=where, hint="write dates as YYYY-MM-DD, e.g. 2024-09-27"
    )


@dataclass(frozen=True)
class CalendarDate:
    """A date computed on the calendar, and whether it rests on an estimated year."""

    date: dt.date
    estimated_years: tuple[int, ...] = ()

    @property
    def estimated(self) -> bool:
        return bool(self.estimated_years)

    def __str__(self) -> str:
        if not self.estimated:
            return self.date.isoformat()
        years = ", ".join(str(y) for y in self.estimated_years)
        return (
            f"{self.date.isoformat()} (estimated: rests on {years}, whose official schedule "
            "is not in the data)"
        )


@dataclass(frozen=True)
class CalendarCount:
    """A number of working days, and whether it rests on an estimated year."""

    days: int
    estimated_years: tuple[int, ...] = ()

    @property
    def estimated(self) -> bool:
        return bool(self.estimated_years)


class HolidaySpan(BaseModel):
    """One holiday of a published schedule: ``start`` to ``end``, both days off."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str
    start: dt.date
    end: dt.date

    @model_validator(mode="after")
    def _ordered(self) -> HolidaySpan:
        if self.end < self.start:
            raise ValueError(f"end {self.end} is before start {self.start}")
        return self

    def days(self) -> Iterable[dt.date]:
        day = self.start
        while day <= self.end:
            yield day
            day += dt.timedelta(days=1)


class YearSchedule(BaseModel):
    """A year's published holiday schedule (国务院办公厅关于 … 部分节假日安排的通知)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    year: int = Field(ge=1950, le=2200)
    source: str = Field(description="the notice, e.g. 国办发明电〔2026〕N号")
    holidays: tuple[HolidaySpan, ...] = Field(min_length=1)
    workdays: tuple[dt.date, ...] = Field((), description="make-up working days (调休)")

    @model_validator(mode="after")
    def _inside_the_year(self) -> YearSchedule:
        off = set()
        for span in self.holidays:
            for day in span.days():
                if day.year != self.year:
                    raise ValueError(f"holiday {span.name} has {day}, outside {self.year}")
                off.add(day)
        for day in self.workdays:
            if day.year != self.year:
                raise ValueError(f"make-up working day {day} is outside {self.year}")
            if day in off:
                raise ValueError(f"{day} is both a holiday and a make-up working day")
        return self

    def days_off(self) -> set[dt.date]:
        return {day for span in self.holidays for day in span.days()}

    @classmethod
    def load(cls, path: Path | str) -> YearSchedule:
        """Read a schedule from YAML (``.yaml``/``.yml``) or JSON (``.json``).

        The file is read as every input is (:mod:`randcheck.io.safe`): a regular
        file of at most 64 MiB, strict UTF-8, strict JSON, YAML without aliases.
        """
        # The safe readers depend on nothing but randcheck.errors; the layers
        # contract lets the calendar use them (pyproject.toml, ignore_imports).
        from randcheck.io.safe import MAX_DOCUMENT_BYTES, parse_json, parse_yaml, read_text

        path = Path(path)
        suffix = path.suffix.lower()
        try:
            text = read_text(path, "schedule file", MAX_DOCUMENT_BYTES)
            if suffix == ".json":
                data: Any = parse_json(text, str(path))
            elif suffix in (".yaml", ".yml"):
                data = parse_yaml(text, str(path))
            else:
                raise CalendarError(
                    f"cannot read {path.suffix or 'a file without an extension'}",
                    where=str(path),
                    hint="give a .yaml, .yml or .json schedule",
                )
        except InputError as exc:
            raise CalendarError(exc.what, where=str(path), hint=exc.hint) from None
        if not isinstance(data, dict):
            raise CalendarError(
                "a schedule is a mapping with year, source, holidays", where=str(path)
            )
        try:
            return cls.model_validate(data)
        except ValidationError as exc:
            first = exc.errors()[0]
            field = ".".join(str(p) for p in first["loc"]) or "schedule"
            message = str(first["msg"]).removeprefix("Value error, ")
            raise CalendarError(
                f"field {field}: {message}",
                where=str(path),
                hint="see docs/calendar.md for the schedule format",
            ) from None


@cache
def _holiday_data_years() -> frozenset[int]:
    """Years with a State Council notice in the ``holidays`` package's China data."""
    china = holidays.country_holidays("CN")
    return frozenset(int(y) for y in getattr(china, "special_public_holidays", {}))


class WorkingCalendar:
    """The Chinese official calendar, with any published schedules loaded on top.

    Immutable: :meth:`with_schedule` returns a new calendar. Safe to share across
    threads (per-year tables are built once, under a lock).
    """

    def __init__(self, schedules: Mapping[int, YearSchedule] | None = None) -> None:
        self._schedules: dict[int, YearSchedule] = dict(schedules or {})
        self._years: dict[int, tuple[int, ...]] = {}
        self._lock = threading.Lock()

    def with_schedule(self, schedule: YearSchedule) -> WorkingCalendar:
        """A new calendar on which ``schedule``'s year is official."""
        return WorkingCalendar({**self._schedules, schedule.year: schedule})

    @property
    def official_years(self) -> frozenset[int]:
        return _holiday_data_years() | frozenset(self._schedules)

    def year_status(self, year: int) -> YearStatus:
        return "official" if year in self.official_years else "estimated"

    def _working_days(self, year: int) -> tuple[int, ...]:
        """Sorted ordinals of the working days of ``year``."""
        days = self._years.get(year)
        if days is not None:
            return days
        with self._lock:
            days = self._years.get(year)
            if days is None:
                days = self._years[year] = self._build_year(year)
        return days

    def _build_year(self, year: int) -> tuple[int, ...]:
        if not 1950 <= year <= 2200:
            raise CalendarError(f"year {year} is outside the calendar (1950–2200)")
        first = dt.date(year, 1, 1).toordinal()
        last = dt.date(year, 12, 31).toordinal()
        schedule = self._schedules.get(year)
        if schedule is not None:
            off = schedule.days_off()
            extra = set(schedule.workdays)
            return tuple(
                n
                for n in range(first, last + 1)
                if (d := dt.date.fromordinal(n)) in extra or (d.weekday() < 5 and d not in off)
            )
        china = holidays.country_holidays("CN", years=year)
        return tuple(
            n for n in range(first, last + 1) if china.is_working_day(dt.date.fromordinal(n))
        )

    def _estimated(self, years: Iterable[int]) -> tuple[int, ...]:
        official = self.official_years
        return tuple(sorted({y for y in years if y not in official}))

    @staticmethod
    def _as_date(day: dt.date) -> dt.date:
        if isinstance(day, dt.datetime):
            return day.date()
        if not isinstance(day, dt.date):
            raise CalendarError(f"{day!r} is not a date")
        return day

    def is_working_day(self, day: dt.date) -> bool:
        day = self._as_date(day)
        days = self._working_days(day.year)
        i = bisect.bisect_left(days, day.toordinal())
        return i < len(days) and days[i] == day.toordinal()

    def next_working_day(self, day: dt.date) -> CalendarDate:
        """``day`` itself when it is a working day, else the first working day after it.

        A period counted in days or months whose last day is a day off ends on the next
        working day (民法典 第二百零三条).
        """
        day = self._as_date(day)
        if self.is_working_day(day):
            return CalendarDate(day, self._estimated({day.year}))
        return self.add_working_days(day, 1)

    def add_working_days(self, day: dt.date, n: int) -> CalendarDate:
        """The ``n``-th working day after ``day`` (before it when ``n`` < 0); ``day`` when 0."""
        day = self._as_date(day)
        if n == 0:
            return CalendarDate(day)
        year = day.year
        touched = {year}
        days = self._working_days(year)
        if n > 0:
            i = bisect.bisect_right(days, day.toordinal())
            remaining = n
            while remaining > len(days) - i:
                remaining -= len(days) - i
                year += 1
                touched.add(year)
                days, i = self._working_days(year), 0
            found = days[i + remaining - 1]
        else:
            i = bisect.bisect_left(days, day.toordinal())  # working days before `day`: days[:i]
            remaining = -n
            while remaining > i:
                remaining -= i
                year -= 1
                touched.add(year)
                days = self._working_days(year)
                i = len(days)
            found = days[i - remaining]
        return CalendarDate(dt.date.fromordinal(found), self._estimated(touched))

    def working_days_between(self, start: dt.date, end: dt.date) -> CalendarCount:
        """Working days after ``start`` up to and including ``end`` (negative if before)."""
        start, end = self._as_date(start), self._as_date(end)
        sign = 1
        if end < start:
            start, end, sign = end, start, -1
        total = 0
        for year in range(start.year, end.year + 1):
            days = self._working_days(year)
            low = bisect.bisect_right(days, start.toordinal())
            high = bisect.bisect_right(days, end.toordinal())
            total += high - low
        return CalendarCount(sign * total, self._estimated(range(start.year, end.year + 1)))

    def add_days(self, day: dt.date, n: int) -> CalendarDate:
        """``n`` calendar days after ``day``."""
        result = self._as_date(day) + dt.timedelta(days=n)
        return CalendarDate(result, self._estimated({result.year}))

    def add_months(self, day: dt.date, n: int) -> CalendarDate:
        """``n`` months after ``day``; the 31st falls back to the month's last day."""
        result = self._as_date(day) + relativedelta(months=n)
        return CalendarDate(result, self._estimated({result.year}))

    def quarter_day(
        self, year: int, quarter: int, month: Literal["first", "last"], day: int
    ) -> CalendarDate:
        """The ``day``-th of the quarter's first or last month (本溪: 首月5日, 最后一个月25日)."""
        if not 1 <= quarter <= 4:
            raise CalendarError(f"quarter must be 1–4, not {quarter}")
        number = 3 * quarter - 2 if month == "first" else 3 * quarter
        try:
            result = dt.date(year, number, day)
        except ValueError:
            raise CalendarError(f"month {year}-{number:02d} has no day {day}") from None
        return CalendarDate(result, self._estimated({year}))


@cache
def default_calendar() -> WorkingCalendar:
    """The official calendar from the ``holidays`` data, no schedules loaded."""
    return WorkingCalendar()
