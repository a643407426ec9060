"""The narrative reports a bureau files, as Word drafts (.docx) it edits, seals and sends.

- 本溪 八(一): the yearly report of the work done (“市执法队和各县区生态环境分局应当在每年
  年底前，将本年度本部门开展‘双随机、一公开’监管工作情况向市生态环境局报告”);
- 青岛 五: the quarterly report (“每季度开始后 10 日内报送季度报表”).

The draft reads like the reports bureaus write: a title, the reporting unit (填报单位),
the period and the date; 一、基本情况 (tasks and entities inspected per class),
二、发现问题及处理情况 (problems found, rectifications ordered and completed, cases
opened), 三、检查结果公开情况 (the publication rate), 四、抽查比例和时限落实情况 (each
ratio and deadline of the policy, judged by the audit and citing its clause),
五、存在的问题和下一步工作; then the seal (盖章) and date, the signature lines
(填报人 / 审核人 / 负责人), and the tables (附表1 the work table, 附表2 every rule judged).

The figures are those of the XLSX reports (:func:`randcheck.publish.tables.work_report_table`)
and of the audit's verdict, never recomputed here: a rule the audit could not measure
(NOT_ENOUGH_DATA) is said to be not measurable, naming what is missing, never met.

The verdict is passed in (``randcheck.audit`` sits beside this package in the layers);
anything shaped like :class:`randcheck.audit.Verdict` does.

Layout: A4 portrait, margins of GB/T 9704; 仿宋 三号 (16 pt) for the body, 黑体 for the
headings, 宋体 for the title and tables, each run naming its East Asian font (w:eastAsia);
tables with borders and their header row repeated on every page; 第 X 页 共 Y 页 in the
footer (PAGE / NUMPAGES fields). The same inputs and report date give the same bytes.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, Protocol

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT, WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt

from randcheck.draw.quotas import CLASS_ORDER
from randcheck.errors import InputError
from randcheck.io.atomic import atomic_write
from randcheck.ledger.chain import LedgerEvent
from randcheck.periods import Quarter
from randcheck.policies.model import (
    CoverageCycle,
    DatedObligation,
    Deadline,
    Disclosure,
    ItemCap,
    JointShare,
    Policy,
    QuarterlyMinimum,
    QuarterlyShare,
    StaffMultiple,
)
from randcheck.publish.table import Table
from randcheck.publish.tables import quarterly_report_table, yearly_report_table
from randcheck.registry import Registry

if TYPE_CHECKING:
    from docx.document import Document as DocxDocument
    from docx.table import Table as DocxTable
    from docx.text.paragraph import Paragraph
    from docx.text.run import Run

    from randcheck.policies.model import AnyRule

Kind = Literal["yearly", "quarterly"]

NARRATIVE_POLICY: dict[str, str] = {"yearly": "benxi", "quarterly": "qingdao_west_coast"}
"""The policy whose clause asks for each report (本溪 八(一), 青岛 五): audit with it."""

REPORT_RULE: dict[str, str] = {"yearly": "report.yearly", "quarterly": "report.quarterly"}
"""The rule of that policy that asks for the report, whose clause the draft cites."""

BODY_FONT = "仿宋"
HEADING_FONT = "黑体"
TITLE_FONT = "宋体"
TABLE_FONT = "宋体"
LATIN_FONT = "Times New Roman"
BODY_PT = 16.0  # 三号
TABLE_PT = 10.5  # 五号
TEXT_WIDTH_MM = 156  # A4 210 mm less 28 mm left and 26 mm right (GB/T 9704)

_NUMERALS = "一二三四五六七八九十"


class RuleLike(Protocol):
    """One rule of a verdict (:class:`randcheck.audit.RuleVerdict`)."""

    @property
    def rule(self) -> AnyRule: ...
    @property
    def status(self) -> str: ...
    @property
    def measured(self) -> str: ...
    @property
    def required(self) -> str: ...
    @property
    def note(self) -> str: ...
    @property
    def binding(self) -> bool: ...


class VerdictLike(Protocol):
    """A verdict (:class:`randcheck.audit.Verdict`): the policy and every rule judged."""

    @property
    def policy(self) -> Policy: ...
    @property
    def year(self) -> int: ...
    @property
    def quarter(self) -> int | None: ...
    @property
    def as_of(self) -> dt.date: ...
    @property
    def rules(self) -> Sequence[RuleLike]: ...


class HeadLike(Protocol):
    """A ledger head (:func:`randcheck.report.published.ledger_head`)."""

    def line(self) -> str: ...


# --- the figures --------------------------------------------------------------------------

RATIO_KINDS = (
    QuarterlyShare,
    StaffMultiple,
    CoverageCycle,
    QuarterlyMinimum,
    ItemCap,
    JointShare,
)
DEADLINE_KINDS = (Deadline, DatedObligation)


_NOT_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
"""What XML 1.0 (and so a .docx) cannot hold."""


def _xml_safe(text: str) -> str:
    """``text`` with any character XML cannot hold shown as U+FFFD (�): a value from the
    records (a task id, an audit note) never stops the draft from being written."""
    return _NOT_XML.sub("\ufffd", text)


def reporting_unit(unit: str | None, registry: Registry | None) -> str:
    """填报单位: ``unit`` when given, else the authority most entities of ``registry`` name
    (as the plans name it); an :class:`InputError` when neither gives one."""
    if unit is not None and unit.strip():
        bad = _NOT_XML.search(unit)
        if bad:
            raise InputError(
                f"the reporting unit (填报单位) holds the control character {bad.group()!r}, "
                "which a Word document cannot hold",
                where="--unit",
                hint="remove the character",
            )
        return unit.strip()
    if registry is not None:
        counts = Counter(a for a in registry.column("authority") if a)
        if counts:
            return str(counts.most_common(1)[0][0])
    raise InputError(
        "the reporting unit (填报单位) is unknown: the registry names no authority",
        hint="give the unit (--unit 本溪市生态环境局明山分局), or a registry whose entities "
        "name their authority (所属机关)",
    )


def _period(kind: Kind, year: int, quarter: int | None) -> tuple[Quarter | None, str]:
    if kind not in ("yearly", "quarterly"):
        raise InputError(f"no narrative report of kind {kind!r}", hint="yearly or quarterly")
    if kind == "yearly":
        if quarter is not None:
            raise InputError(
                "a yearly report covers the whole year: leave the quarter out",
                hint="for one quarter write the quarterly report",
            )
        return None, f"{year}年"
    if quarter is None or not 1 <= quarter <= 4:
        raise InputError(
            f"a quarterly report needs its quarter, 1–4 (given: {quarter})",
            hint="e.g. quarter=2 for April–June",
        )
    period = Quarter(year, quarter)
    return period, period.zh


def _work_table(events: Sequence[LedgerEvent], year: int, period: Quarter | None) -> Table:
    if period is None:
        return yearly_report_table(events, year)
    return quarterly_report_table(events, period)


def _figures(table: Table) -> dict[str, dict[str, int]]:
    """The work table's rows by class value (KEY, SPECIAL, GENERAL) and ``total``."""
    keys = [key for key, _ in table.columns[1:]]
    rows = table.rows
    figures: dict[str, dict[str, int]] = {}
    for cls, row in zip(CLASS_ORDER, rows[: len(CLASS_ORDER)]):
        figures[cls.value] = {k: int(row.get(k) or 0) for k in keys}
    total = rows[len(CLASS_ORDER)] if len(rows) > len(CLASS_ORDER) else {}
    figures["total"] = {k: int(total.get(k) or 0) for k in keys}
    return figures


