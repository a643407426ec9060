"""What a bureau publishes and files, as tables with Chinese headers.

- 抽查事项清单, the item list, with the elements of 获嘉 第八条;
- 年度随机抽查工作计划, the annual plan shaped like 获嘉 附件1, with the counts per
  class and quarter from the quota engine; 季度抽查工作计划 (本溪 六(一)2);
- 抽查结果公开, the disclosure of results (获嘉 第二十条–第二十一条, 本溪 八(二)):
  the standard phrases, rows that may be withheld left out and counted, each
  row's disclosure deadline and whether it was met;
- the credit-system push (获嘉 通知 一(四)): 发布结果, 基础库推送, 任务推送, in order;
- 青岛 五: the monthly dispatch table and the quarterly report; 本溪 八(一): the
  yearly report of the work done.

Every table exports to XLSX, CSV and JSON (:func:`randcheck.report.files.write_table`).
A period with nothing to publish gives an empty table with its headers and a note.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable
from typing import Any

from randcheck.calendar import WorkingCalendar, default_calendar
from randcheck.draw.history import History, Inspection
from randcheck.draw.quotas import CLASS_ORDER
from randcheck.draw.select import plan_draw
from randcheck.ledger.chain import LedgerEvent
from randcheck.ledger.events import EventType
from randcheck.models import EntityClass
from randcheck.models.vocab import Outcome
from randcheck.periods import Quarter
from randcheck.policies.model import (
    CoverageCycle,
    CreditPush,
    Deadline,
    Disclosure,
    Policy,
    QuarterlyShare,
    StaffMultiple,
)
from randcheck.publish.table import Table
from randcheck.registry import Registry

PHRASES = {o.value: o.zh for o in Outcome}


def _authority(registry: Registry, policy: Policy) -> str:
    counts = Counter(a for a in registry.column("authority") if a)
    return counts.most_common(1)[0][0] if counts else policy.name_zh


def item_list_table(registry: Registry) -> Table:
    """抽查事项清单 (获嘉 第八条): body, item, objects, content, method, ratio, level, basis."""
    columns = (
        ("code", "事项编号"),
        ("inspecting_body", "检查机构"),
        ("name", "检查事项"),
        ("item_class", "事项类别"),
        ("objects", "检查对象"),
        ("content", "检查内容"),
        ("method", "检查方式"),
        ("ratio", "抽查比例"),
        ("level", "实施层级"),
        ("legal_basis", "抽查依据"),
    )
    table = Table("随机抽查事项清单", columns)
    table.rows = [item.model_dump() for item in registry.items]
    if not table.rows:
        table.notes.append("the registry holds no inspection items (抽查事项)")
    return table


def _ratio_text(policy: Policy) -> str:
    parts = []
    for cls in CLASS_ORDER:
        share = policy.class_rule(QuarterlyShare, cls)
        multiple = policy.class_rule(StaffMultiple, cls)
        cycle = policy.class_rule(CoverageCycle, cls)
        bits = []
        if share:
            bits.append(f"每季度不低于{share.min_fraction * 100:g}%")
        if multiple:
            bits.append(f"全年不少于在编在岗执法人员数的{multiple.multiple:g}倍")
        if cycle:
            bits.append(f"{cycle.years}年抽查{cycle.times}次")
        if bits:
            parts.append(f"{cls.zh}监管对象：" + "，".join(bits))
    return "；".join(parts)


def plan_counts(
    policy: Policy, registry: Registry, year: int, history: History | None = None
) -> dict[Quarter, dict[EntityClass, int]]:
    """Entities to draw per class and quarter, by the quota engine, each quarter's draw
    planned on the inspections the earlier ones would make (a fixed planning seed)."""
    history = history or History()
    counts: dict[Quarter, dict[EntityClass, int]] = {}
    for quarter in Quarter(year, 1).year_quarters():
        result = plan_draw(
            policy, registry, quarter, f"plan|{policy.id}|{quarter.label}", history=history
        )
        counts[quarter] = {q.entity_class: q.quota for q in result.quotas}
        middle = quarter.start + dt.timedelta(days=45)
        history = history + History(Inspection(uscc=t.uscc, date=middle) for t in result.tasks)
    return counts


def annual_plan_table(
    policy: Policy, registry: Registry, year: int, history: History | None = None
) -> Table:
    """年度随机抽查工作计划, one row per quarterly task, shaped like 获嘉 附件1."""
    columns = (
        ("number", "序号"),
        ("name", "抽查计划名称"),
        ("items", "抽查事项"),
        ("item_class", "事项类别"),
        ("scope", "抽查对象范围"),
        ("ratio", "抽查比例"),
        ("counts", "计划抽查数量"),
        ("time", "抽查时间"),
    )
    authority = _authority(registry, policy)
    items = [f"{n}.{item.name}" for n, item in enumerate(registry.items, start=1)]
    classes = {i.item_class for i in registry.items if i.item_class} or {"一般检查事项"}
    table = Table(f"{year}年“双随机、一公开”监管随机抽查工作计划", columns)
    for quarter, counts in plan_counts(policy, registry, year, history).items():
        table.rows.append(
            {
                "number": f"{year}{quarter.quarter:02d}",
                "name": f"{authority} {quarter.quarter}季度随机抽查",
                "items": "\n".join(items) or "—",
                "item_class": "、".join(sorted(classes)),
                "scope": "辖区内纳入检查对象名录库的排污单位",
                "ratio": _ratio_text(policy),
                "counts": "；".join(f"{cls.zh}{counts.get(cls, 0)}家" for cls in CLASS_ORDER),
                "time": f"{quarter.quarter}季度",
            }
        )
    if not registry.entity_count:
        table.notes.append("the registry holds no entities: every count is 0")
    return table


def quarterly_plan_table(
    policy: Policy, registry: Registry, quarter: Quarter, history: History | None = None
) -> Table:
    """季度随机抽查工作计划 (本溪 六(一)2): items, objects, inspecting unit, methods."""
    columns = (
        ("class", "监管类别"),
        ("objects", "检查对象"),
        ("items", "抽查事项"),
        ("unit", "检查单位"),
        ("method", "检查方式"),
    )
    counts = plan_counts(policy, registry, quarter.year, history)[quarter]
    table = Table(f"{quarter.zh}随机抽查工作计划", columns)
    items = "、".join(i.name for i in registry.items) or "—"
    for cls in CLASS_ORDER:
        table.rows.append(
            {
                "class": cls.label,
                "objects": f"随机抽取{cls.zh}监管对象{counts.get(cls, 0)}家",
                "items": items,
                "unit": _authority(registry, policy),
                "method": "现场检查（正面清单企业非现场监管）",
            }
        )
    return table


def _day(event: LedgerEvent) -> dt.date:
    return event.time.astimezone(dt.timezone(dt.timedelta(hours=8))).date()


def disclosure_table(
    policy: Policy,
    events: Iterable[LedgerEvent],
    year: int,
    quarter: int | None = None,
    registry: Registry | None = None,
    calendar: WorkingCalendar | None = None,
) -> Table:
    """抽查结果公开: one row per inspection whose result was recorded in the period."""
    calendar = calendar or default_calendar()
    columns = (
        ("name", "企业名称"),
        ("uscc", "统一社会信用代码"),
        ("date", "检查日期"),
        ("items", "检查事项"),
        ("result", "检查结果"),
        ("facts", "违法事实"),
        ("handling", "查处结果"),
        ("deadline", "公开期限"),
        ("published", "公开日期"),
        ("on_time", "是否按期公开"),
    )
    table = Table("“双随机、一公开”抽查结果公开", columns)
    rule = policy.deadline("disclosure")
    phrases = {
        o.value: p for r in policy.rules_of(Disclosure) for o, p in r.phrases.items()
    } or PHRASES
    tasks: dict[str, dict[str, Any]] = {}
    for event in events:
        p = event.payload
        if event.type is EventType.TASK_DISPATCHED:
            tasks[p["task_id"]] = {"uscc": p["uscc"], "items": p.get("items", [])}
        elif event.type is EventType.INSPECTION_COMPLETED and p["task_id"] in tasks:
            tasks[p["task_id"]]["date"] = _day(event)
        elif event.type is EventType.RESULT_RECORDED and p["task_id"] in tasks:
            tasks[p["task_id"]].update(result=p, recorded=_day(event))
        elif event.type is EventType.DISCLOSURE_PUBLISHED:
            for task_id in p["task_ids"]:
                tasks.setdefault(task_id, {})["published"] = _day(event)
    withheld = 0
    for t in tasks.values():
        if "result" not in t or "date" not in t:
            continue
        period = Quarter.of(t["date"])
        if period.year != year or (quarter and period.quarter != quarter):
            continue
        if t["result"].get("withheld"):
            withheld += 1
            continue
        deadline = None
        if isinstance(rule, Deadline):
            start = t["date"] if rule.after == "inspection_completed" else t["recorded"]
            deadline = calendar.add_working_days(start, rule.amount).date
        published = t.get("published")
        entity = registry.get_entity(t["uscc"]) if registry else None
        table.rows.append(
            {
                "name": entity.name if entity else "",
                "uscc": t["uscc"],
                "date": t["date"].isoformat(),
                "items": "、".join(t["items"]) or "多项合一",
                "result": phrases.get(t["result"]["outcome"], ""),
                "facts": t["result"].get("facts") or "",
                "handling": t["result"].get("handling") or "",
                "deadline": deadline.isoformat() if deadline else "未规定",
                "published": published.isoformat() if published else "未公开",
                "on_time": "—" if deadline is None else bool(published and published <= deadline),
            }
        )
    table.rows.sort(key=lambda r: (r["date"], r["uscc"]))
    if withheld:
        table.notes.append(
            f"{withheld} result(s) withheld (涉及保密、国家安全、公共安全, 获嘉 第二十一条) "
            "and left out"
        )
    if not table.rows:
        table.notes.append("no inspection result recorded in the period: nothing to publish")
    return table


def credit_push_table(
    policy: Policy, events: Iterable[LedgerEvent], year: int, quarter: int | None = None
) -> Table:
    """The push to the credit publicity system (获嘉 通知 一(四)): the steps per task, in order."""
    columns = (
        ("seq", "顺序"),
        ("step", "推送步骤"),
        ("task_id", "任务编号"),
        ("uscc", "统一社会信用代码"),
        ("result", "检查结果"),
    )
    table = Table("国家企业信用信息公示系统推送", columns)
    rule = policy.one(CreditPush)
    if rule is None:
        table.notes.append(f"{policy.id} states no credit push steps")
        return table
    uscc_of: dict[str, str] = {}
    seq = 0
    for event in events:
        p = event.payload
        if event.type is EventType.TASK_DISPATCHED:
            uscc_of[p["task_id"]] = p["uscc"]
        elif event.type is EventType.RESULT_RECORDED and not p.get("withheld"):
            day = _day(event)
            if day.year != year or (quarter and Quarter.of(day).quarter != quarter):
                continue
            for step in rule.steps:
                seq += 1
                table.rows.append(
                    {
                        "seq": seq,
                        "step": step,
                        "task_id": p["task_id"],
                        "uscc": uscc_of.get(p["task_id"], ""),
                        "result": PHRASES[p["outcome"]],
                    }
                )
    if not table.rows:
        table.notes.append("no result recorded in the period: nothing to push")
    return table


def work_report_table(
    events: Iterable[LedgerEvent], start: dt.date, end: dt.date, title: str
) -> Table:
    """Work done from ``start`` to ``end``: 青岛 五 调度表 / 季度报表, 本溪 八(一) 年度报告."""
    columns = (
        ("class", "监管类别"),
        ("dispatched", "派发任务"),
        ("inspected", "完成检查"),
        ("no_problem", "未发现问题"),
        ("rectify", "责令整改"),
        ("case", "立案调查"),
        ("rectified", "整改完成"),
        ("disclosed", "已公开"),
    )
    table = Table(title, columns)
    class_of: dict[str, str] = {}
    counts: dict[str, Counter[str]] = {c.value: Counter() for c in CLASS_ORDER}
    keys = {
        EventType.TASK_DISPATCHED: "dispatched",
        EventType.INSPECTION_COMPLETED: "inspected",
        EventType.RECTIFICATION_COMPLETED: "rectified",
    }
    outcome_key = {"NO_PROBLEM": "no_problem", "RECTIFY": "rectify", "CASE_FILED": "case"}
    for event in events:
        p = event.payload
        if event.type is EventType.TASK_DISPATCHED:
            class_of[p["task_id"]] = p.get("entity_class") or "GENERAL"
        if not start <= _day(event) <= end:
            continue
        task_ids = p.get("task_ids") or [p.get("task_id")]
        for task_id in task_ids:
            cls = class_of.get(task_id or "", "GENERAL")
            if event.type in keys:
                counts[cls][keys[event.type]] += 1
            elif event.type is EventType.RESULT_RECORDED:
                counts[cls][outcome_key[p["outcome"]]] += 1
            elif event.type is EventType.DISCLOSURE_PUBLISHED:
                counts[cls]["disclosed"] += 1
    for cls in CLASS_ORDER:
        table.rows.append({"class": cls.label, **{k: counts[cls.value][k] for k, _ in columns[1:]}})
    table.rows.append(
        {"class": "合计 total", **{k: sum(counts[c][k] for c in counts) for k, _ in columns[1:]}}
    )
    if not any(table.rows[-1][k] for k, _ in columns[1:]):
        table.notes.append(f"no work recorded from {start} to {end}")
    return table


def monthly_dispatch_table(events: Iterable[LedgerEvent], year: int, month: int) -> Table:
    """青岛 五: 随机抽查工作调度表 for one month (filed by the 5th of the next)."""
    start = dt.date(year, month, 1)
    end = (start + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1)
    return work_report_table(events, start, end, f"{year}年{month}月随机抽查工作调度表")


def quarterly_report_table(events: Iterable[LedgerEvent], quarter: Quarter) -> Table:
    """青岛 五: 季度报表 (filed within 10 days of the next quarter's start)."""
    return work_report_table(events, quarter.start, quarter.end, f"{quarter.zh}随机抽查季度报表")


def yearly_report_table(events: Iterable[LedgerEvent], year: int) -> Table:
    """本溪 八(一): 年度“双随机、一公开”监管工作情况 (reported before year end)."""
    return work_report_table(
        events,
        dt.date(year, 1, 1),
        dt.date(year, 12, 31),
        f"{year}年度“双随机、一公开”监管工作情况",
    )
