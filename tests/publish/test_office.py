"""Every document kind as a clerk prints it: written by the command line, converted to
PDF by LibreOffice, read back with poppler. On every page: the title, the reporting
unit (填报单位) and the column headers, 第 X 页 共 Y 页 right, no text over other text,
no CJK text below 9 pt; every entity named; signature lines on the forms filed.

One LibreOffice run converts every document (a module-scoped fixture); the first page
of each is rendered to PNG, the pictures docs/publishing.md shows.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pytest
from openpyxl import load_workbook
from typer.testing import CliRunner

from randcheck.cli import app
from randcheck.ledger.head import LINE
from tests.publish import office
from tests.publish.helpers import write_quarter

runner = CliRunner()
UNIT = "本溪市生态环境局"
FILED = {"plan", "quarterly-plan", "monthly", "quarterly", "yearly"}
"""The forms filed with a superior bureau: they carry signature lines."""
FROM_LEDGER = {"disclosure", "disclosure-en", "credit-push", "monthly", "quarterly", "yearly"}


def _commands(folder: Path, ledger: Path) -> dict[str, list[str]]:
    registry = str(folder / "registry.csv")
    year = ("--year", "2025")
    return {
        "schedule": ["schedule", "--policy", "qingdao_west_coast", *year],
        "plan": ["plan", "--policy", "huojia", "--registry", registry, *year],
        "quarterly-plan": [
            *("plan", "--policy", "benxi", "--registry", registry, *year, "--quarter", "3"),
        ],
        "items": ["plan", "--items", "--policy", "huojia", "--registry", registry, *year],
        # no --registry: the ledger alone names the entities
        "disclosure": [
            *("disclose", "--policy", "huojia", "--ledger", str(ledger), *year),
            *("--quarter", "3", "--unit", UNIT),
        ],
        "disclosure-en": [
            *("disclose", "--policy", "huojia", "--ledger", str(ledger), *year),
            *("--quarter", "3", "--unit", UNIT, "--lang", "en"),
        ],
        "credit-push": [
            *("report", "credit-push", "--ledger", str(ledger), *year, "--quarter", "3"),
            *("--unit", UNIT),
        ],
        "monthly": ["report", "monthly", "--ledger", str(ledger), *year, "--month", "7"],
        "quarterly": [
            *("report", "quarterly", "--ledger", str(ledger), *year, "--quarter", "3"),
            *("--registry", registry),
        ],
        "yearly": ["report", "yearly", "--ledger", str(ledger), *year, "--unit", UNIT],
    }


@dataclass
class Document:
    kind: str
    xlsx: Path
    pdf: Path
    title: str
    unit_line: str
    headers: list[str]
    names: list[str]

    @property
    def pages(self) -> list[str]:
        return office.pages_text(self.pdf)


@pytest.fixture(scope="module")
def documents(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Document]:
    office.need_tools()
    folder = tmp_path_factory.mktemp("documents")
    ledger = write_quarter(folder)
    made: dict[str, Path] = {}
    for kind, command in _commands(folder, ledger).items():
        xlsx = folder / f"{kind}.xlsx"
        result = runner.invoke(app, [*command, "-o", str(xlsx)])
        assert result.exit_code == 0, f"{kind}: {result.output}"
        made[kind] = xlsx
    # the control: the annual plan with its rows' heights dropped, as the issue found it
    book = load_workbook(made["plan"])
    for number in range(4, book.worksheets[0].max_row + 1):
        book.worksheets[0].row_dimensions[number].height = None
    book.save(folder / "plan-unfitted.xlsx")
    files = [*made.values(), folder / "plan-unfitted.xlsx"]
    pdfs = office.to_pdf(files, folder / "pdf", folder / "profile")
    out: dict[str, Document] = {"plan-unfitted": Document("plan-unfitted", files[-1],
                                pdfs["plan-unfitted"], "", "", [], [])}  # fmt: skip
    for kind, xlsx in made.items():
        rows = list(load_workbook(xlsx).worksheets[0].iter_rows(values_only=True))
        headers = [str(h) for h in rows[2]]
        names: list[str] = []
        for key in ("企业名称", "Entity"):
            if key in headers:
                column = headers.index(key)
                names = [str(r[column]) for r in rows[3:] if r[column] is not None]
        unit_line = next(str(v) for v in rows[1] if v)
        out[kind] = Document(kind, xlsx, pdfs[kind], str(rows[0][0]), unit_line, headers, names)
    return out


KINDS = list(_commands(Path("."), Path("l")))


@pytest.mark.parametrize("kind", KINDS)
def test_a4_and_every_page_numbered_of_the_total(documents: dict[str, Document], kind: str) -> None:
    doc = documents[kind]
    count, width, height = office.page_size(doc.pdf)
    assert sorted((round(width), round(height))) == [595, 842]  # A4
    numbers = [office.PAGE_NUMBER.findall(page) for page in doc.pages]
    if kind.endswith("-en"):
        numbers = [re.findall(r"Page (\d+) of (\d+)", page) for page in doc.pages]
    assert len(doc.pages) == count
    assert numbers == [[(str(n), str(count))] for n in range(1, count + 1)]


@pytest.mark.parametrize("kind", KINDS)
def test_every_page_has_the_title_the_unit_and_the_headers(
    documents: dict[str, Document], kind: str
) -> None:
    doc = documents[kind]
    unit = doc.unit_line.split("　")[0]  # 填报单位：…, before the period and date
    for number, page in enumerate(doc.pages, start=1):
        text = office.squeezed(page)
        assert office.squeezed(doc.title) in text, f"page {number}: no title"
        assert office.squeezed(unit) in text, f"page {number}: no {unit}"
        missing = [h for h in doc.headers if office.squeezed(h) not in text]
        assert not missing, f"page {number}: headers {missing} missing"


def test_the_reporting_unit_is_the_one_given_or_the_registry_s(
    documents: dict[str, Document],
) -> None:
    assert documents["yearly"].unit_line.startswith(f"填报单位：{UNIT}")
    assert documents["disclosure-en"].unit_line.startswith(f"Reporting unit: {UNIT}")
    assert re.match(r"填报单位：\S+生态环境分局", documents["quarterly"].unit_line)
    # no registry, no --unit: a line to fill in by hand, never an invented name
    assert documents["monthly"].unit_line.startswith("填报单位：＿＿＿＿")


@pytest.mark.parametrize("kind", ["disclosure", "disclosure-en", "credit-push"])
def test_every_entity_is_named_and_the_names_print(
    documents: dict[str, Document], kind: str
) -> None:
    doc = documents[kind]
    assert doc.names and all(name.strip() for name in doc.names)
    text = office.squeezed("".join(doc.pages))
    assert [n for n in doc.names if office.squeezed(n) not in text] == []
    # every page of the table names the entities of its rows
    assert all(any(office.squeezed(n) in office.squeezed(p) for n in doc.names) for p in doc.pages)


def test_the_disclosure_spans_pages_each_with_the_header_row(
    documents: dict[str, Document],
) -> None:
    pages = documents["disclosure"].pages
    assert len(pages) >= 2
    assert all("企业名称" in office.squeezed(p) for p in pages)


@pytest.mark.parametrize("kind", KINDS)
def test_no_text_overlaps_other_text(documents: dict[str, Document], kind: str) -> None:
    for number, page in enumerate(office.words(documents[kind].pdf), start=1):
        assert page, f"page {number} is empty"
        clashes = office.overlaps(page)
        assert not clashes, f"page {number}: {[(a.text, b.text) for a, b in clashes[:5]]}"


def test_the_overlap_check_sees_rows_too_low_for_their_text(
    documents: dict[str, Document],
) -> None:
    pages = office.words(documents["plan-unfitted"].pdf)
    assert sum(len(office.overlaps(page)) for page in pages) >= 3


@pytest.mark.parametrize("kind", KINDS)
def test_no_text_prints_below_9_pt(documents: dict[str, Document], kind: str) -> None:
    for number, page in enumerate(office.words(documents[kind].pdf), start=1):
        assert office.smallest_cjk_size(page) >= 8.9, f"page {number}"


@pytest.mark.parametrize("kind", KINDS)
def test_signature_lines_where_the_form_is_filed(documents: dict[str, Document], kind: str) -> None:
    last = office.squeezed(documents[kind].pages[-1])
    signed = all(f"{who}：" in last for who in ("填报人", "审核人", "负责人"))
    assert signed == (kind in FILED)


@pytest.mark.parametrize("kind", sorted(FROM_LEDGER))
def test_every_page_carries_the_ledger_head(documents: dict[str, Document], kind: str) -> None:
    heads = {m.group(1) for p in documents[kind].pages for m in [LINE.search(p)] if m}
    assert len(heads) == 1 and all(LINE.search(p) for p in documents[kind].pages)


def test_chinese_by_default_english_on_request(documents: dict[str, Document]) -> None:
    zh = office.squeezed(documents["quarterly"].pages[0])
    assert "重点监管对象" in zh and "一般监管对象" in zh and "特殊监管对象" in zh
    assert "KEY" not in zh and "填报日期" in zh
    en = documents["disclosure-en"].pages[0]
    assert "Reporting unit" in en and "USCC" in en and "填报单位" not in en


def test_the_first_page_of_each_kind_renders(
    documents: dict[str, Document], tmp_path: Path
) -> None:
    for kind in KINDS:
        png = office.first_page_png(documents[kind].pdf, tmp_path)
        assert png.stat().st_size > 2000