def _pct(part: int, whole: int) -> str:
    return f"{part / whole * 100:.1f}%"


def _date_zh(day: dt.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


# --- what the audit said, in Chinese ---------------------------------------------------------

_PHRASES: tuple[tuple[str, str], ...] = (
    (
        r"(\d+)/(\d+) quarter\(s\): every task inspected and its result published by the date",
        r"\1/\2个季度按期完成检查并公示结果",
    ),
    (r"(\d+)/(\d+) on time", r"按时\1次，应完成\2次"),
    (r"(\d+)/(\d+) covered by (\d{4}-\d{2}-\d{2})", r"截至\3已覆盖\1家，应覆盖\2家"),
    (r"(\d+)/(\d+) filed by (\d{4}-\d{2}-\d{2})", r"截至\3已报送\1份，应报送\2份"),
    (r"(\d+)/(\d+) published by (\d{4}-\d{2}-\d{2})", r"截至\3已公开\1项，应公开\2项"),
    (r"no violation in (\d+) task\(s\)", r"\1项任务均未发现违反"),
    (r"(\d+) violation\(s\): ", r"违反\1处："),
    (r"most inspections of one entity for one item: (\d+)", r"同一对象同一事项最多抽查\1次"),
    (r"(\d+) entities inspected", r"抽查\1家"),
    (r"(\d+)/(\d+) records signed by the entity", r"\1/\2份检查记录由被检查对象签字"),
    (
        r"(\d+)/(\d+) tasks' results unchanged or changed only with an approved correction",
        r"\1/\2项任务的结果未改动或经批准更正",
    ),
    (r"(\d{4})Q([1-4])", r"\1年第\2季度"),
    (r"the year is not over", "年度尚未结束"),
    (r"the cycle runs to (\d{4}-\d{2}-\d{2})", r"考核周期至\1届满"),
    (r"no quarter of the period has ended", "期内尚无季度结束"),
    (
        r"no inspection result recorded in the period \(RESULT_RECORDED\)",
        "期内没有检查结果记录（RESULT_RECORDED）",
    ),
    (
        r"no task dispatched in the period \(TASK_DISPATCHED\)",
        "期内没有任务派发记录（TASK_DISPATCHED）",
    ),
    (
        r"no task dispatched in the quarter\(s\) due \(TASK_DISPATCHED\)",
        "到期季度没有任务派发记录（TASK_DISPATCHED）",
    ),
    (
        r"no inspection completed in the period \(INSPECTION_COMPLETED\)",
        "期内没有检查完成记录（INSPECTION_COMPLETED）",
    ),
    (
        r"no inspection completed in (\d{4}) \(INSPECTION_COMPLETED\)",
        r"\1年没有检查完成记录（INSPECTION_COMPLETED）",
    ),
    (
        r"no registry snapshot with the inspector count \(REGISTRY_SNAPSHOT\)",
        "缺少载明执法人员数的名录库快照（REGISTRY_SNAPSHOT）",
    ),
    (
        r"the registry's entity list: audit with --registry",
        "检查对象名录库的对象清单（判定时须提供名录库）",
    ),
    (r"who is in the rule's scope \((.*?)\): give --registry", r"适用对象范围（\1，须提供名录库）"),
    (
        r"no base to measure on: no entities .*? \(REGISTRY_SNAPSHOT by the quarter's end\)",
        "缺少计算基数：季度末前没有载明各类监管对象数的名录库快照（REGISTRY_SNAPSHOT）",
    ),
    (
        r"no record of who read the sealed list \(LIST_ACCESSED\): the confidentiality "
        r"trail is missing",
        "没有名单查阅记录（LIST_ACCESSED），保密留痕缺失",
    ),
    (
        r"the city's on-staff inspector count \(REGISTRY_SNAPSHOT.city_on_staff_inspectors\): "
        r"the rule counts 全市, not one branch",
        "全市在编在岗执法人员数（REGISTRY_SNAPSHOT.city_on_staff_inspectors），规定按全市计",
    ),
    (
        r"no draw sealed and no joint inspection initiated in (\d{4}) \(DRAW_SEALED\)",
        r"\1年没有封存的随机抽取记录，也没有发起联合检查（DRAW_SEALED）",
    ),
    (r"no inspection of a capped class in (\d{4})", r"\1年没有受抽查次数限制类别的检查"),
    (
        r"no [\w ]+? filed \((REPORT_SUBMITTED [A-Z_]+)\) in the period",
        r"期内没有相关报告的报送记录（\1）",
    ),
    (r"positive-list flags", "正面清单标记"),
    (r": give --registry", "（须提供检查对象名录库）"),
    (r"the imported records do not show ", "导入的记录未载明："),
    (
        r": their columns hold no such evidence; import the records that do "
        r"\(randcheck ledger import\) or record them",
        "",
    ),
    (r"no problem found in the period's results(: nothing to rectify)?", "期内检查未发现问题"),
    (r"nothing due while in force", "规定施行期间本期无到期事项"),
    (r"nothing due yet", "尚无到期事项"),
    (
        r"the records cannot show it(; a bureau shows instead: .*)?",
        "台账记录无法反映，另以相关材料说明",
    ),
    (
        r"applied when teams are drawn \(a receipt verifies it\)",
        "抽取检查人员时执行，由抽取回执验证",
    ),
    (r"applied when drawing.*", "随机抽取时执行，由抽取回执验证"),
    (
        r"the document sets no number \((.*?)\): nothing to fail",
        r"规定未设具体数值（\1），不作判定",
    ),
    (
        r"a classification (criterion|rule), applied to the registry.*",
        "分类标准，用于检查对象名录库分类",
    ),
    (r"no minimum is set", "未设最低抽查比例"),
    (r" %", "%"),
    (r"; ", "；"),
    (r"(?<=[季度\d]): ", "："),
)

VIOLATIONS = {
    "result_entry.late": "结果录入逾期",
    "result_entry.missing": "结果逾期未录入",
    "disclosure.late": "结果公开逾期",
    "disclosure.missing": "结果逾期未公开",
    "rectification.late": "整改逾期",
    "team.too_small": "检查小组人数不足",
    "list.unapproved_change": "名单未经批准变更",
    "confidential.early_access": "名单在检查前被查阅",
    "non_site.on_site": "正面清单企业现场检查",
    "task.not_drawn": "任务未经随机抽取",
    "task.uninspected": "抽取任务未按期检查",
}
"""The audit's violation kinds (:mod:`randcheck.audit.obligations`), as a report says them."""

_ISO_DAY = re.compile(r"(\d{4})-(\d{2})-(\d{2})")


def in_chinese(text: str) -> str:
    """The audit's measured values and notes in the words of a report, where known; what
    is not known stays as the audit wrote it."""
    for pattern, replacement in _PHRASES:
        text = re.sub(pattern, replacement, text)
    for kind, words in VIOLATIONS.items():
        text = text.replace(kind, words)
    text = _ISO_DAY.sub(lambda m: f"{int(m[1])}年{int(m[2])}月{int(m[3])}日", text)
    if not re.search(r"[A-Za-z]{3,}", text):
        text = text.replace(", ", "、")
    return text.strip()


def _document(rule: AnyRule) -> str:
    """《实施方案》: the document's short name (``本溪市 实施方案`` -> 实施方案)."""
    return f"《{rule.citation.document.split()[-1]}》"


def _clause(rule: AnyRule) -> str:
    return f"{_document(rule)}{rule.citation.clause}"


def _clauses(verdicts: Sequence[RuleLike]) -> str:
    """《实施方案》六(一)2、七(一)1: each document once, its clauses in order, once each."""
    by_document: dict[str, list[str]] = {}
    for r in verdicts:
        clauses = by_document.setdefault(_document(r.rule), [])
        if r.rule.citation.clause not in clauses:
            clauses.append(r.rule.citation.clause)
    return "；".join(doc + "、".join(clauses) for doc, clauses in by_document.items())


def conclusion(r: RuleLike) -> str:
    """The verdict on one rule as a report says it (附表2 结论)."""
    status = str(r.status)
    strength = r.rule.strength.zh
    if status == "PASS":
        return "已落实" if r.binding else f"已达到（{strength}）"
    if status == "FAIL":
        return "未落实" if r.binding else f"未达到（{strength}）"
    if status == "NOT_ENOUGH_DATA":
        return "尚不能判定"
    if status == "NOT_APPLICABLE":
        return "本期不适用"
    return "未作判定"


def sentence(r: RuleLike) -> str:
    """One rule's paragraph: the clause and its words, then what the records show."""
    status = str(r.status)
    measured = in_chinese(r.measured)
    note = in_chinese(r.note)
    head = f"{_clause(r.rule)}规定“{_inner_quotes(r.rule.citation.quote.rstrip('。；;'))}”。"
    if status == "PASS":
        said = "经核对，已落实" if r.binding else f"经核对，已达到（{r.rule.strength.zh}）"
        detail = "；".join(x for x in (measured, note) if x)
        return f"{head}{said}" + (f"（{detail}）。" if detail else "。")
    if status == "FAIL":
        said = (
            "经核对，未落实"
            if r.binding
            else f"经核对，未达到（{r.rule.strength.zh}，属工作目标，不作违规认定）"
        )
        return f"{head}{said}" + (f"（{measured}）。" if measured else "。")
    if status == "NOT_ENOUGH_DATA":
        missing = note or "判定所需的记录"
        seen = f"目前记录显示：{measured}；" if measured else ""
        return f"{head}{seen}现有记录尚不能判定是否落实，原因：{missing}。"
    if status == "NOT_APPLICABLE":
        return f"{head}本期不适用" + (f"（{note}）。" if note else "。")
    return f"{head}台账记录无法反映，未作判定。"


def _rule_kind(r: RuleLike) -> str:
    rule = r.rule
    if isinstance(rule, Disclosure) and rule.published_share is not None:
        return "ratio"
    if isinstance(rule, RATIO_KINDS):
        return "ratio"
    if isinstance(rule, DEADLINE_KINDS):
        return "deadline"
    return "other"


# --- the document -----------------------------------------------------------------------


def _fonts(run: Run, east_asian: str, size: float, bold: bool = False) -> None:
    run.font.size = Pt(size)
    run.font.bold = bold
    r_pr = run._element.get_or_add_rPr()
    fonts = r_pr.get_or_add_rFonts()
    fonts.set(qn("w:ascii"), LATIN_FONT)
    fonts.set(qn("w:hAnsi"), LATIN_FONT)
    fonts.set(qn("w:cs"), LATIN_FONT)
    fonts.set(qn("w:eastAsia"), east_asian)
    fonts.set(qn("w:hint"), "eastAsia")


def _paragraph(
    doc: DocxDocument,
    text: str = "",
    *,
    font: str = BODY_FONT,
    size: float = BODY_PT,
    bold: bool = False,
    indent: bool = True,
    align: int | None = None,
    line: float = 28.0,
    keep: bool = False,
) -> Paragraph:
    paragraph = doc.add_paragraph()
    fmt = paragraph.paragraph_format
    fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    fmt.line_spacing = Pt(line)
    fmt.space_before = Pt(0)
    fmt.space_after = Pt(0)
    fmt.widow_control = True
    if keep:
        fmt.keep_with_next = True
    if indent:
        fmt.first_line_indent = Pt(size * 2)
    if align is not None:
        paragraph.alignment = align  # type: ignore[assignment]
    if text:
        _fonts(paragraph.add_run(_xml_safe(text)), font, size, bold)
    return paragraph


def _heading(doc: DocxDocument, text: str) -> None:
    _paragraph(doc, text, font=HEADING_FONT, keep=True)


def _field(paragraph: Paragraph, instruction: str, size: float) -> None:
    """A field (PAGE, NUMPAGES) as begin / instruction / separate / shown value / end."""

    def char(kind: str) -> None:
        run = paragraph.add_run()
        _fonts(run, TABLE_FONT, size)
        element = OxmlElement("w:fldChar")
        element.set(qn("w:fldCharType"), kind)
        run._element.append(element)

    char("begin")
    run = paragraph.add_run()
    _fonts(run, TABLE_FONT, size)
    instr = OxmlElement("w:instrText")
    instr.set(qn("xml:space"), "preserve")
    instr.text = f" {instruction} "
    run._element.append(instr)
    char("separate")
    _fonts(paragraph.add_run("1"), TABLE_FONT, size)
    char("end")


def _page_setup(doc: DocxDocument) -> None:
    section = doc.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width = Mm(210)
    section.page_height = Mm(297)
    section.top_margin = Mm(37)
    section.bottom_margin = Mm(35)
    section.left_margin = Mm(28)
    section.right_margin = Mm(26)
    section.header_distance = Mm(15)
    section.footer_distance = Mm(20)
    footer = section.footer.paragraphs[0]
    footer.alignment = WD_ALIGN_PARAGRAPH.CENTER
    size = 12.0
    for piece in ("第 ", "PAGE", " 页 共 ", "NUMPAGES", " 页"):
        if piece in ("PAGE", "NUMPAGES"):
            _field(footer, piece, size)
        else:
            _fonts(footer.add_run(_xml_safe(piece)), TABLE_FONT, size)


def _defaults(doc: DocxDocument) -> None:
    """The Normal style in 仿宋 三号, Chinese as the East Asian language."""
    normal = doc.styles["Normal"]
    normal.font.size = Pt(BODY_PT)
    r_pr = normal.element.get_or_add_rPr()
    fonts = r_pr.get_or_add_rFonts()
    fonts.set(qn("w:ascii"), LATIN_FONT)
    fonts.set(qn("w:hAnsi"), LATIN_FONT)
    fonts.set(qn("w:eastAsia"), BODY_FONT)
    lang = r_pr.find(qn("w:lang"))
    if lang is None:
        lang = OxmlElement("w:lang")
        r_pr.append(lang)
    lang.set(qn("w:val"), "en-US")
    lang.set(qn("w:eastAsia"), "zh-CN")


def _cell_text(cell: Any, text: str, *, bold: bool = False, center: bool = True) -> None:
    paragraph = cell.paragraphs[0]
    fmt = paragraph.paragraph_format
    # an exact pitch: a line of digits alone is not set tighter than its CJK neighbours
    fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    fmt.line_spacing = Pt(TABLE_PT * 1.45)
    fmt.space_before = Pt(2)
    fmt.space_after = Pt(2)
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER if center else WD_ALIGN_PARAGRAPH.LEFT
    _fonts(paragraph.add_run(_xml_safe(text)), TABLE_FONT, TABLE_PT, bold)
    cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER


def _borders(table: DocxTable) -> None:
    tbl_pr = table._tbl.tblPr
    borders = OxmlElement("w:tblBorders")
    for edge in ("top", "left", "bottom", "right", "insideH", "insideV"):
        element = OxmlElement(f"w:{edge}")
        element.set(qn("w:val"), "single")
        element.set(qn("w:sz"), "8" if edge in ("top", "left", "bottom", "right") else "4")
        element.set(qn("w:space"), "0")
        element.set(qn("w:color"), "000000")
        borders.append(element)
    tbl_pr.append(borders)
    margins = OxmlElement("w:tblCellMar")
    for edge in ("left", "right"):
        element = OxmlElement(f"w:{edge}")
        element.set(qn("w:w"), "57")  # 1 mm: the headers fit their columns
        element.set(qn("w:type"), "dxa")
        margins.append(element)
    tbl_pr.append(margins)
    layout = OxmlElement("w:tblLayout")
    layout.set(qn("w:type"), "fixed")
    tbl_pr.append(layout)


def _row_flags(row: Any, header: bool) -> None:
    tr_pr = row._tr.get_or_add_trPr()
    cant = OxmlElement("w:cantSplit")
    tr_pr.append(cant)
    if header:
        repeat = OxmlElement("w:tblHeader")
        tr_pr.append(repeat)


def _table(
    doc: DocxDocument,
    headers: Sequence[str],
    rows: Sequence[Sequence[str]],
    widths_mm: Sequence[float],
    left: Sequence[int] = (),
) -> None:
    """A bordered table, its header row repeated on every page, rows never split."""
    table = doc.add_table(rows=1, cols=len(headers))
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    _borders(table)
    for i, header in enumerate(headers):
        _cell_text(table.rows[0].cells[i], header, bold=True)
    _row_flags(table.rows[0], header=True)
    for values in rows:
        row = table.add_row()
        _row_flags(row, header=False)
        for i, value in enumerate(values):
            _cell_text(row.cells[i], value, center=i not in left)
    for row in table.rows:
        for cell, width in zip(row.cells, widths_mm):
            cell.width = Mm(width)
    for column, width in zip(table.columns, widths_mm):
        column.width = Mm(width)


def _caption(doc: DocxDocument, text: str) -> None:
    _paragraph(doc, text, font=HEADING_FONT, indent=False, keep=True)


def _title(doc: DocxDocument, text: str) -> None:
    for line in text.split("\n"):
        _paragraph(
            doc,
            line,
            font=TITLE_FONT,
            size=22.0,
            bold=True,
            indent=False,
            align=WD_ALIGN_PARAGRAPH.CENTER,
            line=36.0,
            keep=True,
        )


# --- the report ---------------------------------------------------------------------------


def _full_name(policy: Policy) -> str:
    """《青岛西海岸新区2020年“双随机、一公开”工作实施方案》（青环西新字〔2020〕29号）."""
    number = f"（{policy.document_number}）" if policy.document_number else ""
    return f"《{_inner_quotes(policy.name_zh)}》{number}"


def _inner_quotes(text: str) -> str:
    """Quotes inside quotes as Chinese writes them: “ ” become ‘ ’."""
    return text.replace("“", "‘").replace("”", "’")


def _basis(kind: Kind, policy: Policy) -> str:
    """Which clause asks for this report, in the words of an opening paragraph."""
    wanted = REPORT_RULE[kind]
    rules = [rule for rule in policy.rules if rule.id == wanted] or list(policy.rules[:1])
    if not rules:
        return f"根据{_full_name(policy)}的要求"
    rule = rules[0]
    clause = rule.citation.clause if rule.id == wanted else ""
    said = f"{clause}的规定" if clause else "的要求"
    return f"根据{_full_name(policy)}（以下简称{_document(rule)}）{said}"


def _class_sentence(figures: dict[str, dict[str, int]], key: str, unit: str) -> str:
    return "，".join(f"{cls.zh}监管对象{figures[cls.value][key]}{unit}" for cls in CLASS_ORDER)


def _class_problems(name: str, row: dict[str, int]) -> str:
    problems = row["rectify"] + row["case"]
    return (
        f"{name}监管对象发现问题{problems}家次"
        f"（责令整改{row['rectify']}家次、立案调查{row['case']}件）"
    )


def _registry_sentence(registry: Registry | None) -> str:
    if registry is None:
        return ""
    counts = registry.class_counts()
    parts = "、".join(f"{cls.zh}监管对象{counts.get(cls, 0)}家" for cls in CLASS_ORDER)
    return f"检查对象名录库现有监管对象{registry.entity_count}家，其中{parts}。"


def _paragraphs(
    kind: Kind,
    label: str,
    figures: dict[str, dict[str, int]],
    verdict: VerdictLike,
    registry: Registry | None,
) -> list[tuple[str, list[str]]]:
    """The sections: (heading, paragraphs)."""
    total = figures["total"]
    results = total["no_problem"] + total["rectify"] + total["case"]
    problems = total["rectify"] + total["case"]
    sections: list[tuple[str, list[str]]] = []

    basic = []
    if total["dispatched"] or total["inspected"]:
        basic.append(
            f"{label}，我单位通过“双随机、一公开”监管平台随机抽取检查对象和执法检查人员，"
            f"共派发随机抽查任务{total['dispatched']}项，完成检查{total['inspected']}家次。"
            f"派发任务中，{_class_sentence(figures, 'dispatched', '项')}；完成检查中，"
            f"{_class_sentence(figures, 'inspected', '家次')}。"
        )
    else:
        basic.append(f"{label}，台账中没有派发随机抽查任务和完成检查的记录。")
    if registry is not None:
        basic.append(_registry_sentence(registry))
    sections.append(("基本情况", basic))

    found = []
    if results:
        found.append(
            f"{label}共录入检查结果{results}家次，其中未发现问题{total['no_problem']}家次，"
            f"发现问题{problems}家次。对发现的问题，责令整改{total['rectify']}家次，"
            f"立案调查{total['case']}件。"
        )
        found.append(
            "分类别看，"
            + "；".join(_class_problems(cls.zh, figures[cls.value]) for cls in CLASS_ORDER)
            + "。"
        )
    else:
        found.append(f"{label}台账中没有录入检查结果。")
    found.append(f"{label}完成整改{total['rectified']}家次（含以前发现问题在本期完成整改的）。")
    sections.append(("发现问题及处理情况", found))

    public = []
    if results:
        public.append(
            f"{label}录入的检查结果{results}家次中，已向社会公开{total['disclosed']}家次，"
            f"公开率{_pct(total['disclosed'], results)}。"
        )
    else:
        public.append(f"{label}没有应公开的检查结果。")
    sections.append(("检查结果公开情况", public))

    judged = [r for r in verdict.rules if str(r.status) != "NOT_MEASURED"]
    counted = Counter(conclusion(r) for r in judged)
    summary = "，".join(f"{name}{n}项" for name, n in sorted(counted.items()))
    unmeasured = [r for r in verdict.rules if str(r.status) == "NOT_MEASURED"]
    checks = [
        f"对照{_full_name(verdict.policy)}，按台账记录逐条核对"
        f"（截至{_date_zh(verdict.as_of)}），判定{len(judged)}项：{summary or '无'}"
        "（详见附表2）。"
    ]
    numbered = [r for r in judged if _rule_kind(r) in ("ratio", "deadline")]
    for i, r in enumerate(numbered):
        checks.append(f"（{_zh_number(i + 1)}）{sentence(r)}")
    others = [r for r in judged if _rule_kind(r) == "other" and str(r.status) == "FAIL"]
    if others:
        checks.append(f"其他工作要求中，{_clauses(others)}有未落实事项（详见附表2）。")
    if unmeasured:
        checks.append(
            f"{_clauses(unmeasured)}等规定的落实情况台账记录无法反映，未作判定，另附相关材料说明。"
        )
    sections.append(("抽查比例和时限落实情况", checks))

    failed = [r for r in judged if str(r.status) == "FAIL"]
    pending = [r for r in judged if str(r.status) == "NOT_ENOUGH_DATA"]
    next_steps = []
    if failed:
        next_steps.append(
            f"经核对，{_clauses(failed)}规定的要求未落实或未达到。"
            "下一步，我单位将逐项查明原因，明确责任和时限，"
            "限期整改到位。"
        )
    else:
        next_steps.append("经核对，已判定的比例和时限要求均已落实。")
    if pending:
        next_steps.append(
            f"{_clauses(pending)}规定的落实情况尚不能判定，将补齐相关记录后再作说明。"
        )
    next_steps.append("（请结合实际补充原因分析和整改措施。）")
    sections.append(("存在的问题和下一步工作", next_steps))
    return sections


def _zh_number(n: int) -> str:
    if n <= 10:
        return _NUMERALS[n - 1]
    if n < 20:
        return "十" + _NUMERALS[n - 11]
    tens, ones = divmod(n, 10)
    return _NUMERALS[tens - 1] + "十" + (_NUMERALS[ones - 1] if ones else "")


def _repack(data: bytes, day: dt.date) -> bytes:
    """The package with every member dated ``day``: the same inputs give the same bytes."""
    stamp = (max(day.year, 1980), day.month, day.day, 0, 0, 0)
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(data)) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for info in source.infolist():
            member = zipfile.ZipInfo(info.filename, date_time=stamp)
            member.compress_type = zipfile.ZIP_DEFLATED
            member.external_attr = 0o644 << 16
            target.writestr(member, source.read(info.filename))
    return out.getvalue()


