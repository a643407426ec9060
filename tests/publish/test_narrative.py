"""The narrative reports as Word drafts (本溪 八(一) yearly, 青岛 五 quarterly): the figures
of the XLSX reports and the audit's verdicts in the text, and the printed page as
LibreOffice lays it out (page numbers, reporting unit, no overlapping text)."""

from __future__ import annotations

import datetime as dt
import io
import os
import re
import shutil
import subprocess
import uuid
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from docx import Document
from docx.oxml.ns import qn
from typer.testing import CliRunner

from randcheck.audit import Status, Verdict, audit
from randcheck.cli import app
from randcheck.errors import InputError
from randcheck.io import read_registry
from randcheck.ledger.chain import LedgerEvent
from randcheck.ledger.stores import read_verified
from randcheck.periods import Quarter
from randcheck.policies import get_policy
from randcheck.publish.narrative import (
    NARRATIVE_POLICY,
    narrative_docx,
    reporting_unit,
    write_narrative_docx,
)
from randcheck.publish.tables import quarterly_report_table, yearly_report_table
from randcheck.report.published import ledger_head
from randcheck.testing import EventBuilder

UNIT = "本溪市生态环境局明山分局"
USCC = [f"91210500MA000000{n}{c}" for n, c in zip(range(1, 8), "ABCDEFG")]
CLASSES = ["KEY", "KEY", "GENERAL", "GENERAL", "GENERAL", "SPECIAL", "GENERAL"]
OUTCOMES = ["NO_PROBLEM", "RECTIFY", "CASE_FILED", "NO_PROBLEM", "RECTIFY", "NO_PROBLEM"]


def known_events(policy: str, quarter: Quarter) -> list[LedgerEvent]:
    """Seven tasks dispatched in ``quarter`` (2 key, 4 general, 1 special), six inspected
    (the last general one is not): 3 without a problem, 2 ordered to rectify (1
    rectified), 1 case opened; 5 of the 6 results published. No registry snapshot: the
    shares have no base (NOT_ENOUGH_DATA)."""
    day = quarter.start

    def on(days: int) -> str:
        return (day + dt.timedelta(days=days)).isoformat()

    tasks = [f"T{i}" for i in range(1, 8)]
    events: list[dict[str, Any]] = [
        {"on": on(4), "do": "seal", "draw": "D1"},
        {"on": on(4), "do": "reveal", "draw": "D1", "tasks": tasks},
    ]
    for task, uscc, cls in zip(tasks, USCC, CLASSES):
        events.append(
            {"on": on(7), "do": "dispatch", "task": task, "draw": "D1", "entity": uscc,
             "class": cls, "who": ["I1", "I2"]}
        )  # fmt: skip
    for task, outcome in zip(tasks, OUTCOMES):
        events.append({"on": on(19), "do": "inspect", "task": task})
        events.append({"on": on(19), "do": "record", "task": task, "outcome": outcome})
    events += [{"on": on(31), "do": "disclose", "task": task} for task in tasks[:5]]
    events.append({"on": on(45), "do": "rectified", "task": "T2"})
    return EventBuilder("known", policy=get_policy(policy)).add_all(events)


@dataclass
class Built:
    data: bytes
    verdict: Verdict
    events: list[LedgerEvent]

    @property
    def doc(self) -> Any:
        return Document(io.BytesIO(self.data))

    @property
    def paragraphs(self) -> list[str]:
        return [p.text for p in self.doc.paragraphs]

    @property
    def text(self) -> str:
        return "\n".join(self.paragraphs)

    def table(self, n: int) -> list[list[str]]:
        return [[c.text for c in row.cells] for row in self.doc.tables[n].rows]


YEARLY_DAY = dt.date(2025, 12, 20)
QUARTERLY_DAY = dt.date(2025, 7, 8)


@pytest.fixture(scope="module")
def yearly() -> Built:
    events = known_events("benxi", Quarter(2025, 3))
    verdict = audit(get_policy("benxi"), events, 2025, as_of=YEARLY_DAY)
    data = narrative_docx(
        "yearly", events, 2025, verdict=verdict, unit=UNIT, report_date=YEARLY_DAY,
        head=ledger_head(events),
    )  # fmt: skip
    return Built(data, verdict, events)


