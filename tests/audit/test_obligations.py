"""Per-record obligations: a passing and a failing case per rule, from events."""

from __future__ import annotations

import datetime as dt
import random
from pathlib import Path
from typing import Any

import pytest

from randcheck.audit.obligations import Monitor, Obligations
from randcheck.ledger.chain import LedgerEvent
from randcheck.ledger.stores import open_ledger
from randcheck.policies import get_policy
from randcheck.registry import Registry
from tests.conftest import make_entity

AS_OF = dt.date(2025, 6, 30)


def T(*a: int) -> dt.datetime:
    return dt.datetime(*a)  # type: ignore[arg-type]


def _events(
    tmp_path: Path, rows: list[tuple[str, dict[str, Any], dt.datetime, str]]
) -> list[LedgerEvent]:
    tmp_path.mkdir(parents=True, exist_ok=True)
    with open_ledger(tmp_path / "l.sqlite") as ledger:
        for kind, payload, time, actor in rows:
            subject = payload["task_ids"][0] if "task_ids" in payload else None
            ledger.append(kind, actor=actor, payload=payload, time=time, subject=subject)
        return list(ledger.events())


DRAW_RULES = {"task.not_drawn", "task.uninspected"}


def _kinds(
    policy_id: str,
    events: list[LedgerEvent],
    registry: Registry | None = None,
    *,
    draw_rules: bool = False,
) -> list[str]:
    """The violations found; the tasks of most tests are not drawn, so the random-draw
    rules (tested on their own below) are left out unless ``draw_rules``."""
    monitor = Monitor(Obligations(get_policy(policy_id), registry=registry)).feed_all(events)
    return [v.kind for v in monitor.violations(AS_OF) if draw_rules or v.kind not in DRAW_RULES]


def dispatched(
    task: str, team: tuple[str, ...] = ("I1", "I2"), uscc: str = "x"
) -> tuple[str, dict[str, Any], dt.datetime, str]:
    return (
        "TASK_DISPATCHED",
        {"task_id": task, "uscc": uscc, "inspectors": list(team)},
        T(2024, 9, 20),
        "大队",
    )


def completed(task: str, when: dt.datetime) -> tuple[str, dict[str, Any], dt.datetime, str]:
    return ("INSPECTION_COMPLETED", {"task_id": task, "inspectors": ["I1", "I2"]}, when, "I1")


def result(
    task: str, when: dt.datetime, outcome: str = "NO_PROBLEM"
) -> tuple[str, dict[str, Any], dt.datetime, str]:
    return ("RESULT_RECORDED", {"task_id": task, "outcome": outcome}, when, "I1")


def disclosed(task: str, when: dt.datetime) -> tuple[str, dict[str, Any], dt.datetime, str]:
    return ("DISCLOSURE_PUBLISHED", {"task_ids": [task]}, when, "宣教中心")


# 睢县 三(四), 西平 二(二): results within 7 working days; across National Day 2024 and 调休


@pytest.mark.parametrize("policy_id", ["suixian", "xiping"])
def test_result_entry_on_the_make_up_saturday_passes(tmp_path: Path, policy_id: str) -> None:
    events = _events(
        tmp_path,
        [dispatched("T1"), completed("T1", T(2024, 9, 27, 16)), result("T1", T(2024, 10, 12, 9))],
    )
    assert _kinds(policy_id, events) == []


@pytest.mark.parametrize("policy_id", ["suixian", "xiping"])
def test_result_entry_a_working_day_late_fails(tmp_path: Path, policy_id: str) -> None:
    events = _events(
        tmp_path,
        [dispatched("T1"), completed("T1", T(2024, 9, 27, 16)), result("T1", T(2024, 10, 14, 9))],
    )
    assert _kinds(policy_id, events) == ["result_entry.late"]