def narrative_docx(
    kind: Kind,
    events: Sequence[LedgerEvent],
    year: int,
    quarter: int | None = None,
    *,
    verdict: VerdictLike,
    registry: Registry | None = None,
    unit: str | None = None,
    report_date: dt.date | None = None,
    recipient: str | None = None,
    head: HeadLike | None = None,
) -> bytes:
    """The yearly (本溪 八(一)) or quarterly (青岛 五) report as a Word draft, its bytes.

    ``events``: the ledger's events, as the ``report`` command reads them; the figures are
    :func:`~randcheck.publish.tables.yearly_report_table` /
    :func:`~randcheck.publish.tables.quarterly_report_table` of them. ``verdict``: the
    audit of the same period (``randcheck.audit.audit(policy, events, year,
    quarter=quarter, as_of=report_date, registry=registry)``, policy
    :data:`NARRATIVE_POLICY` ``[kind]`` by default). ``unit`` or the ``registry``'s
    authority is the reporting unit (填报单位); the registry also gives the entities per
    class. ``report_date`` (default today) is the date on the report and in its
    properties. ``recipient``: whom the report is addressed to (default 市生态环境局 for
    the yearly report, as 本溪 八(一) says; none for the quarterly). ``head``: the ledger's
    head, printed at the end.
    """
    period, label = _period(kind, year, quarter)
    if verdict.year != year or verdict.quarter != quarter:
        shown = f"{verdict.year}" + (f"Q{verdict.quarter}" if verdict.quarter else "")
        raise InputError(
            f"the verdict is of {shown}, the report of {year}" + (f"Q{quarter}" if quarter else ""),
            hint="audit the same period as the report",
        )
    name = reporting_unit(unit, registry)
    day = report_date or dt.date.today()
    if recipient is None and kind == "yearly":
        recipient = "市生态环境局"
    work = _work_table(events, year, period)
    figures = _figures(work)
    policy = verdict.policy

    doc = Document()
    _defaults(doc)
    _page_setup(doc)
    named = f"{year}年度" if kind == "yearly" else label
    title = f"{name}关于\n{named}“双随机、一公开”\n监管工作情况的报告"
    _title(doc, title)
    _paragraph(doc, indent=False)
    for text in (
        f"填报单位：{name}",
        f"报告期间：{_date_zh(period.start if period else dt.date(year, 1, 1))}至"
        f"{_date_zh(period.end if period else dt.date(year, 12, 31))}",
        f"填报日期：{_date_zh(day)}",
    ):
        _paragraph(doc, text, indent=False, size=14.0, line=24.0)
    _paragraph(doc, indent=False)
    if recipient:
        _paragraph(doc, f"{recipient}：", indent=False)
    _paragraph(
        doc,
        f"{_basis(kind, policy)}，现将我单位{label}“双随机、一公开”监管工作情况报告如下：",
    )
    for i, (heading, paragraphs) in enumerate(_paragraphs(kind, label, figures, verdict, registry)):
        _heading(doc, f"{_NUMERALS[i]}、{heading}")
        for text in paragraphs:
            last = _paragraph(doc, text)
    # the last paragraph, the annex list, the seal, the date and the signatures are kept
    # together: a seal never stands on a page of its own
    last.paragraph_format.keep_with_next = True
    _paragraph(doc, indent=False, keep=True)
    _paragraph(doc, f"附表：1. {work.title}", keep=True)
    annex = _paragraph(doc, f"2. {label}抽查比例和时限等规定落实情况", keep=True)
    annex.paragraph_format.first_line_indent = Pt(BODY_PT * 5)
    for _ in range(2):
        _paragraph(doc, indent=False, keep=True)
    right = WD_ALIGN_PARAGRAPH.RIGHT
    _paragraph(doc, f"{name}（盖章）", indent=False, align=right, keep=True)
    _paragraph(doc, _date_zh(day), indent=False, align=right, keep=True)
    _paragraph(doc, indent=False, keep=True)
    _paragraph(
        doc,
        "填报人：__________  审核人：__________  负责人：__________",
        indent=False,
        size=14.0,
        keep=True,
    )
    _paragraph(doc, "联系电话：______________", indent=False, size=14.0)

    # 附表1: the work table, as the XLSX report has it
    doc.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
    _caption(doc, "附表1")
    _paragraph(
        doc, work.title, font=TITLE_FONT, size=16.0, bold=True, indent=False,
        align=WD_ALIGN_PARAGRAPH.CENTER, keep=True,
    )  # fmt: skip
    _paragraph(doc, f"填报单位：{name}", indent=False, size=12.0, line=22.0, keep=True)
    rows = []
    for cls in CLASS_ORDER:
        rows.append([f"{cls.zh}监管对象", *(str(v) for v in figures[cls.value].values())])
    rows.append(["合计", *(str(v) for v in figures["total"].values())])
    first = 30.0
    rest = (TEXT_WIDTH_MM - first) / (len(work.columns) - 1)
    _table(doc, work.headers, rows, [first, *([rest] * (len(work.columns) - 1))])
    _paragraph(
        doc, "注：同一监管对象本期检查多次的，按次计；“整改完成”含以前发现问题在本期完成整改的。",
        indent=False, size=10.5, line=18.0,
    )  # fmt: skip

    # 附表2: every rule judged
    doc.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
    _caption(doc, "附表2")
    _paragraph(
        doc, f"{label}抽查比例和时限等规定落实情况", font=TITLE_FONT, size=16.0, bold=True,
        indent=False, align=WD_ALIGN_PARAGRAPH.CENTER, keep=True,
    )  # fmt: skip
    _paragraph(
        doc, f"依据：{_full_name(policy)}；判定日期：{_date_zh(verdict.as_of)}",
        indent=False, size=12.0, line=22.0, keep=True,
    )  # fmt: skip
    rule_rows = []
    for n, r in enumerate(verdict.rules, start=1):
        shown = in_chinese(r.measured) or in_chinese(r.note)
        rule_rows.append(
            [str(n), r.rule.citation.clause, r.rule.citation.quote, shown or "—", conclusion(r)]
        )
    _table(
        doc,
        ["序号", "条款", "规定内容", "落实情况", "结论"],
        rule_rows,
        [12.0, 16.0, 64.0, 40.0, 24.0],
        left=(2, 3),
    )
    if head is not None:
        _paragraph(doc, indent=False)
        _paragraph(doc, f"本报告依据的台账：{head.line()}", indent=False, size=10.5, line=16.0)

    props = doc.core_properties
    stamp = dt.datetime(day.year, day.month, day.day, tzinfo=dt.timezone.utc)
    props.title = _xml_safe(title.replace("\n", ""))
    props.author = _xml_safe(name)
    props.last_modified_by = _xml_safe(name)
    props.created = stamp
    props.modified = stamp
    props.last_printed = stamp
    props.revision = 1
    props.language = "zh-CN"
    props.subject = "双随机、一公开"
    props.keywords = f"randcheck; {policy.id}; {kind}"
    props.comments = "randcheck 生成的草稿，请核对后盖章报送。"
    props.category = "工作报告"
    buffer = io.BytesIO()
    doc.save(buffer)
    return _repack(buffer.getvalue(), day)


def write_narrative_docx(
    path: Path,
    kind: Kind,
    events: Sequence[LedgerEvent],
    year: int,
    quarter: int | None = None,
    *,
    verdict: VerdictLike,
    registry: Registry | None = None,
    unit: str | None = None,
    report_date: dt.date | None = None,
    recipient: str | None = None,
    head: HeadLike | None = None,
) -> None:
    """:func:`narrative_docx` written to ``path`` whole or not at all: nothing is written
    when the report cannot be made, and a missing or read-only folder is an
    :class:`~randcheck.errors.InputError` naming it."""
    data = narrative_docx(
        kind,
        events,
        year,
        quarter,
        verdict=verdict,
        registry=registry,
        unit=unit,
        report_date=report_date,
        recipient=recipient,
        head=head,
    )
    with atomic_write(Path(path)) as temp:
        temp.write_bytes(data)
