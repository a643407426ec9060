"""The announcement binds every input before the randomness exists (issue 14, part 1).

The attack it closes: an operator who learns the public randomness edits an input
(marks a friendly entity 停产, drops a row, edits the history, changes the period or
the campaign) and draws again with the same secret. With an announcement every such
draw is refused, and a receipt whose inputs differ from its announcement fails.
"""

from __future__ import annotations

import copy
import datetime as dt
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from randcheck.draw.announcement import (
    INPUT_KEYS,
    RandomnessSource,
    announce,
    announcement_digest,
    draw_inputs,
)
from randcheck.draw.history import History, Inspection
from randcheck.draw.receipt import (
    LedgerTimes,
    Verification,
    record_replacement,
    reveal,
    seal,
    verify,
)
from randcheck.errors import InputError
from randcheck.models import EntityClass, ProductionStatus
from randcheck.models.vocab import ReplacementReason
from randcheck.periods import Quarter
from randcheck.policies import get_policy
from randcheck.randomness import bound_commitment
from randcheck.registry import EntityFilter, Registry
from randcheck.synth import generate_registry

CST = dt.timezone(dt.timedelta(hours=8))
SECRET = "3c" * 32
PUBLIC = "05121927331006150000"  # 双色球 numbers as published, then the blue ball
LOTTERY = RandomnessSource(
    kind="lottery",
    source="中国福利彩票 双色球 第2025045期",
    expected_at=dt.datetime(2025, 4, 22, 21, 15, tzinfo=CST),
)
ANNOUNCED_AT = dt.datetime(2025, 4, 18, 9, 0, tzinfo=CST)
SEALED_AT = dt.datetime(2025, 4, 23, 9, 30, tzinfo=CST)
PERIOD = Quarter(2025, 2)


@pytest.fixture(scope="module")
def registry() -> Registry:
    return generate_registry(260, 24, seed="announce")


@pytest.fixture(scope="module")
def history(registry: Registry) -> History:
    usccs = registry.column("uscc")
    return History(
        [
            Inspection(uscc=usccs[n], date=dt.date(2025, 2, 10 + n), task_id=f"T{n}")
            for n in range(5)
        ]
    )


def _announcement(registry: Registry, history: History, **changes: Any) -> dict[str, Any]:
    policy = changes.pop("policy", get_policy("huojia"))
    inputs = draw_inputs(
        policy,
        PERIOD,
        registry_digest=registry.digest,
        history_digest=history.digest,
        randomness=LOTTERY,
        **changes,
    )
    return announce(SECRET, inputs, announced_at=ANNOUNCED_AT)


def _sealed(registry: Registry, history: History, **kwargs: Any) -> dict[str, Any]:
    receipt, _ = seal(
        get_policy("huojia"),
        registry,
        PERIOD,
        secret=SECRET,
        public_randomness=PUBLIC,
        history=history,
        announcement=_announcement(registry, history),
        sealed_at=SEALED_AT,
        **kwargs,
    )
    return receipt


def test_the_announced_draw_verifies_check_by_check(registry: Registry, history: History) -> None:
    announcement = _announcement(registry, history)
    receipt = reveal(_sealed(registry, history), SECRET, registry, history)
    assert receipt["announcement_digest"] == announcement_digest(announcement)
    assert receipt["commitment"] == announcement["commitment"]
    report = verify(receipt, registry, history, announcement=announcement)
    assert report.ok, report.first_failure
    assert report.not_checked == []
    assert "announcement" in [c.name for c in report.checks]


def test_the_commitment_binds_the_secret_and_every_input(
    registry: Registry, history: History
) -> None:
    announcement = _announcement(registry, history)
    inputs = announcement["inputs"]
    assert set(inputs) == set(INPUT_KEYS)
    assert announcement["commitment"] == bound_commitment(SECRET, inputs)
    for key in INPUT_KEYS:
        changed = {**inputs, key: "something else"}
        assert bound_commitment(SECRET, changed) != announcement["commitment"], key
    assert bound_commitment("3d" * 32, inputs) != announcement["commitment"]


