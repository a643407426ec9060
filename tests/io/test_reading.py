"""Every registry file is read bounded and strictly: devices, folders, encodings, broken
workbooks and JSON that would crash a parser are clear errors naming the file."""

from __future__ import annotations

import contextlib
import json
import os
import zipfile
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from randcheck.errors import InputError, ProblemsFound, RandcheckError
from randcheck.io import read_registry, write_registry
from randcheck.registry import Registry


def _csv_text(registry: Registry, tmp_path: Path, headers: str = "en") -> list[str]:
    write_registry(registry, tmp_path / "src.csv", headers=headers)  # type: ignore[arg-type]
    lines = (tmp_path / "src.csv").read_text(encoding="utf-8-sig").splitlines(keepends=True)
    for sibling in tmp_path.glob("src.*.csv"):
        sibling.unlink()
    (tmp_path / "src.csv").unlink()
    return lines


# --- what a path names ---------------------------------------------------------------


@pytest.mark.parametrize("suffix", [".csv", ".xlsx", ".json"])
def test_a_device_behind_a_registry_name_is_refused_unread(tmp_path: Path, suffix: str) -> None:
    link = tmp_path / f"zero{suffix}"
    link.symlink_to("/dev/zero")
    with pytest.raises(InputError, match="not a regular file"):
        read_registry(link)


