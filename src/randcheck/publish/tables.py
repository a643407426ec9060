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

Each is in Chinese by default (``lang="zh"``; ``"en"`` or ``"both"`` on request),
carries its period, and, for the plans and reports a bureau files upward, is marked
``filed`` (the printed form has signature lines). A disclosure and a credit push list
name every entity: by the name its dispatch recorded at the draw, else by the
registry given; a name known to neither is refused (:class:`UnnamedEntities`), never
left blank.
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
from randcheck.errors import InputError
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
from randcheck.publish.table import Lang, Table, class_label, columns, pick
from randcheck.registry import Registry

PHRASES = {o.value: o.zh for o in Outcome}


def registry_unit(registry: Registry | None) -> str:
    """The reporting unit (填报单位) a registry names: its most frequent authority
    (所属机关); "" when it names none."""
    if registry is None:
        return ""
    counts = Counter(a for a in registry.column("authority") if a)
    return str(counts.most_common(1)[0][0]) if counts else ""


def _authority(registry: Registry, policy: Policy) -> str:
    return registry_unit(registry) or policy.name_zh


def year_text(year: int, lang: str) -> str:
    return pick(lang, f"{year}年", str(year))


def quarter_text(quarter: Quarter, lang: str) -> str:
    return pick(lang, quarter.zh, quarter.label)


class UnnamedEntities(InputError):
    """A document that must name its entities, for some of which no name is known."""


def _unnamed(usccs: Iterable[str], what: str) -> UnnamedEntities:
    missing = sorted(set(usccs))
    shown = "、".join(missing[:3]) + (f" and {len(missing) - 3} more" if len(missing) > 3 else "")
    return UnnamedEntities(
        f"{what} must name every entity, and the name of {len(missing)} "
        f"{'entity' if len(missing) == 1 else 'entities'} is not known "
        f"(统一社会信用代码 {shown}): their dispatches in the ledger were recorded before "
        "names were, and no registry holding them was given",
        hint="give the registry the draw was made from (--registry FILE); a document "
        "never leaves 企业名称 blank",
    )


def item_list_table(registry: Registry, lang: Lang = "zh") -> Table:
    """抽查事项清单 (获嘉 第八条): body, item, objects, content, method, ratio, level, basis."""
    cols = columns(
        lang,
        ("code", "事项编号", "Code"),
        ("inspecting_body", "检查机构", "Inspecting body"),
        ("name", "检查事项", "Item"),
        ("item_class", "事项类别", "Item class"),
        ("objects", "检查对象", "Objects"),
        ("content", "检查内容", "Content"),
        ("method", "检查方式", "Method"),
        ("ratio", "抽查比例", "Ratio"),
        ("level", "实施层级", "Level"),
        ("legal_basis", "抽查依据", "Legal basis"),
    )
    table = Table(
        pick(lang, "随机抽查事项清单", "Random inspection item list"),
        cols,
        unit=registry_unit(registry),
        lang=lang,
    )
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
    policy: Policy,
    registry: Registry,
    year: int,
    history: History | None = None,
    lang: Lang = "zh",
) -> Table:
    """年度随机抽查工作计划, one row per quarterly task, shaped like 获嘉 附件1."""
    cols = columns(
        lang,
        ("number", "序号", "No."),
        ("name", "抽查计划名称", "Plan"),
        ("items", "抽查事项", "Items"),
        ("item_class", "事项类别", "Item class"),
        ("scope", "抽查对象范围", "Scope"),
        ("ratio", "抽查比例", "Ratio"),
        ("counts", "计划抽查数量", "Planned count"),
        ("time", "抽查时间", "When"),
    )
    authority = _authority(registry, policy)
    items = [f"{n}.{item.name}" for n, item in enumerate(registry.items, start=1)]
    classes = {i.item_class for i in registry.items if i.item_class} or {"一般检查事项"}
    table = Table(
        pick(
            lang,
            f"{year}年“双随机、一公开”监管随机抽查工作计划",
            f"{year} random inspection plan (双随机、一公开)",
        ),
        cols,
        period=pick(lang, f"{year}年度", str(year)),
        unit=registry_unit(registry),
        filed=True,
        lang=lang,
        merge=("items", "item_class", "scope", "ratio"),
    )
    for quarter, counts in plan_counts(policy, registry, year, history).items():
        table.rows.append(
            {
                "number": f"{year}{quarter.quarter:02d}",
                "name": f"{authority} {quarter.quarter}季度随机抽查",
                "items": "\n".join(items) or "—",
                "item_class": "、".join(sorted(classes)),
                "scope": "辖区内纳入检查对象名录库的排污单位",
                "ratio": _ratio_text(policy),
                "counts": "；".join(
                    f"{class_label(cls)}{counts.get(cls, 0)}家" for cls in CLASS_ORDER
                ),
                "time": f"{quarter.quarter}季度",
            }
        )
    if not registry.entity_count:
        table.notes.append("the registry holds no entities: every count is 0")
    return table


