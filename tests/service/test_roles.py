"""The role table, every cell: each endpoint called by each role. Allowed calls get past
the door (they succeed, or fail on the request's own merits: never 401 or 403, never
500); refused calls get 403 (signed in) or 401 (no token). And the table in the docs is
the code's."""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from randcheck.io import write_registry
from randcheck.service.app import operations
from randcheck.service.roles import ROLES, TABLE, Role, markdown_table

from .conftest import DICE, Service

DOCS = Path(__file__).parents[2] / "docs" / "service.md"


def _registry_file(service: Service) -> dict[str, Any]:
    path = Path(service.settings.files) / "sample.json"
    if not path.exists():
        write_registry(service.registry, path)
    return {"entities": ("registry.json", io.BytesIO(path.read_bytes()), "application/json")}


def _samples(service: Service, state: dict[str, Any]) -> dict[str, Callable[[], tuple]]:
    """operation -> a request for it: (method, path, keyword arguments)."""
    d, t, t2 = state["draw"], state["task"], state["other_task"]
    digest = state["digest"]
    year = {"policy": "benxi", "year": 2025, "quarter": 3}
    return {
        "health": lambda: ("GET", "/health", {}),
        "upload_registry": lambda: ("POST", "/registries", {"files": _registry_file(service)}),
        "validate_registry": lambda: (
            "POST",
            "/registries/validate",
            {"files": _registry_file(service)},
        ),
        "list_registries": lambda: ("GET", "/registries", {}),
        "get_registry": lambda: ("GET", f"/registries/{digest}", {}),
        "diff_registries": lambda: ("GET", f"/registries/{digest}/diff/{digest}", {}),
        "list_draws": lambda: ("GET", "/draws", {}),
        "commit_draw": lambda: (
            "POST",
            "/draws",
            {
                "json": {
                    "policy": "benxi",
                    "year": 2025,
                    "quarter": 4,
                    "registry": digest,
                    "randomness": {
                        "kind": "dice",
                        "source": "ceremony at the bureau",
                        "expected_at": "2025-09-30T10:00:00+08:00",
                    },
                    "draw_id": f"q4-{len(service.bearer)}",
                }
            },
        ),
        "get_announcement": lambda: ("GET", f"/draws/{d}/announcement", {}),
        "seal_draw": lambda: ("POST", f"/draws/{d}/seal", {"json": {"public_randomness": DICE}}),
        "get_receipt": lambda: ("GET", f"/draws/{d}/receipt", {}),
        "dispatch_draw": lambda: ("POST", f"/draws/{d}/dispatch", {}),
        "reveal_draw": lambda: ("POST", f"/draws/{d}/reveal", {}),
        "read_list": lambda: ("GET", f"/draws/{d}/list", {"params": {"purpose": "审批"}}),
        "list_tasks": lambda: ("GET", "/tasks", {}),
        "read_task": lambda: ("GET", f"/tasks/{t}", {}),
        "start_inspection": lambda: ("POST", f"/tasks/{t}/start", {}),
        "complete_inspection": lambda: ("POST", f"/tasks/{t}/complete", {}),
        "record_result": lambda: (
            "POST",
            f"/tasks/{t}/result",
            {"json": {"outcome": "NO_PROBLEM"}},
        ),
        "request_correction": lambda: (
            "POST",
            f"/tasks/{t}/corrections",
            {"json": {"result_seq": 1, "reason": "录入有误"}},
        ),
        "approve_correction": lambda: ("POST", f"/tasks/{t}/corrections/1/approval", {}),
        "replace_inspector": lambda: (
            "POST",
            f"/tasks/{t2}/replacements",
            {"json": {"removed": state["other_member"], "reason": "OTHER", "note": "身体原因"}},
        ),
        "record_rectification": lambda: (
            "POST",
            f"/tasks/{t}/rectification",
            {"json": {"stage": "ordered"}},
        ),
        "publish_disclosure": lambda: ("POST", "/disclosures", {"json": {"task_ids": [t]}}),
        "list_disclosures": lambda: ("GET", "/disclosures", {}),
        "record_exception": lambda: (
            "POST",
            "/exceptions",
            {"json": {"rule_id": "draw.team", "subjects": [t], "reason": "事出有因"}},
        ),
        "publish_plan": lambda: ("POST", "/plans", {"json": {"year": 2025, "quarter": 3}}),
        "ledger_head": lambda: ("GET", "/ledger/head", {}),
        "ledger_events": lambda: ("GET", "/ledger/events", {}),
        "verify_ledger": lambda: ("GET", "/ledger/verify", {}),
        "schedule": lambda: ("GET", "/schedule", {"params": {"policy": "benxi", "year": 2025}}),
        "plan_file": lambda: ("GET", "/plan", {"params": year}),
        "disclosure_file": lambda: ("GET", "/disclosure", {"params": year}),
        "audit": lambda: ("GET", "/audit", {"params": {**year, "as_of": "2025-07-10"}}),
    }


