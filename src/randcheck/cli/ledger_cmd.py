"""``randcheck ledger …``: check a ledger's hash chain."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from randcheck.cli._output import console

app = typer.Typer(help="The hash-chained ledger 台账: verify.", no_args_is_help=True)


@app.command()
def verify(
    file: Annotated[Path, typer.Argument(help="A ledger: .sqlite or .jsonl.")],
    head: Annotated[
        str | None,
        typer.Option(help="A published head hash: also catches events cut from the end."),
    ] = None,
) -> None:
    """Walk the chain; exit 0 when whole, 1 naming the first broken link."""
    from randcheck.errors import LedgerError
    from randcheck.ledger.stores import open_ledger

    if not file.is_file():
        raise LedgerError(f"ledger {file} does not exist", where=str(file), hint="check the path")
    with open_ledger(file) as ledger:
        report = ledger.verify(expected_head=head)
    if report.ok:
        console.print(f"OK: {report.events} events, chain whole 台账完整; head {report.head}")
        return
    console.print(
        f"BROKEN 台账链断裂 at event #{report.first_break}: {report.reason}\n"
        f"{report.events} events verify before it; last good hash {report.head}",
        markup=False,
    )
    raise typer.Exit(1)
