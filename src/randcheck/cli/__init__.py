"""The ``randcheck`` command line.

Each command group lives in its own module here and is mounted on :data:`app`.
Errors are handled once, in :class:`_Group`: any :class:`RandcheckError` becomes
a message on standard error and exit status 2, never a traceback.
"""

from __future__ import annotations

import os
import sys
from typing import Any

import typer
from typer.core import TyperGroup

from randcheck.errors import RandcheckError

EXIT_ERROR = 2
"""Exit status for bad input or an operation that could not be done."""


class _Group(TyperGroup):
    def invoke(self, ctx: Any) -> Any:
        try:
            return super().invoke(ctx)
        except RandcheckError as exc:
            typer.echo(f"error: {exc.message}", err=True)
            raise typer.Exit(EXIT_ERROR) from None
        except BrokenPipeError:
            # the reader went away (``randcheck … | head``): not an error of ours; stop
            # quietly, and keep Python from complaining when it flushes stdout at exit
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
            raise typer.Exit(1) from None
        except Exception as exc:
            # Typer's own exits and usage errors (its vendored click) pass through.
            if isinstance(exc, typer.Exit | typer.Abort) or _is_cli_framework(exc):
                raise
            if os.environ.get("RANDCHECK_DEBUG"):
                raise
            # A bug: say so briefly, keep the traceback behind a flag.
            typer.echo(
                f"internal error: {type(exc).__name__}: {exc}\n"
                "This is a bug in randcheck. Run again with RANDCHECK_DEBUG=1 to see the "
                "traceback, and report it.",
                err=True,
            )
            raise typer.Exit(3) from None


def _is_cli_framework(exc: BaseException) -> bool:
    return type(exc).__module__.split(".")[0] in ("click", "typer")


app = typer.Typer(
    cls=_Group,
    name="randcheck",
    help="Verifiable 双随机、一公开 random inspections for environmental enforcement.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)


def _mount() -> None:
    from randcheck.cli import (
        audit_cmd,
        calendar_cmd,
        classify_cmd,
        demo_cmd,
        draw_cmd,
        ledger_cmd,
        ledger_copy_cmd,
        policies_cmd,
        publish_cmd,
        record_cmd,
        registry_cmd,
        service_cmd,
        simulate_cmd,
        site_cmd,
    )

    registry_cmd.app.command("classify")(classify_cmd.classify)
    app.add_typer(registry_cmd.app, name="registry")
    app.add_typer(policies_cmd.app, name="policies")
    ledger_cmd.app.command("copy")(ledger_copy_cmd.copy)
    app.add_typer(ledger_cmd.app, name="ledger")
    app.add_typer(calendar_cmd.app, name="calendar")
    app.command("commit")(draw_cmd.commit)
    app.command("draw")(draw_cmd.draw)
    app.command("reveal")(draw_cmd.reveal)
    app.command("replace")(draw_cmd.replace)
    app.command("verify")(draw_cmd.verify)
    app.command("audit")(audit_cmd.audit)
    app.command("record", context_settings=record_cmd.CONTEXT)(record_cmd.record)
    app.command("schedule")(publish_cmd.schedule)
    app.command("plan")(publish_cmd.plan)
    app.command("disclose")(publish_cmd.disclose)
    app.command("report")(publish_cmd.report)
    app.command("simulate")(simulate_cmd.simulate)
    app.command("demo")(demo_cmd.demo)
    app.add_typer(site_cmd.app, name="site")
    app.add_typer(service_cmd.app, name="service")
    app.command("serve")(service_cmd.serve)


_mount()


def main() -> None:
    """Console-script entry point."""
    # Chinese labels must print on terminals and pipes whatever the locale says.
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            reconfigure(encoding="utf-8", errors="replace")
    app()