def quarterly_plan_table(
    policy: Policy,
    registry: Registry,
    quarter: Quarter,
    history: History | None = None,
    lang: Lang = "zh",
) -> Table:
    """季度随机抽查工作计划 (本溪 六(一)2): items, objects, inspecting unit, methods."""
    cols = columns(
        lang,
        ("class", "监管类别", "Class"),
        ("objects", "检查对象", "Objects"),
        ("items", "抽查事项", "Items"),
        ("unit", "检查单位", "Inspecting unit"),
        ("method", "检查方式", "Method"),
    )
    counts = plan_counts(policy, registry, quarter.year, history)[quarter]
    table = Table(
        pick(lang, f"{quarter.zh}随机抽查工作计划", f"{quarter.label} random inspection plan"),
        cols,
        period=quarter_text(quarter, lang),
        unit=registry_unit(registry),
        filed=True,
        lang=lang,
        merge=("items", "unit", "method"),
    )
    items = "、".join(i.name for i in registry.items) or "—"
    for cls in CLASS_ORDER:
        table.rows.append(
            {
                "class": class_label(cls, lang),
                "objects": f"随机抽取{class_label(cls)}{counts.get(cls, 0)}家",
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
    lang: Lang = "zh",
    require_names: bool = True,
) -> Table:
    """抽查结果公开: one row per inspection whose result was recorded in the period.

    Each row names its entity: the name its dispatch recorded at the draw, else the
    one ``registry`` holds. When some name is known to neither, the table is refused
    (:class:`UnnamedEntities`); with ``require_names=False`` (a page that says why it
    shows no names) such a name is left empty and a note counts them.
    """
    calendar = calendar or default_calendar()
    cols = columns(
        lang,
        ("name", "企业名称", "Entity"),
        ("uscc", "统一社会信用代码", "USCC"),
        ("date", "检查日期", "Inspected"),
        ("items", "检查事项", "Items"),
        ("result", "检查结果", "Result"),
        ("facts", "违法事实", "Facts"),
        ("handling", "查处结果", "Handling"),
        ("deadline", "公开期限", "Deadline"),
        ("published", "公开日期", "Published"),
        ("on_time", "是否按期公开", "On time"),
    )
    table = Table(
        pick(lang, "“双随机、一公开”抽查结果公开", "Random inspection results (双随机、一公开)"),
        cols,
        period=quarter_text(Quarter(year, quarter), lang) if quarter else year_text(year, lang),
        unit=registry_unit(registry),
        lang=lang,
    )
    rule = policy.deadline("disclosure")
    phrases = {
        o.value: p for r in policy.rules_of(Disclosure) for o, p in r.phrases.items()
    } or PHRASES
    tasks: dict[str, dict[str, Any]] = {}
    for event in events:
        p = event.payload
        if event.type is EventType.TASK_DISPATCHED:
            tasks[p["task_id"]] = {
                "uscc": p["uscc"],
                "items": p.get("items", []),
                "name": p.get("entity_name"),
            }
        elif event.type is EventType.INSPECTION_COMPLETED and p["task_id"] in tasks:
            tasks[p["task_id"]]["date"] = _day(event)
        elif event.type is EventType.RESULT_RECORDED and p["task_id"] in tasks:
            tasks[p["task_id"]].update(result=p, recorded=_day(event))
        elif event.type is EventType.DISCLOSURE_PUBLISHED:
            for task_id in p["task_ids"]:
                tasks.setdefault(task_id, {})["published"] = _day(event)
    withheld = 0
    unnamed: list[str] = []
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
        name = t.get("name") or (registry.name_of(t["uscc"]) if registry is not None else None)
        if name is None:
            unnamed.append(t["uscc"])
        table.rows.append(
            {
                "name": name,
                "uscc": t["uscc"],
                "date": t["date"].isoformat(),
                "items": "、".join(t["items"]) or "多项合一",
                "result": phrases.get(t["result"]["outcome"], ""),
                "facts": t["result"].get("facts") or "",
                "handling": t["result"].get("handling") or "",
                "deadline": deadline.isoformat() if deadline else pick(lang, "未规定", "none set"),
                "published": published.isoformat() if published else pick(lang, "未公开", "no"),
                "on_time": "—" if deadline is None else bool(published and published <= deadline),
            }
        )
    if unnamed and require_names:
        raise _unnamed(unnamed, "a disclosure (抽查结果公开)")
    if unnamed:
        table.notes.append(f"{len(unnamed)} row(s) name no entity: no name recorded or given")
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
    policy: Policy,
    events: Iterable[LedgerEvent],
    year: int,
    quarter: int | None = None,
    registry: Registry | None = None,
    lang: Lang = "zh",
) -> Table:
    """The push to the credit publicity system (获嘉 通知 一(四)): the steps per task, in
    order, each naming its entity (as :func:`disclosure_table` does; a name known
    neither to the ledger nor to ``registry`` is refused)."""
    cols = columns(
        lang,
        ("seq", "顺序", "No."),
        ("step", "推送步骤", "Step"),
        ("task_id", "任务编号", "Task"),
        ("name", "企业名称", "Entity"),
        ("uscc", "统一社会信用代码", "USCC"),
        ("result", "检查结果", "Result"),
    )
    table = Table(
        pick(lang, "国家企业信用信息公示系统推送清单", "Push to the credit publicity system"),
        cols,
        period=quarter_text(Quarter(year, quarter), lang) if quarter else year_text(year, lang),
        unit=registry_unit(registry),
        lang=lang,
    )
    rule = policy.one(CreditPush)
    if rule is None:
        table.notes.append(f"{policy.id} states no credit push steps")
        return table
    uscc_of: dict[str, str] = {}
    name_of: dict[str, str | None] = {}
    unnamed: list[str] = []
    seq = 0
    for event in events:
        p = event.payload
        if event.type is EventType.TASK_DISPATCHED:
            uscc_of[p["task_id"]] = p["uscc"]
            name_of[p["task_id"]] = p.get("entity_name")
        elif event.type is EventType.RESULT_RECORDED and not p.get("withheld"):
            day = _day(event)
            if day.year != year or (quarter and Quarter.of(day).quarter != quarter):
                continue
            uscc = uscc_of.get(p["task_id"], "")
            name = name_of.get(p["task_id"]) or (
                registry.name_of(uscc) if registry is not None else None
            )
            if name is None:
                unnamed.append(uscc or p["task_id"])
            for step in rule.steps:
                seq += 1
                table.rows.append(
                    {
                        "seq": seq,
                        "step": step,
                        "task_id": p["task_id"],
                        "name": name,
                        "uscc": uscc,
                        "result": PHRASES[p["outcome"]],
                    }
                )
    if unnamed:
        raise _unnamed(unnamed, "a credit push list (信用信息公示系统推送)")
    if not table.rows:
        table.notes.append("no result recorded in the period: nothing to push")
    return table


