"""The verdict: aggregates judged in Python, every rule with a status and its citation."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from randcheck.audit.run import audit
from randcheck.audit.verdict import Status
from randcheck.ledger.chain import LedgerEvent
from randcheck.ledger.stores import open_ledger
from randcheck.policies import get_policy
from randcheck.report.verdict import to_html, to_markdown

D = dt.datetime
SNAPSHOT = {
    "digest": "a" * 64,
    "entities": 100,
    "inspectors": 10,
    "class_counts": {"KEY": 8, "GENERAL": 80, "SPECIAL": 4},
    "registered_counts": {"KEY": 8, "GENERAL": 80, "SPECIAL": 4},
    "on_staff_inspectors": 10,
}


def _ledger(
    tmp_path: Path, rows: list[tuple[str, dict[str, Any], dt.datetime, str | None]]
) -> list[LedgerEvent]:
    tmp_path.mkdir(parents=True, exist_ok=True)
    with open_ledger(tmp_path / "l.sqlite") as ledger:
        for kind, payload, when, subject in rows:
            ledger.append(kind, actor="大队", payload=payload, time=when, subject=subject)
        return list(ledger.events())


Row = tuple[str, dict[str, Any], dt.datetime, str | None]


def _tasks(
    n: int, cls: str, day: dt.datetime, start: int = 0, *, inspected: bool = True
) -> list[Row]:
    """``n`` tasks of a class dispatched on ``day`` and, unless not ``inspected``,
    inspected five days later."""
    rows: list[Row] = []
    for k in range(start, start + n):
        task = {"task_id": f"{cls}{k}", "uscc": f"u{cls}{k}", "inspectors": ["I1", "I2"]}
        rows.append(("TASK_DISPATCHED", {**task, "entity_class": cls}, day, None))
        if inspected:
            done = {"task_id": f"{cls}{k}", "inspectors": ["I1", "I2"]}
            rows.append(("INSPECTION_COMPLETED", done, day + dt.timedelta(days=5), None))
    return rows


def _status(verdict: Any, rule_id: str) -> Status:
    return next(r.status for r in verdict.rules if r.rule.id == rule_id)


def test_huojia_14_quarterly_shares_count_entities_inspected(tmp_path: Path) -> None:
    """获嘉 第十四条 "每季度至少对…25%的重点监管对象、10%的一般监管对象、50%的特殊监管对象
    进行抽查": distinct entities actually inspected in the quarter, against the snapshot."""
    rows = [
        ("REGISTRY_SNAPSHOT", SNAPSHOT, D(2025, 7, 1), "registry"),
        *_tasks(1, "KEY", D(2025, 7, 10)),
        *_tasks(8, "GENERAL", D(2025, 7, 10)),
        *_tasks(2, "SPECIAL", D(2025, 7, 10)),
    ]
    verdict = audit(
        get_policy("huojia"), _ledger(tmp_path, rows), 2025, quarter=3, as_of=dt.date(2025, 10, 15)
    )
    key = next(r for r in verdict.rules if r.rule.id == "key.quarterly_share")
    assert key.status is Status.FAIL and key.subjects == ["2025Q3"]  # 1 of 8 < 25 %: needs 2
    rule = next(r for r in verdict.rules if r.rule.id == "general.quarterly_share")
    assert rule.status is Status.PASS and "8/80 = 10.0 %" in rule.measured
    assert _status(verdict, "special.quarterly_share") is Status.PASS  # 2 of 4 = 50 %


def test_a_quarter_not_over_is_not_enough_data(tmp_path: Path) -> None:
    rows = [
        ("REGISTRY_SNAPSHOT", SNAPSHOT, D(2025, 7, 1), "registry"),
        *_tasks(3, "KEY", D(2025, 7, 10)),
    ]
    verdict = audit(
        get_policy("benxi"), _ledger(tmp_path, rows), 2025, quarter=3, as_of=dt.date(2025, 8, 1)
    )
    assert _status(verdict, "key.quarterly_share") is Status.NOT_ENOUGH_DATA