def test_a_fifo_is_refused_without_blocking(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe.csv"
    os.mkfifo(fifo)
    with pytest.raises(InputError, match="not a regular file"):
        read_registry(fifo)


@pytest.mark.parametrize("suffix", [".csv", ".xlsx", ".json"])
def test_a_folder_is_reported_as_a_folder(tmp_path: Path, suffix: str) -> None:
    (tmp_path / f"r{suffix}").mkdir()
    with pytest.raises(InputError, match="is a folder"):
        read_registry(tmp_path / f"r{suffix}")


def test_a_sibling_device_is_refused_too(small_registry: Registry, tmp_path: Path) -> None:
    write_registry(small_registry, tmp_path / "r.csv")
    (tmp_path / "r.items.csv").unlink()
    (tmp_path / "r.items.csv").symlink_to("/dev/zero")
    with pytest.raises(InputError, match=r"r\.items\.csv is not a regular file"):
        read_registry(tmp_path / "r.csv")


@pytest.mark.parametrize(
    ("suffix", "bound"), [(".csv", 4 << 30), (".xlsx", 4 << 30), (".json", 1 << 30)]
)
def test_a_file_over_the_bound_is_refused_by_its_size(
    tmp_path: Path, suffix: str, bound: int
) -> None:
    big = tmp_path / f"big{suffix}"
    with big.open("wb") as handle:  # sparse: no disk is used
        handle.truncate(bound + 1)
    with pytest.raises(InputError, match=f"randcheck reads at most {bound:,}"):
        read_registry(big)


# --- encodings -----------------------------------------------------------------------


def test_gb18030_after_a_megabyte_of_ascii_is_read_as_gb18030(
    small_registry: Registry, tmp_path: Path
) -> None:
    lines = _csv_text(small_registry, tmp_path)
    data = lines[0].encode() + b"\n" * (1 << 20) + "".join(lines[1:]).encode("gb18030")
    (tmp_path / "gb.csv").write_bytes(data)
    again = read_registry(tmp_path / "gb.csv").registry
    assert list(again.entities()) == list(small_registry.entities())


def test_a_file_neither_utf8_nor_gb18030_is_refused_with_the_offset(
    small_registry: Registry, tmp_path: Path
) -> None:
    lines = _csv_text(small_registry, tmp_path)
    head = lines[0].encode() + b"\n" * (1 << 20)
    (tmp_path / "bad.csv").write_bytes(head + b"a,\xff\xff\n")
    with pytest.raises(InputError) as caught:
        read_registry(tmp_path / "bad.csv")
    assert f"byte {len(head) + 2} (0xff)" in caught.value.what
    assert "UTF-8" in caught.value.what and "GB18030" in caught.value.what


def test_utf16_is_refused_by_name(small_registry: Registry, tmp_path: Path) -> None:
    lines = _csv_text(small_registry, tmp_path)
    (tmp_path / "u16.csv").write_bytes("".join(lines).encode("utf-16"))
    with pytest.raises(InputError, match="UTF-16"):
        read_registry(tmp_path / "u16.csv")


# --- rows ----------------------------------------------------------------------------


def test_a_value_beyond_the_header_is_a_problem_naming_row_and_column(
    small_registry: Registry, tmp_path: Path
) -> None:
    lines = _csv_text(small_registry, tmp_path)
    width = len(lines[0].rstrip("\n").split(","))
    lines[3] = lines[3].rstrip("\n") + ",extra\n"
    lines[5] = lines[5].rstrip("\n") + ",,\n"  # empty cells beyond: harmless
    (tmp_path / "wide.csv").write_text("".join(lines), encoding="utf-8")
    with pytest.raises(ProblemsFound) as caught:
        read_registry(tmp_path / "wide.csv")
    (problem,) = caught.value.problems
    assert (problem.row, problem.column) == (4, f"column {width + 1}")
    assert f"a value beyond the header's {width} columns" in problem.reason
    skipped = read_registry(tmp_path / "wide.csv", skip_bad_rows=True)
    assert skipped.registry.entity_count == small_registry.entity_count - 1


def test_a_value_beyond_the_header_in_xlsx_is_a_problem(
    small_registry: Registry, tmp_path: Path
) -> None:
    from openpyxl import load_workbook

    write_registry(small_registry, tmp_path / "r.xlsx")
    book = load_workbook(tmp_path / "r.xlsx")
    sheet = book.worksheets[0]
    width = sheet.max_column
    sheet.cell(row=3, column=width + 2, value="stray")
    book.save(tmp_path / "r.xlsx")
    with pytest.raises(ProblemsFound) as caught:
        read_registry(tmp_path / "r.xlsx")
    (problem,) = caught.value.problems
    assert (problem.row, problem.column) == (3, f"column {width + 2}")


@pytest.mark.parametrize(
    "char", ["\x00", "\x07", "\x1b", "\t", "\n", "\r", "\x7f", "\x85", "\x9b", "\ud800"]
)
def test_a_control_character_in_a_text_is_a_problem_naming_row_and_column(
    small_registry: Registry, tmp_path: Path, char: str
) -> None:
    write_registry(small_registry, tmp_path / "r.json")
    records = json.loads((tmp_path / "r.json").read_text(encoding="utf-8"))
    records["entities"][2]["name"] = f"某{char}公司"
    records["entities"][4]["tags"] = ["ok", f"x{char}y"]
    records["inspectors"][0]["unit"] = f"大队{char}一"
    (tmp_path / "bad.json").write_text(json.dumps(records), encoding="utf-8")
    with pytest.raises(ProblemsFound) as caught:
        read_registry(tmp_path / "bad.json")
    found = {(p.file.rsplit("[", 1)[-1], p.row, p.column) for p in caught.value.problems}
    assert found == {("entities]", 3, "name"), ("entities]", 5, "tags"), ("inspectors]", 1, "unit")}
    assert all("U+" in p.reason or "unicode" in p.reason for p in caught.value.problems)


def test_a_control_character_from_csv_is_refused_before_any_export(
    small_registry: Registry, tmp_path: Path
) -> None:
    write_registry(small_registry, tmp_path / "r.csv")
    text = (tmp_path / "r.csv").read_text(encoding="utf-8-sig")
    name = next(iter(small_registry.entities())).name
    (tmp_path / "r.csv").write_text(text.replace(name, name + "\x08", 1), encoding="utf-8")
    with pytest.raises(ProblemsFound) as caught:
        read_registry(tmp_path / "r.csv")
    (problem,) = caught.value.problems
    assert (problem.row, problem.column) == (2, "企业名称")


def test_an_empty_registry_loads_the_same_from_every_format(tmp_path: Path) -> None:
    empty = Registry.from_records([])
    (tmp_path / "a.json").write_text('{"entities": []}', encoding="utf-8")
    (tmp_path / "b.json").write_text("[]", encoding="utf-8")
    (tmp_path / "c.json").write_text('{"entities": [], "inspectors": [], "items": []}', "utf-8")
    write_registry(empty, tmp_path / "d.csv")
    write_registry(empty, tmp_path / "e.xlsx")
    write_registry(empty, tmp_path / "f.json")
    for name in ("a.json", "b.json", "c.json", "d.csv", "e.xlsx", "f.json"):
        loaded = read_registry(tmp_path / name).registry
        assert loaded.entity_count == 0 and loaded.digest == empty.digest, name


# --- JSON that breaks parsers ---------------------------------------------------------


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b'{"entities": [{"name": "\xff"}]}', "not UTF-8"),
        (b'{"entities": [{"longitude": ' + b"1" * 5000 + b"}]}", "4300 digits"),
        (b"[" * 100_000 + b"]" * 100_000, "nested deeper"),
        (b'{"entities": [' + b"[" * 100 + b"]" * 100 + b"]}", "nested deeper"),
        (b'{"entities": [{"longitude": NaN}]}', "NaN"),
        (b'{"entities": [], "entities": []}', "appears twice"),
        (b'{"entities": [1, "x"]}', "entry 1 of 'entities' is number"),
        (b'{"entities": {"a": 1}}', "must be a list"),
        (b'"text"', "expected an object"),
        (b"", "not valid JSON"),
    ],
)
def test_bad_json_registries_are_input_errors(tmp_path: Path, content: bytes, message: str) -> None:
    (tmp_path / "r.json").write_bytes(content)
    with pytest.raises(InputError, match=message):
        read_registry(tmp_path / "r.json")


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=12,
)
field_names = st.sampled_from(
    [
        "uscc",
        "name",
        "entity_class",
        "division_code",
        "industry_code",
        "tags",
        "longitude",
        "latitude",
        "production_start",
        "pollution_types",
        "positive_list",
        "统一社会信用代码",
        "inspector_id",
        "unit",
        "certificate_number",
        "code",
        "years_of_service",
        "x",
    ]
)


