"""A published table as data: a title, (key, header) columns, rows of plain values.

Plans, disclosures, reports and the schedule are built as tables here, in
:mod:`randcheck.publish`, and written to files by :mod:`randcheck.report.files`.

A document a bureau files or publishes is in Chinese by default; ``lang`` chooses
``zh`` (the default), ``en`` or ``both`` (``企业名称 Entity name``). A table also
carries what the form around it shows when printed (报表格式): its period, the
reporting unit (填报单位) and whether it is a form filed with a superior bureau,
which has signature lines (填报人 / 审核人 / 负责人).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, get_args

from randcheck.errors import InputError
from randcheck.models import EntityClass

Lang = Literal["zh", "en", "both"]
"""The language of a published document: Chinese (the default), English, or both."""
LANGS: tuple[str, ...] = get_args(Lang)

CLASS_ZH = {
    EntityClass.KEY: "重点监管对象",
    EntityClass.GENERAL: "一般监管对象",
    EntityClass.SPECIAL: "特殊监管对象",
}
"""The classes as official forms name them."""
CLASS_EN = {
    EntityClass.KEY: "key entities",
    EntityClass.GENERAL: "general entities",
    EntityClass.SPECIAL: "special entities",
}


def check_lang(lang: str) -> Lang:
    """``lang`` when it is zh, en or both; an :class:`InputError` otherwise."""
    if lang not in LANGS:
        raise InputError(f"unknown language {lang!r}", hint="give zh, en or both")
    return lang  # type: ignore[return-value]


def pick(lang: str, zh: str, en: str) -> str:
    """The text in ``lang``: ``zh``, ``en``, or both (Chinese first)."""
    if lang == "en":
        return en
    if lang == "both":
        return f"{zh} {en}"
    return zh


def class_label(cls: EntityClass | str, lang: str = "zh") -> str:
    """重点监管对象 / key entities / both."""
    member = EntityClass.of(cls) if isinstance(cls, str) else cls
    return pick(lang, CLASS_ZH[member], CLASS_EN[member])


def columns(lang: str, *specs: tuple[str, str, str]) -> tuple[tuple[str, str], ...]:
    """(key, header) pairs from (key, Chinese header, English header) in ``lang``."""
    return tuple((key, pick(lang, zh, en)) for key, zh, en in specs)


@dataclass
class Table:
    """A table: ``columns`` are (key, header) pairs; rows map keys to plain values.

    ``period`` (所属期间), ``unit`` (填报单位) and ``filed`` (a form filed upward,
    signed by 填报人 / 审核人 / 负责人) shape the printed form; ``lang`` is the
    language its fixed texts are written in.
    """

    title: str
    columns: Sequence[tuple[str, str]]
    rows: list[dict[str, Any]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    period: str = ""
    unit: str = ""
    filed: bool = False
    lang: Lang = "zh"
    date: dt.date | None = None
    """填报日期: the day the form is made (None: the day it is written)."""
    merge: tuple[str, ...] = ()
    """Columns whose equal values in consecutive rows print as one cell (a plan's
    item list, the same for each quarter)."""

    @property
    def headers(self) -> list[str]:
        return [header for _, header in self.columns]

    def values(self) -> list[list[Any]]:
        return [[plain(row.get(key), self.lang) for key, _ in self.columns] for row in self.rows]

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {"title": self.title}
        if self.period:
            data["period"] = self.period
        if self.unit:
            data["unit"] = self.unit
        data["columns"] = [{"key": k, "header": h} for k, h in self.columns]
        data["rows"] = [
            {k: plain(row.get(k), self.lang) for k, _ in self.columns} for row in self.rows
        ]
        data["notes"] = self.notes
        return data


YES_NO = {"zh": ("是", "否"), "en": ("yes", "no"), "both": ("是 yes", "否 no")}


def plain(value: Any, lang: str = "zh") -> Any:
    """A cell as written: "" for None, 是/否 for booleans, lists joined with 、."""
    if value is None:
        return ""
    if isinstance(value, bool):
        yes, no = YES_NO.get(lang, YES_NO["zh"])
        return yes if value else no
    if isinstance(value, list | tuple | set | frozenset):
        joiner = ", " if lang == "en" else "、"
        return joiner.join(str(plain(v, lang)) for v in value)
    return value if isinstance(value, int | float) else str(value)
