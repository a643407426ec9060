"""What a bureau publishes: plans, disclosure, reports, the schedule; XLSX read back."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from openpyxl import load_workbook
from typer.testing import CliRunner

from randcheck.cli import app
from randcheck.policies import BUILTINS, get_policy
from randcheck.publish.schedule import schedule, schedule_table, to_ics
from randcheck.publish.table import Table
from randcheck.publish.tables import annual_plan_table, disclosure_table, item_list_table
from randcheck.registry import Registry
from randcheck.report.files import write_table
from randcheck.synth import generate_registry

runner = CliRunner()
GOLDEN = Path(__file__).parent / "golden"


@pytest.mark.parametrize("policy_id", list(BUILTINS))
def test_the_2025_schedules_match_their_golden_files(policy_id: str) -> None:
    expected = json.loads((GOLDEN / f"schedule-{policy_id}-2025.json").read_text(encoding="utf-8"))
    assert schedule_table(get_policy(policy_id), 2025).to_json() == expected


def test_benxi_schedule_dates_and_clauses() -> None:
    items = {(s.rule_id, s.covers): s for s in schedule(get_policy("benxi"), 2025)}
    assert items[("items.by_jan_5", "2025")].due.isoformat() == "2025-01-05"
    assert items[("draw.by_10th", "2025Q3")].due.isoformat() == "2025-07-10"
    assert items[("quarter.results", "2025Q4")].due.isoformat() == "2025-12-25"
    assert items[("report.yearly", "2025")].clause == "本溪市 实施方案 八(一)"


def test_qingdao_schedule_monthly_and_quarterly() -> None:
    items = {
        (s.rule_id, s.covers): s.due.isoformat()
        for s in schedule(get_policy("qingdao_west_coast"), 2025)
    }
    assert items[("report.monthly_dispatch", "2024-12")] == "2025-01-05"
    assert items[("report.quarterly", "2025Q2")] == "2025-07-10"
    assert items[("pool.inspector_count", "2025")] == "2025-01-15"
    assert len([k for k in items if k[0] == "report.monthly_dispatch"]) == 12


def test_ics_is_importable_text() -> None:
    text = to_ics(get_policy("benxi"), 2025)
    assert text.startswith("BEGIN:VCALENDAR\r\n") and text.endswith("END:VCALENDAR\r\n")
    assert text.count("BEGIN:VEVENT") == len(schedule(get_policy("benxi"), 2025))
    assert all(len(line.encode()) <= 75 for line in text.split("\r\n"))
    assert "DTSTART;VALUE=DATE:20250105" in text


def test_xlsx_has_chinese_headers_rows_and_a4_setup(tmp_path: Path) -> None:
    table = schedule_table(get_policy("benxi"), 2025)
    write_table(table, tmp_path / "s.xlsx")
    sheet = load_workbook(tmp_path / "s.xlsx").active
    assert sheet is not None
    rows = list(sheet.iter_rows(values_only=True))
    # the form: title, 填报单位/所属期间/填报日期, the headers, then the rows
    assert rows[0][0] == table.title and str(rows[1][0]).startswith("填报单位：")
    assert rows[2][0] == "截止日期" and len(rows) == len(table.rows) + 3
    assert rows[3][0] == "2025-01-05"
    assert int(sheet.page_setup.paperSize) == 9 and sheet.freeze_panes == "A4"  # 9: A4


def test_annual_plan_is_shaped_like_huojia_annex_1(tmp_path: Path) -> None:
    registry = generate_registry(400, 30, seed="plan")
    table = annual_plan_table(get_policy("huojia"), registry, 2025)
    assert [r["number"] for r in table.rows] == ["202501", "202502", "202503", "202504"]
    assert table.headers[:3] == ["序号", "抽查计划名称", "抽查事项"]
    assert "重点" in table.rows[0]["counts"] and "每季度不低于25%" in table.rows[0]["ratio"]
    write_table(table, tmp_path / "plan.xlsx")
    read = list(load_workbook(tmp_path / "plan.xlsx").active.iter_rows(values_only=True))  # type: ignore[union-attr]
    assert read[3][0] == "202501" and "1季度随机抽查" in read[3][1]


def test_item_list_has_the_elements_of_article_8() -> None:
    table = item_list_table(generate_registry(10, 2, seed="items"))
    assert table.headers[1:4] == ["检查机构", "检查事项", "事项类别"]
    assert len(table.rows) == 14
    empty = item_list_table(Registry.from_records([]))
    assert empty.rows == [] and empty.notes


def test_an_empty_period_gives_headers_and_a_message(tmp_path: Path) -> None:
    table = disclosure_table(get_policy("huojia"), [], 2025, 3)
    assert table.rows == [] and "nothing to publish" in table.notes[0]
    write_table(table, tmp_path / "d.xlsx")
    rows = list(load_workbook(tmp_path / "d.xlsx").active.iter_rows(values_only=True))  # type: ignore[union-attr]
    assert len(rows) == 3 and rows[2] == tuple(table.headers)  # title, unit line, headers


def test_disclosure_from_the_demo_ledger_via_the_command_line(tmp_path: Path) -> None:
    assert runner.invoke(app, ["demo", "--policy", "huojia", "--out", str(tmp_path)]).exit_code == 0
    ledger = next(tmp_path.glob("ledger-*.sqlite"))
    out = tmp_path / "disclosure.xlsx"
    result = runner.invoke(
        app,
        [
            "disclose",
            "--ledger",
            str(ledger),
            "--policy",
            "huojia",
            "--year",
            "2025",
            "--quarter",
            "3",
            "--registry",
            str(tmp_path / "registry.csv"),
            "-o",
            str(out),
        ],
    )
    assert result.exit_code == 0, result.output
    rows = list(load_workbook(out).active.iter_rows(values_only=True))  # type: ignore[union-attr]
    header, body = rows[2], rows[3:]
    assert header[:5] == ("企业名称", "统一社会信用代码", "检查日期", "检查事项", "检查结果")
    assert body and {r[4] for r in body} <= {
        "未发现问题",
        "发现问题已责令整改",
        "发现违法行为已立案调查",
    }
    late = [r for r in body if r[9] == "否"]
    assert len(late) == 1  # the demo's one planted late disclosure
    push = runner.invoke(
        app,
        [
            "report",
            "credit-push",
            "--ledger",
            str(ledger),
            "--year",
            "2025",
            "--quarter",
            "3",
            "--registry",
            str(tmp_path / "registry.csv"),
            "-o",
            str(tmp_path / "push.json"),
        ],
    )
    assert push.exit_code == 0
    steps = [
        r["step"]
        for r in json.loads((tmp_path / "push.json").read_text(encoding="utf-8"))["rows"][:3]
    ]
    assert steps == ["发布结果", "基础库推送", "任务推送"]


def test_missing_or_unreadable_files_write_nothing(tmp_path: Path) -> None:
    out = tmp_path / "x.xlsx"
    result = runner.invoke(
        app,
        [
            "disclose",
            "--ledger",
            str(tmp_path / "none.sqlite"),
            "--policy",
            "huojia",
            "--year",
            "2025",
            "-o",
            str(out),
        ],
    )
    assert result.exit_code == 2 and "does not exist" in result.stderr and not out.exists()
    with pytest.raises(Exception, match="cannot write"):
        write_table(Table("t", [("a", "A")]), tmp_path / "x.pdf")
    assert list(tmp_path.iterdir()) == []