def work_report_table(
    events: Iterable[LedgerEvent],
    start: dt.date,
    end: dt.date,
    title: str,
    lang: Lang = "zh",
    period: str = "",
) -> Table:
    """Work done from ``start`` to ``end``: 青岛 五 调度表 / 季度报表, 本溪 八(一) 年度报告.

    A form filed with the superior bureau: one row per class (重点监管对象 …) and a
    合计 row; ``period`` is the period it reports (所属期间)."""
    cols = columns(
        lang,
        ("class", "监管类别", "Class"),
        ("dispatched", "派发任务（项）", "Tasks dispatched"),
        ("inspected", "完成检查（家）", "Inspected"),
        ("no_problem", "未发现问题（家）", "No problem"),
        ("rectify", "责令整改（家）", "Ordered to rectify"),
        ("case", "立案调查（件）", "Cases filed"),
        ("rectified", "整改完成（家）", "Rectified"),
        ("disclosed", "结果已公开（家）", "Disclosed"),
    )
    table = Table(title, cols, period=period or f"{start} – {end}", filed=True, lang=lang)
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
    fields = [k for k, _ in cols[1:]]
    for cls in CLASS_ORDER:
        per_class = {k: counts[cls.value][k] for k in fields}
        table.rows.append({"class": class_label(cls, lang), **per_class})
    total = pick(lang, "合计", "Total")
    table.rows.append({"class": total, **{k: sum(counts[c][k] for c in counts) for k in fields}})
    if not any(table.rows[-1][k] for k in fields):
        table.notes.append(f"no work recorded from {start} to {end}")
    return table


def monthly_dispatch_table(
    events: Iterable[LedgerEvent], year: int, month: int, lang: Lang = "zh"
) -> Table:
    """青岛 五: 随机抽查工作调度表 for one month (filed by the 5th of the next)."""
    start = dt.date(year, month, 1)
    end = (start + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1)
    title = pick(
        lang, f"{year}年{month}月随机抽查工作调度表", f"Random inspections, {year}-{month:02d}"
    )
    period = pick(lang, f"{year}年{month}月", f"{year}-{month:02d}")
    return work_report_table(events, start, end, title, lang, period)


def quarterly_report_table(
    events: Iterable[LedgerEvent], quarter: Quarter, lang: Lang = "zh"
) -> Table:
    """青岛 五: 季度报表 (filed within 10 days of the next quarter's start)."""
    title = pick(
        lang, f"{quarter.zh}随机抽查季度报表", f"Random inspections, {quarter.label} report"
    )
    period = quarter_text(quarter, lang)
    return work_report_table(events, quarter.start, quarter.end, title, lang, period)


def yearly_report_table(events: Iterable[LedgerEvent], year: int, lang: Lang = "zh") -> Table:
    """本溪 八(一): 年度“双随机、一公开”监管工作情况 (reported before year end)."""
    title = pick(
        lang,
        f"{year}年度“双随机、一公开”监管工作情况",
        f"Random inspections (双随机、一公开), {year} report",
    )
    return work_report_table(
        events, dt.date(year, 1, 1), dt.date(year, 12, 31), title, lang, year_text(year, lang)
    )
