"""Exports to import: small platform and disclosure tables, written as a bureau's
platform writes them (CSV in UTF-8 or GB18030, XLSX with a sheet per table)."""

from __future__ import annotations

import csv
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from randcheck.uscc import complete

U1 = complete("91410724MA0000001")
U2 = complete("91410724MA0000002")
U3 = complete("91410724MA0000003")

PLATFORM_ZH = [
    "任务编号", "抽查任务名称", "检查对象名称", "统一社会信用代码", "监管类别", "抽查批次",
    "下达日期", "检查部门", "检查人员", "执法证号", "检查日期", "检查方式", "检查事项",
    "检查结果", "结果录入日期", "整改期限", "整改完成日期", "公示日期",
]  # fmt: skip
PLATFORM_EN = [
    "task_id", "task_name", "entity_name", "uscc", "entity_class", "draw_id",
    "dispatch_date", "department", "inspectors", "certificates", "inspection_date", "mode",
    "items", "result", "result_date", "rectification_deadline", "rectification_completed",
    "disclosure_date",
]  # fmt: skip
ROWS = [
    ["T1", "一季度抽查", "甲公司", U1, "重点", "2025Q1", "2025-03-03", "执法大队",
     "张三、李四", "41001、41002", "2025-03-04", "现场检查", "废水排放", "未发现问题",
     "2025-03-05", "", "", "2025-03-10"],
    ["T2", "一季度抽查", "乙公司", U2, "一般", "2025Q1", "2025-03-03", "执法大队",
     "王五、赵六", "41003、41004", "2025/3/6", "现场", "废气排放、固废", "发现问题已责令整改",
     "2025年3月6日", "2025-04-06", "2025-04-01", "2025-03-12"],
    ["T3", "一季度抽查", "丙公司", U3, "一般", "2025Q1", "2025-03-03", "执法大队",
     "张三、王五", "41001、41003", "2025-03-07", "非现场", "废水排放", "发现违法行为已立案调查",
     "2025-03-08", "", "", ""],
]  # fmt: skip


def write_csv(
    path: Path, headers: Sequence[str], rows: Sequence[Sequence[Any]], encoding: str = "utf-8"
) -> Path:
    with path.open("w", newline="", encoding=encoding) as handle:
        writer = csv.writer(handle)
        writer.writerow(headers)
        writer.writerows(rows)
    return path


def write_xlsx(path: Path, sheets: dict[str, list[Sequence[Any]]]) -> Path:
    from openpyxl import Workbook

    book = Workbook()
    first = book.active
    assert first is not None
    book.remove(first)
    for title, rows in sheets.items():
        sheet = book.create_sheet(title)
        for row in rows:
            sheet.append(list(row))
    book.save(path)
    return path


def platform_csv(folder: Path, name: str = "tasks.csv", rows: Sequence[Sequence[Any]] = ROWS,
                 **kwargs: Any) -> Path:  # fmt: skip
    return write_csv(folder / name, PLATFORM_ZH, rows, **kwargs)
