"""Write the conformance example: a platform export of one quarter and its registry.

A provincial 双随机 platform's export (抽查任务及结果) for 获嘉县 (division 410724), the
third quarter of 2025, with four mistakes a bureau makes among correct rows, and the
county's registry (名录库) so the shares and coverage can be measured. Every value is
fixed: running this script again writes the same cells (the test holds the committed
files to it).

    python examples/conformance/make_example.py            # writes beside this script
    python examples/conformance/make_example.py --out DIR  # writes into DIR

Files written:

- ``platform-export.xlsx``: one sheet, 抽查任务及结果, one row per result entry (a task
  whose result was entered twice has two rows), under the headers the shipped mapping
  ``platform-export`` reads;
- ``registry.csv`` and ``registry.inspectors.csv``: the entities (检查对象名录库) and
  the inspectors (执法检查人员名录库) of the county, as ``randcheck registry`` reads them;
- ``registry-snapshot.json``: the payload of the ``REGISTRY_SNAPSHOT`` the bureau
  records (``randcheck record REGISTRY_SNAPSHOT --json``): the registry's digest and its
  counts per class, the base of 获嘉 第十四条's quarterly shares.

The mistakes (rows as a spreadsheet numbers them; the header is row 1):

- (a) row 6, task HJ2025Q3-004: inspected and its result entered 2025-08-06, published
  2025-09-12, after the 20 working days of 获嘉 第二十条 (due 2025-09-03);
- (b) row 12, task HJ2025Q3-009: no 抽查批次 (no draw behind it), against 获嘉 第五条;
- (c) rows 9 and 10, task HJ2025Q3-007: a result 发现问题 replaced by 未发现问题 two
  weeks later with no correction request or approval (rows 4 and 5 show a correction
  done properly: requested, approved, then the new result);
- (d) row 8, task HJ2025Q3-006: the quarter's second key entity (重点监管对象), drawn
  and dispatched but never inspected, so 1 of 8 key entities is inspected in the
  quarter, short of 获嘉 第十四条's 25 %.
"""

from __future__ import annotations

import argparse
import csv
import json
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Font

from randcheck.io import read_registry
from randcheck.uscc import complete

HERE = Path(__file__).resolve().parent
EXPORT = "platform-export.xlsx"
REGISTRY = "registry.csv"
INSPECTORS = "registry.inspectors.csv"
SNAPSHOT = "registry-snapshot.json"
SHEET = "抽查任务及结果"

DIVISION = "410724"
DEPARTMENT = "新乡市生态环境局获嘉分局执法大队"
TASK_NAME = "获嘉分局2025年第三季度“双随机、一公开”抽查"
CHANNEL = "获嘉县人民政府网站"


def uscc(n: int) -> str:
    """The n-th example USCC of the county: 91 (enterprise), 410724, a made-up
    organisation code, and the GB 32100-2015 check character."""
    return complete(f"91{DIVISION}MA4{n:06d}")


# --- the registry: 8 key, 20 general, 2 special entities ------------------------------

ENTITY_HEADERS = ["统一社会信用代码", "企业名称", "监管类别", "行政区划", "行业类别", "生产状态"]

KEY = [
    ("获嘉县恒通化工有限公司", "C2614"),
    ("获嘉县新源热电有限公司", "D4411"),
    ("获嘉县同力水泥有限公司", "C3011"),
    ("获嘉县华兴造纸有限公司", "C2221"),
    ("获嘉县亚太制药有限公司", "C2710"),
    ("获嘉县金源电镀有限公司", "C3360"),
    ("获嘉县宏达印染有限公司", "C1713"),
    ("获嘉县城市污水处理有限公司", "D4620"),
]
SPECIAL = [
    ("获嘉县鑫磊铸造有限公司", "C3391"),
    ("获嘉县清源危废处置有限公司", "N7724"),
]
GENERAL_KINDS = [
    ("建材", "C3021"),
    ("家具", "C2110"),
    ("食品", "C1391"),
    ("包装", "C2231"),
    ("机械", "C3432"),
]
GENERAL_PLACES = ["亢村", "照镜", "黄堤", "中和"]


