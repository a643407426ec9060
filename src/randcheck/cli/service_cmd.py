"""``randcheck serve`` and ``randcheck service …``: the HTTP service, its API tokens, its
OpenAPI document and its role table (docs/service.md)."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Literal

import typer

from randcheck.cli._output import console, new_table, print_json
from randcheck.errors import InputError

if TYPE_CHECKING:
    from randcheck.service.tokens import TokenStore

app = typer.Typer(
    help="The HTTP service: API tokens, the OpenAPI document, the role table.",
    no_args_is_help=True,
)
token_app = typer.Typer(
    help="API tokens: a role and the jurisdictions covered; stored hashed, shown once.",
    no_args_is_help=True,
)
app.add_typer(token_app, name="token")

ConfigOpt = Annotated[
    Path | None, typer.Option("--config", help="The service's config file (.toml, .yaml).")
]
StoreOpt = Annotated[
    str | None,
    typer.Option(
        help="The ledgers: a folder (one SQLite ledger per jurisdiction), sqlite:///FOLDER, "
        "jsonl:///FOLDER or postgresql://…"
    ),
]
TokensOpt = Annotated[
    str | None,
    typer.Option(
        "--tokens", help="The token store (a .json file or sqlite:///FILE); default: the config's."
    ),
]


def _need_service() -> None:
    """The service's packages are an extra: say how to install them, not a traceback."""
    from importlib.util import find_spec

    missing = [m for m in ("fastapi", "uvicorn", "jwt", "python_multipart") if not find_spec(m)]
    if missing:
        raise InputError(
            f"the service needs packages that are not installed ({', '.join(missing)})",
            hint="install them: pip install 'randcheck[service]'",
        )


