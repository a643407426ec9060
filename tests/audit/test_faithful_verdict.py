"""A verdict that counts what happened, says PASS only on evidence, and weighs each rule
by its words (issue 13). Each test is built from ledger events and named after the
clause it reads; the quoted sentence is in its docstring."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from randcheck.audit import RuleVerdict, Status, audit
from randcheck.cli import app
from randcheck.ledger.chain import LedgerEvent
from randcheck.ledger.stores import open_ledger
from randcheck.policies import get_policy
from randcheck.registry import Registry
from tests.conftest import make_entity, make_inspector

D = dt.datetime
Row = tuple[str, dict[str, Any], dt.datetime, str | None]
SNAPSHOT = {
    "digest": "a" * 64,
    "entities": 100,
    "inspectors": 10,
    "class_counts": {"KEY": 8, "GENERAL": 80, "SPECIAL": 4},
    "registered_counts": {"KEY": 8, "GENERAL": 80, "SPECIAL": 4},
    "on_staff_inspectors": 10,
}


def _write(path: Path, rows: list[Row], actor: str = "大队") -> list[LedgerEvent]:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open_ledger(path) as ledger:
        for kind, payload, when, subject in rows:
            who = payload.pop("_actor", actor) if isinstance(payload, dict) else actor
            ledger.append(kind, actor=who, payload=payload, time=when, subject=subject)
        return list(ledger.events())


def _ledger(tmp_path: Path, rows: list[Row]) -> list[LedgerEvent]:
    return _write(tmp_path / "l.sqlite", rows)


def draw(draw_id: str, period: str, day: dt.datetime, tasks: list[str]) -> list[Row]:
    sealed = {"draw_id": draw_id, "period": period, "commitment": "0" * 64,
              "receipt_digest": "0" * 64}  # fmt: skip
    return [
        ("DRAW_SEALED", sealed, day, None),
        ("DRAW_REVEALED", {"draw_id": draw_id, "tasks": tasks}, day + dt.timedelta(hours=2), None),
    ]


def task(
    task_id: str,
    uscc: str,
    cls: str,
    day: dt.datetime,
    *,
    draw_id: str | None = "D",
    period: str | None = None,
    inspected: dt.datetime | None = None,
    items: list[str] | None = None,
    team: tuple[str, ...] = ("I1", "I2"),
) -> list[Row]:
    payload: dict[str, Any] = {
        "task_id": task_id, "uscc": uscc, "inspectors": list(team), "entity_class": cls,
    }  # fmt: skip
    if draw_id:
        payload.update(draw_id=draw_id, period=period or f"{day.year}Q{(day.month - 1) // 3 + 1}")
    rows: list[Row] = [("TASK_DISPATCHED", payload, day, None)]
    if inspected is not None:
        done = {"task_id": task_id, "inspectors": list(team), "items": items or []}
        rows.append(("INSPECTION_COMPLETED", done, inspected, None))
    return rows


def result(task_id: str, day: dt.datetime, outcome: str = "NO_PROBLEM") -> Row:
    return ("RESULT_RECORDED", {"task_id": task_id, "outcome": outcome}, day, None)


def disclosed(task_id: str, day: dt.datetime) -> Row:
    return ("DISCLOSURE_PUBLISHED", {"task_ids": [task_id]}, day, task_id)


def exception(rule_id: str, subjects: list[str], reason: str, day: dt.datetime) -> Row:
    payload = {"rule_id": rule_id, "subjects": subjects, "reason": reason}
    return ("EXCEPTION_RECORDED", payload, day, "exceptions")


def rule(verdict: Any, rule_id: str) -> RuleVerdict:
    found: RuleVerdict = next(r for r in verdict.rules if r.rule.id == rule_id)
    return found


# --- count what happened ------------------------------------------------------------


def test_huojia_14_an_entity_counts_once_and_only_when_inspected(tmp_path: Path) -> None:
    """获嘉 第十四条 "每季度至少对辖区内纳入检查对象名录库25%的重点监管对象…进行抽查": the
    share counts distinct key entities actually inspected, not tasks dispatched."""
    rows = [
        ("REGISTRY_SNAPSHOT", SNAPSHOT, D(2025, 7, 1), "registry"),
        *draw("D", "2025Q3", D(2025, 7, 5), ["K1", "K2", "K3"]),
        *task("K1", "uK1", "KEY", D(2025, 7, 10), inspected=D(2025, 7, 20)),
        *task("K2", "uK1", "KEY", D(2025, 7, 10), inspected=D(2025, 8, 20)),  # same entity
        *task("K3", "uK3", "KEY", D(2025, 7, 10)),  # dispatched, never inspected
    ]
    verdict = audit(get_policy("huojia"), _ledger(tmp_path, rows), 2025, quarter=3,
                    as_of=dt.date(2025, 10, 15))  # fmt: skip
    share = rule(verdict, "key.quarterly_share")
    assert share.status is Status.FAIL and "2025Q3: 1/8 = 12.5 %" in share.measured
    random_ = rule(verdict, "draw.random")  # 第五条: K3 drawn but never inspected
    assert random_.status is Status.FAIL and random_.subjects == ["K3"]
    assert "task.uninspected" in random_.measured


def test_huojia_5_a_task_outside_the_draw_fails_unless_its_reason_is_recorded(
    tmp_path: Path,
) -> None:
    """获嘉 第五条 "原则上，除…投诉举报…等情形外，其他…现场检查…均要采取随机抽查方式":
    原则上, so a check outside the draw passes only with its reason recorded."""
    rows = [
        *draw("D", "2025Q2", D(2025, 4, 5), ["T1"]),
        *task("T1", "u1", "GENERAL", D(2025, 4, 10), inspected=D(2025, 4, 20)),
        *task("T2", "u2", "GENERAL", D(2025, 4, 10), draw_id=None, inspected=D(2025, 4, 21)),
    ]
    policy = get_policy("huojia")
    first = audit(
        policy, _ledger(tmp_path / "a", rows), 2025, quarter=2, as_of=dt.date(2025, 7, 31)
    )
    assert rule(first, "draw.random").status is Status.FAIL
    assert rule(first, "draw.random").subjects == ["T2"]
    excused = [*rows, exception("draw.random", ["T2"], "投诉举报 (12369)", D(2025, 4, 11))]
    second = audit(policy, _ledger(tmp_path / "b", excused), 2025, quarter=2,
                   as_of=dt.date(2025, 7, 31))  # fmt: skip
    verdict = rule(second, "draw.random")
    assert verdict.status is Status.PASS and "1 exception(s) with a recorded reason" in verdict.note
    # 睢县 三(四) states no 原则上: the same record does not excuse it there
    plain = audit(get_policy("suixian"), _ledger(tmp_path / "c", excused), 2025, quarter=2,
                  as_of=dt.date(2025, 7, 31))  # fmt: skip
    assert rule(plain, "draw.random").status is Status.FAIL


def test_violations_of_another_period_do_not_decide_this_one(tmp_path: Path) -> None:
    rows = [
        *task("Q2", "u1", "GENERAL", D(2025, 4, 10), draw_id=None, inspected=D(2025, 4, 20)),
        *draw("D", "2025Q3", D(2025, 7, 5), ["Q3"]),
        *task("Q3", "u2", "GENERAL", D(2025, 7, 10), inspected=D(2025, 7, 20)),
    ]
    verdict = audit(get_policy("xiping"), _ledger(tmp_path, rows), 2025, quarter=3,
                    as_of=dt.date(2025, 10, 31))  # fmt: skip
    assert rule(verdict, "draw.random").status is Status.PASS


# --- work measured, not a report's presence -------------------------------------------


def test_benxi_6_1_2_the_quarter_s_work_is_measured_on_its_tasks(tmp_path: Path) -> None:
    """本溪 六(一)2 "于每季度最后一个月25日前完成本季度检查工作计划，并公示检查结果"."""
    report = ("REPORT_SUBMITTED", {"kind": "QUARTERLY_RESULTS", "period": "2025Q3"},
              D(2025, 9, 20), "reports")  # fmt: skip
    on_time = [
        *draw("D", "2025Q3", D(2025, 7, 5), ["T1", "T2"]),
        *task("T1", "u1", "KEY", D(2025, 7, 10), inspected=D(2025, 8, 1)),
        result("T1", D(2025, 8, 2)),
        disclosed("T1", D(2025, 8, 10)),
        *task("T2", "u2", "KEY", D(2025, 7, 10), inspected=D(2025, 9, 1)),
        result("T2", D(2025, 9, 2)),
        disclosed("T2", D(2025, 9, 24)),
    ]
    ok = audit(get_policy("benxi"), _ledger(tmp_path / "a", on_time), 2025, quarter=3,
               as_of=dt.date(2025, 10, 31))  # fmt: skip
    done = rule(ok, "quarter.results")
    assert done.status is Status.PASS and done.measured.startswith("1/1 quarter(s)")
    late = [*on_time[:-1], disclosed("T2", D(2025, 9, 26)), report]
    bad = audit(get_policy("benxi"), _ledger(tmp_path / "b", late), 2025, quarter=3,
                as_of=dt.date(2025, 10, 31))  # fmt: skip
    # a report filed on time does not make the work done: T2 was published on the 26th
    assert rule(bad, "quarter.results").status is Status.FAIL
    assert rule(bad, "quarter.results").subjects == ["2025Q3"]
    assert rule(bad, "report.quarterly_results").status is Status.PASS  # 七(六): the report


def test_qingdao_2_2_a_pool_update_counts_only_inside_its_window(tmp_path: Path) -> None:
    """青岛 二(二) 名录库变更 "每季度初 15 日内录入并备案": a June 2024 snapshot does not make
    2025's quarterly updates on time."""
    old = [("REGISTRY_SNAPSHOT", SNAPSHOT, D(2024, 6, 10), "registry")]
    policy = get_policy("qingdao_west_coast")
    stale = audit(policy, _ledger(tmp_path / "a", old), 2025, quarter=2, as_of=dt.date(2025, 7, 31))
    assert rule(stale, "pool.entities_update").status is Status.FAIL
    fresh = [*old, ("REGISTRY_SNAPSHOT", SNAPSHOT, D(2025, 4, 8), "registry")]
    ok = audit(policy, _ledger(tmp_path / "b", fresh), 2025, quarter=2, as_of=dt.date(2025, 7, 31))
    assert rule(ok, "pool.entities_update").status is Status.PASS


