"""A step whose files go with a ledger event, when the append fails without saying
whether it was stored (a connection lost during COMMIT): the files and the ledger never
disagree, and the request sent again succeeds or says the step already happened.

The append is made to raise after it committed (or before it stored anything) by
wrapping the ledger's ``append_many``; "the ledger cannot be asked either" by making
the service's look-up of the event fail too."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest

from randcheck.ledger.events import EventType
from randcheck.ledger.store import Ledger
from randcheck.ledger.stores.postgres import StoreUnavailable
from randcheck.randomness import canonical_digest
from randcheck.service import recorded

from .conftest import DICE, DRAWN, J, Service

LOST = "the ledger could not be written (server closed the connection during COMMIT)"


class Faults:
    """The append of events of ``kind`` fails, once: ``after`` it stored them or before."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.monkeypatch = monkeypatch
        self.kind: EventType | None = None
        self.after = True

    def fail(self, kind: EventType, *, after: bool, unreadable: bool = False) -> None:
        self.kind, self.after = kind, after
        if unreadable:

            def cannot_tell(*_: Any, **__: Any) -> Any:
                raise StoreUnavailable("the ledger could not be read (server down)")

            self.monkeypatch.setattr(recorded, "stored_event", cannot_tell)

    def heal(self) -> None:
        self.kind = None
        self.monkeypatch.undo()


@pytest.fixture
def faults(monkeypatch: pytest.MonkeyPatch) -> Iterator[Faults]:
    found = Faults(monkeypatch)
    original = Ledger.append_many

    def append_many(self: Ledger, entries: Any) -> Any:
        entries = list(entries)
        kinds = {EventType.of(e[0]) if isinstance(e[0], str) else e[0] for e in entries}
        if found.kind is None or found.kind not in kinds:
            return original(self, entries)
        found.kind = None  # once
        if found.after:
            original(self, entries)  # committed: only the answer is lost
        raise StoreUnavailable(LOST)

    monkeypatch.setattr(Ledger, "append_many", append_many)
    yield found
    # the ledger's wrapper goes with monkeypatch's own undo


def _events(service: Service, subject: str, kind: EventType) -> list[Any]:
    ledgers = service.client.app.state.context.ledgers  # type: ignore[attr-defined]
    with ledgers.open(J, readonly=True) as ledger:
        return [e for e in ledger.events_for(subject) if e.type is kind]


def _folder(service: Service, draw_id: str) -> Any:
    return service.settings.files / J / "draws" / draw_id


def _announced(service: Service) -> str:
    draw_id = service.commit(service.upload()["digest"])["draw_id"]
    service.clock.moment = DRAWN
    return str(draw_id)


def _unavailable(response: Any) -> None:
    assert response.status_code == 503, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["type"] == "urn:randcheck:problem:unavailable"
    assert int(response.headers["retry-after"]) > 0


def _seal(service: Service, draw_id: str) -> Any:
    return service.call(
        "POST", f"/draws/{draw_id}/seal", service.operator, json={"public_randomness": DICE}
    )


def _sealed_in_step(service: Service, draw_id: str) -> None:
    """One DRAW_SEALED, and the draw's files are its receipt and list, nothing pending."""
    [event] = _events(service, draw_id, EventType.DRAW_SEALED)
    folder = _folder(service, draw_id)
    receipt = json.loads((folder / "receipt.json").read_text(encoding="utf-8"))
    assert canonical_digest(receipt) == event.payload["receipt_digest"]
    assert (folder / "list.json").exists()
    assert not list(folder.glob("*.pending"))
    assert service.ok("GET", f"/draws/{draw_id}/receipt") == receipt


def test_a_seal_stored_though_its_append_failed_is_kept(service: Service, faults: Faults) -> None:
    draw_id = _announced(service)
    faults.fail(EventType.DRAW_SEALED, after=True)
    sealed = _seal(service, draw_id)
    assert sealed.status_code == 201, sealed.text  # the ledger was asked: it is there
    _sealed_in_step(service, draw_id)
    assert sealed.json()["seq"] == _events(service, draw_id, EventType.DRAW_SEALED)[0].seq
    again = _seal(service, draw_id)
    assert again.status_code == 409 and "already sealed" in again.json()["detail"]
    _sealed_in_step(service, draw_id)


