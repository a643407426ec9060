"""Bad input gets a problem detail (RFC 9457) naming the field, never a traceback or a
500; bodies, fields and lists are bounded; settings are checked at start."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from randcheck.errors import InputError
from randcheck.service import create_app, load_settings
from randcheck.service.routes import ledger as ledger_routes

from .conftest import J, Service, make_settings

PROBLEM = "application/problem+json"


def _problem(response: Any, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == PROBLEM
    body: dict[str, Any] = response.json()
    assert {"type", "title", "status", "detail"} <= set(body)
    assert body["status"] == status and body["type"].startswith("urn:randcheck:problem:")
    assert "Traceback" not in response.text and 'File "' not in response.text
    return body


def test_fields_are_named(service: Service) -> None:
    digest = service.upload()["digest"]
    bad = service.call(
        "POST",
        "/draws",
        service.operator,
        json={"policy": "benxi", "year": 2025, "quarter": 9, "registry": digest},
    )
    body = _problem(bad, 422)
    assert body["field"] == "body.quarter"
    assert {e["field"] for e in body["errors"]} == {"body.quarter", "body.randomness"}
    long = service.call(
        "POST",
        "/exceptions",
        service.approver,
        json={"rule_id": "r", "subjects": ["t"], "reason": "x" * 2001},
    )
    assert _problem(long, 422)["field"] == "body.reason"
    many = service.call(
        "POST",
        "/disclosures",
        service.operator,
        json={"task_ids": [f"t{i}" for i in range(10_001)]},
    )
    assert _problem(many, 422)["field"] == "body.task_ids"
    extra = service.call("POST", "/plans", service.operator, json={"year": 2025, "sneaky": 1})
    assert _problem(extra, 422)["field"] == "body.sneaky"
    query = service.call("GET", "/ledger/events", service.auditor, params={"limit": 0})
    assert _problem(query, 422)["field"] == "query.limit"


def test_malformed_json_is_a_bad_request(service: Service) -> None:
    sent = service.call(
        "POST", "/plans", {**service.operator, "Content-Type": "application/json"}, content=b"{"
    )
    assert _problem(sent, 400)["detail"]


def test_library_errors_keep_their_what_where_and_hint(service: Service) -> None:
    digest = service.upload()["digest"]
    body = {
        "policy": "nowhere",
        "year": 2025,
        "quarter": 3,
        "registry": digest,
        "randomness": {
            "kind": "dice",
            "source": "the bureau",
            "expected_at": "2025-07-01T10:00:00+08:00",
        },
    }
    assert (
        "unknown policy"
        in _problem(service.call("POST", "/draws", service.operator, json=body), 422)["detail"]
    )
    late = {
        **body,
        "policy": "benxi",
        "randomness": {**body["randomness"], "expected_at": "2025-01-01T10:00:00+08:00"},
    }
    refused = _problem(service.call("POST", "/draws", service.operator, json=late), 422)
    assert "not after this announcement" in refused["detail"] and refused["hint"]
    missing = service.call("GET", f"/registries/{'0' * 64}", service.operator)
    assert "no registry" in _problem(missing, 404)["detail"]
    no_draw = service.call("GET", "/draws/nothing-here/announcement")
    assert _problem(no_draw, 404)["detail"] == "no draw nothing-here in this jurisdiction"
    unseal = service.call(
        "POST", "/draws/nothing-here/seal", service.operator, json={"public_randomness": "1" * 20}
    )
    _problem(unseal, 404)


def test_a_registry_with_problems_names_rows_not_server_paths(service: Service) -> None:
    csv = "统一社会信用代码,企业名称\n123,示例\n".encode()
    sent = service.call(
        "POST", "/registries", service.operator, files={"entities": ("mine.csv", csv, "text/csv")}
    )
    body = _problem(sent, 422)
    assert "/tmp" not in sent.text and "randcheck-upload" not in sent.text
    assert body["problems"] or "entities" in body["detail"]
    checked = service.ok(
        "POST",
        "/registries/validate",
        service.auditor,
        files={"entities": ("mine.csv", csv, "text/csv")},
    )
    assert checked["ok"] is False and checked["problem_count"] >= 1
    assert all(p["file"].startswith("entities") for p in checked["problems"])
    unnamed = service.call(
        "POST", "/registries", service.operator, files={"entities": ("registry", csv, "text/csv")}
    )
    assert _problem(unnamed, 422)["detail"].startswith("entities: cannot tell the format")


def test_unknown_jurisdictions_and_paths(service: Service, tmp_path: Path) -> None:
    _problem(service.client.get("/j/../ledger/head"), 404)
    _problem(service.client.get("/j/a%2Fb/ledger/head"), 404)
    _problem(service.client.get("/nowhere"), 404)
    _problem(service.client.delete(f"/j/{J}/ledger/head"), 405)
    settings = make_settings(tmp_path / "only", jurisdictions=["410726"])
    with TestClient(create_app(settings)) as client:
        _problem(client.get(f"/j/{J}/ledger/head"), 404)
        assert client.get("/j/410726/ledger/head").json()["events"] == 0


@pytest.fixture
def small(tmp_path: Path) -> Iterator[tuple[TestClient, dict[str, str]]]:
    settings = make_settings(tmp_path, limits={"max_body_bytes": 2048, "max_upload_bytes": 4096})
    app = create_app(settings)
    _, token = app.state.authenticator.tokens.create("op", "operator", [J])
    with TestClient(app, raise_server_exceptions=False) as client:
        yield client, {"Authorization": f"Bearer {token}"}


def test_bodies_over_the_limit_are_refused(small: tuple[TestClient, dict[str, str]]) -> None:
    client, bearer = small
    big = {"task_ids": ["t" * 90] * 40}
    assert (
        "limit of 2048"
        in _problem(client.post(f"/j/{J}/disclosures", headers=bearer, json=big), 413)["detail"]
    )

    def chunks() -> Iterator[bytes]:  # no Content-Length: counted as it comes
        yield b'{"task_ids": ['
        for _ in range(100):
            yield b'"' + b"t" * 90 + b'",'
        yield b'"t"]}'

    streamed = client.post(
        f"/j/{J}/disclosures",
        headers={**bearer, "Content-Type": "application/json"},
        content=chunks(),
    )
    _problem(streamed, 413)
    upload = client.post(
        f"/j/{J}/registries",
        headers=bearer,
        files={"entities": ("r.json", b"x" * 5000, "application/json")},
    )
    _problem(upload, 413)


def test_an_internal_error_is_a_problem_without_a_traceback(
    service: Service, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*_: object) -> None:
        raise RuntimeError("secret internals /srv/randcheck/x.py")

    monkeypatch.setattr(ledger_routes, "tasks_from", broken)
    failed = service.call("GET", "/ledger/events", service.auditor)
    body = _problem(failed, 500)
    assert "secret internals" not in failed.text and "RuntimeError" not in failed.text
    assert body["hint"]


def test_settings_are_checked_at_start(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="jurisdictions"):
        load_settings(environ={}, store=str(tmp_path), jurisdictions=["../x"])
    with pytest.raises(InputError, match="store"):
        load_settings(environ={})
    with pytest.raises(InputError, match="only public-key"):
        load_settings(
            environ={},
            store=str(tmp_path),
            jwt={"issuer": "i", "audience": "a", "keys": ["k.pem"], "algorithms": ["HS256"]},
        )
    (tmp_path / "not-a-key.pem").write_text("hello")
    settings = load_settings(
        environ={},
        store=str(tmp_path),
        jwt={"issuer": "i", "audience": "a", "keys": [str(tmp_path / "not-a-key.pem")]},
    )
    with pytest.raises(InputError, match="not a PEM public key"):
        create_app(settings)


def test_settings_from_a_file_and_the_environment(tmp_path: Path) -> None:
    toml = tmp_path / "service.toml"
    toml.write_text(
        'store = "ledgers"\ndata_dir = "files"\njurisdictions = ["410724"]\n'
        "[limits]\nmax_body_bytes = 4096\n",
        encoding="utf-8",
    )
    settings = load_settings(toml, environ={"RANDCHECK_SERVICE_LIMITS__MAX_EVENTS_PAGE": "50"})
    assert settings.files == tmp_path / "files" and settings.store == str(tmp_path / "ledgers")
    assert settings.limits.max_body_bytes == 4096 and settings.limits.max_events_page == 50
    assert settings.jurisdictions == ["410724"]
    yaml = tmp_path / "service.yaml"
    yaml.write_text("store: postgresql://randcheck:pw@db/randcheck\n", encoding="utf-8")
    from_yaml = load_settings(yaml, environ={"RANDCHECK_SERVICE_DATA_DIR": str(tmp_path / "d")})
    assert from_yaml.files == tmp_path / "d"
    assert from_yaml.token_store == str(tmp_path / "d" / "tokens.json")
    with pytest.raises(InputError, match=r"data_dir"):
        _ = load_settings(yaml, environ={}).files
    (tmp_path / "bad.toml").write_text("store = [", encoding="utf-8")
    with pytest.raises(InputError, match="not valid TOML"):
        load_settings(tmp_path / "bad.toml", environ={})


def test_an_unavailable_store_is_a_503_saying_when_to_retry(
    service: Service, monkeypatch: pytest.MonkeyPatch
) -> None:
    from randcheck.ledger.stores.postgres import StoreUnavailable
    from randcheck.service.app import openapi_document
    from randcheck.service.problems import RETRY_AFTER

    def down(*_: object, **__: object) -> None:
        raise StoreUnavailable(
            "cannot connect to PostgreSQL: connection refused", where="postgresql://db/x"
        )

    ledgers = service.client.app.state.context.ledgers  # type: ignore[attr-defined]
    monkeypatch.setattr(ledgers, "open", down)
    failed = service.call("GET", "/ledger/events", service.auditor)
    body = _problem(failed, 503)
    assert body["type"] == "urn:randcheck:problem:unavailable"
    assert body["title"] == "Service unavailable" and "connection refused" in body["detail"]
    assert failed.headers["retry-after"] == str(RETRY_AFTER)
    assert service.client.get("/health").status_code == 200  # the store is not needed there
    # the document lists the 503, with its header, wherever the store may be unavailable
    document = openapi_document()
    shared = document["components"]["responses"]["Problem503"]
    assert "Retry-After" in shared["headers"]
    assert set(shared["content"]) == {PROBLEM}
    for path, methods in document["paths"].items():
        for operation in methods.values():
            listed = "503" in operation["responses"]
            assert listed == (path != "/health"), (path, operation["operationId"])
