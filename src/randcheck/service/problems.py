"""Errors as problem details (RFC 9457): ``application/problem+json``, never a traceback.

Every refusal names what was wrong (``title``, ``detail``), where (``field``: the
request field, as ``body.outcome`` or ``query.year``), and what to do (``hint``):
the same three parts a :class:`~randcheck.errors.RandcheckError` carries on the
command line. The library's errors map to statuses by what they mean: bad input
422, a record that may not be added (a result already recorded, a ledger that
does not verify) or a draw that does not verify 409.
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field
from starlette.exceptions import HTTPException as StarletteHTTPException

from randcheck.errors import (
    LedgerError,
    ProblemsFound,
    RandcheckError,
    VerificationError,
)

MEDIA_TYPE = "application/problem+json"
TYPE_BASE = "urn:randcheck:problem:"
"""Problem types (``urn:randcheck:problem:invalid`` …) are listed in docs/service.md, Errors."""

log = logging.getLogger("randcheck.service")


class FieldProblem(BaseModel):
    """One field of the request and what is wrong with it."""

    field: str
    message: str


class Problem(BaseModel):
    """A problem detail (RFC 9457), with the field named where one is at fault."""

    model_config = ConfigDict(extra="allow")

    type: str = Field(description="a URI naming the kind of problem")
    title: str = Field(description="the kind of problem, in a few words")
    status: int = Field(description="the HTTP status")
    detail: str = Field(description="what was wrong in this request")
    field: str | None = Field(None, description="the request field at fault, if one is")
    hint: str | None = Field(None, description="what to do about it")
    errors: list[FieldProblem] | None = Field(None, description="every field at fault")


TITLES = {
    400: ("bad-request", "Bad request"),
    401: ("unauthenticated", "Not signed in"),
    403: ("forbidden", "Not allowed"),
    404: ("not-found", "Not found"),
    405: ("method-not-allowed", "Method not allowed"),
    409: ("conflict", "Conflicts with the record"),
    413: ("too-large", "Request too large"),
    415: ("unsupported-media-type", "Unsupported media type"),
    422: ("invalid", "Invalid input"),
    500: ("internal", "Internal error"),
    503: ("unavailable", "Service unavailable"),
}
DOCUMENTED = (400, 401, 403, 404, 409, 413, 422, 503)
"""The statuses every endpoint may answer with a problem (listed in the OpenAPI document;
503, the ledger's store unavailable, by every endpoint but those in :data:`STORELESS`)."""
STORELESS = frozenset({"health"})
"""Operations that never use the store: no 503 is documented for them."""
RETRY_AFTER = 5
"""Seconds a 503 asks the client to wait before trying again (``Retry-After``)."""
RETRY_AFTER_HEADER = {
    "description": "seconds to wait before trying again",
    "schema": {"type": "integer", "minimum": 0},
}


class ApiProblem(Exception):
    """Raised by a route to answer with a problem."""

    def __init__(
        self,
        status: int,
        detail: str,
        *,
        field: str | None = None,
        hint: str | None = None,
        headers: dict[str, str] | None = None,
        **extra: Any,
    ) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.field = field
        self.hint = hint
        self.headers = headers
        self.extra = extra


def problem_response(
    status: int,
    detail: str,
    *,
    field: str | None = None,
    hint: str | None = None,
    headers: dict[str, str] | None = None,
    **extra: Any,
) -> JSONResponse:
    slug, title = TITLES.get(status, ("error", "Error"))
    body: dict[str, Any] = {
        "type": TYPE_BASE + slug,
        "title": title,
        "status": status,
        "detail": detail,
    }
    if field is not None:
        body["field"] = field
    if hint is not None:
        body["hint"] = hint
    body.update({k: v for k, v in extra.items() if v is not None})
    if status == 503 and not any(k.lower() == "retry-after" for k in headers or {}):
        headers = {**(headers or {}), "Retry-After": str(RETRY_AFTER)}
    return JSONResponse(body, status_code=status, media_type=MEDIA_TYPE, headers=headers)


def status_of(exc: RandcheckError) -> int:
    """The HTTP status of a library error: 409 for the record, 422 for the input (or the
    status the error class names: 404 for something the service does not hold)."""
    status = getattr(exc, "status", None)
    if isinstance(status, int):
        return status
    if isinstance(exc, LedgerError | VerificationError):
        return 409
    return 422


def _field(loc: tuple[Any, ...] | list[Any]) -> str:
    return ".".join(str(part) for part in loc) or "body"


def _validation(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    errors = [
        {"field": _field(e.get("loc", ())), "message": str(e.get("msg", "invalid"))}
        for e in exc.errors()
    ]
    malformed = any(e.get("type") == "json_invalid" for e in exc.errors())
    first = errors[0] if errors else {"field": "body", "message": "invalid"}
    return problem_response(
        400 if malformed else 422,
        f"{first['field']}: {first['message']}",
        field=first["field"],
        hint="see the OpenAPI document (/openapi.json) for this endpoint's fields",
        errors=errors,
    )


def _http(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    detail = exc.detail if isinstance(exc.detail, str) else TITLES.get(exc.status_code, ("", ""))[1]
    return problem_response(exc.status_code, detail, headers=dict(exc.headers or {}) or None)


def _api(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, ApiProblem)
    return problem_response(
        exc.status, exc.detail, field=exc.field, hint=exc.hint, headers=exc.headers, **exc.extra
    )


def _library(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RandcheckError)
    problems = None
    if isinstance(exc, ProblemsFound):
        problems = [
            {"file": p.file, "row": p.row, "column": p.column, "reason": p.reason}
            for p in exc.problems[:1000]
        ]
    return problem_response(
        status_of(exc),
        exc.what,
        field=getattr(exc, "field", None),
        hint=exc.hint,
        where=exc.where,
        problems=problems,
    )


def _internal(request: Request, exc: Exception) -> JSONResponse:
    # A bug: logged with its traceback on the server, never shown to the client.
    log.exception("internal error on %s %s", request.method, request.url.path)
    return problem_response(
        500,
        "an internal error: the request was not completed",
        hint="this is a bug in randcheck; the server's log has the details",
    )


def install(app: FastAPI) -> None:
    """Answer every error with a problem detail."""
    app.add_exception_handler(RequestValidationError, _validation)
    app.add_exception_handler(StarletteHTTPException, _http)
    app.add_exception_handler(ApiProblem, _api)
    app.add_exception_handler(RandcheckError, _library)
    app.add_exception_handler(Exception, _internal)


def documented_responses() -> dict[int | str, dict[str, Any]]:
    """The problem responses every endpoint documents (FastAPI's form; see
    :func:`shared_responses` for how the document refers to them)."""
    return {status: {"description": TITLES[status][1], "model": Problem} for status in DOCUMENTED}


def shared_responses(document: dict[str, Any]) -> dict[str, Any]:
    """``document`` with every endpoint's problem responses as references to one shared
    response per status (``components.responses``), of type ``application/problem+json``."""
    schema = {"$ref": "#/components/schemas/Problem"}
    document.setdefault("components", {})["responses"] = {
        f"Problem{status}": {
            "description": TITLES[status][1],
            **({"headers": {"Retry-After": RETRY_AFTER_HEADER}} if status == 503 else {}),
            "content": {MEDIA_TYPE: {"schema": schema}},
        }
        for status in DOCUMENTED
    }
    for methods in document.get("paths", {}).values():
        for operation in methods.values():
            if operation.get("operationId") in STORELESS:
                operation.get("responses", {}).pop("503", None)
            for status in DOCUMENTED:
                if str(status) in operation.get("responses", {}):
                    operation["responses"][str(status)] = {
                        "$ref": f"#/components/responses/Problem{status}"
                    }
    return document