def test_benxi_7_1_4_the_cap_is_per_entity_and_item(tmp_path: Path) -> None:
    """本溪 七(一)4 "原则上在同一年度对同一监管对象的相同监管事项，抽查次数不超过2次"."""
    visits = [
        row
        for n, item in ((1, "水污染"), (2, "大气污染"), (3, "水污染"))
        for row in task(f"T{n}", "u1", "GENERAL", D(2025, 3 * n - 2, 10), period=f"2025Q{n}",
                        inspected=D(2025, 3 * n - 2, 20), items=[item])
    ]  # fmt: skip
    policy = get_policy("benxi")
    three_items = audit(policy, _ledger(tmp_path / "a", visits), 2025, as_of=dt.date(2026, 1, 31))
    cap = rule(three_items, "cap.same_item")
    assert cap.status is Status.PASS and cap.measured.endswith(": 2")
    third = task(
        "T4", "u1", "GENERAL", D(2025, 10, 10), inspected=D(2025, 10, 20), items=["水污染"]
    )
    over = audit(policy, _ledger(tmp_path / "b", [*visits, *third]), 2025,
                 as_of=dt.date(2026, 1, 31))  # fmt: skip
    assert rule(over, "cap.same_item").status is Status.FAIL
    assert rule(over, "cap.same_item").subjects == ["u1"]
    assert str(rule(over, "cap.same_item").rule.citation) == "本溪市 实施方案 七(一)4"
    why = exception("cap.same_item", ["u1"], "群众反映复查", D(2025, 10, 9))
    excused = audit(policy, _ledger(tmp_path / "c", [*visits, *third, why]), 2025,
                    as_of=dt.date(2026, 1, 31))  # fmt: skip
    assert rule(excused, "cap.same_item").status is Status.PASS  # 原则上, reason recorded