@pytest.fixture(scope="module")
def quarterly() -> Built:
    events = known_events("qingdao_west_coast", Quarter(2025, 2))
    policy = get_policy("qingdao_west_coast")
    verdict = audit(policy, events, 2025, quarter=2, as_of=QUARTERLY_DAY)
    data = narrative_docx(
        "quarterly", events, 2025, 2, verdict=verdict, unit="青岛西海岸新区执法大队",
        report_date=QUARTERLY_DAY,
    )  # fmt: skip
    return Built(data, verdict, events)


def test_the_yearly_report_states_the_years_figures(yearly: Built) -> None:
    text = yearly.text
    assert "本溪市生态环境局明山分局关于" in text and "2025年度“双随机、一公开”" in text
    assert f"填报单位：{UNIT}" in text
    assert "报告期间：2025年1月1日至2025年12月31日" in text
    assert "填报日期：2025年12月20日" in text
    assert "市生态环境局：" in text  # 本溪 八(一): reported to the city bureau
    assert "（以下简称《实施方案》）八(一)的规定" in text
    assert "共派发随机抽查任务7项，完成检查6家次" in text
    assert "重点监管对象2项，特殊监管对象1项，一般监管对象4项" in text
    assert "重点监管对象2家次，特殊监管对象1家次，一般监管对象3家次" in text
    assert "共录入检查结果6家次，其中未发现问题3家次，发现问题3家次" in text
    assert "责令整改2家次，立案调查1件" in text
    assert "重点监管对象发现问题1家次（责令整改1家次、立案调查0件）" in text
    assert "一般监管对象发现问题2家次（责令整改1家次、立案调查1件）" in text
    assert "2025年完成整改1家次" in text
    assert "已向社会公开5家次，公开率83.3%" in text
    for heading in ("一、基本情况", "二、发现问题及处理情况", "三、检查结果公开情况"):
        assert heading in yearly.paragraphs
    assert "四、抽查比例和时限落实情况" in yearly.paragraphs
    assert "五、存在的问题和下一步工作" in yearly.paragraphs


def test_the_figures_are_those_of_the_xlsx_report(yearly: Built) -> None:
    table = yearly_report_table(yearly.events, 2025)
    rows = yearly.table(0)
    assert rows[0] == table.headers
    expected = [[str(v) for v in row[1:]] for row in table.values()]
    assert [row[1:] for row in rows[1:]] == expected
    assert [row[0] for row in rows[1:]] == ["重点监管对象", "特殊监管对象", "一般监管对象", "合计"]


def test_each_ratio_and_deadline_cites_its_clause_and_the_verdict(yearly: Built) -> None:
    text = yearly.text
    assert (
        "《实施方案》二规定“2025年起，全市生态环境执法领域‘双随机、一公开’监管工作实现"
        "常态化，年度抽查结果100％公开”。经核对，未落实（5/6 = 83.3%）。"
    ) in text
    assert "《实施方案》八(二)规定“在检查结束之日起20个工作日内依法向社会公开检查结果”。" in text
    assert "经核对，未落实（违反1处：结果逾期未公开）" in text
    assert (
        "《实施方案》七(一)4规定" in text
        and "经核对，已落实（同一对象同一事项最多抽查1次）" in text
    )
    # 附表2: every rule of the verdict, its clause and its conclusion
    rows = yearly.table(1)
    assert rows[0] == ["序号", "条款", "规定内容", "落实情况", "结论"]
    assert len(rows) == len(yearly.verdict.rules) + 1
    for row, r in zip(rows[1:], yearly.verdict.rules):
        assert row[1] == r.rule.citation.clause and row[2] == r.rule.citation.quote
        want = {
            Status.PASS: "已落实",
            Status.FAIL: "未落实",
            Status.NOT_ENOUGH_DATA: "尚不能判定",
            Status.NOT_APPLICABLE: "本期不适用",
            Status.NOT_MEASURED: "未作判定",
        }[r.status]
        assert row[4] == want, r.rule.id


