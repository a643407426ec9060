"""Records kept elsewhere show only what their columns held (issue 15): a verdict on
imported records is PASS or FAIL only where the imports show the evidence, and
NOT_ENOUGH_DATA, naming it, where they do not. A result changed on a platform without
an approved correction is kept as imported and judged (青岛 四)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from randcheck.audit import Status, audit
from randcheck.audit.evidence import EVERYTHING, needs, shown_by
from randcheck.errors import LedgerError
from randcheck.ledger.chain import LedgerEvent
from randcheck.ledger.events import EventType
from randcheck.ledger.stores.memory import MemoryLedger
from randcheck.models.vocab import Evidence
from randcheck.policies import get_policy
from tests.conftest import make_uscc

D = dt.datetime
HUOJIA = get_policy("huojia")
QINGDAO = get_policy("qingdao_west_coast")


def _source(row: int) -> dict[str, Any]:
    return {"file": "platform.xlsx", "sheet": "检查结果", "row": row}


def _imported_task(ledger: MemoryLedger, task: str, n: int, inspected: D, published: D | None,
                   *, draw: str | None = None) -> None:  # fmt: skip
    """A task as a platform export tells it: each event with its row."""
    dispatched: dict[str, Any] = {"task_id": task, "uscc": make_uscc(n), "entity_class": "KEY",
                                  "source": _source(n + 1)}  # fmt: skip
    if draw:
        dispatched["draw_id"] = draw
    ledger.append("TASK_DISPATCHED", actor="平台", payload=dispatched, time=inspected)
    ledger.append(
        "INSPECTION_COMPLETED",
        actor="平台",
        payload={"task_id": task, "inspectors": ["I1", "I2"], "source": _source(n + 1)},
        time=inspected + dt.timedelta(hours=3),
    )
    ledger.append(
        "RESULT_RECORDED",
        actor="平台",
        payload={"task_id": task, "outcome": "NO_PROBLEM", "source": _source(n + 1)},
        time=inspected + dt.timedelta(hours=5),
    )
    if published:
        ledger.append(
            "DISCLOSURE_PUBLISHED",
            actor="平台",
            payload={"task_ids": [task], "source": _source(n + 1)},
            subject=f"disclosure-{task}",
            time=published,
        )


def _imports(ledger: MemoryLedger, shows: list[str]) -> None:
    payload = {"file": "platform.xlsx", "sha256": "b" * 64, "mapping": "platform", "rows": 3,
               "events": 9, "shows": shows}  # fmt: skip
    ledger.append("RECORDS_IMPORTED", actor="import", payload=payload, subject="import:platform")


def _verdict(ledger: MemoryLedger, policy: Any = HUOJIA, **kw: Any) -> dict[str, Any]:
    verdict = audit(policy, list(ledger.events()), 2025, quarter=3, as_of=dt.date(2025, 12, 31),
                    **kw)  # fmt: skip
    return {r.rule.id: r for r in verdict.rules} | {"_verdict": verdict}


def test_a_ledger_randcheck_kept_shows_everything() -> None:
    ledger = MemoryLedger()
    ledger.append("TASK_DISPATCHED", actor="大队", payload={"task_id": "T1", "uscc": make_uscc(1)},
                  time=D(2025, 7, 1, 9))  # fmt: skip
    assert shown_by(ledger.events()) == EVERYTHING


def test_a_published_table_cannot_show_draws_so_the_random_draw_is_not_enough_data() -> None:
    """获嘉 第五条 原则上 the draw: a disclosure table has no draw column. Its tasks carry
    no draw id, yet the verdict must not FAIL them for it: it names the evidence."""
    ledger = MemoryLedger()
    _imports(ledger, ["INSPECTIONS", "RESULTS", "DISCLOSURES"])
    _imported_task(ledger, "T1", 1, D(2025, 7, 10, 9), D(2025, 7, 20, 9))
    rules = _verdict(ledger)
    draw = rules["draw.random"]
    assert draw.status is Status.NOT_ENOUGH_DATA
    assert "抽取记录 (DRAWS)" in draw.note
    assert not [v for v in rules["_verdict"].violations if v.rule_id == "draw.random"]
    # what the table does show is measured: published within 20 working days
    assert rules["disclosure.deadline"].status is Status.PASS


def test_a_late_publication_in_a_published_table_fails() -> None:
    """获嘉 第二十条: results published within 20 working days of the inspection's end."""
    ledger = MemoryLedger()
    _imports(ledger, ["INSPECTIONS", "RESULTS", "DISCLOSURES"])
    _imported_task(ledger, "T1", 1, D(2025, 7, 10, 9), D(2025, 9, 30, 9))
    rules = _verdict(ledger)
    assert rules["disclosure.deadline"].status is Status.FAIL
    assert rules["disclosure.deadline"].subjects == ["T1"]


