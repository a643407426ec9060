"""抽查事项 InspectionItem: one line of the item list (随机抽查事项清单).

获嘉 细则 第八条: 随机抽查事项清单应明确检查机构、检查事项、检查对象、检查内容、
检查方式、抽查比例、实施层级、抽查依据等要素. The items shipped with randcheck
are those of 获嘉 附件1 (14 items) and 本溪 三 (10 items); see
:func:`builtin_items`.
"""

from __future__ import annotations

import json
from functools import cache
from importlib import resources

from pydantic import BaseModel, ConfigDict, Field

from randcheck.models.fields import OptText, Text


class InspectionItem(BaseModel):
    """抽查事项: what an inspection checks, with the elements of 获嘉 第八条."""

    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=True)

    code: Text = Field(title="事项编号")
    name: Text = Field(title="检查事项")
    item_class: OptText = Field("一般检查事项", title="事项类别")
    inspecting_body: OptText = Field(None, title="检查机构")
    objects: OptText = Field(None, title="检查对象")
    content: OptText = Field(None, title="检查内容")
    method: OptText = Field(None, title="检查方式")
    ratio: OptText = Field(None, title="抽查比例")
    level: OptText = Field(None, title="实施层级")
    legal_basis: OptText = Field(None, title="抽查依据")
    source: OptText = Field(None, title="来源", description="Document and clause it comes from")


@cache
def builtin_items(source: str | None = None) -> tuple[InspectionItem, ...]:
    """The shipped item lists: ``"huojia"`` (附件1, 14 items), ``"benxi"`` (三, 10), or all."""
    raw = json.loads(resources.files("randcheck.data").joinpath("items.json").read_text("utf-8"))
    items = tuple(InspectionItem.model_validate(r) for r in raw)
    if source is None:
        return items
    return tuple(i for i in items if i.code.startswith(source + "-"))
