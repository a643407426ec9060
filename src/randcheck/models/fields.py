"""Shared pieces of the 一单两库 models: labelled enumerations and field types.

Bureaus write Chinese, integrators write English: every enumeration accepts
both spellings (``KEY``, ``key``, ``重点``, ``重点监管对象``) and keeps its
Chinese label for display (``KEY / 重点``). Field types accept what bureau
spreadsheets contain (``是``/``否`` for flags, ``2020/1/5`` and
``2020年1月5日`` for dates, ``废水;废气`` or ``废水、废气`` for sets).
"""

from __future__ import annotations

import datetime as dt
import re
from enum import Enum
from typing import Annotated, Any, TypeVar

from pydantic import AfterValidator, BeforeValidator, GetCoreSchemaHandler, PlainSerializer
from pydantic_core import CoreSchema, core_schema

from randcheck import uscc

_E = TypeVar("_E", bound="LabelledEnum")


class LabelledEnum(str, Enum):
    """A string enumeration with an English value, a Chinese label and aliases.

    Members are declared as ``KEY = ("KEY", "重点", "重点监管", ...)``: the
    value, the Chinese label, then any other accepted spelling.
    """

    zh: str
    aliases: tuple[str, ...]

    def __new__(cls, value: str, zh: str, *aliases: str) -> LabelledEnum:
        obj = str.__new__(cls, value)
        obj._value_ = value
        obj.zh = zh
        obj.aliases = aliases
        return obj

    @classmethod
    def of(cls: type[_E], value: str) -> _E:
        """The member a spelling names (``ValueError`` when none does); typed for callers."""
        return cls(value)  # type: ignore[call-arg]

    @property
    def label(self) -> str:
        """``KEY / 重点``: how users see the member in tables and exports."""
        return f"{self.value} / {self.zh}"

    def __str__(self) -> str:
        return str(self.value)

    @classmethod
    def _spelling_map(cls) -> dict[str, LabelledEnum]:
        """Every accepted spelling (and its upper-case form) -> member; built once per class."""
        cached: dict[str, LabelledEnum] | None = cls.__dict__.get("_spellings_cache")
        if cached is None:
            cached = {}
            for member in cls:
                for spelling in (member.value, member.zh, *member.aliases):
                    cached.setdefault(spelling, member)
                    cached.setdefault(spelling.upper(), member)
            type.__setattr__(cls, "_spellings_cache", cached)
        return cached

    @classmethod
    def _missing_(cls, value: object) -> LabelledEnum | None:
        if not isinstance(value, str):
            return None
        spellings = cls._spelling_map()
        wanted = value.strip()
        return spellings.get(wanted) or spellings.get(wanted.upper())

    @classmethod
    def coerce(cls, value: Any) -> Any:
        """The member a spelling names; anything else is passed on for pydantic to reject."""
        if value.__class__ is str:
            member = cls._spelling_map().get(value)
            if member is not None:
                return member
            return cls._missing_(value) or value
        return value

    @classmethod
    def __get_pydantic_core_schema__(
        cls, source: type[Any], handler: GetCoreSchemaHandler
    ) -> CoreSchema:
        # Map spellings through a dict before pydantic's own enum check: the
        # Enum(value) -> _missing_ route costs microseconds per cell.
        return core_schema.no_info_before_validator_function(cls.coerce, handler(source))

    @classmethod
    def spellings(cls) -> str:
        """Every accepted spelling, for error messages."""
        return ", ".join(f"{m.value} ({m.zh})" for m in cls)


_SPLIT = re.compile(r"[;；,，、|/]")
_TRUE = {"1", "true", "yes", "y", "t", "是", "有", "√", "✓"}
_FALSE = {"0", "false", "no", "n", "f", "否", "无", "", "×"}
_FLAG_WORDS = {
    **{w: True for w in _TRUE},
    **{w: False for w in _FALSE},
    **{w.upper(): True for w in _TRUE},
    **{w.upper(): False for w in _FALSE},
}


def _blank_to_none(value: Any) -> Any:
    if isinstance(value, str):
        value = value.strip()
        return value or None
    return value


def _parse_flag(value: Any) -> Any:
    if value.__class__ is str:
        known = _FLAG_WORDS.get(value)
        if known is not None:
            return known
    if value is None:
        return False
    if isinstance(value, str):
        folded = value.strip().lower()
        if folded in _TRUE:
            return True
        if folded in _FALSE:
            return False
        raise ValueError(f"{value!r} is not a yes/no value (use 是/否, true/false or 1/0)")
    return value


def split_set(value: Any) -> Any:
    """``"废水;废气"`` -> ``frozenset({"废水", "废气"})``; ``None`` -> empty."""
    if value is None:
        return frozenset()
    if isinstance(value, str):
        return frozenset(part.strip() for part in _SPLIT.split(value) if part.strip())
    return value