# --- no PASS without evidence ----------------------------------------------------------


def _one_task(extra: list[Row] | None = None) -> list[Row]:
    return [
        *draw("D", "2025Q3", D(2025, 7, 5), ["T1"]),
        *task("T1", "u1", "KEY", D(2025, 7, 10), team=("I1", "I2")),
        ("INSPECTION_STARTED", {"task_id": "T1", "inspectors": ["I1", "I2"]}, D(2025, 7, 20), None),
        ("INSPECTION_COMPLETED", {"task_id": "T1", "inspectors": ["I1", "I2"]}, D(2025, 7, 20, 16),
         None),
        *(extra or []),
    ]  # fmt: skip


def _read(actor: str, role: str | None, day: dt.datetime | None = None) -> Row:
    day = day or D(2025, 7, 12)
    payload: dict[str, Any] = {"draw_id": "D", "task_id": "T1", "_actor": actor}
    if role:
        payload["role"] = role
    return ("LIST_ACCESSED", payload, day, None)


@pytest.mark.parametrize(
    ("reads", "status"),
    [
        ([], Status.NOT_ENOUGH_DATA),  # no access records: the trail is missing
        ([_read("I1", "TEAM")], Status.PASS),
        ([_read("科长", "APPROVER")], Status.PASS),
        ([_read("市执法队", "FILING")], Status.PASS),  # 本溪 七(二) 报市执法队备案: no leak
        ([_read("某人", None)], Status.FAIL),  # someone outside the team, no role recorded
        ([_read("企业", "ENTITY")], Status.FAIL),  # the inspected entity before the visit
        ([_read("某人", None, D(2025, 7, 21))], Status.PASS),  # after the inspection began
    ],
)
def test_benxi_7_2_confidentiality_judged_on_the_access_records(
    tmp_path: Path, reads: list[Row], status: Status
) -> None:
    """本溪 七(二) 保密纪律; the texts keep the list secret "对被抽查对象" before the visit."""
    verdict = audit(get_policy("benxi"), _ledger(tmp_path, _one_task(reads)), 2025, quarter=3,
                    as_of=dt.date(2025, 10, 31))  # fmt: skip
    confidential = rule(verdict, "draw.confidential")
    assert confidential.status is status
    if status is Status.NOT_ENOUGH_DATA:
        assert "LIST_ACCESSED" in confidential.note