def test_not_enough_data_is_said_as_not_measurable_never_as_met(yearly: Built) -> None:
    share = next(r for r in yearly.verdict.rules if r.rule.id == "key.quarterly_share")
    assert share.status is Status.NOT_ENOUGH_DATA  # no registry snapshot: no base
    said = [p for p in yearly.paragraphs if "25%的重点监管对象进行抽查" in p]
    assert len(said) == 1
    assert "现有记录尚不能判定是否落实" in said[0]
    assert "名录库快照（REGISTRY_SNAPSHOT）" in said[0]  # what is missing
    pending = [r for r in yearly.verdict.rules if r.status is Status.NOT_ENOUGH_DATA]
    assert len(pending) >= 3
    for r in pending:
        quoted = f"规定“{r.rule.citation.quote.replace('“', '‘').replace('”', '’')}”"
        for paragraph in (p for p in yearly.paragraphs if quoted in p):
            assert "尚不能判定" in paragraph, r.rule.id
            assert "已落实" not in paragraph and "已达到" not in paragraph, r.rule.id
    assert "七(一)1" in next(p for p in yearly.paragraphs if "尚不能判定，将补齐" in p)


def test_the_quarterly_report_of_qingdao(quarterly: Built) -> None:
    text = quarterly.text
    assert "青岛西海岸新区执法大队关于" in text and "2025年第二季度“双随机、一公开”" in text
    assert "报告期间：2025年4月1日至2025年6月30日" in text
    assert "（青环西新字〔2020〕29号）（以下简称《实施方案》）五的规定" in text
    assert "市生态环境局：" not in text
    assert "2025年第二季度，我单位" in text and "共派发随机抽查任务7项" in text
    assert "已向社会公开5家次，公开率83.3%" in text
    # 青岛 三(一): five times the city's inspectors a year; the year is not over
    said = next(p for p in quarterly.paragraphs if "数量的 5 倍”。" in p)
    assert "三(一)" in said and "尚不能判定是否落实，原因：年度尚未结束" in said
    table = quarterly_report_table(quarterly.events, Quarter(2025, 2))
    assert quarterly.table(0)[-1][1:] == [str(v) for v in table.values()[-1][1:]]


def test_the_page_a4_fonts_footer_and_tables(yearly: Built) -> None:
    doc = yearly.doc
    section = doc.sections[0]
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)
    for paragraph in doc.paragraphs:
        for run in paragraph.runs:
            if run.text.strip():
                fonts = run._element.rPr.rFonts
                assert fonts.get(qn("w:eastAsia")) in ("仿宋", "黑体", "宋体"), run.text
                assert run.font.size is None or run.font.size.pt >= 9
    footer = section.footer.paragraphs[0]
    fields = [e.text.strip() for e in footer._p.iter(qn("w:instrText"))]
    assert fields == ["PAGE", "NUMPAGES"]
    assert footer.text == "第 1 页 共 1 页"  # the fields' values as last shown
    for table in doc.tables:
        xml = table._tbl.xml
        assert "<w:tblBorders>" in xml
        assert "<w:tblHeader/>" in table.rows[0]._tr.xml
    seal = [p for p in yearly.paragraphs if p.endswith("（盖章）")]
    assert seal == [f"{UNIT}（盖章）"]
    assert any(
        p.startswith("填报人：") and "审核人：" in p and "负责人：" in p for p in yearly.paragraphs
    )


def test_the_same_inputs_give_the_same_bytes(yearly: Built) -> None:
    again = narrative_docx(
        "yearly", yearly.events, 2025, verdict=yearly.verdict, unit=UNIT,
        report_date=YEARLY_DAY, head=ledger_head(yearly.events),
    )  # fmt: skip
    assert again == yearly.data
    props = yearly.doc.core_properties
    assert props.created == props.modified == dt.datetime(2025, 12, 20, tzinfo=dt.timezone.utc)
    assert props.author == UNIT
    with zipfile.ZipFile(io.BytesIO(yearly.data)) as package:
        assert {i.date_time for i in package.infolist()} == {(2025, 12, 20, 0, 0, 0)}


