"""The XLSX a bureau prints is a form (报表): title, 填报单位 / 所属期间 / 填报日期, a
bordered table whose header row repeats on every page, 第 &P 页 共 &N 页, signature
lines where it is filed; A4; rows as tall as their wrapped text; no font below 9 pt.
Chinese by default, English or both on request."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook
from typer.testing import CliRunner

from randcheck.cli import app
from randcheck.ledger.stores import read_verified
from randcheck.periods import Quarter
from randcheck.policies import get_policy
from randcheck.publish.schedule import schedule_table
from randcheck.publish.table import Table, class_label
from randcheck.publish.tables import (
    annual_plan_table,
    disclosure_table,
    quarterly_plan_table,
    quarterly_report_table,
    yearly_report_table,
)
from randcheck.report.files import (
    LANDSCAPE_UNITS,
    LINE_PT,
    PORTRAIT_UNITS,
    wrapped_lines,
    write_table,
)
from tests.publish.helpers import quarter_registry, write_quarter

runner = CliRunner()


def _sheet(table: Table, path: Path) -> Any:
    write_table(table, path)
    return load_workbook(path).worksheets[0]


def test_a_filed_report_is_a_form(tmp_path: Path) -> None:
    events = read_verified(write_quarter(tmp_path, tasks=5))
    table = quarterly_report_table(events, Quarter(2025, 3))
    table.unit, table.date = "本溪市生态环境局", dt.date(2025, 10, 8)
    sheet = _sheet(table, tmp_path / "q.xlsx")
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "2025年第三季度随机抽查季度报表"
    line = "".join(str(v) for v in rows[1] if v)
    assert "填报单位：本溪市生态环境局" in line and "所属期间：2025年第三季度" in line
    assert "填报日期：2025年10月8日" in line
    assert rows[2][0] == "监管类别" and rows[3][0] == "重点监管对象" and rows[6][0] == "合计"
    signature = "".join(str(v) for v in rows[-1] if v)
    assert all(f"{who}：" in signature for who in ("填报人", "审核人", "负责人"))
    assert sheet.print_title_rows == "$1:$3"  # title, unit line and headers on every page
    assert sheet.oddFooter.center.text == "第 &P 页 共 &N 页"
    assert int(sheet.page_setup.paperSize) == 9  # A4
    for row in sheet.iter_rows(min_row=3, max_row=7):
        for cell in row:
            sides = (cell.border.left, cell.border.right, cell.border.top, cell.border.bottom)
            assert all(side.style == "thin" for side in sides), cell.coordinate
    fonts = [c.font.sz for row in sheet.iter_rows() for c in row if c.value is not None]
    assert min(fonts) >= 9


def test_a_published_disclosure_has_no_signature_lines(tmp_path: Path) -> None:
    events = read_verified(write_quarter(tmp_path, tasks=3))
    table = disclosure_table(get_policy("huojia"), events, 2025, 3)
    rows = list(_sheet(table, tmp_path / "d.xlsx").iter_rows(values_only=True))
    assert len(rows) == 3 + 3 and not any("填报人" in str(v) for r in rows for v in r)


def test_rows_are_as_tall_as_their_wrapped_text(tmp_path: Path) -> None:
    """The issue's annual plan: 14 numbered items in one cell, each row tall enough."""
    table = annual_plan_table(get_policy("huojia"), quarter_registry(), 2025)
    sheet = _sheet(table, tmp_path / "plan.xlsx")
    widths = {k: v.width for k, v in sheet.column_dimensions.items()}
    items = table.rows[0]["items"]
    assert items.count("\n") == 13
    merged = next(r for r in sheet.merged_cells.ranges if r.min_col == 3 and r.min_row == 4)
    assert (merged.min_row, merged.max_row) == (4, 7)  # the same items, once for the year
    height = sum(sheet.row_dimensions[r].height for r in range(4, 8))
    assert height >= wrapped_lines(items, widths["C"]) * LINE_PT
    assert sheet.page_setup.orientation == "landscape"
    assert sum(widths.values()) <= LANDSCAPE_UNITS + 0.5