def test_benxi_7_3_positive_list_needs_the_registry_flags(tmp_path: Path) -> None:
    """本溪 七(三) "对纳入正面清单内的企业…原则上不进行现场执法检查": without the registry's
    positive-list flags the rule cannot be measured."""
    events = _ledger(tmp_path, _one_task([_read("I1", "TEAM")]))
    verdict = audit(get_policy("benxi"), events, 2025, quarter=3, as_of=dt.date(2025, 10, 31))
    non_site = rule(verdict, "non_site.positive_list")
    assert non_site.status is Status.NOT_ENOUGH_DATA
    assert non_site.note == "positive-list flags: give --registry"
    registry = Registry.from_records(
        [make_entity(1, positive_list=True)], [make_inspector(1), make_inspector(2)]
    )
    flagged = [
        *_one_task(),
    ]
    flagged[2] = ("TASK_DISPATCHED", {**flagged[2][1], "uscc": registry.column("uscc")[0]},
                  flagged[2][2], None)  # fmt: skip
    measured = audit(get_policy("benxi"), _ledger(tmp_path / "b", flagged), 2025, quarter=3,
                     as_of=dt.date(2025, 10, 31), registry=registry)  # fmt: skip
    assert rule(measured, "non_site.positive_list").status is Status.FAIL  # on site, no complaint


def test_no_task_means_not_enough_data_never_pass(tmp_path: Path) -> None:
    rows = [("REGISTRY_SNAPSHOT", SNAPSHOT, D(2025, 7, 1), "registry")]
    verdict = audit(get_policy("benxi"), _ledger(tmp_path, rows), 2025, quarter=3,
                    as_of=dt.date(2025, 10, 31))  # fmt: skip
    for rule_id in ("team.size", "draw.list_fixed", "draw.confidential", "disclosure.deadline",
                    "draw.random", "team.replacement", "cap.same_item"):  # fmt: skip
        assert rule(verdict, rule_id).status is Status.NOT_ENOUGH_DATA, rule_id
    assert not any(r.status is Status.PASS and not r.measured for r in verdict.rules)


def test_qingdao_4_rectification_without_a_problem_is_not_applicable(tmp_path: Path) -> None:
    """青岛 四 "原则上 3 个月内完成…整改": applies once a problem is found."""
    rows = [*_one_task(), result("T1", D(2025, 7, 21))]
    verdict = audit(get_policy("qingdao_west_coast"), _ledger(tmp_path, rows), 2025, quarter=3,
                    as_of=dt.date(2025, 12, 31))  # fmt: skip
    assert rule(verdict, "rectification.deadline").status is Status.NOT_APPLICABLE


