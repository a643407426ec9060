"""The ASGI application: :func:`create_app` for embedding, :func:`app_from_env` for
``randcheck serve`` (uvicorn's workers build it from the environment)."""

from __future__ import annotations

import contextlib
import gc
from collections.abc import AsyncIterator
from typing import Any

from fastapi import FastAPI

import randcheck
from randcheck.errors import RandcheckError
from randcheck.service.auth import Authenticator, JwtVerifier, Who
from randcheck.service.context import Clock, Context
from randcheck.service.limits import BodyLimit
from randcheck.service.problems import documented_responses, install, shared_responses
from randcheck.service.routing import in_thread
from randcheck.service.settings import Settings, load_settings
from randcheck.service.store import Ledgers
from randcheck.service.tokens import open_tokens

DESCRIPTION = """\
randcheck for provincial 双随机、一公开 platforms: registries, announced and sealed draws,
dispatch, inspections, results, corrections, disclosures, the hash-chained ledger and the
verdict, per jurisdiction (`/j/{jurisdiction}/…`).

Sign in with `Authorization: Bearer <token>`: an API token (`randcheck service token
create`) or a JWT from the platform's single sign-on. Who may call what is the role
table in docs/service.md. Errors are problem details (RFC 9457,
`application/problem+json`) naming the field at fault.
"""


def _now() -> Any:
    # looked up at each call, so a test standing the library's clock still moves it
    from randcheck.draw import announcement

    return announcement.now()


def create_app(settings: Settings, *, clock: Clock | None = None) -> FastAPI:
    """The service for ``settings``. ``clock``: the time events are recorded at
    (default: now; tests stand it where they need)."""
    from randcheck.service.routes import ROUTERS

    ledgers = Ledgers(settings)

    @contextlib.asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        # the store opened (a database's first connection made) before the first request;
        # one that cannot be opened now is tried again by each request (a 503 meanwhile)
        with contextlib.suppress(RandcheckError):
            await in_thread(ledgers.store)
        yield
        ledgers.close()  # a database store's connections

    app = FastAPI(
        lifespan=lifespan,
        title="randcheck",
        version=randcheck.__version__,
        description=DESCRIPTION,
        responses=documented_responses(),
    )
    app.state.settings = settings
    app.state.context = Context(settings, ledgers, clock or _now)
    jwt = JwtVerifier(settings.jwt) if settings.jwt is not None else None
    app.state.authenticator = Authenticator(open_tokens(settings.token_store), jwt)
    install(app)
    app.add_middleware(BodyLimit, limits=settings.limits)

    @app.get("/health", operation_id="health", tags=["service"])
    async def health(who: Who) -> dict[str, str]:
        """The service answers (no token needed)."""
        return {"status": "ok", "version": randcheck.__version__}

    for router in ROUTERS:
        app.include_router(router)

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            from fastapi.openapi.utils import get_openapi

            app.openapi_schema = public_security(
                shared_responses(
                    get_openapi(
                        title=app.title,
                        version=app.version,
                        description=app.description,
                        routes=app.routes,
                    )
                )
            )
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
    return app


def public_security(document: dict[str, Any]) -> dict[str, Any]:
    """``document`` with the public operations' token made optional (``security: [{}, …]``):
    they answer without one, and the document says so."""
    from randcheck.service.roles import PUBLIC_OPERATIONS

    for methods in document.get("paths", {}).values():
        for operation in methods.values():
            if operation.get("operationId") in PUBLIC_OPERATIONS and operation.get("security"):
                operation["security"] = [{}, *operation["security"]]
    return document


def app_from_env() -> FastAPI:
    """The app from the settings in the environment (``RANDCHECK_SERVICE_CONFIG`` and
    ``RANDCHECK_SERVICE_*``): what each uvicorn worker process builds.

    Once built, the worker's objects so far (modules, classes, the app: about 75,000)
    are set aside from Python's garbage collector (``gc.freeze``). They live as long as
    the worker, and each full collection would otherwise walk them all again, stopping
    every request in the worker for 40-70 ms on the project's machine: a few times a
    minute under load, the slowest 1 % of answers (docs/service.md, "Throughput")."""
    app = create_app(load_settings())
    gc.collect()  # what is garbage already goes first: frozen objects are never freed
    gc.freeze()
    return app


def operations(app: FastAPI) -> dict[str, tuple[str, str]]:
    """operation id -> (method, path) of every operation the app serves, as its OpenAPI
    document lists them."""
    found: dict[str, tuple[str, str]] = {}
    for path, methods in app.openapi()["paths"].items():
        for method, operation in methods.items():
            found[operation["operationId"]] = (method.upper(), path)
    return found


def openapi_document() -> dict[str, Any]:
    """The OpenAPI document of the service (it depends on no setting): what
    docs/openapi.json holds, written by ``randcheck service openapi``."""
    import tempfile

    with tempfile.TemporaryDirectory(prefix="randcheck-openapi-") as scratch:
        app = create_app(Settings(store=scratch))
        document: dict[str, Any] = app.openapi()
    return document


def openapi_text(document: dict[str, Any]) -> str:
    """The document as committed: indented, keys in the app's order, non-ASCII as itself."""
    import json

    return json.dumps(document, ensure_ascii=False, indent=2) + "\n"