def test_result_entry_missing_past_its_deadline(tmp_path: Path) -> None:
    events = _events(tmp_path, [dispatched("T1"), completed("T1", T(2025, 6, 2))])
    assert _kinds("suixian", events) == ["result_entry.missing"]  # due 2025-06-11, as of 06-30
    monitor = Monitor(Obligations(get_policy("suixian"))).feed_all(events)
    early = [v.kind for v in monitor.violations(dt.date(2025, 6, 5))]
    assert early == ["task.not_drawn"]  # the entry is not yet due (the task was not drawn)
    (due,) = monitor.due_within(dt.date(2025, 6, 5), 5)
    assert (due.kind, due.due, due.rule_id) == (
        "result_entry",
        dt.date(2025, 6, 11),
        "result_entry.deadline",
    )


# 本溪 八(二): disclosure within 20 working days of the inspection; 获嘉 第二十条: of the task


def test_benxi_disclosure_in_time_and_late(tmp_path: Path) -> None:
    base = [dispatched("T1"), completed("T1", T(2025, 3, 3)), result("T1", T(2025, 3, 4))]
    on_time = _events(tmp_path / "a", [*base, disclosed("T1", T(2025, 3, 31))])
    late = _events(tmp_path / "b", [*base, disclosed("T1", T(2025, 4, 1))])
    assert _kinds("benxi", on_time) == [] and _kinds("benxi", late) == ["disclosure.late"]


def test_huojia_counts_disclosure_from_the_completed_task(tmp_path: Path) -> None:
    events = _events(
        tmp_path,
        [
            dispatched("T1"),
            completed("T1", T(2025, 3, 3)),
            result("T1", T(2025, 3, 20)),
            disclosed("T1", T(2025, 4, 10)),
        ],
    )
    assert _kinds("huojia", events) == []  # 20 working days from 03-20 is 04-18
    assert _kinds("benxi", events) == ["disclosure.late"]  # but from the inspection: 03-31


# 青岛 四: rectification within 3 months, unless progress and its reason are recorded


def test_qingdao_rectification(tmp_path: Path) -> None:
    base = [
        dispatched("T1"),
        completed("T1", T(2024, 10, 9)),
        result("T1", T(2024, 10, 10), "RECTIFY"),
    ]
    done = _events(
        tmp_path / "a",
        [*base, ("RECTIFICATION_COMPLETED", {"task_id": "T1"}, T(2025, 1, 9), "中队")],
    )
    late = _events(
        tmp_path / "b",
        [*base, ("RECTIFICATION_COMPLETED", {"task_id": "T1"}, T(2025, 1, 20), "中队")],
    )
    excused = _events(
        tmp_path / "c",
        [
            *base,
            (
                "RECTIFICATION_PROGRESS",
                {"task_id": "T1", "note": "设备采购中", "reason_not_done": "设备到货延迟"},
                T(2025, 1, 5),
                "中队",
            ),
        ],
    )
    missing = _events(tmp_path / "d", base)
    assert _kinds("qingdao_west_coast", done) == []
    assert _kinds("qingdao_west_coast", late) == ["rectification.late"]
    assert _kinds("qingdao_west_coast", excused) == []
    assert _kinds("qingdao_west_coast", missing) == ["rectification.missing"]


# 本溪 七(五): teams of at least 2; 七(二): changes approved by the deputy head


def test_benxi_team_size_and_unapproved_change(tmp_path: Path) -> None:
    replaced = (
        "INSPECTOR_REPLACED",
        {"task_id": "T1", "removed": "I2", "added": "I3", "reason": "HEALTH"},
        T(2024, 9, 21),
        "大队",
    )
    approved = (
        "INSPECTOR_REPLACED",
        {
            "task_id": "T1",
            "removed": "I2",
            "added": "I3",
            "reason": "HEALTH",
            "approved_by": "副局长",
        },
        T(2024, 9, 21),
        "大队",
    )
    non_site = (
        "TASK_DISPATCHED",
        {"task_id": "T9", "uscc": "x", "inspectors": [], "mode": "NON_SITE"},
        T(2024, 9, 20),
        "大队",
    )
    assert _kinds("benxi", _events(tmp_path / "n", [non_site])) == []  # no team to size
    assert _kinds("benxi", _events(tmp_path / "a", [dispatched("T1", ("I1",))])) == [
        "team.too_small"
    ]
    assert _kinds("benxi", _events(tmp_path / "b", [dispatched("T1"), replaced])) == [
        "list.unapproved_change"
    ]
    assert _kinds("benxi", _events(tmp_path / "c", [dispatched("T1"), approved])) == []
    # 获嘉 第十二条: no approver, but the replacement must be drawn again by the system
    redrawn = (
        "INSPECTOR_REPLACED",
        {"task_id": "T1", "removed": "I2", "added": "I3", "reason": "RECUSAL", "drawn": True},
        T(2024, 9, 21),
        "大队",
    )
    assert _kinds("huojia", _events(tmp_path / "d", [dispatched("T1"), replaced])) == [
        "list.unapproved_change"
    ]
    assert _kinds("huojia", _events(tmp_path / "e", [dispatched("T1", ("I1",)), redrawn])) == []