def serve(
    store: StoreOpt = None,
    host: Annotated[str, typer.Option(help="The address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=1, max=65535, help="The port.")] = 8000,
    config: ConfigOpt = None,
    workers: Annotated[int, typer.Option(min=1, max=64, help="Worker processes.")] = 1,
    access_log: Annotated[
        bool,
        typer.Option(
            "--access-log/--no-access-log",
            help="Log every request on standard output (uvicorn's access log). Off by "
            "default: it costs throughput, and the ledger records every write.",
        ),
    ] = False,
) -> None:
    """Run the service (uvicorn): the API of docs/service.md, at http://HOST:PORT.

    The settings come from --config, then RANDCHECK_SERVICE_* variables, then --store;
    they are checked before the server starts, the store opened once (a bad URL, a
    server that cannot be reached, a missing database: an error naming the setting).
    """
    _need_service()
    import uvicorn

    from randcheck.service.app import create_app
    from randcheck.service.settings import CONFIG_ENV, ENV_PREFIX, load_settings

    settings = load_settings(config, store=store)
    app_ = create_app(settings)  # every setting checked (keys, store, folders) before serving
    app_.state.context.ledgers.check()  # the store opened (connected to) once, then closed
    # uvicorn's workers are new processes: they read the same settings from the environment
    if config is not None:
        os.environ[CONFIG_ENV] = str(config.resolve())
    if store is not None:
        os.environ[ENV_PREFIX + "STORE"] = store
    console.print(f"randcheck service on http://{host}:{port} (docs: /docs)", markup=False)
    uvicorn.run(
        "randcheck.service.app:app_from_env",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        proxy_headers=True,
        access_log=access_log,
        # h11, never httptools: with httptools, uvicorn answers 400 (or drops the body)
        # for a request offering an upgrade to HTTP/2 (`Upgrade: h2c`), which Java's
        # HttpClient sends by default (uvicorn issue 2722). uvloop is used when there.
        http="h11",
        # several workers share one socket: spread the connections evenly over them
        # (randcheck.service.workers), instead of the first to wake taking them all
        loop="randcheck.service.workers:balanced_loop" if workers > 1 else "auto",
    )


def _tokens(config: Path | None, tokens: str | None) -> TokenStore:
    _need_service()
    from randcheck.service.settings import load_settings
    from randcheck.service.tokens import open_tokens

    if tokens is not None:
        return open_tokens(tokens)
    if config is None and not os.environ.get("RANDCHECK_SERVICE_CONFIG"):
        raise InputError(
            "say where the tokens are kept", hint="give --config FILE or --tokens FILE"
        )
    return open_tokens(load_settings(config).token_store)


@token_app.command("create")
def token_create(
    name: Annotated[
        str, typer.Option(help="Who it is for; an inspector's 人员编号 (I410724-0001).")
    ],
    role: Annotated[
        Literal["operator", "inspector", "approver", "auditor"], typer.Option(help="The role.")
    ],
    jurisdiction: Annotated[
        list[str],
        typer.Option(help="A jurisdiction it covers (repeat the option); * for every one."),
    ],
    expires: Annotated[
        str | None, typer.Option(help="When it stops working, ISO 8601 with offset.")
    ] = None,
    config: ConfigOpt = None,
    tokens: TokensOpt = None,
) -> None:
    """Make an API token and print it, once: only its hash is kept."""
    until = None
    if expires is not None:
        try:
            until = dt.datetime.fromisoformat(expires)
        except ValueError:
            raise InputError(f"--expires {expires!r} is not an ISO 8601 time") from None
        if until.tzinfo is None:
            raise InputError("--expires needs a time zone offset (2026-01-01T00:00:00+08:00)")
    record, token = _tokens(config, tokens).create(name, role, jurisdiction, until)
    console.print(
        f"token {record.id} for {record.name} ({record.role}; "
        f"{', '.join(record.jurisdictions)}). Shown once, keep it secret:",
        markup=False,
    )
    print(token)


@token_app.command("revoke")
def token_revoke(
    token_id: Annotated[str, typer.Argument(help="The token's id (12 hex digits, see list).")],
    config: ConfigOpt = None,
    tokens: TokensOpt = None,
) -> None:
    """Revoke a token: it stops working at once, in every worker."""
    record = _tokens(config, tokens).revoke(token_id)
    console.print(f"revoked {record.id} ({record.name}, {record.role}) at {record.revoked_at}")


@token_app.command("list")
def token_list(
    config: ConfigOpt = None,
    tokens: TokensOpt = None,
    output_format: Annotated[
        Literal["table", "json"], typer.Option("--format", help="table or json")
    ] = "table",
) -> None:
    """Every token: id, name, role, jurisdictions, when made, expiry, revocation (never the
    token, never its hash)."""
    records = _tokens(config, tokens).records()
    if output_format == "json":
        print_json([r.public() for r in records])
        return
    table = new_table(
        "API tokens", "id", "name", "role", "jurisdictions", "created", "expires", "revoked"
    )
    for r in records:
        table.add_row(
            r.id,
            r.name,
            r.role,
            ", ".join(r.jurisdictions),
            r.created_at,
            r.expires_at or "",
            r.revoked_at or "",
        )
    console.print(table)


@app.command("openapi")
def openapi(
    out: Annotated[
        Path | None, typer.Option("-o", "--out", help="Write it here (default: print it).")
    ] = None,
) -> None:
    """The service's OpenAPI document (docs/openapi.json is this, committed)."""
    _need_service()
    from randcheck.service.app import openapi_document, openapi_text

    text = openapi_text(openapi_document())
    if out is None:
        print(text, end="")
        return
    from randcheck.cli._output import check_outputs, write_errors
    from randcheck.io.atomic import write_text

    check_outputs([out])
    with write_errors(out):
        write_text(out, text)
    console.print(f"wrote {out}", markup=False)


@app.command("roles")
def roles() -> None:
    """The role table (docs/service.md carries it): who may call which endpoint."""
    _need_service()
    import tempfile

    from randcheck.service.app import create_app, operations
    from randcheck.service.roles import markdown_table
    from randcheck.service.settings import Settings

    with tempfile.TemporaryDirectory(prefix="randcheck-roles-") as scratch:
        routes = operations(create_app(Settings(store=scratch)))
    print(markdown_table(routes), end="")
