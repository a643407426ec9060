"""Import and export: round trips, Chinese and English headers, every bad-input path."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook

from randcheck.errors import InputError, ProblemsFound
from randcheck.io import read_registry, write_registry
from randcheck.registry import Registry


@pytest.mark.parametrize("name", ["r.csv", "r.xlsx", "r.json"])
@pytest.mark.parametrize("headers", ["zh", "en"])
def test_round_trip_keeps_every_record(
    small_registry: Registry, tmp_path: Path, name: str, headers: str
) -> None:
    write_registry(small_registry, tmp_path / name, headers=headers)  # type: ignore[arg-type]
    again = read_registry(tmp_path / name).registry
    assert again.digest == small_registry.digest
    assert list(again.entities()) == list(small_registry.entities())
    assert again.inspectors == small_registry.inspectors
    assert again.items == small_registry.items


def test_csv_uses_chinese_headers_and_siblings(small_registry: Registry, tmp_path: Path) -> None:
    written = write_registry(small_registry, tmp_path / "r.csv")
    assert [p.name for p in written] == ["r.csv", "r.inspectors.csv", "r.items.csv"]
    header = (tmp_path / "r.csv").read_text(encoding="utf-8-sig").splitlines()[0].split(",")
    assert header[:4] == ["统一社会信用代码", "企业名称", "监管类别", "行政区划"]
    first = (tmp_path / "r.csv").read_text(encoding="utf-8-sig").splitlines()[1]
    assert "重点" in first or "一般" in first or "特殊" in first


def test_xlsx_sheets_are_named_for_bureaus(small_registry: Registry, tmp_path: Path) -> None:
    write_registry(small_registry, tmp_path / "r.xlsx")
    book = load_workbook(tmp_path / "r.xlsx", read_only=True)
    assert book.sheetnames == ["检查对象名录库", "执法检查人员名录库", "抽查事项清单"]


def test_gb18030_csv_is_read(small_registry: Registry, tmp_path: Path) -> None:
    write_registry(small_registry, tmp_path / "r.csv")
    text = (tmp_path / "r.csv").read_text(encoding="utf-8-sig")
    (tmp_path / "gbk.csv").write_bytes(text.encode("gb18030"))
    assert read_registry(tmp_path / "gbk.csv").registry.entity_count == 30


def _bad_csv(tmp_path: Path, small_registry: Registry) -> Path:
    write_registry(small_registry, tmp_path / "r.csv", headers="en")
    lines = (tmp_path / "r.csv").read_text(encoding="utf-8-sig").splitlines()
    header = lines[0].split(",")
    col = {name: i for i, name in enumerate(header)}

    def edit(line: str, field: str, value: str) -> str:
        cells = line.split(",")
        cells[col[field]] = value
        return ",".join(cells)

    lines[1] = edit(lines[1], "uscc", lines[1].split(",")[0][:-1] + "0")  # wrong check char
    lines[2] = edit(lines[2], "entity_class", "ODD")  # unknown class
    lines[3] = edit(lines[3], "division_code", "12")  # short division
    lines.append(lines[5])  # duplicate USCC
    bad = tmp_path / "bad.csv"
    bad.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return bad


def test_every_problem_is_reported_in_one_pass(small_registry: Registry, tmp_path: Path) -> None:
    bad = _bad_csv(tmp_path, small_registry)
    with pytest.raises(ProblemsFound) as caught:
        read_registry(bad)
    problems = caught.value.problems
    assert [(p.row, p.column) for p in problems] == [
        (2, "uscc"),
        (3, "entity_class"),
        (4, "division_code"),
        (32, "uscc"),
    ]
    assert "check character" in problems[0].reason
    assert "KEY (重点)" in problems[1].reason
    assert "6-digit" in problems[2].reason
    assert "duplicate" in problems[3].reason and "first at row 6" in problems[3].reason
    assert all(p.file == str(bad) for p in problems)


def test_skipping_bad_rows_loads_the_rest(small_registry: Registry, tmp_path: Path) -> None:
    bad = _bad_csv(tmp_path, small_registry)
    report = read_registry(bad, skip_bad_rows=True)
    assert report.registry.entity_count == 27
    assert report.skipped_rows == 4


def test_missing_required_column_loads_nothing(small_registry: Registry, tmp_path: Path) -> None:
    write_registry(small_registry, tmp_path / "r.csv")
    lines = (tmp_path / "r.csv").read_text(encoding="utf-8-sig").splitlines()
    dropped = [",".join(line.split(",")[:2] + line.split(",")[3:]) for line in lines]
    (tmp_path / "m.csv").write_text("\n".join(dropped) + "\n", encoding="utf-8")
    with pytest.raises(ProblemsFound) as caught:
        read_registry(tmp_path / "m.csv", skip_bad_rows=True)
    assert caught.value.problems[0].column == "监管类别 (entity_class)"
    assert "required column is missing" in caught.value.problems[0].reason


def test_bureau_header_spellings_are_accepted(tmp_path: Path) -> None:
    from tests.conftest import make_uscc

    path = tmp_path / "bureau.csv"
    path.write_text(
        "社会信用代码,单位名称,企业分类,行政区划代码,行业类别,备注\n"
        f"{make_uscc(7)},获嘉县某厂,重点排污单位,410724,C3011,新增\n",
        encoding="utf-8",
    )
    report = read_registry(path)
    assert report.registry.entity_count == 1
    assert report.ignored_columns == [f"{path}: 备注"]


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("x.txt", "a,b\n", "cannot read .txt"),
        ("none.csv", None, "does not exist"),
        ("empty.csv", "", "empty"),
        ("what.csv", "a,b\n1,2\n", "cannot tell which table"),
        ("bad.json", "{not json", "not valid JSON"),
        ("shape.json", '{"people": []}', "expected an object"),
        ("bad.xlsx", "not a zip", "not a readable XLSX"),
    ],
)
def test_unreadable_files_give_clear_errors(
    tmp_path: Path, name: str, content: str | None, message: str
) -> None:
    path = tmp_path / name
    if content is not None:
        path.write_text(content, encoding="utf-8")
    with pytest.raises(InputError, match=message):
        read_registry(path)


def test_xlsx_rows_and_columns_are_spreadsheet_numbers(tmp_path: Path) -> None:
    from tests.conftest import make_uscc

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "检查对象名录库"
    sheet.append(["统一社会信用代码", "企业名称", "监管类别", "行政区划", "行业类别", "投产时间"])
    sheet.append([make_uscc(1), "甲厂", "一般", 410724, "C3011", "2020-02-30"])
    book.save(tmp_path / "x.xlsx")
    with pytest.raises(ProblemsFound) as caught:
        read_registry(tmp_path / "x.xlsx")
    (problem,) = caught.value.problems
    assert (problem.row, problem.column) == (2, "投产时间")
    assert "not a real date" in problem.reason


def test_json_accepts_chinese_keys(tmp_path: Path) -> None:
    from tests.conftest import make_uscc

    record = {
        "统一社会信用代码": make_uscc(3),
        "企业名称": "乙厂",
        "监管类别": "特殊",
        "行政区划": "410724",
        "行业类别": "C2614",
        "污染类型": ["废水", "噪声"],
    }
    (tmp_path / "r.json").write_text(json.dumps({"entities": [record]}, ensure_ascii=False))
    registry = read_registry(tmp_path / "r.json").registry
    assert registry.entity(make_uscc(3)).entity_class.zh == "特殊"


def test_failed_write_leaves_nothing(small_registry: Registry, tmp_path: Path) -> None:
    with pytest.raises(InputError, match="does not exist"):
        write_registry(small_registry, tmp_path / "missing" / "r.csv")
    with pytest.raises(InputError, match="cannot write"):
        write_registry(small_registry, tmp_path / "r.parquet")
    assert list(tmp_path.iterdir()) == []