# 获嘉 第二十二条: the list is secret until the inspection


def test_early_access_by_an_outsider_is_a_leak(tmp_path: Path) -> None:
    def access(actor: str, when: dt.datetime) -> tuple[str, dict[str, Any], dt.datetime, str]:
        return ("LIST_ACCESSED", {"draw_id": "D1", "task_id": "T1"}, when, actor)

    started = (
        "INSPECTION_STARTED",
        {"task_id": "T1", "inspectors": ["I1", "I2"]},
        T(2024, 9, 25),
        "I1",
    )
    insider = _events(tmp_path / "a", [dispatched("T1"), access("I1", T(2024, 9, 22)), started])
    outsider = _events(
        tmp_path / "b", [dispatched("T1"), access("某科长", T(2024, 9, 22)), started]
    )
    afterwards = _events(
        tmp_path / "c", [dispatched("T1"), started, access("某科长", T(2024, 9, 26))]
    )
    assert _kinds("huojia", insider) == [] and _kinds("huojia", afterwards) == []
    assert _kinds("huojia", outsider) == ["confidential.early_access"]
    assert _kinds("qingdao_west_coast", outsider) == []  # 青岛 states no confidentiality rule


# 本溪 七(三): positive-list entities on site only on a complaint


def test_positive_list_on_site_without_a_complaint(tmp_path: Path) -> None:
    entity = make_entity(1, positive_list=True)
    registry = Registry.from_records([entity])

    def start(complaint: bool) -> tuple[str, dict[str, Any], dt.datetime, str]:
        return (
            "INSPECTION_STARTED",
            {"task_id": "T1", "inspectors": ["I1", "I2"], "complaint": complaint},
            T(2025, 3, 3),
            "I1",
        )

    plain = _events(tmp_path / "a", [dispatched("T1", uscc=entity.uscc), start(False)])
    complaint = _events(tmp_path / "b", [dispatched("T1", uscc=entity.uscc), start(True)])
    assert _kinds("benxi", plain, registry) == ["non_site.on_site"]
    assert _kinds("benxi", complaint, registry) == []


def test_the_live_monitor_and_a_batch_replay_agree(tmp_path: Path) -> None:
    rng = random.Random(7)
    rows = []
    for n in range(40):
        task = f"T{n}"
        end = T(2025, 3, 3) + dt.timedelta(days=rng.randint(0, 40))
        rows += [dispatched(task, ("I1",) if n % 9 == 0 else ("I1", "I2")), completed(task, end)]
        if n % 5:
            rows.append(
                result(
                    task,
                    end + dt.timedelta(days=rng.randint(1, 15)),
                    "RECTIFY" if n % 4 == 0 else "NO_PROBLEM",
                )
            )
        if n % 3:
            rows.append(disclosed(task, end + dt.timedelta(days=rng.randint(5, 40))))
    events = _events(tmp_path, rows)
    policy = get_policy("benxi")
    live = Monitor(Obligations(policy))
    for event in events:  # as they happen, asking along the way
        live.feed(event)
        live.violations(event.time.date())
    batch = Monitor(Obligations(policy)).feed_all(events)
    assert live.violations(AS_OF) == batch.violations(AS_OF) and batch.violations(AS_OF)