def test_an_export_with_a_draw_column_shows_a_task_with_no_draw() -> None:
    """An export that has the draw column and leaves it blank for a task: not drawn."""
    ledger = MemoryLedger()
    _imports(ledger, ["DRAWS", "INSPECTIONS", "RESULTS", "DISCLOSURES", "CLASSES"])
    ledger.append("DRAW_REVEALED", actor="平台", time=D(2025, 7, 1, 9),
                  payload={"draw_id": "B1", "tasks": ["T1"], "source": _source(2)})  # fmt: skip
    _imported_task(ledger, "T1", 1, D(2025, 7, 10, 9), D(2025, 7, 20, 9), draw="B1")
    _imported_task(ledger, "T2", 2, D(2025, 7, 11, 9), D(2025, 7, 20, 9))
    draw = _verdict(ledger)["draw.random"]
    assert draw.status is Status.FAIL
    assert draw.subjects == ["T2"]


def test_a_platform_draw_counts_on_its_word_and_the_verdict_says_so() -> None:
    ledger = MemoryLedger()
    _imports(ledger, ["DRAWS", "INSPECTIONS", "RESULTS", "DISCLOSURES", "CLASSES"])
    ledger.append("DRAW_REVEALED", actor="平台", time=D(2025, 7, 1, 9),
                  payload={"draw_id": "B1", "tasks": ["T1"], "source": _source(2)})  # fmt: skip
    _imported_task(ledger, "T1", 1, D(2025, 7, 10, 9), D(2025, 7, 20, 9), draw="B1")
    draw = _verdict(ledger)["draw.random"]
    assert draw.status is Status.PASS
    assert "rests on its word" in draw.note


def test_randcheck_s_own_reveal_without_a_seal_is_still_not_a_draw() -> None:
    ledger = MemoryLedger()
    ledger.append("DRAW_REVEALED", actor="大队", time=D(2025, 7, 1, 9),
                  payload={"draw_id": "B1", "tasks": ["T1"]})  # fmt: skip
    ledger.append("TASK_DISPATCHED", actor="大队", time=D(2025, 7, 2, 9),
                  payload={"task_id": "T1", "uscc": make_uscc(1), "draw_id": "B1"})  # fmt: skip
    assert _verdict(ledger)["draw.random"].status is Status.FAIL


def test_evidence_given_by_the_caller_overrides_the_events() -> None:
    ledger = MemoryLedger()
    ledger.append("TASK_DISPATCHED", actor="大队", time=D(2025, 7, 2, 9),
                  payload={"task_id": "T1", "uscc": make_uscc(1)})  # fmt: skip
    rules = _verdict(ledger, evidence=["INSPECTIONS"])
    assert rules["draw.random"].status is Status.NOT_ENOUGH_DATA