def test_qingdao_4_the_entity_signs_the_record(tmp_path: Path) -> None:
    """青岛 四: the record of each inspection is signed by the entity (signed_by_entity)."""
    unsigned = ("INSPECTION_COMPLETED",
                {"task_id": "T2", "inspectors": ["I1", "I2"], "signed_by_entity": False},
                D(2025, 7, 22), None)  # fmt: skip
    rows = [*_one_task(), *task("T2", "u2", "KEY", D(2025, 7, 10)), unsigned]
    verdict = audit(get_policy("qingdao_west_coast"), _ledger(tmp_path, rows), 2025, quarter=3,
                    as_of=dt.date(2025, 12, 31))  # fmt: skip
    signs = rule(verdict, "inspection.entity_signs")
    assert signs.status is Status.FAIL and signs.subjects == ["T2"] and "1/2" in signs.measured


def test_what_the_records_cannot_show_is_not_measured_never_pass(tmp_path: Path) -> None:
    verdict = audit(get_policy("benxi"), _ledger(tmp_path, _one_task()), 2025, quarter=3,
                    as_of=dt.date(2025, 10, 31))  # fmt: skip
    flow = rule(verdict, "flow")
    assert flow.status is Status.NOT_MEASURED and "cannot show" in flow.note
    no_number = rule(get_policy_verdict("suixian", tmp_path), "disclosure.deadline")
    assert no_number.status is Status.NOT_MEASURED and "及时" in no_number.note


def get_policy_verdict(policy_id: str, tmp_path: Path) -> Any:
    return audit(get_policy(policy_id), _ledger(tmp_path / policy_id, _one_task()), 2025,
                 quarter=3, as_of=dt.date(2025, 10, 31))  # fmt: skip


# --- strength: 力争 is a target ------------------------------------------------------


def test_huojia_notice_2_a_missed_target_exits_0_unless_strict(tmp_path: Path) -> None:
    """获嘉 通知 二 "…力争达到总频次…35%以上": a target, reported apart from obligations."""
    rows = [
        *draw("D", "2025Q1", D(2025, 1, 5), ["T1"]),
        *task("T1", "u1", "GENERAL", D(2025, 1, 10), inspected=D(2025, 1, 20)),
        result("T1", D(2025, 1, 21)),
        disclosed("T1", D(2025, 1, 24)),
    ]
    path = tmp_path / "l.sqlite"
    _write(path, rows)
    args = ["audit", "--policy", "huojia", "--ledger", str(path), "--year", "2025",
            "--quarter", "1", "--as-of", "2025-04-30", "--format", "json"]  # fmt: skip
    run = CliRunner().invoke(app, args)
    assert run.exit_code == 0, run.output
    assert '"targets_met": false' in run.output and '"passed": true' in run.output
    assert CliRunner().invoke(app, [*args, "--strict"]).exit_code == 1


# --- periods and dates as the law counts them --------------------------------------------


def test_qingdao_4_three_months_ending_on_a_holiday_end_on_the_next_working_day(
    tmp_path: Path,
) -> None:
    """青岛 四 "原则上 3 个月内完成…整改"; 民法典 第二百零三条: a period whose last day is a
    day off ends on the next working day. 2025-07-01 + 3 months = 2025-10-01 (国庆)."""
    rows = [*_one_task(), result("T1", D(2025, 7, 1), "RECTIFY")]
    done = ("RECTIFICATION_COMPLETED", {"task_id": "T1"}, D(2025, 10, 9), None)
    ok = audit(get_policy("qingdao_west_coast"), _ledger(tmp_path / "a", [*rows, done]), 2025,
               quarter=3, as_of=dt.date(2025, 12, 31))  # fmt: skip
    assert rule(ok, "rectification.deadline").status is Status.PASS
    late = ("RECTIFICATION_COMPLETED", {"task_id": "T1"}, D(2025, 10, 10), None)
    bad = audit(get_policy("qingdao_west_coast"), _ledger(tmp_path / "b", [*rows, late]), 2025,
                quarter=3, as_of=dt.date(2025, 12, 31))  # fmt: skip
    verdict = rule(bad, "rectification.deadline")
    assert verdict.status is Status.FAIL and verdict.subjects == ["T1"]