def entities() -> list[dict[str, str]]:
    """Every entity of the registry, key first; ``code``: the name the rows below use
    (K1…K8, S1, S2, G1…G20)."""
    rows: list[dict[str, str]] = []
    n = 1
    for i, (name, industry) in enumerate(KEY, start=1):
        rows.append({"code": f"K{i}", "uscc": uscc(n), "name": name, "class": "重点",
                     "industry": industry})  # fmt: skip
        n += 1
    for i, (name, industry) in enumerate(SPECIAL, start=1):
        rows.append({"code": f"S{i}", "uscc": uscc(n), "name": name, "class": "特殊",
                     "industry": industry})  # fmt: skip
        n += 1
    for i in range(1, 21):
        kind, industry = GENERAL_KINDS[(i - 1) % len(GENERAL_KINDS)]
        place = GENERAL_PLACES[(i - 1) // len(GENERAL_KINDS)]
        name = f"获嘉县{place}{kind}有限公司"
        rows.append({"code": f"G{i}", "uscc": uscc(n), "name": name, "class": "一般",
                     "industry": industry})  # fmt: skip
        n += 1
    return rows


INSPECTOR_HEADERS = ["人员编号", "姓名", "单位", "执法证号", "在编在岗", "持执法证"]
INSPECTORS_ROWS = [
    ("HJ-01", "王建国"),
    ("HJ-02", "李文静"),
    ("HJ-03", "张志强"),
    ("HJ-04", "赵晓燕"),
    ("HJ-05", "刘海涛"),
    ("HJ-06", "陈思远"),
]


def certificate(inspector_id: str) -> str:
    return f"豫环执4107240{inspector_id[-2:]}"


def inspectors() -> list[list[str]]:
    return [[iid, name, DEPARTMENT, certificate(iid), "是", "是"] for iid, name in INSPECTORS_ROWS]


# --- the export ------------------------------------------------------------------------

EXPORT_HEADERS = [
    "序号",
    "任务编号",
    "抽查任务名称",
    "抽查批次",
    "抽取日期",
    "下达日期",
    "检查对象名称",
    "统一社会信用代码",
    "监管类别",
    "检查部门",
    "检查人员",
    "执法证号",
    "检查日期",
    "检查方式",
    "检查事项",
    "检查结果",
    "违法事实",
    "查处结果",
    "结果录入日期",
    "更正申请日期",
    "更正原因",
    "更正批准日期",
    "更正批准人",
    "责令整改日期",
    "整改要求",
    "整改期限",
    "整改完成日期",
    "公示日期",
    "公示渠道",
    "备注",
]

BATCHES = {
    "HJSJ-2025-07": ("2025-07-02", "2025-07-03"),
    "HJSJ-2025-08": ("2025-08-01", "2025-08-04"),
    "HJSJ-2025-09": ("2025-09-01", "2025-09-02"),
}
"""The platform's monthly draw batches (抽查批次): drawn (抽取日期), dispatched (下达日期)."""

WATER = "水污染防治监督检查"
AIR = "大气污染防治监督检查"
WASTE = "固体废物污染环境防治监督检查"
PERMIT = "排污许可监督检查"

NO_PROBLEM = "未发现问题"
RECTIFY = "发现问题，已责令整改"
CASE = "发现违法行为，已立案调查"

# One dict per row, in the order the rows appear. ``entity``: the registry code;
# ``batch``: the draw batch (None: no draw); ``team``: two inspectors of the registry.
# Keys absent from a row are left blank in the sheet.
TASKS: list[dict[str, Any]] = [
    {   # row 2: a key entity inspected, nothing found, published in time
        "task": "HJ2025Q3-001", "batch": "HJSJ-2025-07", "entity": "K1",
        "team": ("HJ-01", "HJ-02"), "inspected": "2025-07-09", "items": (WATER, PERMIT),
        "result": NO_PROBLEM, "recorded": "2025-07-09", "published": "2025-07-18",
    },
    {   # row 3: a special entity: a problem found, ordered corrected and corrected
        "task": "HJ2025Q3-002", "batch": "HJSJ-2025-07", "entity": "S1",
        "team": ("HJ-03", "HJ-04"), "inspected": "2025-07-10", "items": (AIR, WASTE),
        "result": RECTIFY, "facts": "除尘设施未正常运行", "handling": "责令限期整改",
        "recorded": "2025-07-10", "rect_ordered": "2025-07-10",
        "rect_requirement": "修复除尘设施并提交整改报告", "rect_deadline": "2025-08-10",
        "rect_completed": "2025-08-05", "published": "2025-07-21",
    },
    {   # rows 4 and 5: a general entity: a problem entered, then a correction requested and
        # approved (更正申请 -> 更正批准) before the changed result: allowed
        "task": "HJ2025Q3-003", "batch": "HJSJ-2025-07", "entity": "G1",
        "team": ("HJ-05", "HJ-06"), "inspected": "2025-07-15", "items": (WATER,),
        "result": CASE, "facts": "私设暗管排放生产废水", "handling": "已立案调查",
        "recorded": "2025-07-24", "corr_requested": "2025-07-22",
        "corr_reason": "经调查违法事实成立，已立案查处，更正检查结果",
        "corr_approved": "2025-07-23", "corr_approver": "获嘉分局局长 孙明",
        "published": "2025-07-28",
        "first": {"result": RECTIFY, "facts": "废水排放口设置不规范",
                  "handling": "责令限期整改", "recorded": "2025-07-15"},
    },
    {   # row 6: (a) published late: inspected 2025-08-06, due 2025-09-03
        "task": "HJ2025Q3-004", "batch": "HJSJ-2025-08", "entity": "G2",
        "team": ("HJ-01", "HJ-03"), "inspected": "2025-08-06", "items": (AIR,),
        "result": NO_PROBLEM, "recorded": "2025-08-06", "published": "2025-09-12",
    },
    {   # row 7: a special entity inspected, nothing found
        "task": "HJ2025Q3-005", "batch": "HJSJ-2025-08", "entity": "S2",
        "team": ("HJ-02", "HJ-05"), "inspected": "2025-08-07", "items": (WASTE,),
        "result": NO_PROBLEM, "recorded": "2025-08-07", "published": "2025-08-15",
    },
    {   # row 8: (d) a key entity drawn and dispatched, never inspected
        "task": "HJ2025Q3-006", "batch": "HJSJ-2025-08", "entity": "K3",
        "team": ("HJ-04", "HJ-06"), "items": (AIR, PERMIT), "note": "未完成",
    },
    {   # rows 9 and 10: (c) a problem entered, then 未发现问题 entered over it two weeks
        # later, with no correction request or approval
        "task": "HJ2025Q3-007", "batch": "HJSJ-2025-08", "entity": "G3",
        "team": ("HJ-02", "HJ-06"), "inspected": "2025-08-12", "items": (WASTE,),
        "result": RECTIFY, "facts": "危险废物贮存场所未设置标识", "handling": "责令限期整改",
        "recorded": "2025-08-12", "rect_ordered": "2025-08-12",
        "rect_requirement": "设置危险废物识别标志", "rect_deadline": "2025-09-12",
        "published": "2025-08-29",
        "again": {"result": NO_PROBLEM, "recorded": "2025-08-26"},
    },
    {   # row 11: the special entity S1 again (特殊: twice a year)
        "task": "HJ2025Q3-008", "batch": "HJSJ-2025-09", "entity": "S1",
        "team": ("HJ-01", "HJ-04"), "inspected": "2025-09-04", "items": (AIR, WASTE),
        "result": NO_PROBLEM, "recorded": "2025-09-04", "published": "2025-09-15",
    },
    {   # row 12: (b) inspected as a 双随机 task with no draw batch behind it
        "task": "HJ2025Q3-009", "batch": None, "entity": "G4", "dispatched": "2025-09-08",
        "team": ("HJ-03", "HJ-05"), "inspected": "2025-09-09", "items": (WATER,),
        "result": NO_PROBLEM, "recorded": "2025-09-09", "published": "2025-09-19",
    },
    {   # row 13: a general entity inspected, nothing found
        "task": "HJ2025Q3-010", "batch": "HJSJ-2025-09", "entity": "G5",
        "team": ("HJ-05", "HJ-06"), "inspected": "2025-09-10", "items": (AIR,),
        "result": NO_PROBLEM, "recorded": "2025-09-10", "published": "2025-09-22",
    },
]  # fmt: skip


def _result_cells(entry: dict[str, Any]) -> dict[str, Any]:
    return {
        "检查结果": entry.get("result"),
        "违法事实": entry.get("facts", "无") if entry.get("result") else None,
        "查处结果": entry.get("handling", "无") if entry.get("result") else None,
        "结果录入日期": entry.get("recorded"),
    }


def export_rows() -> list[list[Any]]:
    """The export's data rows, in order: a task's row, then, for a task whose result was
    entered twice, a second row for the second entry."""
    by_code = {e["code"]: e for e in entities()}
    names = dict(INSPECTORS_ROWS)
    rows: list[dict[str, Any]] = []
    for task in TASKS:
        entity = by_code[task["entity"]]
        batch = task.get("batch")
        drawn, dispatched = BATCHES[batch] if batch else (None, task["dispatched"])
        team = task["team"]
        common: dict[str, Any] = {
            "任务编号": task["task"],
            "抽查任务名称": TASK_NAME,
            "抽查批次": batch,
            "抽取日期": drawn,
            "下达日期": dispatched,
            "检查对象名称": entity["name"],
            "统一社会信用代码": entity["uscc"],
            "监管类别": entity["class"],
            "检查部门": DEPARTMENT,
            "检查人员": "、".join(names[i] for i in team),
            "执法证号": "、".join(certificate(i) for i in team),
            "检查日期": task.get("inspected"),
            "检查方式": "现场" if task.get("inspected") else None,
            "检查事项": "、".join(task["items"]),
            "责令整改日期": task.get("rect_ordered"),
            "整改要求": task.get("rect_requirement"),
            "整改期限": task.get("rect_deadline"),
            "整改完成日期": task.get("rect_completed"),
            "公示日期": task.get("published"),
            "公示渠道": CHANNEL if task.get("published") else None,
            "备注": task.get("note"),
        }
        first = task.get("first")
        if first is not None:
            # a corrected result: the first entry on its own row, then the new entry
            # with the correction (request, reason, approval) that allowed it
            rows.append({**common, **_result_cells(first)})
        rows.append(
            {
                **common,
                **_result_cells(task),
                "更正申请日期": task.get("corr_requested"),
                "更正原因": task.get("corr_reason"),
                "更正批准日期": task.get("corr_approved"),
                "更正批准人": task.get("corr_approver"),
            }
        )
        again = task.get("again")
        if again is not None:
            rows.append({**common, **_result_cells(again)})
    out = []
    for number, row in enumerate(rows, start=1):
        out.append([number if h == "序号" else row.get(h) for h in EXPORT_HEADERS])
    return out


# --- writing ---------------------------------------------------------------------------


def write_export(path: Path) -> None:
    """The XLSX, cells as text (dates as the platform prints them, 2025-07-09)."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = SHEET
    sheet.append(EXPORT_HEADERS)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in export_rows():
        sheet.append(row)
    sheet.freeze_panes = "C2"
    book.save(path)


def write_registry(folder: Path) -> None:
    with (folder / REGISTRY).open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(ENTITY_HEADERS)
        for e in entities():
            writer.writerow([e["uscc"], e["name"], e["class"], DIVISION, e["industry"], "在产"])
    with (folder / INSPECTORS).open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(INSPECTOR_HEADERS)
        writer.writerows(inspectors())


def write_snapshot(folder: Path) -> None:
    """The snapshot payload of the registry just written (its digest and counts)."""
    payload = read_registry(folder / REGISTRY).registry.snapshot_payload()
    text = json.dumps(payload, ensure_ascii=False, indent=2, sort_keys=True) + "\n"
    (folder / SNAPSHOT).write_text(text, encoding="utf-8")


def write_all(folder: Path) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    write_export(folder / EXPORT)
    write_registry(folder)
    write_snapshot(folder)
    return [folder / n for n in (EXPORT, REGISTRY, INSPECTORS, SNAPSHOT)]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=HERE, help="folder to write into")
    args = parser.parse_args(argv)
    for path in write_all(args.out):
        print(f"wrote {path}")


if __name__ == "__main__":
    main()
