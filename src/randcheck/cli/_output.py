"""Shared pieces of terminal output: consoles, tables of a registry, labels."""

from __future__ import annotations

import json
from typing import Any

from rich.console import Console
from rich.table import Table

from randcheck.io import format_cell
from randcheck.models import EntityClass
from randcheck.registry import Registry

console = Console(highlight=False, soft_wrap=True)
err_console = Console(stderr=True, highlight=False, soft_wrap=True)


def new_table(title: str, *headers: str) -> Table:
    """A table whose long cells wrap instead of being cut off (codes and names matter)."""
    table = Table(title=title, title_justify="left")
    for header in headers:
        table.add_column(header, overflow="fold")
    return table


def print_json(data: Any) -> None:
    """Plain JSON on standard output (no colour, no wrapping), for scripts."""
    print(json.dumps(data, ensure_ascii=False, indent=2, default=str))


def class_counts_table(registry: Registry, title: str = "Entities by class 各类检查对象") -> Table:
    table = new_table(title, "class 监管类别", "entities 数量")
    counts = registry.class_counts()
    for cls in EntityClass:
        table.add_row(cls.label, str(counts[cls]))
    table.add_row("total 合计", str(registry.entity_count), style="bold")
    return table


PREVIEW_FIELDS = (
    ("uscc", "USCC 统一社会信用代码"),
    ("name", "name 企业名称"),
    ("entity_class", "class 监管类别"),
    ("division_code", "division 行政区划"),
    ("industry_code", "industry 行业类别"),
    ("production_status", "status 生产状态"),
)


def entities_preview_table(registry: Registry, rows: int = 5) -> Table:
    shown = min(rows, registry.entity_count)
    table = new_table(
        f"First {shown} entities 检查对象（前{shown}行）", *(h for _, h in PREVIEW_FIELDS)
    )
    columns = [registry.column(f) for f, _ in PREVIEW_FIELDS]
    for row in range(shown):
        values = [col[row] for col in columns]
        table.add_row(
            *(v.label if isinstance(v, EntityClass) else format_cell(v, "zh") for v in values)
        )
    return table


def registry_summary(registry: Registry) -> None:
    """Counts per class, a few rows, inspectors and items, and the digest."""
    console.print(class_counts_table(registry))
    console.print(entities_preview_table(registry))
    console.print(
        f"inspectors 检查人员: {registry.inspector_count}    items 抽查事项: {len(registry.items)}"
    )
    console.print(f"registry digest 名录库摘要 (SHA-256): {registry.digest}")