def test_a_task_off_the_revealed_list_needs_approval(tmp_path: Path) -> None:
    reveal = ("DRAW_REVEALED", {"draw_id": "D1", "tasks": ["T1"]}, T(2024, 9, 19), "大队")

    def under_draw(task: str, **extra: Any) -> tuple[str, dict[str, Any], dt.datetime, str]:
        payload = {
            "task_id": task,
            "uscc": "x",
            "inspectors": ["I1", "I2"],
            "draw_id": "D1",
            **extra,
        }
        return ("TASK_DISPATCHED", payload, T(2024, 9, 20), "大队")

    on_list = _events(tmp_path / "a", [reveal, under_draw("T1")])
    off_list = _events(
        tmp_path / "b", [under_draw("T1"), under_draw("T2"), reveal]
    )  # revealed later
    approved = _events(tmp_path / "c", [reveal, under_draw("T2", approved_by="分管负责同志")])
    for policy_id in ("suixian", "benxi"):  # 睢县 三(四), 本溪 七(二)
        assert _kinds(policy_id, on_list) == [] and _kinds(policy_id, approved) == []
        assert _kinds(policy_id, off_list) == ["list.off_list_task"]
    assert _kinds("huojia", off_list) == []  # 获嘉 states no fixed-list rule


# The random draw is the regime: 获嘉 细则 第五条, 本溪 四 (原则上), 睢县 三(四), 西平 二(一),
# 青岛 三(一). A task comes from a sealed and revealed draw, and is inspected by its
# quarter's end.


def sealed(draw: str, when: dt.datetime) -> tuple[str, dict[str, Any], dt.datetime, str]:
    return (
        "DRAW_SEALED",
        {"draw_id": draw, "period": "2025Q2", "commitment": "c" * 64, "receipt_digest": "d" * 64},
        when,
        "大队",
    )


def revealed(draw: str, tasks: list[str]) -> tuple[str, dict[str, Any], dt.datetime, str]:
    return ("DRAW_REVEALED", {"draw_id": draw, "tasks": tasks}, T(2025, 4, 8), "大队")


def drawn(task: str, draw: str = "D1") -> tuple[str, dict[str, Any], dt.datetime, str]:
    payload = {"task_id": task, "uscc": "x", "inspectors": ["I1", "I2"], "draw_id": draw}
    return ("TASK_DISPATCHED", {**payload, "period": "2025Q2"}, T(2025, 4, 9), "大队")


@pytest.mark.parametrize(
    "policy_id", ["suixian", "xiping", "huojia", "qingdao_west_coast", "benxi"]
)
def test_draw_random_a_task_without_a_draw_is_a_violation(tmp_path: Path, policy_id: str) -> None:
    events = _events(
        tmp_path,
        [
            sealed("D1", T(2025, 4, 7)),
            revealed("D1", ["T1"]),
            drawn("T1"),
            completed("T1", T(2025, 5, 6)),
            ("TASK_DISPATCHED", {"task_id": "T2", "uscc": "y", "inspectors": ["I1", "I2"]},
             T(2025, 4, 9), "大队"),
            completed("T2", T(2025, 5, 6)),
            drawn("T3", draw="D9"),  # a draw the ledger never shows sealed
            completed("T3", T(2025, 5, 6)),
        ],
    )  # fmt: skip
    monitor = Monitor(Obligations(get_policy(policy_id))).feed_all(events)
    found = {(v.task_id, v.kind) for v in monitor.violations(AS_OF) if v.kind in DRAW_RULES}
    assert found == {("T2", "task.not_drawn"), ("T3", "task.not_drawn")}


def test_draw_random_a_drawn_task_left_uninspected_at_quarter_end(tmp_path: Path) -> None:
    events = _events(
        tmp_path,
        [sealed("D1", T(2025, 4, 7)), revealed("D1", ["T1", "T2"]), drawn("T1"), drawn("T2"),
         completed("T1", T(2025, 6, 20))],
    )  # fmt: skip
    monitor = Monitor(Obligations(get_policy("benxi"))).feed_all(events)
    assert [v.kind for v in monitor.violations(dt.date(2025, 6, 30))] == []  # quarter not over
    late = monitor.violations(dt.date(2025, 7, 1))
    assert [(v.task_id, v.kind, v.detail["due"]) for v in late] == [
        ("T2", "task.uninspected", "2025-06-30")
    ]