def test_schedule_moves_counted_periods_and_flags_fixed_dates_on_days_off() -> None:
    """青岛 五 "季度开始后10日内" is counted in days: 2021-01-10 (a Sunday) moves to Monday
    the 11th; 本溪 六(一)1 "每年1月5日前" is a fixed date: 2025-01-05 (a Sunday) stays, flagged."""
    from randcheck.publish.schedule import schedule

    qingdao = {(s.rule_id, s.covers): s for s in schedule(get_policy("qingdao_west_coast"), 2021)}
    moved = qingdao[("report.quarterly", "2020Q4")]
    assert moved.due == dt.date(2021, 1, 11) and "民法典 第二百零三条" in moved.note
    benxi = {(s.rule_id, s.covers): s for s in schedule(get_policy("benxi"), 2025)}
    fixed = benxi[("items.by_jan_5", "2025")]
    assert fixed.due == dt.date(2025, 1, 5) and not fixed.working_day
    assert "fixes this date" in fixed.note


def test_nothing_is_due_before_the_policy_is_in_force() -> None:
    """青环西新字〔2020〕29号 is in force from 2020-04-08: the 2020 schedule and audit list
    nothing due before it."""
    from randcheck.publish.schedule import schedule, schedule_table

    policy = get_policy("qingdao_west_coast")
    items = schedule(policy, 2020)
    assert items and min(s.due for s in items) >= dt.date(2020, 4, 8)
    assert any("in force from 2020-04-08" in n for n in schedule_table(policy, 2020).notes)
    verdict = audit(policy, [], 2020, as_of=dt.date(2020, 4, 7))
    assert rule(verdict, "report.monthly_dispatch").status is Status.NOT_APPLICABLE
    june = audit(policy, [], 2020, as_of=dt.date(2020, 6, 10))
    # only the tables due from 2020-04-08 on (for April and May) are missing
    assert rule(june, "report.monthly_dispatch").subjects == ["2020-04", "2020-05"]


# --- requirements the texts state that the records can show ---------------------------


def test_huojia_17_the_steps_of_the_flow_in_order(tmp_path: Path) -> None:
    """获嘉 第十七条 "随机抽查流程：…（三）随机抽取检查对象和检查人员；（四）开展随机抽查…；
    （五）抽查结果公示"."""
    rows = [
        *draw("D", "2025Q3", D(2025, 7, 5), ["T1", "T2"]),
        *task("T1", "u1", "GENERAL", D(2025, 7, 10), inspected=D(2025, 7, 20)),
        result("T1", D(2025, 7, 21)),
        disclosed("T1", D(2025, 7, 25)),
        *task("T2", "u2", "GENERAL", D(2025, 7, 10), inspected=D(2025, 7, 20)),
        result("T2", D(2025, 7, 21)),
        disclosed("T2", D(2025, 7, 15)),  # published before it was inspected
    ]
    verdict = audit(get_policy("huojia"), _ledger(tmp_path, rows), 2025, quarter=3,
                    as_of=dt.date(2025, 10, 31))  # fmt: skip
    flow = rule(verdict, "flow.order")
    assert flow.status is Status.FAIL and flow.subjects == ["T2"] and "1/2" in flow.measured


def test_huojia_18_a_problem_found_is_ordered_corrected(tmp_path: Path) -> None:
    """获嘉 第十八条 "发现环境管理问题的，应当责令改正，提出整改要求，督促整改到位"."""
    rows = [
        *draw("D", "2025Q3", D(2025, 7, 5), ["T1", "T2"]),
        *task("T1", "u1", "GENERAL", D(2025, 7, 10), inspected=D(2025, 7, 20)),
        result("T1", D(2025, 7, 21), "RECTIFY"),
        ("RECTIFICATION_ORDERED", {"task_id": "T1"}, D(2025, 7, 21, 15), None),
        *task("T2", "u2", "GENERAL", D(2025, 7, 10), inspected=D(2025, 7, 20)),
        result("T2", D(2025, 7, 21), "RECTIFY"),  # no order recorded
    ]
    verdict = audit(get_policy("huojia"), _ledger(tmp_path, rows), 2025, quarter=3,
                    as_of=dt.date(2025, 10, 31))  # fmt: skip
    ordered = rule(verdict, "rectification.ordered")
    assert ordered.status is Status.FAIL and ordered.subjects == ["T2"]


