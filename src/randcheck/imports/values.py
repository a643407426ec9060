"""Reading one cell of an export: dates and times, lists, result phrases, classes.

Each reader returns the value or raises ``ValueError`` with the reason a person can
act on (the caller adds the file, row and column).
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from typing import Any

from randcheck import uscc as uscc_codes
from randcheck.ledger.chain import EARLIEST_YEAR, LATEST_YEAR
from randcheck.models.fields import LabelledEnum

_DATE = re.compile(
    r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?"
    r"(?:\s*(?:T|\s)\s*(\d{1,2})\s*[:：时]\s*(\d{1,2})\s*(?:[:：分]\s*(\d{1,2}(?:\.\d+)?)\s*秒?)?分?)?$"
)
_COMPACT = re.compile(r"^(\d{4})(\d{2})(\d{2})$")

Moment = tuple[dt.datetime, bool]
"""A time read from a cell, and whether the cell gave the time of day (not only a date)."""


def _checked(moment: dt.datetime, text: str) -> dt.datetime:
    if not EARLIEST_YEAR <= moment.year <= LATEST_YEAR:
        raise ValueError(f"{text!r} is outside the years {EARLIEST_YEAR}–{LATEST_YEAR}")
    return moment


def parse_moment(value: Any) -> Moment:
    """A date or date-and-time cell: ``2025-03-04``, ``2025/3/4``, ``2025.3.4``,
    ``2025年3月4日``, ``20250304``, each optionally followed by ``10:30`` or
    ``10:30:15``; ISO 8601 with a zone; a spreadsheet date. A spreadsheet datetime at
    exactly midnight is taken as a date alone."""
    if isinstance(value, dt.datetime):
        has_time = value.time() != dt.time(0)
        return _checked(value, value.isoformat()), has_time
    if isinstance(value, dt.date):
        return _checked(dt.datetime(value.year, value.month, value.day), value.isoformat()), False
    return _parse_text(str(value).strip())


@functools.lru_cache(maxsize=8192)
def _parse_text(text: str) -> Moment:
    """A date cell's text read (cached: an export repeats a year's few hundred dates
    over tens of thousands of rows; a ValueError is not cached and is raised again)."""
    found = _DATE.match(text) or _COMPACT.match(text)
    if found:
        parts = found.groups()
        year, month, day = int(parts[0]), int(parts[1]), int(parts[2])
        hour = minute = second = 0
        has_time = len(parts) > 3 and parts[3] is not None
        if has_time:
            hour, minute = int(parts[3]), int(parts[4])
            second = int(float(parts[5])) if parts[5] else 0
        try:
            moment = dt.datetime(year, month, day, hour, minute, second)
        except ValueError as exc:
            raise ValueError(f"{text!r} is not a real date or time ({exc})") from None
        return _checked(moment, text), has_time
    try:
        moment = dt.datetime.fromisoformat(text)
    except ValueError:
        pass
    else:
        return _checked(moment, text), True
    if text.replace(".", "", 1).isdigit():
        raise ValueError(
            f"{text!r} is a number, not a date (a spreadsheet date stored as a number?); "
            "write YYYY-MM-DD"
        )
    raise ValueError(f"{text!r} is not a date (write YYYY-MM-DD, e.g. 2025-03-04)")


_LIST = re.compile(r"[;；,，、|/\s]+")
_ITEMS = re.compile(r"[;；,，、|\n]+")
NO_ITEMS = "多项合一"
"""What randcheck's disclosure writes for an inspection of no listed item."""


def split_people(text: str) -> list[str]:
    """``张三、李四`` or ``410001;410002`` -> the people, in order, each once."""
    return list(dict.fromkeys(p for p in _LIST.split(text) if p))


def split_items(text: str) -> list[str]:
    """``废水、废气`` -> the items, in order, each once (an item's name may hold spaces)."""
    if text.strip() == NO_ITEMS:
        return []
    return list(dict.fromkeys(p.strip() for p in _ITEMS.split(text) if p.strip()))


def check_uscc(text: str) -> str:
    code = text.strip().upper()
    why = uscc_codes.problem(code)
    if why:
        raise ValueError(why)
    return code


_PUNCTUATION = re.compile(r"[\s，,、。.；;：:“”\"'‘’「」()（）]+")


def word_key(text: str) -> str:
    """How a cell's word is compared with a vocabulary: no spaces or punctuation, folded."""
    return _PUNCTUATION.sub("", text).casefold()


class Vocabulary:
    """The words a column may hold, to an enumeration: the mapping's own words first,
    then every spelling the enumeration accepts (English, Chinese, aliases)."""

    def __init__(self, enum: type[LabelledEnum], words: dict[str, str]) -> None:
        self.enum = enum
        self.words: dict[str, LabelledEnum] = {}
        for member in enum:
            for spelling in (member.value, member.zh, *member.aliases):
                self.words.setdefault(word_key(spelling), member)
        for word, target in words.items():
            self.words[word_key(word)] = enum.of(target)

    def read(self, text: str) -> str:
        member = self.words.get(word_key(text))
        if member is None:
            raise ValueError(f"{text!r} is not one of {self.enum.spellings()}")
        return str(member.value)
