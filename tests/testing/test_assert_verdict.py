"""assert_verdict: the case files' assertions for Python tests, on a ledger, its events, or
compact events."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest

from randcheck.audit import Status
from randcheck.errors import InputError, PolicyError
from randcheck.ledger.stores import open_ledger
from randcheck.policies import get_policy
from randcheck.testing import CaseError, EventBuilder, VerdictMismatch, assert_verdict

USCC = "91410724000000001J"
AS_OF = dt.date(2025, 10, 31)


def events(disclosed: str = "2025-08-18") -> list[dict[str, Any]]:
    return [
        {"on": "2025-07-05", "do": "seal", "draw": "D1"},
        {"on": "2025-07-05", "do": "reveal", "draw": "D1", "tasks": ["T1"]},
        {
            "on": "2025-07-10",
            "do": "dispatch",
            "task": "T1",
            "draw": "D1",
            "entity": USCC,
            "class": "KEY",
            "who": ["I1", "I2"],
        },
        {"on": "2025-07-21", "do": "inspect", "task": "T1"},
        {"on": "2025-07-21", "do": "record", "task": "T1", "outcome": "NO_PROBLEM"},
        {"on": disclosed, "do": "disclose", "task": "T1"},
    ]


def test_compact_events_pass_and_the_verdict_is_returned() -> None:
    verdict = assert_verdict(
        events(), "huojia", 2025, quarter=3, as_of=AS_OF,
        expect={"disclosure.deadline": "PASS", "draw.random": {"status": "通过"}},
    )  # fmt: skip
    assert verdict.policy.id == "huojia" and verdict.quarter == 3


def test_a_difference_raises_an_assertion_error_that_explains_it() -> None:
    with pytest.raises(AssertionError) as caught:
        assert_verdict(events("2025-08-19"), get_policy("huojia"), 2025, quarter=3,
                       as_of=AS_OF, expect={"disclosure.deadline": "PASS"})  # fmt: skip
    assert isinstance(caught.value, VerdictMismatch)
    text = str(caught.value)
    assert text.startswith("assert_verdict: 1 of 1 expected verdict(s) differ")
    assert "获嘉县 细则 第二十条" in text and "actual:   FAIL" in text
    assert "events[5]  2025-08-19 09:00  DISCLOSURE_PUBLISHED" in text


def test_a_ledger_and_its_events_are_read_as_they_are(tmp_path: Path) -> None:
    built = EventBuilder("x").add_all(events("2025-08-19"))
    with open_ledger(tmp_path / "l.sqlite") as ledger:
        for e in built:
            ledger.append(e.type, actor=e.actor, payload=e.payload, subject=e.subject, time=e.time)
        expect = {"disclosure.deadline": {"status": "FAIL", "violations": ["T1"]}}
        assert_verdict(ledger, "huojia@2023.2", 2025, quarter=3, as_of=AS_OF, expect=expect)
        with pytest.raises(VerdictMismatch, match=r"#6  2025-08-19 09:00  DISCLOSURE_PUBLISHED"):
            assert_verdict(list(ledger.events()), "huojia", 2025, quarter=3, as_of=AS_OF,
                           expect={"disclosure.deadline": "PASS"})  # fmt: skip


@pytest.mark.parametrize(
    ("expect", "differs"),
    [
        ({"status": "FAIL"}, None),
        ({"status": "FAIL", "measured": "disclosure.late"}, None),
        ({"status": "FAIL", "measured": "disclosure.missing"}, "measured"),
        ({"status": "FAIL", "violations": ["T1"]}, None),
        ({"status": "FAIL", "violations": []}, "violations"),
        ({"status": "FAIL", "violations": ["T1", "T2"]}, "violations"),
        ({"status": "FAIL", "note": "anything"}, "note"),
        ({"status": "NOT_ENOUGH_DATA"}, "status"),
    ],
)
def test_each_part_of_an_expectation_is_checked(
    expect: dict[str, Any], differs: str | None
) -> None:
    check = {"disclosure.deadline": expect}
    if differs is None:
        assert_verdict(events("2025-08-19"), "huojia", 2025, quarter=3, as_of=AS_OF, expect=check)
        return
    with pytest.raises(VerdictMismatch, match=f"differs in: {differs}"):
        assert_verdict(events("2025-08-19"), "huojia", 2025, quarter=3, as_of=AS_OF, expect=check)


def test_evidence_narrows_what_can_be_measured() -> None:
    assert_verdict(
        events(), "huojia", 2025, quarter=3, as_of=AS_OF, evidence=["DISPATCH", "RESULTS"],
        expect={"disclosure.deadline": {"status": "NOT_ENOUGH_DATA", "note": "DISCLOSURES"}},
    )  # fmt: skip


@pytest.mark.parametrize(
    ("policy", "expect", "error", "message"),
    [
        ("huojia", {"disclosure.late": "FAIL"}, CaseError, "its rules: plan.covers_all_items"),
        ("huojia", {"disclosure.deadline": "MAYBE"}, CaseError, "unknown status 'MAYBE'"),
        ("huojia", {"disclosure.deadline": {"state": "FAIL"}}, CaseError, "unknown key 'state'"),
        ("huojia", {}, CaseError, "at least one rule"),
        ("huojia@1999.1", {"disclosure.deadline": "FAIL"}, PolicyError, "no version"),
    ],
)
def test_a_bad_expectation_is_an_input_error_naming_the_rule(
    policy: str, expect: dict[str, Any], error: type[Exception], message: str
) -> None:
    with pytest.raises(error) as caught:
        assert_verdict(events(), policy, 2025, quarter=3, as_of=AS_OF, expect=expect)
    assert message in str(caught.value)
    assert isinstance(caught.value, InputError | PolicyError)


def test_a_mix_of_ledger_events_and_compact_events_is_refused() -> None:
    built = EventBuilder("x").add_all(events()[:1])
    with pytest.raises(InputError, match="not a mix"):
        assert_verdict([*built, events()[1]], "huojia", 2025, quarter=3, as_of=AS_OF,
                       expect={"draw.random": "PASS"})  # fmt: skip


def test_statuses_are_compared_not_their_spellings() -> None:
    verdict = assert_verdict(events(), "huojia", 2025, quarter=3, as_of=AS_OF,
                             expect={"disclosure.deadline": "pass"})  # fmt: skip
    assert any(r.status is Status.PASS for r in verdict.rules)