def test_a_seal_whose_outcome_cannot_be_told_is_settled_by_the_retry(
    service: Service, faults: Faults
) -> None:
    draw_id = _announced(service)
    faults.fail(EventType.DRAW_SEALED, after=True, unreadable=True)
    _unavailable(_seal(service, draw_id))
    folder = _folder(service, draw_id)
    # stored, but nothing is published until the ledger says so: no receipt, no list
    assert len(_events(service, draw_id, EventType.DRAW_SEALED)) == 1
    assert not (folder / "receipt.json").exists() and not (folder / "list.json").exists()
    assert (folder / "receipt.json.pending").exists()
    assert service.call("GET", f"/draws/{draw_id}/receipt").status_code == 404
    faults.heal()
    retried = _seal(service, draw_id)  # the same request again: the recorded seal
    assert retried.status_code == 201, retried.text
    _sealed_in_step(service, draw_id)
    [event] = _events(service, draw_id, EventType.DRAW_SEALED)
    assert retried.json()["seq"] == event.seq
    assert canonical_digest(retried.json()["receipt"]) == event.payload["receipt_digest"]
    other = service.call(
        "POST", f"/draws/{draw_id}/seal", service.operator, json={"public_randomness": "9" * 20}
    )
    assert other.status_code == 409


def test_a_seal_not_stored_leaves_nothing_and_can_be_done_again(
    service: Service, faults: Faults
) -> None:
    draw_id = _announced(service)
    faults.fail(EventType.DRAW_SEALED, after=False)
    _unavailable(_seal(service, draw_id))
    folder = _folder(service, draw_id)
    assert _events(service, draw_id, EventType.DRAW_SEALED) == []
    assert not (folder / "receipt.json").exists() and not list(folder.glob("*.pending"))
    assert _seal(service, draw_id).status_code == 201
    _sealed_in_step(service, draw_id)


def test_seal_rebuilds_files_the_ledger_records_but_that_were_lost(service: Service) -> None:
    """Files removed after their event was stored (as an older version did on a failed
    COMMIT): the seal sent again makes them again from the event, equal to it."""
    draw_id = _announced(service)
    first = _seal(service, draw_id).json()
    folder = _folder(service, draw_id)
    for name in ("receipt.json", "list.json", ".sealed"):
        (folder / name).unlink()
    service.clock.advance(hours=3)
    again = _seal(service, draw_id)
    assert again.status_code == 201, again.text
    assert again.json()["receipt"] == first["receipt"] and again.json()["seq"] == first["seq"]
    _sealed_in_step(service, draw_id)


def _replacement(service: Service) -> tuple[str, dict[str, Any], dict[str, Any]]:
    draw_id, dispatched = service.sealed_and_dispatched()
    task = next(t for t in dispatched if t["team"])
    body = {"removed": task["team"][0], "reason": "OTHER", "note": "身体原因"}
    return draw_id, task, body


def _replaced_in_step(service: Service, draw_id: str, task_id: str) -> list[Any]:
    """The list's replacements of the task are the ledger's INSPECTOR_REPLACED, one for one."""
    events = _events(service, task_id, EventType.INSPECTOR_REPLACED)
    folder = _folder(service, draw_id)
    drawn = json.loads((folder / "list.json").read_text(encoding="utf-8"))
    listed = [r for r in drawn["revealed"]["replacements"] if r["task_id"] == task_id]
    assert [(r["removed"], r["added"]) for r in listed] == [
        (e.payload["removed"], e.payload["added"]) for e in events
    ]
    assert not list(folder.glob("*.pending"))
    return events


def test_a_replacement_stored_though_its_append_failed_is_kept(
    service: Service, faults: Faults
) -> None:
    draw_id, task, body = _replacement(service)
    path = f"/tasks/{task['task_id']}/replacements"
    faults.fail(EventType.INSPECTOR_REPLACED, after=True)
    made = service.call("POST", path, service.approver, json=body)
    assert made.status_code == 201, made.text
    [event] = _replaced_in_step(service, draw_id, task["task_id"])
    assert made.json()["seq"] == event.seq and made.json()["added"] == event.payload["added"]


def test_a_replacement_whose_outcome_cannot_be_told_is_settled_by_the_retry(
    service: Service, faults: Faults
) -> None:
    draw_id, task, body = _replacement(service)
    path = f"/tasks/{task['task_id']}/replacements"
    folder = _folder(service, draw_id)
    before = (folder / "list.json").read_text(encoding="utf-8")
    faults.fail(EventType.INSPECTOR_REPLACED, after=True, unreadable=True)
    _unavailable(service.call("POST", path, service.approver, json=body))
    assert len(_events(service, task["task_id"], EventType.INSPECTOR_REPLACED)) == 1
    assert (folder / "list.json").read_text(encoding="utf-8") == before  # not yet
    assert (folder / "list.json.pending").exists()
    faults.heal()
    retried = service.call("POST", path, service.approver, json=body)  # the same request
    assert retried.status_code == 201, retried.text
    [event] = _replaced_in_step(service, draw_id, task["task_id"])
    assert retried.json()["seq"] == event.seq


