"""The OpenAPI document is part of the API: the committed docs/openapi.json is what the
running app serves, and every endpoint, fuzzed (schemathesis, a few examples each),
answers without a server error and as its document says."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode

from randcheck.service import create_app
from randcheck.service.app import openapi_document, openapi_text
from randcheck.service.roles import TABLE, Role

from .conftest import Clock, make_settings

COMMITTED = Path(__file__).parents[2] / "docs" / "openapi.json"


def test_the_committed_document_is_the_running_app_s(tmp_path: Path) -> None:
    with TestClient(create_app(make_settings(tmp_path))) as client:
        served = client.get("/openapi.json").json()
    assert openapi_text(served) == openapi_text(openapi_document())
    assert COMMITTED.read_text(encoding="utf-8") == openapi_text(served), (
        "docs/openapi.json is stale: run `randcheck service openapi -o docs/openapi.json`"
    )


def test_every_operation_documents_its_problems() -> None:
    document = openapi_document()
    for methods in document["paths"].values():
        for operation in methods.values():
            for status in ("401", "403", "404", "422"):
                assert operation["responses"][status]["$ref"].endswith(f"Problem{status}")
    responses = document["components"]["responses"]
    assert set(responses["Problem422"]["content"]) == {"application/problem+json"}


def test_no_server_error_and_every_answer_as_documented(tmp_path: Path) -> None:
    """Every operation, a few generated requests each (valid and invalid ones), called as a
    role allowed to call it
    (so the fuzzing reaches past the door) with a token covering every jurisdiction: no
    server error, and every status, content type and body as the document says."""
    app = create_app(make_settings(tmp_path), clock=Clock())
    tokens = app.state.authenticator.tokens
    bearer = {
        role: tokens.create(f"fuzz-{role.value}", role.value, ["*"])[1]
        for role in (Role.OPERATOR, Role.APPROVER, Role.AUDITOR, Role.INSPECTOR)
    }
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) == len(TABLE)
    for operation in operations:
        roles = TABLE[operation.definition.raw["operationId"]]
        allowed = [r for r in bearer if r in roles]
        auth = {"Authorization": f"Bearer {bearer[allowed[0]]}"} if allowed else {}
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            try:
                _fuzzer(operation, mode, auth)()
            except Unsatisfiable:  # nothing invalid to send (no parameter, no body)
                assert mode is GenerationMode.NEGATIVE


def _fuzzer(operation: Any, mode: GenerationMode, auth: dict[str, str]) -> Any:
    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(
        max_examples=4,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    def fuzz(case: Any) -> None:
        case.call_and_validate(
            headers={**(case.headers or {}), **auth},
            # Valid requests may still be refused (a draw not sealed: 409), and unknown
            # query parameters are ignored, as HTTP services do.
            excluded_checks=[
                schemathesis.checks.positive_data_acceptance,
                schemathesis.checks.negative_data_rejection,
            ],
        )

    return fuzz