def test_refusals_write_nothing(tmp_path: Path, yearly: Built) -> None:
    target = tmp_path / "report.docx"
    with pytest.raises(InputError, match="reporting unit"):
        write_narrative_docx(target, "yearly", yearly.events, 2025, verdict=yearly.verdict)
    with pytest.raises(InputError, match="quarter"):
        write_narrative_docx(
            target, "quarterly", yearly.events, 2025, verdict=yearly.verdict, unit=UNIT
        )
    with pytest.raises(InputError, match="the verdict is of 2025, the report of 2024"):
        write_narrative_docx(
            target, "yearly", yearly.events, 2024, verdict=yearly.verdict, unit=UNIT
        )
    assert list(tmp_path.iterdir()) == []
    with pytest.raises(InputError, match="does not exist"):
        write_narrative_docx(
            tmp_path / "missing" / "r.docx", "yearly", yearly.events, 2025,
            verdict=yearly.verdict, unit=UNIT,
        )  # fmt: skip
    write_narrative_docx(
        target, "yearly", yearly.events, 2025, verdict=yearly.verdict, unit=UNIT,
        report_date=YEARLY_DAY, head=ledger_head(yearly.events),
    )  # fmt: skip
    assert target.read_bytes() == yearly.data
    assert [p.name for p in tmp_path.iterdir()] == ["report.docx"]  # no temporary left


# --- the demo data, as a bureau would run it ---------------------------------------------


@dataclass
class Demo:
    folder: Path
    yearly: Built
    quarterly: Built


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Demo:
    root = tmp_path_factory.mktemp("narrative-demo")
    built: dict[str, Built] = {}
    for kind, quarter, day in (
        ("yearly", None, YEARLY_DAY),
        ("quarterly", 3, dt.date(2025, 10, 9)),
    ):
        policy = NARRATIVE_POLICY[kind]
        out = root / kind
        run = CliRunner().invoke(
            app, ["demo", "--policy", policy, "--year", "2025", "--quarter", "3", "--out", str(out)]
        )
        assert run.exit_code == 0, run.output
        events = read_verified(out / "ledger-2025Q3.sqlite")
        registry = read_registry(out / "registry.csv").registry
        verdict = audit(get_policy(policy), events, 2025, quarter=quarter, as_of=day,
                        registry=registry)  # fmt: skip
        data = narrative_docx(
            kind, events, 2025, quarter, verdict=verdict, registry=registry, report_date=day,
            head=ledger_head(events),
        )  # fmt: skip
        (root / f"{kind}.docx").write_bytes(data)
        built[kind] = Built(data, verdict, events)
    return Demo(root, built["yearly"], built["quarterly"])


def test_the_demo_reports_name_the_registrys_authority(demo: Demo) -> None:
    registry = read_registry(demo.folder / "yearly" / "registry.csv").registry
    unit = reporting_unit(None, registry)
    assert unit == "获嘉县生态环境分局"
    for built in (demo.yearly, demo.quarterly):
        assert f"填报单位：{unit}" in built.text
        assert f"{unit}（盖章）" in built.paragraphs
    table = yearly_report_table(demo.yearly.events, 2025)
    total = dict(zip([k for k, _ in table.columns], table.values()[-1]))
    assert total["dispatched"] > 0
    assert f"共派发随机抽查任务{total['dispatched']}项，完成检查{total['inspected']}家次" in (
        demo.yearly.text
    )
    results = total["no_problem"] + total["rectify"] + total["case"]
    rate = f"{total['disclosed'] / results * 100:.1f}%"
    assert f"已向社会公开{total['disclosed']}家次，公开率{rate}" in demo.yearly.text
    # the three-year coverage of general entities (本溪 七(一)2) cannot be judged in year one
    said = next(p for p in demo.yearly.paragraphs if "三年内实现辖区一般监管对象全覆盖检查”" in p)
    assert "尚不能判定是否落实，原因：考核周期至2027年12月31日届满" in said


