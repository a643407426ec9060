"""The whole flow over HTTP: upload, commit, seal, dispatch, read the task, start, end,
record the result, correct it, disclose, reveal, and the audit judging the
confidentiality trail on the LIST_ACCESSED records the service wrote itself."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient

from randcheck.draw.history import load_history
from randcheck.draw.receipt import verify
from randcheck.ledger.stores import read_verified
from randcheck.service import create_app
from randcheck.service.tokens import FileTokenStore

from .conftest import DICE, DRAWN, Clock, J, Service, make_settings


def test_the_whole_flow_through_http(service: Service, tmp_path: Path) -> None:
    uploaded = service.upload()
    assert uploaded["entities"] == 300 and len(uploaded["digest"]) == 64
    committed = service.commit(uploaded["digest"])
    draw_id = committed["draw_id"]
    assert draw_id == "2025Q3-draw"
    announcement = service.ok("GET", f"/draws/{draw_id}/announcement")  # public
    assert announcement["commitment"] == committed["announcement"]["commitment"]
    assert "secret" not in json.dumps(announcement)

    service.clock.moment = DRAWN
    sealed = service.ok(
        "POST", f"/draws/{draw_id}/seal", service.operator, json={"public_randomness": DICE}
    )
    receipt = sealed["receipt"]
    assert receipt["commitment"] == announcement["commitment"] and receipt["revealed"] is None
    assert service.ok("GET", f"/draws/{draw_id}/receipt") == receipt

    service.clock.advance(hours=2)
    dispatched = service.ok("POST", f"/draws/{draw_id}/dispatch", service.operator)["dispatched"]
    assert len(dispatched) == sealed["tasks"] > 0
    assert all("uscc" not in t for t in dispatched)  # the operator is not shown the list
    task = next(t for t in dispatched if t["team"])
    task_id, member = task["task_id"], task["team"][0]
    me = service.inspector(member)

    # the inspector sees their own task, with its entity; the read is recorded
    service.clock.advance(hours=1)
    mine = service.ok("GET", "/tasks", me)["tasks"]
    assert task_id in {t["task_id"] for t in mine}
    assert all(member in t["team"] for t in mine)
    read = service.ok("GET", f"/tasks/{task_id}", me, params={"purpose": "准备检查"})
    assert read["uscc"] and read["entity"]["uscc"] == read["uscc"]
    # an auditor before the start: the task, not its entity, and nothing recorded
    early = service.ok("GET", f"/tasks/{task_id}", service.auditor)
    assert early["uscc"] is None and early["entity"] is None

    service.clock.advance(days=1)
    service.ok("POST", f"/tasks/{task_id}/start", me)
    service.clock.advance(hours=6)
    service.ok("POST", f"/tasks/{task_id}/complete", me, json={"items": ["废水"]})
    service.clock.advance(days=1)
    first = service.ok("POST", f"/tasks/{task_id}/result", me, json={"outcome": "RECTIFY"})
    again = service.call("POST", f"/tasks/{task_id}/result", me, json={"outcome": "NO_PROBLEM"})
    assert again.status_code == 409 and "never edited" in again.json()["detail"]
    asked = service.ok(
        "POST",
        f"/tasks/{task_id}/corrections",
        me,
        json={"result_seq": first["seq"], "reason": "录入有误"},
    )
    service.ok("POST", f"/tasks/{task_id}/corrections/{asked['seq']}/approval", service.approver)
    service.ok("POST", f"/tasks/{task_id}/result", me, json={"outcome": "NO_PROBLEM"})
    service.ok("POST", f"/tasks/{task_id}/rectification", me, json={"stage": "completed"})
    service.clock.advance(days=2)
    service.ok("POST", "/disclosures", service.operator, json={"task_ids": [task_id]})
    public = service.ok(
        "GET", "/disclosure", params={"policy": "benxi", "year": 2025, "quarter": 3}
    )
    assert [r["uscc"] for r in public["rows"]] == [read["uscc"]]
    assert public["ledger_head"]["events"] > 0

    # reveal: refused while other tasks have not started
    refused = service.call("POST", f"/draws/{draw_id}/reveal", service.operator)
    assert refused.status_code == 409 and "not started" in refused.json()["detail"]

    # the audit: the confidentiality trail is the service's own LIST_ACCESSED records
    verdict = service.ok(
        "GET",
        "/audit",
        service.auditor,
        params={"policy": "benxi", "year": 2025, "quarter": 3, "as_of": "2025-07-10"},
    )
    events = read_verified(Path(service.settings.store) / f"{J}.sqlite")
    reads = [e for e in events if e.type.value == "LIST_ACCESSED"]
    assert [(e.actor, e.subject, e.payload["role"], e.payload["purpose"]) for e in reads] == [
        (member, task_id, "TEAM", "准备检查")
    ]
    assert verdict["ledger_head"]["events"] == len(events)
    confidential = [r for r in verdict["rules"] if r["rule"] == "draw.confidential"]
    assert [r["status"] for r in confidential] == ["PASS"]
    html = service.call(
        "GET",
        "/audit",
        service.auditor,
        params={"policy": "benxi", "year": 2025, "quarter": 3, "format": "html"},
    )
    assert html.status_code == 200 and html.text.startswith("<!DOCTYPE html>")
    # every write is an event with the signed-in principal as its actor
    actors = {e.type.value: e.actor for e in events}
    assert actors["DRAW_ANNOUNCED"] == actors["DRAW_SEALED"] == actors["TASK_DISPATCHED"] == "op"
    assert actors["CORRECTION_APPROVED"] == "boss" and actors["RESULT_RECORDED"] == member

    # the ledger: public head, verified chain, the CLI agrees
    head = service.ok("GET", "/ledger/head")
    assert head["events"] == len(events) and head["hash"] == events[-1].hash
    checked = service.ok("GET", "/ledger/verify", service.auditor, params={"head": head["hash"]})
    assert checked["ok"] and checked["status"] == "OK"


def test_a_replacement_then_the_reveal_and_the_receipt_verifies(service: Service) -> None:
    draw_id, dispatched = service.sealed_and_dispatched()
    task = next(t for t in dispatched if t["team"])
    removed = task["team"][0]
    made = service.ok(
        "POST",
        f"/tasks/{task['task_id']}/replacements",
        service.approver,
        json={"removed": removed, "reason": "OTHER", "note": "身体原因"},
    )
    added = made["added"]
    early = service.call("POST", f"/draws/{draw_id}/reveal", service.operator)
    assert early.status_code == 409 and "not started" in early.json()["detail"]
    assert added != removed and made["method"] in ("drawn_again", "chosen")
    # the team changed: the one removed no longer sees the task, the one added does
    assert (
        service.call("GET", f"/tasks/{task['task_id']}", service.inspector(removed)).status_code
        == 403
    )
    assert added in service.ok("GET", f"/tasks/{task['task_id']}", service.inspector(added))["team"]
    teams = {t["task_id"]: t["team"] for t in service.ok("GET", "/tasks", service.auditor)["tasks"]}
    for task_id, team in teams.items():
        if team:
            service.ok("POST", f"/tasks/{task_id}/start", service.inspector(team[0]))
    if any(not team for team in teams.values()):  # non-site tasks: revealed at the quarter's end
        service.clock.moment = service.clock.moment.replace(month=10, day=2)
    revealed = service.ok("POST", f"/draws/{draw_id}/reveal", service.operator)["receipt"]
    [replacement] = revealed["revealed"]["replacements"]
    assert (replacement["removed"], replacement["added"]) == (removed, added)
    assert service.ok("GET", f"/draws/{draw_id}/receipt") == revealed
    folder = service.settings.files / J / "draws" / draw_id
    report = verify(
        revealed,
        service.registry,
        load_history(folder / "history.json"),
        announcement=json.loads((folder / "announcement.json").read_text(encoding="utf-8")),
    )
    assert report.ok, report.first_failure
    again = service.call("POST", f"/draws/{draw_id}/reveal", service.operator)
    assert again.status_code == 409


def test_the_sealed_list_is_kept_and_every_read_recorded(service: Service) -> None:
    draw_id, dispatched = service.sealed_and_dispatched()
    on_site = [t for t in dispatched if t["team"]]
    for step, body in (("seal", {"public_randomness": DICE}), ("dispatch", None)):
        again = service.call("POST", f"/draws/{draw_id}/{step}", service.operator, json=body)
        assert again.status_code == 409 and "already" in again.json()["detail"], again.text
    # the auditor before any start: tasks without entities, events with the entity withheld
    listed = service.ok("GET", f"/draws/{draw_id}/list", service.auditor)["tasks"]
    assert len(listed) == len(dispatched) and all(t["uscc"] is None for t in listed)
    events = service.ok("GET", "/ledger/events", service.auditor, params={"limit": 1000})["events"]
    dispatches = [e for e in events if e["type"] == "TASK_DISPATCHED"]
    assert dispatches and all(
        e["payload"]["uscc"] is None and e["withheld"] == ["payload.uscc"] for e in dispatches
    )
    assert not any(e["type"] == "LIST_ACCESSED" for e in events)
    # the approver reads the whole list: each task's read recorded with the purpose
    seen = service.ok("GET", f"/draws/{draw_id}/list", service.approver, params={"purpose": "审批"})
    assert all(t["uscc"] for t in seen["tasks"])
    events = service.ok("GET", "/ledger/events", service.auditor, params={"limit": 1000})["events"]
    reads = [e for e in events if e["type"] == "LIST_ACCESSED"]
    assert {e["subject"] for e in reads} == {t["task_id"] for t in dispatched}
    assert {(e["actor"], e["payload"]["role"], e["payload"]["purpose"]) for e in reads} == {
        ("boss", "APPROVER", "审批")
    }
    # once a task has started it is no secret: its dispatch shows the entity, reads are kept
    first = on_site[0]
    service.ok("POST", f"/tasks/{first['task_id']}/start", service.inspector(first["team"][0]))
    after = service.ok(
        "GET", f"/tasks/{first['task_id']}", service.auditor, params={"purpose": "监督"}
    )
    assert after["uscc"] is not None
    events = service.ok("GET", "/ledger/events", service.auditor, params={"limit": 1000})["events"]
    shown = {
        e["payload"]["task_id"]: e["payload"]["uscc"]
        for e in events
        if e["type"] == "TASK_DISPATCHED"
    }
    assert shown[first["task_id"]] == after["uscc"]
    assert sum(uscc is None for uscc in shown.values()) == len(dispatched) - 1
    last = events[-1]
    assert (last["type"], last["actor"], last["payload"]["role"]) == (
        "LIST_ACCESSED",
        "aud",
        "OTHER",
    )
    # paging and the total
    page = service.ok("GET", "/ledger/events", service.auditor, params={"after": 2, "limit": 3})
    assert [e["seq"] for e in page["events"]] == [3, 4, 5] and page["next_after"] == 5


def test_a_json_lines_store_holds_one_file_per_jurisdiction(tmp_path: Path, county: Any) -> None:
    settings = make_settings(tmp_path, store=f"jsonl://{tmp_path}/chains")
    with TestClient(create_app(settings, clock=Clock())) as client:
        other = Service(client, settings, Clock(), FileTokenStore(tmp_path / "tokens.json"), county)
        other.commit(other.upload()["digest"])
        assert other.ok("GET", "/ledger/head")["events"] == 2
    assert [p.name for p in (tmp_path / "chains").iterdir()] == [f"{J}.jsonl"]


def test_a_second_draw_of_the_period_cannot_take_the_first_s_task_ids(
    service: Service,
) -> None:
    """Task ids are the period's (2025Q3-ALL-00001): dispatching a second draw of the
    quarter would merge its tasks into the first's. It is refused, and nothing written."""
    _, dispatched = service.sealed_and_dispatched()
    digest = service.upload()["digest"]
    later = {
        "kind": "lottery",
        "source": "双色球 第2025076期",
        "expected_at": "2025-07-03T21:15:00+08:00",
    }
    second = service.commit(digest, draw_id="2025Q3-again", randomness=later)["draw_id"]
    service.clock.moment = dt.datetime(2025, 7, 4, 9, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))
    service.ok("POST", f"/draws/{second}/seal", service.operator, json={"public_randomness": DICE})
    head = service.ok("GET", "/ledger/head")
    refused = service.call("POST", f"/draws/{second}/dispatch", service.operator)
    assert refused.status_code == 409, refused.text
    assert dispatched[0]["task_id"] in refused.json()["detail"]
    assert service.ok("GET", "/ledger/head") == head
