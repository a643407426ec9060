"""The deadline schedule: every dated obligation of a year, with its clause.

Item lists by 5 January, quarterly plans and draws by the 5th and 10th of a
quarter's first month, results by the 25th of its last month, pool updates
within 15 days of a quarter's start, the 15 January inspector count, the
annual plan by 31 December, monthly and quarterly reports, the yearly report:
whatever the policy's ``DatedObligation`` rules say. (Deadlines counted from
each inspection are per record: see :mod:`randcheck.audit.obligations`.)
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from randcheck.calendar import WorkingCalendar, default_calendar
from randcheck.periods import Quarter
from randcheck.policies.dates import instances
from randcheck.policies.model import (
    DatedObligation,
    Policy,
)
from randcheck.publish.table import Lang, Table, columns, pick

OBLIGATION_ZH = {
    "item_list": "抽查事项清单",
    "quarterly_plan": "季度抽查计划",
    "draw": "抽取检查对象和检查人员",
    "quarter_results": "完成检查并公示结果",
    "quarterly_plan_report": "检查计划报市执法队",
    "quarter_results_report": "检查结果报市执法队",
    "squad_quarter_end": "中队季末报送企业信息完善情况",
    "pool_update": "名录库更新备案",
    "inspector_count": "在编在岗执法人员总数更新",
    "annual_plan": "下一年度抽查计划",
    "monthly_dispatch": "月度调度表",
    "quarterly_report": "季度报表",
    "yearly_report": "年度工作报告",
}


@dataclass(frozen=True)
class Scheduled:
    """One dated obligation: due date, what, which period it covers, the rule and clause."""

    due: dt.date
    obligation: str
    covers: str
    rule_id: str
    title: str
    clause: str
    quote: str
    working_day: bool
    estimated: bool
    note: str = ""


def schedule(policy: Policy, year: int, calendar: WorkingCalendar | None = None) -> list[Scheduled]:
    """Every dated obligation of ``year`` under ``policy``, in date order."""
    calendar = calendar or default_calendar()
    quarters = list(Quarter(year, 1).year_quarters())
    out: list[Scheduled] = []
    for rule in policy.rules_of(DatedObligation):
        counted = instances(rule, year, quarters)
        moved = instances(rule, year, quarters, calendar)
        for (covers, fixed), (_, due) in zip(counted, moved):
            if not policy.in_force(due):
                continue
            working = calendar.is_working_day(due)
            note = (
                f"moved from {fixed} (a day off) to the next working day: 民法典 第二百零三条"
                if due != fixed
                else ""
                if working
                else "a day off: the text fixes this date, so it stays (file before it)"
            )
            out.append(
                Scheduled(
                    due,
                    rule.obligation,
                    covers,
                    rule.id,
                    rule.title,
                    str(rule.citation),
                    rule.citation.quote,
                    working,
                    calendar.year_status(due.year) == "estimated",
                    note,
                )
            )
    return sorted(out, key=lambda s: (s.due, s.rule_id, s.covers))


COLUMN_SPECS = (
    ("due", "截止日期", "Due"),
    ("obligation", "事项", "Obligation"),
    ("covers", "所属期间", "Covers"),
    ("rule", "规则", "Rule"),
    ("clause", "依据条款", "Clause"),
    ("quote", "原文", "Source text"),
    ("working_day", "是否工作日", "Working day"),
    ("note", "说明", "Note"),
)
COLUMNS = columns("both", *COLUMN_SPECS)
"""The columns with both languages' headers (截止日期 Due …)."""


def _note(s: Scheduled, lang: str) -> str:
    if not s.note:
        return ""
    if s.note.startswith("moved from"):
        moved = s.note.split()[2]
        return pick(
            lang, f"原定{moved}为休息日，顺延至其后第一个工作日（民法典第二百零三条）", s.note
        )
    return pick(lang, "休息日：条文规定此日期，不顺延（请在此日前完成）", s.note)


def schedule_table(
    policy: Policy, year: int, calendar: WorkingCalendar | None = None, lang: Lang = "zh"
) -> Table:
    """The schedule as a table a bureau can print."""
    items = schedule(policy, year, calendar)
    table = Table(
        pick(lang, f"{policy.name_zh} {year}年 工作时间表", f"{policy.name_zh}: {year} schedule"),
        columns(lang, *COLUMN_SPECS),
        period=pick(lang, f"{year}年", str(year)),
        lang=lang,
    )
    for s in items:
        table.rows.append(
            {
                "due": s.due.isoformat(),
                "obligation": pick(lang, OBLIGATION_ZH[s.obligation], s.obligation),
                "covers": s.covers,
                "rule": s.rule_id,
                "clause": s.clause,
                "quote": s.quote,
                "working_day": s.working_day,
                "note": _note(s, lang),
            }
        )
    first, last = dt.date(year, 1, 1), dt.date(year, 12, 31)
    if not (policy.in_force(first) and policy.in_force(last)):
        table.notes.append(
            f"{policy.id} {policy.version} is {policy.in_force_text}: obligations falling "
            "due outside that are not listed"
        )
    if not items and policy.rules_of(DatedObligation):
        table.notes.append(f"no obligation of {policy.id} falls due in {year} while it is in force")
    elif not items:
        table.notes.append(f"{policy.id} states no dated obligation")
    if any(s.estimated for s in items):
        table.notes.append(f"{year} is an estimated calendar year: working days may change")
    return table


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")


def _fold(line: str) -> list[str]:
    """RFC 5545: lines of at most 75 octets, continued with a leading space."""
    out: list[str] = []
    current = ""
    for char in line:
        if len((current + char).encode("utf-8")) > (75 if not out else 74):
            out.append(current)
            current = char
        else:
            current += char
    out.append(current)
    return [out[0], *(" " + part for part in out[1:])]


def to_ics(policy: Policy, year: int, calendar: WorkingCalendar | None = None) -> str:
    """An iCalendar file: one all-day event per obligation, the clause in its description."""
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//randcheck//schedule//ZH",
        "CALSCALE:GREGORIAN",
        f"X-WR-CALNAME:{_escape(policy.name_zh)} {year}",
    ]
    for s in schedule(policy, year, calendar):
        uid = f"{policy.id}-{s.rule_id}-{s.covers}-{s.due:%Y%m%d}@randcheck"
        lines += [
            "BEGIN:VEVENT",
            f"UID:{uid}",
            f"DTSTAMP:{year}0101T000000Z",
            f"DTSTART;VALUE=DATE:{s.due:%Y%m%d}",
            f"DTEND;VALUE=DATE:{s.due + dt.timedelta(days=1):%Y%m%d}",
            f"SUMMARY:{_escape(f'{OBLIGATION_ZH[s.obligation]} ({s.covers}) 截止')}",
            f"DESCRIPTION:{_escape(f'{s.title}. {s.clause}: {s.quote}')}",
            "END:VEVENT",
        ]
    lines.append("END:VCALENDAR")
    return "".join(part + "\r\n" for line in lines for part in _fold(line))
