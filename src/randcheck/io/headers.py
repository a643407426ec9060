"""Column headers: the Chinese ones bureaus use and the English field names.

The Chinese header of a field is its model ``title`` (企业名称, 统一社会信用代码,
监管类别, 行政区划 …); the English header is the field name (``name``,
``uscc``, ``entity_class`` …). Reading also accepts the other spellings found
in bureau spreadsheets (社会信用代码, 单位名称, 企业分类, 排污许可证编码 …).
Matching ignores case, surrounding and inner spaces and a byte-order mark.
"""

from __future__ import annotations

from collections.abc import Iterable
from enum import Enum
from typing import Literal

from pydantic import BaseModel

from randcheck.models import Entity, InspectionItem, Inspector

Kind = Literal["entities", "inspectors", "items"]
KINDS: tuple[Kind, ...] = ("entities", "inspectors", "items")
HeaderStyle = Literal["zh", "en"]

MODELS: dict[Kind, type[BaseModel]] = {
    "entities": Entity,
    "inspectors": Inspector,
    "items": InspectionItem,
}

KEY_FIELD: dict[Kind, str] = {"entities": "uscc", "inspectors": "inspector_id", "items": "code"}

SHEET_NAMES: dict[Kind, tuple[str, str]] = {
    "entities": ("检查对象名录库", "entities"),
    "inspectors": ("执法检查人员名录库", "inspectors"),
    "items": ("抽查事项清单", "items"),
}

_EXTRA_ALIASES: dict[Kind, dict[str, tuple[str, ...]]] = {
    "entities": {
        "uscc": ("社会信用代码", "统一信用代码", "信用代码", "统一社会信用代码（注册号）"),
        "name": ("单位名称", "污染源名称", "检查对象名称", "企业（单位）名称", "排污单位名称"),
        "entity_class": ("企业分类", "监管类型", "检查对象类别", "类别", "分类", "污染源类别"),
        "division_code": ("行政区划代码", "区划代码"),
        "permit_number": ("排污许可证编码", "许可证编号", "排污许可证号"),
        "industry_code": ("行业类别代码", "行业代码"),
        "production_status": ("运行状态", "生产状况"),
        "production_start": ("投产日期",),
        "pollution_types": ("污染物类型", "污染物类别"),
        "address": ("污染源地址", "地址"),
        "legal_representative": ("法定代表人",),
        "credit_rating": ("企业环境信用评级", "环境信用评级"),
        "weather_grade": ("重污染天气绩效等级", "绩效分级"),
        "positive_list": ("监督执法正面清单",),
    },
    "inspectors": {
        "inspector_id": ("工号", "人员代码"),
        "unit": ("科室（单位）", "所在单位", "科室"),
        "certificate_number": ("执法（工作）证号", "执法证件号", "证件号"),
        "post": ("职务", "岗位"),
        "grade": ("等级", "执法等级"),
        "region": ("所在区域代码", "区域"),
        "expertise": ("专长",),
        "department": ("部门岗位",),
        "on_staff": ("在编", "是否在编在岗"),
        "has_certificate": ("持证", "是否持证"),
        "auxiliary": ("辅助人员",),
        "conflicts": ("回避对象", "利害关系人"),
    },
    "items": {
        "code": ("编号", "序号"),
        "name": ("抽查事项", "事项名称"),
    },
}


def normalise(header: str) -> str:
    """The form headers are compared in: no BOM, no spaces, case folded."""
    return "".join(header.replace("\ufeff", "").split()).casefold()


def _lookup(kind: Kind) -> dict[str, str]:
    table: dict[str, str] = {}
    for field, info in MODELS[kind].model_fields.items():
        table[normalise(field)] = field
        if info.title:
            table[normalise(info.title)] = field
    for field, aliases in _EXTRA_ALIASES[kind].items():
        for alias in aliases:
            table.setdefault(normalise(alias), field)
    return table


LOOKUP: dict[Kind, dict[str, str]] = {kind: _lookup(kind) for kind in MODELS}


def header_for(kind: Kind, field: str, style: HeaderStyle) -> str:
    """The header written for ``field``: its Chinese title or its English name."""
    if style == "en":
        return field
    title = MODELS[kind].model_fields[field].title
    return title or field


def required_fields(kind: Kind) -> list[str]:
    return [f for f, info in MODELS[kind].model_fields.items() if info.is_required()]


def detect_kind(headers: Iterable[str]) -> Kind | None:
    """Which table a header row belongs to, by its key column."""
    normalised = {normalise(h) for h in headers if h}
    for kind in KINDS:
        if any(LOOKUP[kind].get(h) == KEY_FIELD[kind] for h in normalised):
            # an item's code alias 编号 is generic: require the item name too
            if kind == "items" and not any(LOOKUP["items"].get(h) == "name" for h in normalised):
                continue
            return kind
    return None


def enum_label(value: Enum, style: HeaderStyle) -> str:
    zh = getattr(value, "zh", None)
    return zh if style == "zh" and zh else str(value.value)