def _stopped(registry: Registry) -> Registry:
    """The attack: a friendly entity marked 停产 after the randomness was known."""
    rows = list(registry.entities())
    rows[0] = rows[0].model_copy(update={"production_status": ProductionStatus.SUSPENDED})
    return Registry.from_records(rows, registry.inspectors, registry.items)


def _dropped(registry: Registry) -> Registry:
    return Registry.from_records(list(registry.entities())[1:], registry.inspectors, registry.items)


GROUND: dict[str, Callable[[Registry, History], dict[str, Any]]] = {
    "registry_digest": lambda r, h: {"registry": _stopped(r)},
    "registry_digest ": lambda r, h: {"registry": _dropped(r)},
    "history_digest": lambda r, h: {"history": History(list(h)[1:])},
    "period": lambda r, h: {"period": Quarter(2025, 3)},
    "policy.version": lambda r, h: {"policy": get_policy("huojia", version="2023.1")},
    "jurisdiction": lambda r, h: {"jurisdiction": next(r.entities()).division_code},
    "campaign": lambda r, h: {"campaign": EntityFilter(industry_prefixes=("C26",))},
    "departments": lambda r, h: {"departments": ("生态环境", "水利")},
    "expertise": lambda r, h: {"expertise": frozenset({"水"})},
    "capacity": lambda r, h: {"capacity": 3},
}


@pytest.mark.parametrize("field", list(GROUND))
def test_a_draw_on_other_inputs_than_announced_is_refused_naming_the_field(
    registry: Registry, history: History, field: str
) -> None:
    announcement = _announcement(registry, history)
    changed = GROUND[field](registry, history)
    args: dict[str, Any] = {
        "registry": changed.pop("registry", registry),
        "history": changed.pop("history", history),
        "period": changed.pop("period", PERIOD),
        "policy": changed.pop("policy", get_policy("huojia")),
    }
    with pytest.raises(InputError) as caught:
        seal(
            args["policy"],
            args["registry"],
            args["period"],
            secret=SECRET,
            public_randomness=PUBLIC,
            history=args["history"],
            announcement=announcement,
            sealed_at=SEALED_AT,
            **changed,
        )
    assert "not the announced ones" in caught.value.what
    assert field.strip() in caught.value.what


def test_another_secret_than_the_committed_one_is_refused(
    registry: Registry, history: History
) -> None:
    with pytest.raises(InputError, match="secret is not the one"):
        seal(
            get_policy("huojia"),
            registry,
            PERIOD,
            secret="77" * 32,
            public_randomness=PUBLIC,
            history=history,
            announcement=_announcement(registry, history),
            sealed_at=SEALED_AT,
        )


def test_no_draw_before_the_announced_randomness_exists(
    registry: Registry, history: History
) -> None:
    with pytest.raises(InputError, match="exists only from"):
        seal(
            get_policy("huojia"),
            registry,
            PERIOD,
            secret=SECRET,
            public_randomness=PUBLIC,
            history=history,
            announcement=_announcement(registry, history),
            sealed_at=LOTTERY.expected_at - dt.timedelta(minutes=1),
        )


def test_an_announcement_after_its_randomness_is_worth_nothing_and_refused(
    registry: Registry, history: History
) -> None:
    inputs = draw_inputs(
        get_policy("huojia"),
        PERIOD,
        registry_digest=registry.digest,
        history_digest=history.digest,
        randomness=LOTTERY,
    )
    with pytest.raises(InputError, match="not after this announcement"):
        announce(SECRET, inputs, announced_at=LOTTERY.expected_at + dt.timedelta(seconds=1))
    with pytest.raises(InputError, match="declares its source"):
        announce(SECRET, {**inputs, "randomness": None}, announced_at=ANNOUNCED_AT)


def test_a_receipt_whose_inputs_differ_from_its_announcement_fails_naming_the_field(
    registry: Registry, history: History
) -> None:
    announcement = _announcement(registry, history)
    receipt = reveal(_sealed(registry, history), SECRET, registry, history)
    # Another announcement (a different period) offered for this receipt.
    other = _announcement(registry, history, jurisdiction=None, capacity=5)
    report = verify(receipt, registry, history, announcement=other)
    assert report.first_failure is not None
    assert report.first_failure.name == "announcement"
    # The announcement, edited to say another registry was announced.
    edited = copy.deepcopy(announcement)
    edited["inputs"]["registry_digest"] = "0" * 64
    report = verify(receipt, registry, history, announcement=edited)
    assert not report.ok and report.first_failure is not None
    assert report.first_failure.name == "announcement"