class TestResultsImmutable:
    """青岛 四: 检查结果一经录入不得随意修改，检查结果录入确有错误的，各中队须及时提出书面申请，
    经本部门主要负责人签字确认后 …"""

    def _two_results(self, ledger: MemoryLedger, *, approved: bool, imported: bool) -> None:
        extra = {"source": _source(3)} if imported else {}
        ledger.append("TASK_DISPATCHED", actor="中队", time=D(2025, 7, 1, 9),
                      payload={"task_id": "T1", "uscc": make_uscc(1), **extra})  # fmt: skip
        result = {"task_id": "T1", "outcome": "NO_PROBLEM", **extra}
        when = D(2025, 7, 5, 9)
        first = ledger.append("RESULT_RECORDED", actor="中队", time=when, payload=result)
        if approved:
            request = ledger.append(
                "CORRECTION_REQUESTED", actor="中队", time=D(2025, 7, 6, 9),
                payload={"task_id": "T1", "result_seq": first.seq, "reason": "录入错误", **extra},
            )  # fmt: skip
            ledger.append(
                "CORRECTION_APPROVED", actor="主要负责人", time=D(2025, 7, 7, 9),
                payload={"task_id": "T1", "request_seq": request.seq, "approved_by": "局长",
                         **extra},
            )  # fmt: skip
        ledger.append("RESULT_RECORDED", actor="中队", time=D(2025, 7, 8, 9),
                      payload={"task_id": "T1", "outcome": "RECTIFY", **extra})  # fmt: skip

    def test_a_result_changed_on_a_platform_without_approval_is_imported_and_fails(self) -> None:
        ledger = MemoryLedger()
        _imports(ledger, ["RESULTS", "RESULT_DATES", "CORRECTIONS"])
        self._two_results(ledger, approved=False, imported=True)
        rule = _verdict(ledger, QINGDAO)["results.immutable"]
        assert rule.status is Status.FAIL
        assert rule.subjects == ["T1"]
        assert rule.rule.citation.clause == "四"

    def test_a_change_after_an_approved_correction_passes(self) -> None:
        ledger = MemoryLedger()
        self._two_results(ledger, approved=True, imported=False)
        rule = _verdict(ledger, QINGDAO)["results.immutable"]
        assert rule.status is Status.PASS
        assert rule.measured.startswith("1/1")

    def test_randcheck_itself_still_refuses_an_unapproved_change(self) -> None:
        with pytest.raises(LedgerError, match="never edited"):
            self._two_results(MemoryLedger(), approved=False, imported=False)

    def test_an_export_without_correction_columns_cannot_tell(self) -> None:
        ledger = MemoryLedger()
        _imports(ledger, ["RESULTS", "RESULT_DATES"])
        self._two_results(ledger, approved=False, imported=True)
        rule = _verdict(ledger, QINGDAO)["results.immutable"]
        assert rule.status is Status.NOT_ENOUGH_DATA
        assert "CORRECTIONS" in rule.note


def test_provenance_is_stored_only_when_given() -> None:
    ledger = MemoryLedger()
    native = ledger.append("TASK_DISPATCHED", actor="大队", time=D(2025, 7, 2, 9),
                           payload={"task_id": "T1", "uscc": make_uscc(1)})  # fmt: skip
    imported = ledger.append("TASK_DISPATCHED", actor="平台", time=D(2025, 7, 2, 9),
                             payload={"task_id": "T2", "uscc": make_uscc(2),
                                      "source": _source(7)})  # fmt: skip
    assert "source" not in native.payload
    assert imported.payload["source"] == {"file": "platform.xlsx", "sheet": "检查结果", "row": 7}
    read: list[LedgerEvent] = list(ledger.events())
    assert [e.hash for e in read] == [native.hash, imported.hash]


def test_every_measured_rule_kind_names_its_evidence() -> None:
    """The gate is only as good as the table: every rule the audit measures needs some."""
    from randcheck.audit.judges import JUDGES, REQUIREMENT_TOPICS
    from randcheck.policies import available_policies
    from randcheck.policies.model import Requirement

    for policy in available_policies():
        for rule in policy.rules:
            if type(rule) not in JUDGES:
                continue
            if isinstance(rule, Requirement) and rule.topic not in REQUIREMENT_TOPICS:
                continue
            assert needs(rule), (policy.id, rule.id)
            assert all(isinstance(kind, Evidence) for kind in needs(rule))


def test_the_memory_ledger_keeps_all_or_none() -> None:
    ledger = MemoryLedger()
    with pytest.raises(LedgerError):
        ledger.append_many(
            [
                (EventType.TASK_DISPATCHED, "大队", {"task_id": "T1", "uscc": make_uscc(1)},
                 None, D(2025, 7, 1, 9)),
                (EventType.CORRECTION_APPROVED, "局长",
                 {"task_id": "T1", "request_seq": 9, "approved_by": "局长"}, None, None),
            ]
        )  # fmt: skip
    assert list(ledger.events()) == []
    assert ledger.verify().ok