def test_benxi_7_2_each_draw_is_filed_with_the_city_team(tmp_path: Path) -> None:
    """本溪 七(二) "抽查结果报市执法队备案"."""
    rows = [*_one_task()]
    policy = get_policy("benxi")
    missing = audit(policy, _ledger(tmp_path / "a", rows), 2025, quarter=3,
                    as_of=dt.date(2025, 10, 31))  # fmt: skip
    assert rule(missing, "draw.filing").status is Status.FAIL
    assert rule(missing, "draw.filing").subjects == ["2025Q3"]
    filed = ("REPORT_SUBMITTED", {"kind": "DRAW_FILING", "period": "2025Q3"}, D(2025, 7, 6),
             "reports")  # fmt: skip
    ok = audit(policy, _ledger(tmp_path / "b", [*rows, filed]), 2025, quarter=3,
               as_of=dt.date(2025, 10, 31))  # fmt: skip
    assert rule(ok, "draw.filing").status is Status.PASS


def test_qingdao_5_the_quarterly_report_is_published_and_2_2_squads_report(
    tmp_path: Path,
) -> None:
    """青岛 五 "宣教中心通过青岛市生态环境局官网向社会公示季度报表"; 二(二) "各中队将企业
    信息完善情况于每个季度末报大队综合科"."""
    report = ("REPORT_SUBMITTED", {"kind": "QUARTERLY", "period": "2025Q2"}, D(2025, 7, 8),
              "reports")  # fmt: skip
    squads = ("REPORT_SUBMITTED", {"kind": "SQUAD_QUARTER_END", "period": "2025Q3"},
              D(2025, 9, 29), "reports")  # fmt: skip
    policy = get_policy("qingdao_west_coast")
    first = audit(policy, _ledger(tmp_path / "a", [report, squads]), 2025, quarter=3,
                  as_of=dt.date(2025, 10, 31))  # fmt: skip
    assert rule(first, "report.quarterly_published").status is Status.FAIL
    assert rule(first, "pool.squad_reports").status is Status.PASS
    public = ("REPORT_SUBMITTED", {"kind": "QUARTERLY_PUBLISHED", "period": "2025Q2"},
              D(2025, 7, 12), "reports")  # fmt: skip
    second = audit(policy, _ledger(tmp_path / "b", [report, squads, public]), 2025, quarter=3,
                   as_of=dt.date(2025, 10, 31))  # fmt: skip
    assert rule(second, "report.quarterly_published").status is Status.PASS


def test_xiping_3_3_return_visits_and_credit_records_are_not_measured(tmp_path: Path) -> None:
    """西平 三(三) "有针对性的开展整改回访…将随机检查结果纳入企业社会信用记录": the records
    cannot show them; the verdict says what a bureau shows instead."""
    verdict = audit(get_policy("xiping"), _ledger(tmp_path, _one_task()), 2025, quarter=3,
                    as_of=dt.date(2025, 10, 31))  # fmt: skip
    for rule_id, evidence in (("rectification.follow_up", "回访"),
                              ("results.credit_record", "信用记录")):  # fmt: skip
        found = rule(verdict, rule_id)
        assert found.status is Status.NOT_MEASURED and evidence in found.note


# --- 获嘉 第十四条 一般监管对象2至3年抽查1次: per entity, not in fixed windows -------------


def _general_registry() -> Registry:
    entities = [make_entity(n, entity_class="GENERAL") for n in (1, 2, 3)]
    return Registry.from_records(entities, [make_inspector(1), make_inspector(2)])


def test_huojia_14_a_general_entity_within_3_years_of_its_last_inspection(tmp_path: Path) -> None:
    registry = _general_registry()
    a, b, c = registry.column("uscc")
    rows = [
        ("ITEM_LIST_PUBLISHED", {"items": ["x"], "year": 2023}, D(2023, 1, 3), "items"),
        *task("A1", a, "GENERAL", D(2023, 3, 1), draw_id=None, inspected=D(2023, 3, 5)),
        *task("A2", a, "GENERAL", D(2025, 6, 1), draw_id=None, inspected=D(2025, 6, 5)),
        *task("B1", b, "GENERAL", D(2023, 2, 1), draw_id=None, inspected=D(2023, 2, 5)),
    ]  # c is never inspected
    events = _ledger(tmp_path, rows)
    gap = audit(get_policy("huojia"), events, 2026, as_of=dt.date(2026, 12, 31), registry=registry)
    verdict = rule(gap, "general.coverage")
    # B: 2023-02-05 + 3 years passed in 2026; C: not inspected in the 3+ years of records
    assert verdict.status is Status.FAIL and verdict.subjects == sorted([b, c])
    assert verdict.measured.startswith("1/3 within 3 years")
    # fixed windows (2023-2025, 2026-2028) let B wait until 2028: nothing to say yet
    windows = audit(get_policy("huojia.general_fixed_windows"), events, 2026,
                    as_of=dt.date(2026, 12, 31), registry=registry)  # fmt: skip
    assert rule(windows, "general.coverage").status is Status.NOT_ENOUGH_DATA


