"""Inspection histories: read bounded and strictly; every junk entry is refused with its
number, never silently dropped or coerced."""

from __future__ import annotations

import contextlib
import datetime as dt
import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from randcheck.draw.history import History, Inspection, load_history, save_history
from randcheck.errors import InputError, ProblemsFound, RandcheckError
from tests.conftest import make_uscc

U1, U2 = make_uscc(1), make_uscc(2)
GOOD = {"uscc": U1, "date": "2025-02-05", "mode": "ON_SITE", "items": ["A"], "task_id": "T1"}


def _history() -> History:
    return History(
        [
            Inspection(uscc=U1, date=dt.date(2025, 2, 5), items=("=A", "B")),
            Inspection(uscc=U2, date=dt.date(2025, 3, 1), task_id="-T"),
        ]
    )


def test_a_saved_history_loads_back(tmp_path: Path) -> None:
    save_history(_history(), tmp_path / "h.json")
    assert load_history(tmp_path / "h.json").digest == _history().digest


@pytest.mark.parametrize(
    ("entry", "column", "reason"),
    [
        ({**GOOD, "colour": "red"}, "colour", "unknown key"),
        ({**GOOD, "date": 20250205}, "date", "not a date as text"),
        ({**GOOD, "date": 0}, "date", "not a date as text"),
        ({**GOOD, "date": "2025-02-30"}, "date", "not a real date"),
        ({**GOOD, "date": "yesterday"}, "date", "not a date"),
        ({**GOOD, "uscc": "91410724000000001X"}, "uscc", ""),
        ({**GOOD, "uscc": 914107240}, "uscc", "not a text"),
        ({**GOOD, "items": "A;B"}, "items", "not a list"),
        ({**GOOD, "items": [1, 2]}, "items", "every item code must be a text"),
        ({**GOOD, "mode": "BY_PIGEON"}, "mode", ""),
        ({**GOOD, "mode": True}, "mode", "not a text"),
        ({**GOOD, "task_id": ["x"]}, "task_id", "not a text or null"),
        ({**GOOD, "task_id": "T\x1b[2J"}, "task_id", "control character"),
        ({"date": "2025-01-01"}, "uscc", "required"),
        ([GOOD], None, "entry is a list, not an object"),
        (7, None, "entry is the number 7, not an object"),
        ("x", None, "not an object"),
        (None, None, "entry is null, not an object"),
    ],
)
def test_a_junk_entry_is_refused_with_its_number(
    tmp_path: Path, entry: object, column: str | None, reason: str
) -> None:
    path = tmp_path / "h.json"
    path.write_text(
        json.dumps({"format": "randcheck-history", "inspections": [GOOD, GOOD, entry]}),
        encoding="utf-8",
    )
    with pytest.raises(ProblemsFound) as caught:
        load_history(path)
    problems = caught.value.problems
    assert problems and all(p.row == 3 for p in problems)
    assert any(p.column == column and reason.lower() in p.reason.lower() for p in problems), [
        str(p) for p in problems
    ]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b'{"inspections": [{"uscc": "\xff"}]}', "not UTF-8"),
        (b'{"inspections": [{"date": ' + b"9" * 5000 + b"}]}", "4300 digits"),
        (b"[" * 100_000 + b"]" * 100_000, "nested deeper"),
        (b'{"inspections": [], "inspections": []}', "appears twice"),
        (b'{"inspections": {"a": 1}}', "expected a list"),
        (b'{"format": "other", "inspections": []}', "not randcheck-history"),
        (b'{"inspections": [], "extra": 1}', "unknown key"),
        (b"5", "expected a list"),
    ],
)
def test_a_bad_json_history_is_an_input_error(tmp_path: Path, content: bytes, message: str) -> None:
    (tmp_path / "h.json").write_bytes(content)
    with pytest.raises(InputError, match=message):
        load_history(tmp_path / "h.json")


def test_a_csv_history_is_read_strictly(tmp_path: Path) -> None:
    path = tmp_path / "h.csv"
    path.write_text(
        f"统一社会信用代码,检查日期,检查事项\n{U1},2025-01-02,'=A;B\n\n{U2},2025-01-03,\n",
        encoding="utf-8",
    )
    history = load_history(path)
    assert [i.items for i in history] == [("=A", "B"), ()]
    path.write_text(f"uscc,date,备注\n{U1},2025-01-02,x\n", encoding="utf-8")
    with pytest.raises(ProblemsFound, match="unknown column"):
        load_history(path)
    path.write_text(f"uscc,date\n{U1},2025-01-02,extra\n", encoding="utf-8")
    with pytest.raises(ProblemsFound) as caught:
        load_history(path)
    assert [(p.row, p.column) for p in caught.value.problems] == [(2, "column 3")]
    path.write_text(f"uscc,items\n{U1},A\n", encoding="utf-8")
    with pytest.raises(ProblemsFound, match="required column is missing"):
        load_history(path)
    path.write_text("", encoding="utf-8")
    with pytest.raises(InputError, match="empty"):
        load_history(path)


def test_a_gb18030_csv_history_is_read(tmp_path: Path) -> None:
    path = tmp_path / "h.csv"
    path.write_bytes(f"统一社会信用代码,检查日期\n{U1},2025-01-02\n".encode("gb18030"))
    assert len(load_history(path)) == 1


@pytest.mark.parametrize("suffix", [".csv", ".json"])
def test_a_device_or_a_folder_is_refused(tmp_path: Path, suffix: str) -> None:
    (tmp_path / f"zero{suffix}").symlink_to("/dev/zero")
    with pytest.raises(InputError, match="not a regular file"):
        load_history(tmp_path / f"zero{suffix}")
    (tmp_path / f"dir{suffix}").mkdir()
    with pytest.raises(InputError, match="is a folder"):
        load_history(tmp_path / f"dir{suffix}")
    with pytest.raises(InputError, match="does not exist"):
        load_history(tmp_path / f"none{suffix}")


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=12),
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.dictionaries(
            st.sampled_from(["uscc", "date", "mode", "items", "task_id", "x"]), inner, max_size=5
        )
    ),
    max_leaves=15,
)


@settings(max_examples=200, deadline=None)
@given(json_values)
def test_any_json_history_loads_or_is_an_input_error(
    tmp_path_factory: pytest.TempPathFactory, data: object
) -> None:
    path = tmp_path_factory.mktemp("h") / "h.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    with contextlib.suppress(RandcheckError):
        load_history(path)