def test_huojia_notice_2_joint_share_is_a_target_of_tasks_against_tasks(tmp_path: Path) -> None:
    """获嘉 通知 二 "部门联合抽查发起事项频次占比力争达到总频次（本部门抽查频次+部门联合抽查
    发起频次）35%以上": 力争, a target; own frequency counted as tasks (附件1)."""
    joint = [
        (
            "JOINT_INSPECTION_INITIATED",
            {"task_id": f"J{k}", "departments": ["生态环境", "市场监管"], "lead": "生态环境"},
            D(2025, 5, 1),
            None,
        )
        for k in range(3)
    ]
    rows = [*_tasks(7, "GENERAL", D(2025, 5, 1)), *joint]
    verdict = audit(
        get_policy("huojia"), _ledger(tmp_path / "a", rows), 2025, as_of=dt.date(2025, 12, 31)
    )
    # 获嘉 通知 二 counts tasks against tasks: no own draw sealed, so no base to measure on
    assert _status(verdict, "joint.share") is Status.NOT_ENOUGH_DATA
    draws = [
        (
            "DRAW_SEALED",
            {"draw_id": f"d{q}", "period": f"2025Q{q}", "commitment": "0" * 64,
             "receipt_digest": "0" * 64},
            D(2025, 3 * q - 2, 5),
            None,
        )
        for q in (1, 2, 3, 4)
    ]  # fmt: skip
    four = audit(
        get_policy("huojia"),
        _ledger(tmp_path / "b", [*rows, *draws]),
        2025,
        as_of=dt.date(2025, 12, 31),
    )
    rule = next(r for r in four.rules if r.rule.id == "joint.share")
    # 3 joint / (4 quarterly draws + 3) = 42.9 %: the target (力争) is met
    assert (
        rule.status is Status.PASS and "3 joint / (4 own draws (tasks) + 3 joint)" in rule.measured
    )
    assert rule.rule.strength.value == "TARGET" and rule.status_text.startswith("MET")
    per_visit = get_policy("huojia.joint_share_per_visit")
    visits = audit(
        per_visit, _ledger(tmp_path / "c", [*rows, *draws]), 2025, as_of=dt.date(2025, 12, 31)
    )
    missed = next(r for r in visits.rules if r.rule.id == "joint.share")
    # per visit: 3 / (7 + 3) = 30 %: the target is missed, and the verdict still passes
    assert missed.status is Status.FAIL and "3 joint / (7 own visits + 3 joint)" in missed.measured
    assert missed.missed and not missed.failed and missed.status_text.startswith("MISSED")


def test_dated_obligations_benxi_6_1(tmp_path: Path) -> None:
    rows = [
        (
            "ITEM_LIST_PUBLISHED",
            {"items": ["x"], "year": 2025},
            D(2025, 1, 6),
            "items",
        ),  # a day late
        ("PLAN_PUBLISHED", {"year": 2025, "quarter": 3}, D(2025, 7, 3), "plan"),
        (
            "DRAW_SEALED",
            {
                "draw_id": "d",
                "period": "2025Q3",
                "commitment": "0" * 64,
                "receipt_digest": "0" * 64,
            },
            D(2025, 7, 9),
            None,
        ),
    ]
    verdict = audit(
        get_policy("benxi"), _ledger(tmp_path, rows), 2025, quarter=3, as_of=dt.date(2025, 10, 31)
    )
    items = next(r for r in verdict.rules if r.rule.id == "items.by_jan_5")
    assert items.status is Status.FAIL and items.subjects == ["2025"]
    assert _status(verdict, "plan.quarterly") is Status.PASS
    assert _status(verdict, "draw.by_10th") is Status.PASS
    # 六(一)2 "完成本季度检查工作计划，并公示检查结果" is measured on the quarter's tasks
    assert _status(verdict, "quarter.results") is Status.NOT_ENOUGH_DATA  # no task at all
    assert _status(verdict, "report.yearly") is Status.NOT_APPLICABLE  # not due yet


def test_every_rule_is_listed_with_its_citation(tmp_path: Path) -> None:
    policy = get_policy("qingdao_west_coast")
    verdict = audit(policy, [], 2025, as_of=dt.date(2025, 12, 31))
    assert [r.rule.id for r in verdict.rules] == [r.id for r in policy.rules]
    data = verdict.to_json()
    assert all(r["citation"]["clause"] for r in data["rules"])
    assert "<table>" in to_html(verdict) and "| rule | status |" in to_markdown(verdict)


def test_per_inspector_counts_huojia_10_2(tmp_path: Path) -> None:
    done = [
        (
            "INSPECTION_COMPLETED",
            {"task_id": f"T{k}", "inspectors": ["I1", "I2" if k % 2 else "I3"]},
            D(2025, 3, 3 + k),
            None,
        )
        for k in range(4)
    ]
    verdict = audit(
        get_policy("huojia"), _ledger(tmp_path, done), 2025, as_of=dt.date(2025, 12, 31)
    )
    assert verdict.inspector_counts == {"I1": 4, "I2": 2, "I3": 2}
    rule = next(r for r in verdict.rules if r.rule.id == "inspectors.yearly_count")
    assert rule.status is Status.PASS and "3 inspectors; 2–4" in rule.measured
    assert verdict.to_json()["inspector_counts"]["I1"] == 4