@settings(max_examples=150, deadline=None)
@given(
    st.dictionaries(
        st.sampled_from(["entities", "inspectors", "items", "format", "digest"]),
        st.lists(st.dictionaries(field_names, json_values, max_size=6), max_size=3) | json_values,
        max_size=3,
    )
)
def test_any_json_registry_loads_or_is_an_input_error(
    tmp_path_factory: pytest.TempPathFactory, data: dict[str, object]
) -> None:
    path = tmp_path_factory.mktemp("j") / "r.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    with contextlib.suppress(RandcheckError):
        read_registry(path)


# --- XLSX that is not a workbook, or a damaged one ------------------------------------


def _rebuilt(
    source: Path, target: Path, replace: dict[str, bytes], drop: frozenset[str] = frozenset()
) -> Path:
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as new:
        for name in old.namelist():
            if name not in drop:
                new.writestr(name, replace.get(name, old.read(name)))
    return target


LAUGHS = (
    b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
    + b"".join(
        f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">'.encode()
        for i in range(1, 10)
    )
    + b"]>"
)


def test_damaged_workbooks_are_input_errors(small_registry: Registry, tmp_path: Path) -> None:
    good = tmp_path / "good.xlsx"
    write_registry(small_registry, good)
    sheet = "xl/worksheets/sheet1.xml"
    with zipfile.ZipFile(good) as archive:
        sheet_xml = archive.read(sheet)
    cases = {
        "broken-xml": _rebuilt(
            good, tmp_path / "a.xlsx", {sheet: sheet_xml[: len(sheet_xml) // 2]}
        ),
        "broken-workbook": _rebuilt(good, tmp_path / "b.xlsx", {"xl/workbook.xml": b"<bad"}),
        "no-workbook": _rebuilt(good, tmp_path / "c.xlsx", {}, frozenset({"xl/workbook.xml"})),
        "laughs": _rebuilt(
            good,
            tmp_path / "d.xlsx",
            {sheet: LAUGHS + sheet_xml.replace(b"<t>", b"<t>&lol9;", 1)},
        ),
        "entity": _rebuilt(
            good, tmp_path / "e.xlsx", {sheet: b'<!DOCTYPE x [<!ENTITY e "x">]>' + sheet_xml}
        ),
    }
    truncated = tmp_path / "f.xlsx"
    truncated.write_bytes(good.read_bytes()[: good.stat().st_size // 2])
    cases["truncated"] = truncated
    plain_zip = tmp_path / "g.xlsx"
    with zipfile.ZipFile(plain_zip, "w") as archive:
        archive.writestr("readme.txt", "hello")
    cases["a-zip"] = plain_zip
    (tmp_path / "h.xlsx").write_bytes(b"PK\x03\x04" + os.urandom(200))
    cases["junk"] = tmp_path / "h.xlsx"
    for case, path in cases.items():
        with pytest.raises(InputError, match="not a readable XLSX workbook") as caught:
            read_registry(path)
        assert str(path) in str(caught.value), case


def test_a_zip_bomb_is_refused_unopened(small_registry: Registry, tmp_path: Path) -> None:
    good = tmp_path / "good.xlsx"
    write_registry(small_registry, good)
    bomb = _rebuilt(good, tmp_path / "bomb.xlsx", {"xl/styles.xml": b" " * (65 << 20)})
    assert bomb.stat().st_size < 1 << 20
    with pytest.raises(InputError, match=r"xl/styles\.xml of the workbook unpacks to"):
        read_registry(bomb)


def test_the_command_line_exits_2_on_a_damaged_workbook(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from randcheck.cli import app

    (tmp_path / "r.xlsx").write_bytes(b"PK\x05\x06" + b"\x00" * 18)
    result = CliRunner().invoke(app, ["registry", "show", str(tmp_path / "r.xlsx")])
    assert result.exit_code == 2 and "internal error" not in result.output
