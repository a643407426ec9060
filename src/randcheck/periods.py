"""Quarters: the period every 双随机 draw, quota and report is counted in."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from randcheck.errors import InputError

_ZH_NUMERALS = "一二三四"
_FORMS = (
    re.compile(r"^(\d{4})\s*[-/ ]?\s*Q([1-4])$", re.IGNORECASE),
    re.compile(r"^(\d{4})年?第?([1-4一二三四])季度?$"),
)


@dataclass(frozen=True, order=True)
class Quarter:
    """A calendar quarter: ``Quarter(2025, 3)`` is July–September 2025 (2025年第三季度)."""

    year: int
    quarter: int

    def __post_init__(self) -> None:
        if not 1 <= self.quarter <= 4:
            raise InputError(f"quarter must be 1–4, not {self.quarter}")
        if not 1900 <= self.year <= 2200:
            raise InputError(f"year {self.year} is out of range", hint="give a year like 2025")

    @classmethod
    def parse(cls, text: str) -> Quarter:
        """``2025Q3``, ``2025-Q3``, ``2025年第3季度`` or ``2025年第三季度``."""
        cleaned = text.strip()
        for form in _FORMS:
            match = form.match(cleaned)
            if match:
                year, quarter = match.groups()
                number = (
                    _ZH_NUMERALS.index(quarter) + 1 if quarter in _ZH_NUMERALS else int(quarter)
                )
                return cls(int(year), number)
        raise InputError(
            f"{text!r} is not a quarter", hint="write it like 2025Q3 or 2025年第三季度"
        )

    @classmethod
    def of(cls, day: dt.date) -> Quarter:
        """The quarter ``day`` falls in."""
        return cls(day.year, (day.month - 1) // 3 + 1)

    @property
    def first_month(self) -> int:
        return 3 * self.quarter - 2

    @property
    def last_month(self) -> int:
        return 3 * self.quarter

    @property
    def start(self) -> dt.date:
        return dt.date(self.year, self.first_month, 1)

    @property
    def end(self) -> dt.date:
        return self.next().start - dt.timedelta(days=1)

    def contains(self, day: dt.date) -> bool:
        return self.start <= day <= self.end

    def next(self) -> Quarter:
        return (
            Quarter(self.year + 1, 1) if self.quarter == 4 else Quarter(self.year, self.quarter + 1)
        )

    def previous(self) -> Quarter:
        return (
            Quarter(self.year - 1, 4) if self.quarter == 1 else Quarter(self.year, self.quarter - 1)
        )

    @property
    def quarters_left_in_year(self) -> int:
        """This quarter and the ones after it in the same year: Q1 -> 4, Q4 -> 1."""
        return 5 - self.quarter

    def year_quarters(self) -> tuple[Quarter, ...]:
        return tuple(Quarter(self.year, q) for q in range(1, 5))

    @property
    def index(self) -> int:
        """A running number: consecutive quarters differ by one (for counting quarters)."""
        return self.year * 4 + self.quarter - 1

    @property
    def label(self) -> str:
        return f"{self.year}Q{self.quarter}"

    @property
    def zh(self) -> str:
        return f"{self.year}年第{_ZH_NUMERALS[self.quarter - 1]}季度"

    def __str__(self) -> str:
        return self.label