def test_a_replacement_not_stored_restores_nothing_but_the_list(
    service: Service, faults: Faults
) -> None:
    draw_id, task, body = _replacement(service)
    path = f"/tasks/{task['task_id']}/replacements"
    folder = _folder(service, draw_id)
    before = (folder / "list.json").read_text(encoding="utf-8")
    faults.fail(EventType.INSPECTOR_REPLACED, after=False)
    _unavailable(service.call("POST", path, service.approver, json=body))
    assert _events(service, task["task_id"], EventType.INSPECTOR_REPLACED) == []
    assert (folder / "list.json").read_text(encoding="utf-8") == before
    assert not list(folder.glob("*.pending"))
    assert service.call("POST", path, service.approver, json=body).status_code == 201
    _replaced_in_step(service, draw_id, task["task_id"])


def test_a_pending_replacement_is_settled_before_the_reveal(
    service: Service, faults: Faults
) -> None:
    """The reveal publishes the list: a replacement left pending is settled first, so the
    revealed receipt carries every replacement the ledger holds."""
    draw_id, task, body = _replacement(service)
    faults.fail(EventType.INSPECTOR_REPLACED, after=True, unreadable=True)
    path = f"/tasks/{task['task_id']}/replacements"
    _unavailable(service.call("POST", path, service.approver, json=body))
    faults.heal()
    service.clock.moment = service.clock.moment.replace(month=10, day=2)  # the quarter is over
    revealed = service.ok("POST", f"/draws/{draw_id}/reveal", service.operator)["receipt"]
    [event] = _replaced_in_step(service, draw_id, task["task_id"])
    [replacement] = revealed["revealed"]["replacements"]
    assert (replacement["removed"], replacement["added"]) == (
        event.payload["removed"],
        event.payload["added"],
    )


def test_a_reveal_stored_though_its_append_failed_is_published(
    service: Service, faults: Faults
) -> None:
    draw_id, _ = service.sealed_and_dispatched()
    service.clock.moment = service.clock.moment.replace(month=10, day=2)
    faults.fail(EventType.DRAW_REVEALED, after=True, unreadable=True)
    _unavailable(service.call("POST", f"/draws/{draw_id}/reveal", service.operator))
    assert not (_folder(service, draw_id) / "revealed.json").exists()
    faults.heal()
    retried = service.call("POST", f"/draws/{draw_id}/reveal", service.operator)
    assert retried.status_code == 201, retried.text
    [event] = _events(service, draw_id, EventType.DRAW_REVEALED)
    assert retried.json()["seq"] == event.seq
    assert service.ok("GET", f"/draws/{draw_id}/receipt") == retried.json()["receipt"]


def test_a_commit_whose_outcome_cannot_be_told_is_settled_by_the_retry(
    service: Service, faults: Faults
) -> None:
    digest = service.upload()["digest"]
    faults.fail(EventType.DRAW_ANNOUNCED, after=True, unreadable=True)
    body = {
        "policy": "benxi",
        "year": 2025,
        "quarter": 3,
        "registry": digest,
        "randomness": {
            "kind": "lottery",
            "source": "中国福利彩票 双色球 第2025075期",
            "expected_at": "2025-07-01T21:15:00+08:00",
        },
    }
    _unavailable(service.call("POST", "/draws", service.operator, json=body))
    assert service.ok("GET", "/draws")["draws"] == []  # nothing published yet
    faults.heal()
    again = service.call("POST", "/draws", service.operator, json=body)
    assert again.status_code == 409 and "already announced (event #" in again.json()["detail"]
    [event] = _events(service, "2025Q3-draw", EventType.DRAW_ANNOUNCED)
    announced = service.ok("GET", "/draws/2025Q3-draw/announcement")
    assert event.payload["commitment"] == announced["commitment"]
    assert [d["draw_id"] for d in service.ok("GET", "/draws")["draws"]] == ["2025Q3-draw"]


def test_a_commit_not_stored_frees_its_draw_id(service: Service, faults: Faults) -> None:
    digest = service.upload()["digest"]
    faults.fail(EventType.DRAW_ANNOUNCED, after=False)
    body = {
        "policy": "benxi",
        "year": 2025,
        "quarter": 3,
        "registry": digest,
        "randomness": {
            "kind": "lottery",
            "source": "中国福利彩票 双色球 第2025075期",
            "expected_at": "2025-07-01T21:15:00+08:00",
        },
    }
    _unavailable(service.call("POST", "/draws", service.operator, json=body))
    assert not _folder(service, "2025Q3-draw").exists()
    assert service.call("POST", "/draws", service.operator, json=body).status_code == 201