# --- printed, with LibreOffice ----------------------------------------------------------------


def _office() -> str | None:
    found = shutil.which("soffice") or shutil.which("libreoffice")
    if found is None:
        if os.environ.get("CI") == "true" or os.environ.get("RANDCHECK_REQUIRE_OFFICE") == "1":
            pytest.fail("LibreOffice (soffice) is required here (CI / RANDCHECK_REQUIRE_OFFICE)")
        pytest.skip("LibreOffice (soffice) is not installed: the printed layout is not checked")
    for tool in ("pdftotext", "pdfinfo"):
        if shutil.which(tool) is None:
            if os.environ.get("CI") == "true" or os.environ.get("RANDCHECK_REQUIRE_OFFICE") == "1":
                pytest.fail(f"poppler-utils ({tool}) is required here")
            pytest.skip(f"{tool} (poppler-utils) is not installed")
    return found


@pytest.fixture(scope="module")
def pdfs(demo: Demo, tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Path]]:
    office = _office()
    assert office is not None
    out = tmp_path_factory.mktemp("narrative-pdf")
    profile = tmp_path_factory.mktemp("lo-profile") / uuid.uuid4().hex
    files = [str(demo.folder / f"{kind}.docx") for kind in ("yearly", "quarterly")]
    subprocess.run(
        [office, "--headless", f"-env:UserInstallation={profile.as_uri()}",
         "--convert-to", "pdf", "--outdir", str(out), *files],
        check=True, capture_output=True, timeout=180,
    )  # fmt: skip
    yield {kind: out / f"{kind}.pdf" for kind in ("yearly", "quarterly")}


def _pages(pdf: Path) -> list[str]:
    text = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], check=True, capture_output=True, text=True
    ).stdout
    return text.split("\f")[:-1]


_WORD = re.compile(
    r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>'
)


def _boxes(pdf: Path) -> list[list[tuple[float, float, float, float, str]]]:
    html = subprocess.run(
        ["pdftotext", "-bbox", str(pdf), "-"], check=True, capture_output=True, text=True
    ).stdout
    return [
        [(float(a), float(b), float(c), float(d), w) for a, b, c, d, w in _WORD.findall(page)]
        for page in html.split("<page ")[1:]
    ]


@pytest.mark.parametrize("kind", ["yearly", "quarterly"])
def test_printed_pages_are_numbered_and_name_the_unit(kind: str, pdfs: dict[str, Path]) -> None:
    pages = _pages(pdfs[kind])
    assert len(pages) >= 3
    for number, page in enumerate(pages, start=1):
        footer = re.sub(r"\s+", "", page.strip().splitlines()[-1])
        assert footer == f"第{number}页共{len(pages)}页", (number, footer)
    first = re.sub(r"\s+", "", pages[0])
    assert "填报单位：获嘉县生态环境分局" in first
    assert "获嘉县生态环境分局关于" in first
    flat = [re.sub(r"\s+", "", p) for p in pages]
    assert any("获嘉县生态环境分局（盖章）" in p for p in flat)
    # 附表2 runs over several pages: its header row is printed on each of them
    start = next(i for i, p in enumerate(flat) if p.startswith("附表2"))
    assert len(flat) - start >= 2
    for page in flat[start:]:
        assert "序号" in page and "规定内容" in page and "落实情况" in page


@pytest.mark.parametrize("kind", ["yearly", "quarterly"])
def test_no_printed_text_overlaps(kind: str, pdfs: dict[str, Path]) -> None:
    pages = _boxes(pdfs[kind])
    assert pages and all(pages)
    for number, words in enumerate(pages, start=1):
        for i, (x0, y0, x1, y1, w) in enumerate(words):
            for a0, b0, a1, b1, v in words[i + 1 :]:
                dx = min(x1, a1) - max(x0, a0)
                dy = min(y1, b1) - max(y0, b0)
                assert dx <= 0.5 or dy <= 0.5, f"page {number}: {w!r} overlaps {v!r}"