@pytest.fixture
def state(service: Service) -> dict[str, Any]:
    draw, dispatched = service.sealed_and_dispatched()
    on_site = [t for t in dispatched if t["team"]]
    task, other = on_site[0], next(t for t in on_site[1:] if on_site[0]["team"][0] not in t["team"])
    return {
        "draw": draw,
        "digest": service.ok("GET", "/registries", service.operator)["registries"][0],
        "task": task["task_id"],
        "member": task["team"][0],
        "other_task": other["task_id"],
        "other_member": other["team"][0],
    }


def test_every_operation_is_in_the_table_and_has_a_sample(service: Service) -> None:
    served = operations(service.client.app)  # type: ignore[arg-type]
    assert set(served) == set(TABLE)
    assert set(
        _samples(service, dict.fromkeys(["draw", "task", "other_task", "digest"], "x"))
    ) == set(TABLE)


def test_every_cell_of_the_role_table(service: Service, state: dict[str, Any]) -> None:
    callers = {
        Role.OPERATOR: service.operator,
        Role.INSPECTOR: service.inspector(state["member"]),
        Role.APPROVER: service.approver,
        Role.AUDITOR: service.auditor,
        Role.PUBLIC: {},
    }
    samples = _samples(service, state)
    cells = 0
    for operation, roles in TABLE.items():
        for role in ROLES:
            method, path, kwargs = samples[operation]()
            url = path if path == "/health" else f"/j/410724{path}"
            response = service.client.request(method, url, headers=callers[role], **kwargs)
            where = f"{operation} as {role.value}: {response.status_code} {response.text[:300]}"
            assert response.status_code != 500, where
            if Role.PUBLIC in roles or role in roles:
                assert response.status_code not in (401, 403), where
            elif role is Role.PUBLIC:
                assert response.status_code == 401, where
                assert response.headers["WWW-Authenticate"].startswith("Bearer")
            else:
                assert response.status_code == 403, where
                assert response.headers["content-type"] == "application/problem+json", where
            cells += 1
    assert cells == len(TABLE) * len(ROLES)


def test_an_inspector_sees_only_their_own_tasks(service: Service, state: dict[str, Any]) -> None:
    stranger = next(
        i.inspector_id
        for i in service.registry.inspectors
        if i.inspector_id != state["member"]
        and i.inspector_id
        not in service.ok("GET", f"/tasks/{state['task']}", service.auditor)["team"]
    )
    me = service.inspector(stranger)
    for method, path in (("GET", ""), ("POST", "/start"), ("POST", "/complete")):
        refused = service.call(method, f"/tasks/{state['task']}{path}", me)
        assert refused.status_code == 403, refused.text
        assert "not dispatched to" in refused.json()["detail"]
    assert all(stranger in t["team"] for t in service.ok("GET", "/tasks", me)["tasks"])


def test_a_token_covers_only_its_jurisdictions(service: Service) -> None:
    _, token = service.tokens.create("op-elsewhere", "operator", ["410726"])
    refused = service.call("GET", "/registries", {"Authorization": f"Bearer {token}"})
    assert refused.status_code == 403 and "does not cover" in refused.json()["detail"]
    _, everywhere = service.tokens.create("op-all", "operator", ["*"])
    assert service.call("GET", "/registries", {"Authorization": f"Bearer {everywhere}"}).is_success


def test_the_docs_carry_the_code_s_role_table(service: Service) -> None:
    text = DOCS.read_text(encoding="utf-8")
    found = re.search(r"<!-- role-table -->\n(.*?)<!-- /role-table -->", text, re.S)
    assert found, "docs/service.md lacks the role table markers"
    assert found.group(1) == markdown_table(operations(service.client.app)), (  # type: ignore[arg-type]
        "regenerate it: randcheck service roles"
    )
