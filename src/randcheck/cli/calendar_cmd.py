"""``randcheck calendar …``: working days on the official calendar."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated, Literal

import typer

from randcheck.calendar import (
    CalendarDate,
    WorkingCalendar,
    YearSchedule,
    default_calendar,
    parse_date,
)
from randcheck.cli._args import FIRST_YEAR, LAST_YEAR, check_range, check_year
from randcheck.cli._output import console, new_table, print_json
from randcheck.errors import InputError

app = typer.Typer(
    help="Working days on the official calendar (工作日, 调休).", no_args_is_help=True
)

ScheduleOption = Annotated[
    list[Path] | None,
    typer.Option("--schedule", help="A published holiday schedule (YAML/JSON); repeatable."),
]
FormatOption = Annotated[Literal["text", "json"], typer.Option("--format", help="text or json")]
MAX_WORKING_DAYS = (LAST_YEAR - FIRST_YEAR + 1) * 366
"""More working days than the calendar holds, forward or back."""


def _calendar(schedules: list[Path] | None) -> WorkingCalendar:
    calendar = default_calendar()
    for path in schedules or []:
        calendar = calendar.with_schedule(YearSchedule.load(path))
    return calendar


def _date(text: str) -> dt.date:
    return parse_date(text, where="DATE")


def _print(result: CalendarDate, output_format: str) -> None:
    if output_format == "json":
        print_json(
            {
                "date": result.date.isoformat(),
                "estimated": result.estimated,
                "estimated_years": list(result.estimated_years),
            }
        )
        return
    console.print(result.date.isoformat())
    if result.estimated:
        years = ", ".join(str(y) for y in result.estimated_years)
        console.print(
            f"estimated: this rests on {years}, whose official holiday schedule is not in the "
            "data yet; load the published schedule with --schedule FILE (docs/calendar.md)."
        )


# ``-3`` is a number here, not an option: unknown option-like words reach the arguments
# (a real unknown option still fails, as an extra argument or a bad number).
@app.command(context_settings={"ignore_unknown_options": True})
def add(
    date: Annotated[str, typer.Argument(help="Start date, YYYY-MM-DD.")],
    n: Annotated[
        int,
        typer.Argument(help="Working days to add (negative: go back, e.g. -3; no -- needed)."),
    ],
    schedule: ScheduleOption = None,
    output_format: FormatOption = "text",
) -> None:
    """The date N working days after DATE (e.g. a 7-working-day result-entry deadline)."""
    check_range(n, -MAX_WORKING_DAYS, MAX_WORKING_DAYS, "N", "give a number of working days")
    _print(_calendar(schedule).add_working_days(_date(date), n), output_format)


@app.command("is-working")
def is_working(
    date: Annotated[str, typer.Argument(help="A date, YYYY-MM-DD.")],
    schedule: ScheduleOption = None,
) -> None:
    """Whether DATE is a working day (工作日) or a day off (休息日)."""
    calendar = _calendar(schedule)
    day = _date(date)
    working = calendar.is_working_day(day)
    console.print(f"{day.isoformat()}: {'working day 工作日' if working else 'day off 休息日'}")
    if calendar.year_status(day.year) == "estimated":
        console.print(f"estimated: {day.year}'s official schedule is not in the data")


@app.command()
def between(
    start: Annotated[str, typer.Argument(help="From (not counted), YYYY-MM-DD.")],
    end: Annotated[str, typer.Argument(help="To (counted), YYYY-MM-DD.")],
    schedule: ScheduleOption = None,
) -> None:
    """Working days after START up to and including END."""
    count = _calendar(schedule).working_days_between(_date(start), _date(end))
    console.print(str(count.days))
    if count.estimated:
        years = ", ".join(str(y) for y in count.estimated_years)
        console.print(f"estimated: rests on {years}")


@app.command()
def years(
    first: Annotated[int, typer.Option("--from", help="First year (1950–2200).")] = 2020,
    last: Annotated[int, typer.Option("--to", help="Last year (1950–2200).")] = 2028,
    schedule: ScheduleOption = None,
) -> None:
    """Which years are official (State Council schedule in the data) and which estimated."""
    check_year(first, "--from")
    check_year(last, "--to")
    if last < first:
        raise InputError(
            f"--to {last} is before --from {first}", hint="give the earlier year as --from"
        )
    calendar = _calendar(schedule)
    table = new_table("Calendar years 年度节假日安排", "year 年度", "status 状态")
    for year in range(first, last + 1):
        status = calendar.year_status(year)
        table.add_row(str(year), "official 官方" if status == "official" else "estimated 估计")
    console.print(table)