def _leaves(data: Any, path: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    if isinstance(data, dict):
        for key, value in data.items():
            yield from _leaves(value, (*path, key))
    elif isinstance(data, list) and data:
        for n, value in enumerate(data):
            yield from _leaves(value, (*path, n))
    else:
        yield path


def _mutated(value: Any) -> Any:
    if isinstance(value, bool):
        return not value
    if isinstance(value, int):
        return value + 1
    if isinstance(value, float):
        return value / 2
    if isinstance(value, str):
        return value[:-1] + ("0" if value[-1:] != "0" else "1") if value else "x"
    if value is None:
        return "2025-01-01"
    if isinstance(value, list):
        return ["x"]
    return None


@pytest.fixture(scope="module")
def full_receipt(registry: Registry, history: History) -> tuple[dict[str, Any], dict[str, Any]]:
    """A revealed receipt with an announcement, a campaign and a replacement."""
    announcement = _announcement(registry, history, capacity=9)
    receipt, _ = seal(
        get_policy("huojia"),
        registry,
        PERIOD,
        secret=SECRET,
        public_randomness=PUBLIC,
        history=history,
        capacity=9,
        announcement=announcement,
        sealed_at=SEALED_AT,
    )
    revealed = reveal(receipt, SECRET, registry, history)
    task = next(t for t in revealed["revealed"]["tasks"] if t["team"])
    revealed = record_replacement(
        revealed,
        registry,
        task["task_id"],
        task["team"][0],
        ReplacementReason.HEALTH,
        history=history,
        note="病假",
    )
    return revealed, announcement


def _at(data: Any, path: tuple[Any, ...], value: Any) -> None:
    for part in path[:-1]:
        data = data[part]
    data[path[-1]] = value


def test_every_field_of_a_receipt_enters_a_check(
    registry: Registry, history: History, full_receipt: tuple[dict[str, Any], dict[str, Any]]
) -> None:
    """Change any single value anywhere in a revealed receipt: verification fails."""
    receipt, announcement = full_receipt
    ledger = LedgerTimes(ANNOUNCED_AT, SEALED_AT, tuple(receipt["revealed"]["replacements"]))
    assert verify(receipt, registry, history, announcement=announcement, ledger=ledger).ok
    passed = []
    paths = list(_leaves(receipt))
    assert len(paths) > 300
    for path in paths:
        edited = copy.deepcopy(receipt)
        original: Any = edited
        for part in path:
            original = original[part]
        _at(edited, path, _mutated(original))
        if path == ("sealed_at",):  # a time as well formed, but before the randomness
            _at(edited, path, "2025-04-22T21:14:59+08:00")
        report = verify(edited, registry, history, announcement=announcement, ledger=ledger)
        if report.ok:
            passed.append(path)
    assert passed == [], passed


@pytest.mark.parametrize(
    "key", ["extra", "algorithm.extra", "policy.extra", "revealed.extra", "parameters.extra"]
)
def test_unknown_keys_fail_the_schema_check(
    registry: Registry,
    history: History,
    full_receipt: tuple[dict[str, Any], dict[str, Any]],
    key: str,
) -> None:
    edited = copy.deepcopy(full_receipt[0])
    node = edited
    *parents, last = key.split(".")
    for part in parents:
        node = node[part]
    node[last] = 1
    report = verify(edited, registry, history)
    assert report.first_failure is not None and report.first_failure.name == "schema"
    assert last in report.first_failure.detail


@pytest.mark.parametrize("version", [1.0, 2.0, True, "2", 3, None])
def test_a_receipt_version_written_otherwise_fails(
    registry: Registry, full_receipt: tuple[dict[str, Any], dict[str, Any]], version: Any
) -> None:
    edited = {**full_receipt[0], "version": version}
    report = verify(edited, registry)
    assert report.first_failure is not None and report.first_failure.name == "schema"


def test_every_key_deleted_fails_naming_it(
    registry: Registry, history: History, full_receipt: tuple[dict[str, Any], dict[str, Any]]
) -> None:
    receipt = full_receipt[0]
    for key in receipt:
        edited = {k: v for k, v in receipt.items() if k != key}
        report: Verification = verify(edited, registry, history)
        assert not report.ok, key
        failure = report.first_failure
        assert failure is not None and failure.name == "schema"
        assert key in failure.detail or key == "format"


def test_a_registry_other_than_the_receipts_fails_on_its_digest_not_on_the_redraw(
    registry: Registry, history: History, full_receipt: tuple[dict[str, Any], dict[str, Any]]
) -> None:
    """Even when the draw cannot run on the other registry (no inspectors at all)."""
    empty = Registry.from_records(list(registry.entities())[:3], [], registry.items)
    report = verify(full_receipt[0], empty, history)
    failure = report.first_failure
    assert failure is not None and failure.name == "registry digest"
    assert [c.name for c in report.checks if c.ok is None] == ["announcement", "result"]


def test_the_ledger_must_show_the_announcement_before_the_randomness(
    registry: Registry, history: History, full_receipt: tuple[dict[str, Any], dict[str, Any]]
) -> None:
    receipt, announcement = full_receipt
    replaced = tuple(receipt["revealed"]["replacements"])
    good = LedgerTimes(ANNOUNCED_AT, SEALED_AT, replaced)
    assert verify(receipt, registry, history, announcement=announcement, ledger=good).ok
    late = LedgerTimes(LOTTERY.expected_at + dt.timedelta(hours=1), SEALED_AT, replaced)
    report = verify(receipt, registry, history, announcement=announcement, ledger=late)
    assert report.first_failure is not None and report.first_failure.name == "ledger"
    missing = LedgerTimes(None, SEALED_AT, replaced)
    report = verify(receipt, registry, history, announcement=announcement, ledger=missing)
    assert report.first_failure is not None and report.first_failure.name == "ledger"
    resealed = LedgerTimes(ANNOUNCED_AT, SEALED_AT + dt.timedelta(hours=2), replaced)
    report = verify(receipt, registry, history, announcement=announcement, ledger=resealed)
    assert report.first_failure is not None and report.first_failure.name == "sealed in ledger"
    other = ({**replaced[0], "approved_by": "局长"},)
    report = verify(
        receipt,
        registry,
        history,
        announcement=announcement,
        ledger=LedgerTimes(ANNOUNCED_AT, SEALED_AT, other),
    )
    assert report.first_failure is not None
    assert report.first_failure.name == "replacement 1 record"
    assert "approved_by" in report.first_failure.detail


def test_an_unannounced_draw_says_so_rather_than_passing_the_check(
    registry: Registry, history: History
) -> None:
    receipt, _ = seal(
        get_policy("huojia"),
        registry,
        PERIOD,
        secret=SECRET,
        public_randomness=PUBLIC,
        history=history,
        sealed_at=SEALED_AT,
    )
    assert receipt["announcement_digest"] is None and receipt["randomness"] is None
    report = verify(reveal(receipt, SECRET, registry, history), registry, history)
    assert report.ok
    assert [c.name for c in report.not_checked] == ["announcement"]
    assert "not announced" in report.not_checked[0].detail


def test_a_policy_with_the_same_id_and_version_but_other_values_does_not_verify(
    registry: Registry, history: History, full_receipt: tuple[dict[str, Any], dict[str, Any]]
) -> None:
    receipt = full_receipt[0]
    real = get_policy("huojia")
    posing = real.with_changes({"general.quarterly_share": {"min_fraction": 0.5}}, reason="posing")
    posing = posing.model_copy(update={"version": real.version})
    report = verify(receipt, registry, history, resolve=lambda _i, _v: posing)
    failure = report.first_failure
    assert failure is not None and failure.name == "policy" and "digest" in failure.detail


def test_classes_keep_their_order_in_the_quota_list(
    full_receipt: tuple[dict[str, Any], dict[str, Any]],
) -> None:
    assert [q["class"] for q in full_receipt[0]["quotas"]] == [
        c.value for c in (EntityClass.KEY, EntityClass.SPECIAL, EntityClass.GENERAL)
    ]
