"""A province-year export imported into the ledger, then audited.

Target on a 2-core, 24 GiB machine (issue 15): a platform's export of a province's
year, 60,000 inspections (about 370,000 events' worth of rows: dispatch, start,
completion, result, rectification, disclosure), imported into a SQLite ledger in
<= 60 s; the audit that follows is reported with it. The export is made from the
province-year of ``ledger_scale.py`` (the same tasks, teams and dates), written as a
platform would: one row per inspection, Chinese headers, dates without times.

    python benchmarks/import_province.py
    python benchmarks/import_province.py --tasks 6000        # a quicker look
    python benchmarks/import_province.py --format xlsx       # the export as XLSX
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import resource
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).parent))

from ledger_scale import province_year

HEADERS = [
    "任务编号", "抽查任务名称", "检查对象名称", "统一社会信用代码", "监管类别", "抽查批次",
    "抽取日期", "下达日期", "检查部门", "检查人员", "执法证号", "检查日期", "检查方式",
    "检查事项", "检查结果", "违法事实", "查处结果", "结果录入日期", "整改期限",
    "整改完成日期", "公示日期", "公示渠道",
]  # fmt: skip
CLASS_ZH = {"KEY": "重点", "GENERAL": "一般", "SPECIAL": "特殊"}
OUTCOME_ZH = {"NO_PROBLEM": "未发现问题", "RECTIFY": "发现问题已责令整改"}


def export_rows(tasks: int, entities: int) -> list[list[str]]:
    """One row per inspection, from the events of ``ledger_scale.province_year``."""
    from randcheck.uscc import complete

    rows: dict[str, dict[str, Any]] = {}
    for kind, _actor, payload, subject, when in province_year(tasks, entities):
        task = payload.get("task_id") or subject
        if kind == "TASK_DISPATCHED":
            team = payload["inspectors"]
            rows[task] = {
                "任务编号": task,
                "抽查任务名称": f"2025年第{payload['period'][-1]}季度双随机抽查",
                "检查对象名称": f"企业{payload['uscc'][-6:]}",
                "统一社会信用代码": complete(payload["uscc"][:17]),
                "监管类别": CLASS_ZH[payload["entity_class"]],
                "抽查批次": payload["draw_id"],
                "抽取日期": when.date().isoformat(),
                "下达日期": when.date().isoformat(),
                "检查部门": "省生态环境保护综合执法总队",
                "检查人员": "、".join(f"检查员{i}" for i in team),
                "执法证号": "、".join(team),
                "检查方式": "现场检查",
                "检查事项": "污染物排放、环境管理制度执行",
                "公示渠道": "省生态环境厅网站",
            }
        elif kind == "INSPECTION_COMPLETED":
            rows[task]["检查日期"] = when.date().isoformat()
        elif kind == "RESULT_RECORDED":
            row = rows[task]
            row["检查结果"] = OUTCOME_ZH[payload["outcome"]]
            row["结果录入日期"] = when.date().isoformat()
            if payload["outcome"] == "RECTIFY":
                row["违法事实"] = "废气治理设施未正常运行"
                row["查处结果"] = "责令限期改正"
                row["整改期限"] = (when.date() + dt.timedelta(days=30)).isoformat()
        elif kind == "RECTIFICATION_COMPLETED":
            rows[task]["整改完成日期"] = when.date().isoformat()
        elif kind == "DISCLOSURE_PUBLISHED":
            rows[task]["公示日期"] = when.date().isoformat()
    return [[row.get(h, "") for h in HEADERS] for row in rows.values()]


def write_export(rows: list[list[str]], path: Path) -> None:
    if path.suffix == ".csv":
        with path.open("w", newline="", encoding="utf-8-sig") as handle:
            writer = csv.writer(handle)
            writer.writerow(HEADERS)
            writer.writerows(rows)
        return
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet("抽查任务")
    sheet.append(HEADERS)
    for row in rows:
        sheet.append(row)
    book.save(path)


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--tasks", type=int, default=60_000)
    parser.add_argument("--entities", type=int, default=200_000)
    parser.add_argument("--format", choices=("csv", "xlsx"), default="csv")
    parser.add_argument("--profile", action="store_true", help="profile the import (cProfile)")
    args = parser.parse_args()

    from randcheck.audit.run import audit
    from randcheck.imports import import_records
    from randcheck.ledger.stores import open_ledger
    from randcheck.policies import get_policy

    rows = export_rows(args.tasks, args.entities)
    with tempfile.TemporaryDirectory() as folder:
        export = Path(folder) / f"province-2025.{args.format}"
        write_export(rows, export)
        size = export.stat().st_size / 1e6
        target = Path(folder) / "ledger.sqlite"
        start = time.perf_counter()
        with open_ledger(target) as ledger:
            if args.profile:
                import cProfile
                import pstats

                profiler = cProfile.Profile()
                report = profiler.runcall(import_records, ledger, [export])
                pstats.Stats(profiler).sort_stats("cumulative").print_stats(25)
            else:
                report = import_records(ledger, [export])
        imported = time.perf_counter() - start
        added = report.added

        start = time.perf_counter()
        with open_ledger(target) as ledger:
            again = import_records(ledger, [export])
        reimported = time.perf_counter() - start

        with open_ledger(target, readonly=True) as ledger:
            start = time.perf_counter()
            verdict = audit(get_policy("benxi"), ledger.events(), 2025, as_of=dt.date(2026, 3, 31))
            audited = time.perf_counter() - start
    counts = verdict.counts()
    lines = [
        f"import scale: {len(rows):,} inspections ({args.format}, {size:.0f} MB) -> "
        f"{added:,} events",
        f"  import into SQLite:       {imported:.1f} s ({added / imported:,.0f} events/s) "
        f"(target <= 60 s: {'met' if imported <= 60 else 'MISSED'})",
        f"  the same file again:      {reimported:.1f} s; {again.added} events added, "
        f"{again.present:,} already in the ledger",
        f"  audit (benxi, year):      {audited:.1f} s; "
        + ", ".join(f"{k}: {v}" for k, v in counts.items()),
        f"  peak memory {_peak_mb():,.0f} MB",
    ]
    print("\n".join(lines))


if __name__ == "__main__":
    main()