_DATE_FORMS = (
    re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$"),
    re.compile(r"^(\d{4})/(\d{1,2})/(\d{1,2})$"),
    re.compile(r"^(\d{4})\.(\d{1,2})\.(\d{1,2})$"),
    re.compile(r"^(\d{4})年(\d{1,2})月(\d{1,2})日$"),
)


def parse_date_value(value: Any) -> Any:
    """Accept ISO dates, ``2020/1/5``, ``2020.1.5``, ``2020年1月5日`` and spreadsheet datetimes."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, str):
        text = value.strip()
        if not text:
            return None
        for form in _DATE_FORMS:
            match = form.match(text)
            if match:
                year, month, day = (int(g) for g in match.groups())
                try:
                    return dt.date(year, month, day)
                except ValueError as exc:
                    raise ValueError(f"{text!r} is not a real date ({exc})") from None
        raise ValueError(f"{text!r} is not a date (write YYYY-MM-DD, e.g. 2020-01-05)")
    return value


def _check_uscc(value: str) -> str:
    why = uscc.problem(value)
    if why:
        raise ValueError(why)
    return value


PROVINCE_CODES = frozenset(
    "11 12 13 14 15 21 22 23 31 32 33 34 35 36 37 41 42 43 44 45 46 50 51 52 53 54 "
    "61 62 63 64 65 71 81 82".split()
)
"""The two-digit province codes of GB/T 2260 (行政区划代码 starts with one)."""


def _check_division(value: str) -> str:
    if not (len(value) == 6 and value.isascii() and value.isdigit()):
        raise ValueError(f"{value!r} is not a 6-digit administrative division code (e.g. 410724)")
    if value[:2] not in PROVINCE_CODES:
        raise ValueError(f"{value!r} does not start with a province code (11–82, GB/T 2260)")
    return value


def sorted_values(value: frozenset[Any]) -> list[Any]:
    """A set as a sorted list of plain values, for canonical serialization."""
    return sorted(getattr(v, "value", v) for v in value)


def _strip(value: Any) -> Any:
    return value.strip() if isinstance(value, str) else value


_NOT_TEXT = re.compile("[\x00-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
"""Control characters (C0, DEL, C1), lone surrogates and the non-characters U+FFFE/U+FFFF."""


def text_problem(value: str) -> str | None:
    """Why ``value`` cannot be a registry text, or ``None``.

    A control character (C0, DEL or C1, line breaks and tabs included), a lone
    surrogate or U+FFFE/U+FFFF cannot be published: an XLSX cell cannot hold
    most of them, and in a printed or on-screen list they hide or forge text.
    """
    bad = _NOT_TEXT.search(value)
    if bad is None:
        return None
    char = bad.group()
    kind = "a lone surrogate" if "\ud800" <= char <= "\udfff" else "a control character"
    return (
        f"contains {kind} (U+{ord(char):04X}) at position {bad.start() + 1}, which cannot be "
        "published in a spreadsheet or a list; remove it (write a line break as a space or ；)"
    )


def _printable(value: Any) -> Any:
    if isinstance(value, str):
        problem = text_problem(value)
        if problem:
            raise ValueError(problem)
    return value


def _printable_set(value: Any) -> Any:
    if isinstance(value, frozenset | set):
        for item in sorted(value):
            _printable(item)
    return value


Text = Annotated[
    str, BeforeValidator(_strip), AfterValidator(lambda v: _nonempty(v)), AfterValidator(_printable)
]
"""A required piece of text, stripped; empty is an error, and so is a control character."""

OptText = Annotated[str | None, BeforeValidator(_blank_to_none), AfterValidator(_printable)]
"""Optional text; an empty cell is ``None``; a control character is an error."""

Flag = Annotated[bool, BeforeValidator(_parse_flag)]
"""Yes/no; accepts 是/否, true/false, 1/0; an empty cell is ``False``."""

OptDate = Annotated[dt.date | None, BeforeValidator(parse_date_value)]

USCC = Annotated[str, BeforeValidator(_strip), AfterValidator(_check_uscc)]
"""统一社会信用代码 with a correct GB 32100-2015 check character."""

DivisionCode = Annotated[str, BeforeValidator(_strip), AfterValidator(_check_division)]
"""行政区划代码: six digits starting with a province code (GB/T 2260)."""

OptDivisionCode = Annotated[
    str | None, BeforeValidator(_blank_to_none), AfterValidator(lambda v: _opt_division(v))
]

TextSet = Annotated[
    frozenset[str],
    BeforeValidator(split_set),
    AfterValidator(_printable_set),
    PlainSerializer(sorted_values, return_type=list),
]
"""A set of short texts; in files, separated by ``;``, ``、`` or ``,``."""


def _nonempty(value: str) -> str:
    if not value:
        raise ValueError("must not be empty")
    return value


def _opt_division(value: str | None) -> str | None:
    return None if value is None else _check_division(value)