def test_a_narrow_table_prints_portrait(tmp_path: Path) -> None:
    table = quarterly_plan_table(get_policy("benxi"), quarter_registry(), Quarter(2025, 3))
    table.columns = table.columns[:2]
    sheet = _sheet(table, tmp_path / "narrow.xlsx")
    widths = [v.width for v in sheet.column_dimensions.values()]
    assert sheet.page_setup.orientation == "portrait" and sum(widths) <= PORTRAIT_UNITS + 0.5
    # fitted to the width only as a guard: the page is never shrunk below 9 pt
    assert sheet.page_setup.fitToWidth == 1 and sheet.page_setup.fitToHeight == 0


def test_text_is_still_safe_from_formulas_in_the_form(tmp_path: Path) -> None:
    table = Table("t", [("a", "甲"), ("b", "乙")], [{"a": "=HYPERLINK(1)", "b": 3}])
    rows = list(_sheet(table, tmp_path / "f.xlsx").iter_rows(values_only=True))
    assert rows[3] == ("'=HYPERLINK(1)", 3)


# --- Chinese by default ---------------------------------------------------------------


def test_labels_are_the_official_ones_by_default(tmp_path: Path) -> None:
    events = read_verified(write_quarter(tmp_path, tasks=3))
    table = yearly_report_table(events, 2025)
    assert [r["class"] for r in table.rows] == [
        "重点监管对象", "特殊监管对象", "一般监管对象", "合计"
    ]  # fmt: skip
    assert all("/" not in str(v) and "KEY" not in str(v) for r in table.rows for v in r.values())
    plan = quarterly_plan_table(get_policy("benxi"), quarter_registry(), Quarter(2025, 3))
    assert (
        plan.rows[0]["class"] == "重点监管对象"
        and "随机抽取重点监管对象" in plan.rows[0]["objects"]
    )
    schedule = schedule_table(get_policy("benxi"), 2025)
    assert schedule.headers[0] == "截止日期" and not any(
        "a day off" in str(r["note"]) for r in schedule.rows
    )


@pytest.mark.parametrize(
    ("lang", "header", "label", "yes"),
    [
        ("zh", "企业名称", "重点监管对象", "是"),
        ("en", "Entity", "key entities", "yes"),
        ("both", "企业名称 Entity", "重点监管对象 key entities", "是 yes"),
    ],
)
def test_lang_chooses_the_language(
    tmp_path: Path, lang: str, header: str, label: str, yes: str
) -> None:
    events = read_verified(write_quarter(tmp_path, tasks=3))
    table = disclosure_table(get_policy("huojia"), events, 2025, 3, lang=lang)  # type: ignore[arg-type]
    assert table.headers[0] == header and class_label("KEY", lang) == label
    assert table.values()[0][-1] == yes


def test_the_command_line_takes_lang_and_unit(tmp_path: Path) -> None:
    ledger = write_quarter(tmp_path, tasks=3)
    out = tmp_path / "y.xlsx"
    args = ["report", "yearly", "--ledger", str(ledger), "--year", "2025", "-o", str(out)]
    result = runner.invoke(app, [*args, "--lang", "en", "--unit", "Benxi EEB"])
    assert result.exit_code == 0, result.output
    rows = list(load_workbook(out).worksheets[0].iter_rows(values_only=True))
    assert "Reporting unit: Benxi EEB" in "".join(str(v) for v in rows[1] if v)
    assert rows[3][0] == "key entities"
    assert runner.invoke(app, [*args, "--lang", "fr"]).exit_code == 2
    empty = runner.invoke(app, [*args, "--unit", " "])
    assert empty.exit_code == 2 and "--unit is empty" in empty.stderr


def test_a_table_too_wide_for_the_page_is_not_shrunk_below_9_pt(tmp_path: Path) -> None:
    columns = [(f"c{n}", f"代码{n}") for n in range(20)]
    table = Table("宽表", columns, [{k: "91410724MA4000013M" for k, _ in columns}])
    sheet = _sheet(table, tmp_path / "wide.xlsx")
    assert sheet.page_setup.orientation == "landscape"
    assert not sheet.sheet_properties.pageSetUpPr.fitToPage  # printed across pages instead
    assert wrapped_lines("91410724MA4000013M", sheet.column_dimensions["A"].width) == 1