def test_huojia_14_the_draw_takes_an_entity_at_its_3_year_limit() -> None:
    from randcheck.draw.history import History, Inspection
    from randcheck.draw.select import plan_draw
    from randcheck.periods import Quarter

    entities = [make_entity(n, entity_class="GENERAL") for n in range(1, 41)]
    registry = Registry.from_records(entities, [make_inspector(n) for n in range(1, 7)])
    usccs = registry.column("uscc")
    # one entity last inspected in August 2022: its 3 years end in 2025Q3
    due = usccs[17]
    history = History(
        [Inspection(uscc=due, date=dt.date(2022, 8, 15))]
        + [Inspection(uscc=u, date=dt.date(2025, 1, 20)) for u in usccs if u != due]
    )
    drawn = plan_draw(get_policy("huojia"), registry, Quarter(2025, 3), "seed", history=history)
    general = [t for t in drawn.tasks if t.entity_class.value == "GENERAL"]
    assert any(t.uscc == due and t.due_now for t in general)


def test_benxi_8_2_the_item_list_and_plans_are_published(tmp_path: Path) -> None:
    """本溪 八(二) "抽查事项清单和抽查工作计划应及时通过门户网站等媒介向社会公示"."""
    items = ("ITEM_LIST_PUBLISHED", {"items": ["x"], "year": 2025}, D(2025, 1, 3), "items")
    plan = ("PLAN_PUBLISHED", {"year": 2025, "quarter": 3}, D(2025, 7, 3), "plan")
    policy = get_policy("benxi")
    without = audit(policy, _ledger(tmp_path / "a", [items]), 2025, quarter=3,
                    as_of=dt.date(2025, 10, 31))  # fmt: skip
    assert rule(without, "publish.list_and_plan").subjects == ["2025Q3"]
    with_plan = audit(policy, _ledger(tmp_path / "b", [items, plan]), 2025, quarter=3,
                      as_of=dt.date(2025, 10, 31))  # fmt: skip
    assert rule(with_plan, "publish.list_and_plan").status is Status.PASS


@pytest.mark.parametrize(
    ("rule_id", "shows"),
    [
        ("team.leader", "小组长"),  # 七(五) 小组由小组长和成员组成
        ("inspection.body_camera", "执法记录仪"),  # 七(五) 全程佩戴和开启执法记录仪
        ("records.archived", "archive"),  # 七(七) 装订成册统一归档保管
    ],
)
def test_benxi_what_the_records_cannot_show_says_what_a_bureau_shows(
    tmp_path: Path, rule_id: str, shows: str
) -> None:
    verdict = audit(get_policy("benxi"), _ledger(tmp_path, _one_task()), 2025, quarter=3,
                    as_of=dt.date(2025, 10, 31))  # fmt: skip
    found = rule(verdict, rule_id)
    assert found.status is Status.NOT_MEASURED and shows in found.note


def test_the_same_fact_twice_in_a_task_is_judged_not_refused(tmp_path: Path) -> None:
    """An inspection ended and its result entered the same day, disclosed twice the same
    day: durable-rules refuses equal facts, so each carries its position (a crash before)."""
    rows = [
        *draw("D", "2025Q3", D(2025, 7, 5), ["T1"]),
        *task("T1", "u1", "KEY", D(2025, 7, 10), inspected=D(2025, 7, 20, 10)),
        result("T1", D(2025, 7, 20, 16)),
        disclosed("T1", D(2025, 7, 22, 9)),
        disclosed("T1", D(2025, 7, 22, 15)),
    ]
    verdict = audit(get_policy("benxi"), _ledger(tmp_path, rows), 2025, quarter=3,
                    as_of=dt.date(2025, 10, 31))  # fmt: skip
    assert rule(verdict, "disclosure.deadline").status is Status.PASS
