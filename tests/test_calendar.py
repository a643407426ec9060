"""The working-day calendar: the State Council notices 2024–2026, properties, schedules."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from randcheck.calendar import (
    WorkingCalendar,
    YearSchedule,
    default_calendar,
    parse_date,
)
from randcheck.errors import CalendarError

D = dt.date
calendar = default_calendar()


@pytest.mark.parametrize(
    ("day", "working"),
    [
        (D(2024, 9, 29), True),  # Sunday made a working day for National Day 2024
        (D(2024, 10, 1), False),
        (D(2024, 10, 7), False),
        (D(2024, 10, 12), True),  # Saturday made a working day
        (D(2025, 1, 26), True),  # Sunday before Spring Festival 2025
        (D(2025, 1, 28), False),
        (D(2025, 2, 4), False),
        (D(2025, 2, 8), True),  # Saturday after it
        (D(2025, 9, 28), True),  # Sunday before National Day 2025
        (D(2025, 10, 8), False),
        (D(2025, 10, 11), True),  # Saturday after it
        (D(2026, 2, 14), True),  # Saturdays around Spring Festival 2026
        (D(2026, 2, 28), True),
        (D(2026, 2, 20), False),
        (D(2026, 3, 2), True),  # an ordinary Monday
        (D(2026, 3, 7), False),  # an ordinary Saturday
    ],
)
def test_days_of_the_state_council_notices(day: dt.date, working: bool) -> None:
    assert calendar.is_working_day(day) is working


def test_seven_working_days_across_national_day_2024() -> None:
    result = calendar.add_working_days(D(2024, 9, 27), 7)
    assert result.date == D(2024, 10, 12) and not result.estimated


def test_twenty_working_days_across_spring_festival_2025() -> None:
    # After Mon 2025-01-20: 01-21..24 (4), Sun 01-26 (5), 01-27 (6), 01-28..02-04 off,
    # 02-05..07 (9), Sat 02-08 (10), 02-10..14 (15), 02-17..21 (20)
    assert calendar.add_working_days(D(2025, 1, 20), 20).date == D(2025, 2, 21)


@given(st.dates(D(2020, 1, 1), D(2026, 10, 31)), st.integers(0, 60))
def test_adding_then_counting_back_agrees(day: dt.date, n: int) -> None:
    result = calendar.add_working_days(day, n)
    assert calendar.working_days_between(day, result.date).days == n
    if n:
        assert calendar.is_working_day(result.date)
        assert calendar.add_working_days(result.date, -n).date <= day
        assert calendar.working_days_between(result.date, day).days == -n


@given(st.dates(D(2020, 1, 1), D(2026, 12, 31)))
def test_make_up_weekend_days_count_as_working_days(day: dt.date) -> None:
    if day.weekday() >= 5 and calendar.is_working_day(day):
        assert calendar.working_days_between(day - dt.timedelta(days=1), day).days == 1


def test_months_and_quarter_days() -> None:
    assert calendar.add_months(D(2025, 1, 31), 1).date == D(2025, 2, 28)
    assert calendar.add_months(D(2025, 7, 10), 3).date == D(2025, 10, 10)
    assert calendar.add_days(D(2025, 12, 25), 10).date == D(2026, 1, 4)
    assert calendar.quarter_day(2025, 3, "first", 5).date == D(2025, 7, 5)
    assert calendar.quarter_day(2025, 4, "last", 25).date == D(2025, 12, 25)
    with pytest.raises(CalendarError, match="no day 31"):
        calendar.quarter_day(2025, 2, "first", 31)


def test_years_beyond_the_data_are_estimated_and_flagged() -> None:
    far = 2035
    assert calendar.year_status(far) == "estimated"
    assert calendar.year_status(2025) == "official"
    result = calendar.add_working_days(D(far, 12, 20), 10)
    assert result.estimated and far + 1 in result.estimated_years
    assert "estimated" in str(result)
    inside = calendar.add_working_days(D(2025, 3, 3), 5)
    assert not inside.estimated and str(inside) == "2025-03-10"


def _schedule_file(tmp_path: Path, body: dict[str, object], name: str = "s.json") -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(body, ensure_ascii=False), encoding="utf-8")
    return path


SCHEDULE_2035 = {
    "year": 2035,
    "source": "a test notice",
    "holidays": [{"name": "国庆节", "start": "2035-10-01", "end": "2035-10-07"}],
    "workdays": ["2035-09-30"],  # a Sunday made a working day
}


def test_a_loaded_schedule_makes_the_year_official(tmp_path: Path) -> None:
    loaded = calendar.with_schedule(YearSchedule.load(_schedule_file(tmp_path, SCHEDULE_2035)))
    assert loaded.year_status(2035) == "official" and calendar.year_status(2035) == "estimated"
    assert loaded.is_working_day(D(2035, 9, 30)) and not calendar.is_working_day(D(2035, 9, 30))
    assert not loaded.is_working_day(D(2035, 10, 5))
    result = loaded.add_working_days(D(2035, 9, 28), 2)  # Fri -> Sun 30 (make-up), Mon 8 Oct
    assert result.date == D(2035, 10, 8) and not result.estimated


def test_yaml_schedules_load(tmp_path: Path) -> None:
    path = tmp_path / "s.yaml"
    path.write_text(
        "year: 2035\nsource: test\nholidays:\n"
        "  - {name: 元旦, start: 2035-01-01, end: 2035-01-01}\n",
        encoding="utf-8",
    )
    assert YearSchedule.load(path).year == 2035


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"holidays": [{"name": "x", "start": "2034-12-31", "end": "2035-01-01"}]}, "outside 2035"),
        ({"workdays": ["2035-10-02"]}, "both a holiday and a make-up"),
        ({"holidays": [{"name": "x", "start": "2035-10-07", "end": "2035-10-01"}]}, "before start"),
        ({"source": None}, "field source"),
        ({"holidays": []}, "field holidays"),
    ],
)
def test_bad_schedules_are_refused(tmp_path: Path, change: dict[str, object], message: str) -> None:
    path = _schedule_file(tmp_path, {**SCHEDULE_2035, **change})
    with pytest.raises(CalendarError, match=message) as caught:
        YearSchedule.load(path)
    assert caught.value.where == str(path)


def test_unreadable_schedule_files(tmp_path: Path) -> None:
    (tmp_path / "bad.yaml").write_text("year: [1,", encoding="utf-8")
    with pytest.raises(CalendarError, match="not valid YAML"):
        YearSchedule.load(tmp_path / "bad.yaml")
    with pytest.raises(CalendarError, match="does not exist"):
        YearSchedule.load(tmp_path / "none.json")


@pytest.mark.parametrize("text", ["2024-13-01", "2024/01/01", "tomorrow"])
def test_bad_dates(text: str) -> None:
    with pytest.raises(CalendarError, match="date"):
        parse_date(text)


def test_calendars_are_independent_values() -> None:
    assert WorkingCalendar().year_status(2025) == "official"
    assert default_calendar() is default_calendar()
