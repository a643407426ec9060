"""Checks of the commands' arguments, shared so that a value out of range is an error
naming the option and the value (exit 2) and never reaches the library."""

from __future__ import annotations

from randcheck.errors import InputError

FIRST_YEAR = 1950
"""The first year any command takes: the working-day calendar starts here."""
LAST_YEAR = 2200
"""The last year any command takes: the working-day calendar ends here."""


def check_range(value: int | None, low: int, high: int, option: str, what: str = "") -> None:
    """An :class:`InputError` naming ``option`` and ``value`` unless low <= value <= high."""
    if value is not None and not low <= value <= high:
        shown = str(value) if len(str(value)) <= 24 else f"{str(value)[:20]}…"
        raise InputError(
            f"{option} {shown} is out of range: {what or 'give a value'} from {low} to {high}"
        )


def check_year(year: int | None, option: str = "--year") -> None:
    """A year the calendar covers (1950–2200)."""
    check_range(year, FIRST_YEAR, LAST_YEAR, option, "give a year")


def check_quarter(quarter: int | None, option: str = "--quarter") -> None:
    """A quarter, 1–4."""
    check_range(quarter, 1, 4, option, "give a quarter")


def check_month(month: int | None, option: str = "--month") -> None:
    """A month, 1–12."""
    check_range(month, 1, 12, option, "give a month")
