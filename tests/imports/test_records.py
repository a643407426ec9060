"""Records kept elsewhere come into the ledger: provenance, time order, merging,
dedup, evidence shown, and every problem listed in one pass."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from randcheck.errors import InputError
from randcheck.imports import NOT_RECORDED, ImportProblems, import_records, read_records
from randcheck.imports.run import records_ledger
from randcheck.ledger.events import SHANGHAI, EventType
from randcheck.ledger.stores import open_ledger
from tests.imports.helpers import (
    PLATFORM_EN,
    PLATFORM_ZH,
    ROWS,
    U1,
    U2,
    platform_csv,
    write_csv,
    write_xlsx,
)

T = EventType


def _events(path: Path) -> list:
    with open_ledger(path, readonly=True) as ledger:
        return list(ledger.events())


def _imported(tmp_path: Path, *files: Path, **kwargs: object) -> list:
    target = tmp_path / "ledger.sqlite"
    with open_ledger(target) as ledger:
        import_records(ledger, list(files), **kwargs)  # type: ignore[arg-type]
    return _events(target)


def test_every_imported_event_carries_its_source_and_they_come_in_time_order(
    tmp_path: Path,
) -> None:
    events = _imported(tmp_path, platform_csv(tmp_path))
    records = [e for e in events if e.type is not T.RECORDS_IMPORTED]
    assert records and all(e.payload["source"]["file"] == "tasks.csv" for e in records)
    rows = {e.subject: e.payload["source"]["row"] for e in records}
    assert rows == {"2025Q1": 2, "T1": 2, "T2": 3, "T3": 4}  # the batch, from its first row
    reveal = next(e for e in records if e.type is T.DRAW_REVEALED)
    assert reveal.payload["tasks"] == ["T1", "T2", "T3"]
    assert reveal.time < min(e.time for e in records if e.type is T.TASK_DISPATCHED)
    times = [e.time for e in records]
    assert times == sorted(times)
    assert events[-1].type is T.RECORDS_IMPORTED and "source" not in events[-1].payload


def test_a_date_alone_gets_the_time_of_day_of_its_step_so_one_day_keeps_the_flow(
    tmp_path: Path,
) -> None:
    events = _imported(tmp_path, platform_csv(tmp_path))
    t2 = [(e.type, e.time.astimezone(SHANGHAI)) for e in events if e.subject == "T2"]
    day = [(kind, when.time()) for kind, when in t2 if when.date() == dt.date(2025, 3, 6)]
    assert day == [
        (T.INSPECTION_STARTED, dt.time(9)),
        (T.INSPECTION_COMPLETED, dt.time(12)),
        (T.RESULT_RECORDED, dt.time(14)),
        (T.RECTIFICATION_ORDERED, dt.time(14)),
    ]
    ordered = next(e for e in events if e.type is T.RECTIFICATION_ORDERED)
    assert ordered.payload["requirement"] == "整改期限 2025-04-06"


def test_what_the_rows_say_reaches_the_payloads(tmp_path: Path) -> None:
    events = _imported(tmp_path, platform_csv(tmp_path))
    dispatched = {e.subject: e.payload for e in events if e.type is T.TASK_DISPATCHED}
    assert dispatched["T1"]["uscc"] == U1 and dispatched["T1"]["entity_class"] == "KEY"
    assert dispatched["T2"]["entity_name"] == "乙公司"  # a disclosure needs only the ledger
    assert dispatched["T1"]["inspectors"] == ["41001", "41002"]  # by 执法证号
    assert dispatched["T2"]["items"] == ["废气排放", "固废"]
    assert dispatched["T3"]["mode"] == "NON_SITE" and dispatched["T3"]["draw_id"] == "2025Q1"
    outcomes = {e.subject: e.payload["outcome"] for e in events if e.type is T.RESULT_RECORDED}
    assert outcomes == {"T1": "NO_PROBLEM", "T2": "RECTIFY", "T3": "CASE_FILED"}
    started = next(e for e in events if e.type is T.INSPECTION_STARTED and e.subject == "T1")
    assert started.actor == "张三"  # the first inspector named
    assert {e.subject for e in events if e.type is T.DISCLOSURE_PUBLISHED} == {"T1", "T2"}


def test_chinese_and_english_headers_give_the_same_events(tmp_path: Path) -> None:
    zh = read_records([platform_csv(tmp_path)])
    en = read_records([write_csv(tmp_path / "en.csv", PLATFORM_EN, ROWS)])

    def strip(plan: object) -> list:
        return [
            (e.kind, e.subject, e.time, {k: v for k, v in e.payload.items() if k != "source"})
            for e in plan.events  # type: ignore[attr-defined]
        ]

    assert strip(zh) == strip(en) and len(strip(zh)) > 10
    assert zh.files[0].shows == en.files[0].shows


def test_a_gb18030_csv_reads_as_the_utf8_one(tmp_path: Path) -> None:
    utf8 = read_records([platform_csv(tmp_path)])
    gb = read_records([platform_csv(tmp_path, "gb.csv", encoding="gb18030")])
    assert [e.payload.get("items") for e in gb.events] == [
        e.payload.get("items") for e in utf8.events
    ]
    assert not gb.problems


def test_xlsx_sheets_are_found_under_a_title_row_and_named_in_the_source(tmp_path: Path) -> None:
    book = write_xlsx(
        tmp_path / "export.xlsx",
        {
            "说明": [["本表由平台导出"], ["导出时间 2025-04-01"]],
            "抽查任务": [["2025年一季度抽查任务"], PLATFORM_ZH, *ROWS[:2]],
        },
    )
    plan = read_records([book])
    assert not plan.problems
    sources = {e.payload["source"]["sheet"] for e in plan.events}
    assert sources == {"抽查任务"}
    assert {e.payload["source"]["row"] for e in plan.events} == {3, 4}  # as Excel numbers
    assert any("说明" in note for note in plan.files[0].source.notes)


def test_spreadsheet_dates_and_times_are_kept(tmp_path: Path) -> None:
    row = list(ROWS[0])
    row[10] = dt.datetime(2025, 3, 4, 10, 30)  # 检查日期 with a time
    row[14] = dt.datetime(2025, 3, 5)  # midnight: a date alone
    plan = read_records([write_xlsx(tmp_path / "x.xlsx", {"Sheet1": [PLATFORM_ZH, row]})])
    times = {e.kind: e.time.astimezone(SHANGHAI) for e in plan.events}
    assert times[T.INSPECTION_STARTED] == dt.datetime(2025, 3, 4, 10, 30, tzinfo=SHANGHAI)
    assert times[T.RESULT_RECORDED] == dt.datetime(2025, 3, 5, 14, tzinfo=SHANGHAI)


def test_importing_the_same_file_twice_adds_nothing(tmp_path: Path) -> None:
    export = platform_csv(tmp_path)
    target = tmp_path / "l.sqlite"
    with open_ledger(target) as ledger:
        first = import_records(ledger, [export])
        second = import_records(ledger, [export])
    assert first.added > 10 and second.added == 0 and second.present == first.added
    assert second.appended == []
    events = _events(target)
    assert sum(1 for e in events if e.type is T.RECORDS_IMPORTED) == 1


def test_a_later_overlapping_export_adds_only_its_new_rows(tmp_path: Path) -> None:
    first = platform_csv(tmp_path, "q1.csv", ROWS[:2])
    later = platform_csv(tmp_path, "q1-later.csv", ROWS)
    target = tmp_path / "l.sqlite"
    with open_ledger(target) as ledger:
        import_records(ledger, [first])
        report = import_records(ledger, [later])
    # T3's events, and the batch revealed again with its fuller list (T1–T3)
    assert {e.subject for e in report.plan.added} == {"T3", "2025Q1"}
    imports = [e.payload for e in _events(target) if e.type is T.RECORDS_IMPORTED]
    assert [(p["file"], p["events"]) for p in imports] == [
        ("q1.csv", report.present + 1),
        ("q1-later.csv", report.added),
    ]


def test_a_tasks_file_and_a_results_file_merge_by_task(tmp_path: Path) -> None:
    tasks = write_csv(
        tmp_path / "tasks.csv",
        ["任务编号", "统一社会信用代码", "检查人员", "人员编号", "检查日期"],
        [["T1", U1, "张三、李四", "I001、I002", "2025-03-04"]],
    )
    results = write_csv(
        tmp_path / "results.csv",
        ["任务编号", "检查日期", "检查结果", "结果录入日期"],
        [["T1", "2025-03-04", "合格", "2025-03-05"]],
    )
    events = _imported(tmp_path, results, tasks)
    completed = [e for e in events if e.type is T.INSPECTION_COMPLETED]
    assert len(completed) == 1 and completed[0].payload["inspectors"] == ["I001", "I002"]
    assert [e.payload["outcome"] for e in events if e.type is T.RESULT_RECORDED] == ["NO_PROBLEM"]
    result = next(e for e in events if e.type is T.RESULT_RECORDED)
    assert result.payload["source"]["file"] == "results.csv"


def test_a_results_file_imported_after_its_tasks_file_adds_no_second_inspection(
    tmp_path: Path,
) -> None:
    tasks = write_csv(
        tmp_path / "tasks.csv",
        ["任务编号", "统一社会信用代码", "人员编号", "检查日期"],
        [["T1", U1, "I001、I002", "2025-03-04"]],
    )
    results = write_csv(
        tmp_path / "results.csv",
        ["任务编号", "检查日期", "检查结果"],
        [["T1", "2025-03-04", "合格"]],
    )
    target = tmp_path / "l.sqlite"
    with open_ledger(target) as ledger:
        import_records(ledger, [tasks])
        report = import_records(ledger, [results])
    assert [e.kind for e in report.plan.added] == [T.RESULT_RECORDED]


def test_a_published_disclosure_table_shows_only_what_its_columns_hold(tmp_path: Path) -> None:
    table = write_csv(
        tmp_path / "公开.csv",
        ["序号", "被检查对象", "统一社会信用代码", "抽查日期", "抽查事项", "抽查结果"],
        [
            ["1", "甲公司", U1, "2025-03-04", "废水排放", "未发现问题"],
            ["2", "乙公司", U2, "2025-03-06", "废气排放", "发现问题已责令整改"],
        ],
    )
    ledger, plan = records_ledger([table])
    events = list(ledger.events())
    assert plan.files[0].mappings == ["disclosure-table"]
    assert {e.subject for e in events if e.type is T.TASK_DISPATCHED} == {
        f"{U1}-20250304",
        f"{U2}-20250306",
    }
    completed = next(e for e in events if e.type is T.INSPECTION_COMPLETED)
    assert completed.payload["inspectors"] == [NOT_RECORDED]
    shows = next(e for e in events if e.type is T.RECORDS_IMPORTED).payload["shows"]
    assert shows == ["INSPECTIONS", "ITEMS", "RESULTS"]
    assert not any(e.type is T.DISCLOSURE_PUBLISHED for e in events)  # no 公开日期 column


def test_an_audit_of_records_alone_says_what_it_cannot_judge(tmp_path: Path) -> None:
    from randcheck.audit.evidence import needs
    from randcheck.audit.run import audit
    from randcheck.models.vocab import Evidence
    from randcheck.policies import get_policy

    table = write_csv(
        tmp_path / "公开.csv",
        ["企业名称", "统一社会信用代码", "检查日期", "检查事项", "检查结果", "公开日期"],
        [["甲公司", U1, "2025-03-04", "废水排放", "未发现问题", "2025-03-10"]],
    )
    ledger, _ = records_ledger([table])
    verdict = audit(get_policy("huojia"), ledger.events(), 2025, as_of=dt.date(2026, 1, 31))
    team_rules = [r for r in verdict.rules if Evidence.TEAMS in needs(r.rule)]
    assert team_rules
    assert all(r.status.value in ("NOT_ENOUGH_DATA", "NOT_MEASURED") for r in team_rules)
    lacking = [r for r in team_rules if r.status.value == "NOT_ENOUGH_DATA"]
    assert lacking and all("检查人员 (TEAMS)" in r.note for r in lacking)


# --- corrections and changed results --------------------------------------------------


CORRECTION_HEADERS = [
    "任务编号", "统一社会信用代码", "检查日期", "检查结果", "结果录入日期", "更正申请日期",
    "更正原因", "更正批准日期", "更正批准人",
]  # fmt: skip


def test_a_result_changed_on_the_platform_without_approval_is_kept_with_its_source(
    tmp_path: Path,
) -> None:
    before = write_csv(
        tmp_path / "march.csv",
        ["任务编号", "统一社会信用代码", "检查日期", "检查结果", "结果录入日期"],
        [["T1", U1, "2025-03-04", "未发现问题", "2025-03-05"]],
    )
    after = write_csv(
        tmp_path / "april.csv",
        ["任务编号", "统一社会信用代码", "检查日期", "检查结果", "结果录入日期"],
        [["T1", U1, "2025-03-04", "发现问题已责令整改", "2025-04-02"]],
    )
    target = tmp_path / "l.sqlite"
    with open_ledger(target) as ledger:
        import_records(ledger, [before])
        report = import_records(ledger, [after])
    results = [e for e in _events(target) if e.type is T.RESULT_RECORDED]
    assert [r.payload["outcome"] for r in results] == ["NO_PROBLEM", "RECTIFY"]
    assert [r.payload["source"]["file"] for r in results] == ["march.csv", "april.csv"]
    assert report.plan.warnings and "without an approved correction" in report.plan.warnings[0]


def test_a_correction_in_the_records_becomes_request_approval_and_new_result(
    tmp_path: Path,
) -> None:
    export = write_csv(
        tmp_path / "c.csv",
        CORRECTION_HEADERS,
        [
            ["T1", U1, "2025-03-04", "未发现问题", "2025-03-05", "", "", "", ""],
            [
                "T1",
                U1,
                "2025-03-04",
                "发现问题已责令整改",
                "",
                "2025-03-07",
                "录入错误",
                "2025-03-08",
                "王科长",
            ],
        ],
    )
    events = [e for e in _imported(tmp_path, export) if e.subject == "T1"]
    kinds = [e.type for e in events]
    assert kinds[-4:] == [
        T.RESULT_RECORDED,
        T.CORRECTION_REQUESTED,
        T.CORRECTION_APPROVED,
        T.RESULT_RECORDED,
    ]
    first, request, approval, second = events[-4:]
    assert request.payload["result_seq"] == first.seq and request.payload["reason"] == "录入错误"
    assert approval.payload["request_seq"] == request.seq
    assert approval.payload["approved_by"] == "王科长"
    assert second.payload["outcome"] == "RECTIFY" and second.payload["source"]["row"] == 3


def test_a_correction_of_a_result_never_recorded_is_a_problem(tmp_path: Path) -> None:
    export = write_csv(
        tmp_path / "c.csv",
        CORRECTION_HEADERS,
        [["T1", U1, "2025-03-04", "合格", "", "2025-03-07", "录入错误", "2025-03-08", "王"]],
    )
    plan = read_records([export])
    assert [(p.row, p.column) for p in plan.problems] == [(2, "更正申请日期")]
    assert "no earlier result" in plan.problems[0].reason


# --- problems ---------------------------------------------------------------------------


def _bad_rows() -> list[list[str]]:
    rows = [list(r) for r in ROWS]
    rows[2][10] = "2025-02-30"  # 检查日期: no such day
    rows[1][3] = U2[:-1] + ("0" if U2[-1] != "0" else "1")  # USCC check character
    rows[1][13] = "还行"  # 检查结果: no such phrase
    rows[2][4] = "特别重点"  # 监管类别
    rows.append(["", "", "", U1, "", "", "", "", "", "", "", "", "", "", "", "", "", ""])
    rows.append(["T1", "", "", U2, "", "", "", "", "", "", "", "", "", "", "", "", "", ""])
    return rows


def test_every_problem_is_listed_in_one_pass_and_nothing_is_imported(tmp_path: Path) -> None:
    export = platform_csv(tmp_path, rows=_bad_rows())
    target = tmp_path / "l.sqlite"
    with open_ledger(target) as ledger:
        with pytest.raises(ImportProblems) as caught:
            import_records(ledger, [export])
        assert list(ledger.events()) == []
    found = [(p.row, p.column) for p in caught.value.problems]
    assert found == [
        (3, "统一社会信用代码"),
        (3, "检查结果"),
        (4, "监管类别"),
        (4, "检查日期"),
        (5, "任务编号"),
        (6, "统一社会信用代码"),  # T1 again, with another entity
    ]
    reasons = [p.reason for p in caught.value.problems]
    assert "check character" in reasons[0] and "not a real date" in reasons[3]
    assert "还行" in reasons[1] and "未发现问题" in reasons[1]
    assert f"task T1: {U2} here, but {U1} in tasks.csv row 2" == reasons[5]
    assert all(p.file == "tasks.csv" for p in caught.value.problems)
    assert "6 problems found; nothing was imported" in caught.value.what


def test_skipping_bad_rows_imports_the_rest_and_records_what_was_left_out(tmp_path: Path) -> None:
    export = platform_csv(tmp_path, rows=_bad_rows())
    events = _imported(tmp_path, export, skip_bad_rows=True)
    assert {e.subject for e in events if e.type is T.TASK_DISPATCHED} == {"T1"}
    assert {e.payload["source"]["row"] for e in events if e.subject == "T1"} == {2}
    imported = next(e for e in events if e.type is T.RECORDS_IMPORTED)
    assert imported.payload["skipped_rows"] == [3, 4, 5, 6]
    assert imported.payload["rows"] == 5


def test_a_skipped_row_takes_the_rows_needing_it_with_it(tmp_path: Path) -> None:
    export = write_csv(
        tmp_path / "c.csv",
        CORRECTION_HEADERS,
        [
            ["T1", U1, "2025-03-04", "未发现问题", "2025-13-05", "", "", "", ""],
            ["T1", U1, "2025-03-04", "发现问题", "", "2025-03-07", "错", "2025-03-08", "王"],
            ["T2", U2, "2025-03-04", "未发现问题", "2025-03-05", "", "", "", ""],
        ],
    )
    plan = read_records([export], skip_bad_rows=True)
    assert not plan.problems and plan.files[0].skipped == [2, 3]
    assert {e.subject for e in plan.events} == {"T2"}


def test_unknown_headers_are_an_error_listing_what_each_mapping_needs(tmp_path: Path) -> None:
    export = write_csv(tmp_path / "x.csv", ["名称", "日期", "金额"], [["a", "2025-01-01", "3"]])
    plan = read_records([export])
    assert len(plan.problems) == 1
    message = plan.problems[0].reason
    assert "名称, 日期, 金额" in message
    assert "platform-export needs 任务编号" in message and "disclosure-table needs" in message


def test_a_users_mapping_names_other_headers(tmp_path: Path) -> None:
    mapping = tmp_path / "mine.yaml"
    mapping.write_text(
        "name: county-sheet\n"
        "default_actor: 县执法大队\n"
        "required: [task_id, uscc]\n"
        "columns:\n"
        "  task_id: [工单号]\n"
        "  uscc: [信用代码]\n"
        "  inspection_date: [到场日期]\n"
        "  result: [结论]\n"
        "values:\n"
        "  result: {通过: NO_PROBLEM, 整改: RECTIFY}\n",
        encoding="utf-8",
    )
    export = write_csv(
        tmp_path / "x.csv", ["工单号", "信用代码", "到场日期", "结论"],
        [["W1", U1, "2025-03-04", "通过"], ["W2", U2, "2025-03-05", "整改"]],
    )  # fmt: skip
    plan = read_records([export], str(mapping))
    assert not plan.problems
    results = {e.subject: e.payload["outcome"] for e in plan.events if e.kind is T.RESULT_RECORDED}
    assert results == {"W1": "NO_PROBLEM", "W2": "RECTIFY"}
    assert {e.actor for e in plan.events if e.kind is T.TASK_DISPATCHED} == {"县执法大队"}


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("name: x\ncolumns: {result: [检查结果]}\n", "task_id"),
        ("name: x\ncolumns: {task_id: [a], nonsense: [b]}\n", "nonsense"),
        ("name: x\ncolumns: {task_id: [a], result: [a]}\n", "given for task_id and result"),
        ("name: x\ncolumns: {task_id: [a]}\nvalues: {result: {好: GREAT}}\n", "GREAT"),
        ("name: x\ncolumns: {task_id: [a]}\nextra: 1\n", "extra"),
        ("- a\n- b\n", "YAML object"),
        ("name: x\ncolumns: &a {task_id: [a]}\nother: *a\n", "aliases"),
    ],
)
def test_a_bad_mapping_file_is_refused_naming_what_is_wrong(
    tmp_path: Path, text: str, found: str
) -> None:
    mapping = tmp_path / "m.yaml"
    mapping.write_text(text, encoding="utf-8")
    with pytest.raises(InputError) as caught:
        read_records([platform_csv(tmp_path)], str(mapping))
    assert found in caught.value.message


def test_two_columns_for_one_field_are_a_problem(tmp_path: Path) -> None:
    export = write_csv(
        tmp_path / "x.csv", ["任务编号", "检查日期", "检查时间", "检查结果"],
        [["T1", "2025-03-04", "2025-03-05", "合格"]],
    )  # fmt: skip
    plan = read_records([export])
    assert [(p.row, p.column) for p in plan.problems] == [(1, "检查时间")]


def test_formula_guarded_cells_are_read_as_the_text_they_guard(tmp_path: Path) -> None:
    export = write_csv(
        tmp_path / "x.csv", ["任务编号", "统一社会信用代码", "检查日期", "检查结果", "违法事实"],
        [["T1", U1, "2025-03-04", "发现问题", "'=HYPERLINK(\"x\")"]],
    )  # fmt: skip
    plan = read_records([export])
    result = next(e for e in plan.events if e.kind is T.RESULT_RECORDED)
    assert result.payload["facts"] == '=HYPERLINK("x")'


def test_a_file_with_only_its_headers_imports_no_rows(tmp_path: Path) -> None:
    events = _imported(tmp_path, platform_csv(tmp_path, rows=[]))
    assert [e.type for e in events] == [T.RECORDS_IMPORTED]
    assert events[0].payload["rows"] == 0 and events[0].payload["events"] == 0


@pytest.mark.parametrize(
    ("content", "found"),
    [
        (b"", "empty"),
        (b"\xff\xfe\x00\x00abc", "UTF-16"),
        (b"\x81\x30\x81", "not UTF-8"),
    ],
)
def test_unreadable_files_are_problems_naming_them(
    tmp_path: Path, content: bytes, found: str
) -> None:
    path = tmp_path / "bad.csv"
    path.write_bytes(content)
    plan = read_records([path, tmp_path / "missing.csv", tmp_path])
    reasons = [p.reason for p in plan.problems]
    assert len(reasons) == 3 and found in reasons[0]
    assert "does not exist" in reasons[1] and "folder" in reasons[2]
