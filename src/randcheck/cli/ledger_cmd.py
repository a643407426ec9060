"""``randcheck ledger …``: check a ledger's hash chain, read-only."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from randcheck.cli._output import console

app = typer.Typer(help="The hash-chained ledger 台账: verify.", no_args_is_help=True)


def _events(count: int) -> str:
    return "1 event" if count == 1 else f"{count} events"


@app.command()
def verify(
    file: Annotated[Path, typer.Argument(help="A ledger: .sqlite or .jsonl.")],
    head: Annotated[
        str | None,
        typer.Option(
            help="The head published with a disclosure, report or announcement: a hash, "
            "HASH:N, or the published file itself. Also catches events cut from the end."
        ),
    ] = None,
) -> None:
    """Walk the chain and check every event, writing nothing.

    Exit 0 when whole (or empty), 1 naming the first broken link or invalid event,
    or when the published head is not in the ledger; 2 when the file is not a ledger.
    """
    from randcheck.ledger.head import head_from
    from randcheck.ledger.stores import open_ledger

    published = head_from(head) if head is not None else None
    with open_ledger(file, readonly=True) as ledger:
        report = ledger.verify(expected_head=published)
    if report.ok:
        lines = [
            "EMPTY 台账为空: 0 events; nothing has been recorded yet"
            if report.empty
            else f"OK: {_events(report.events)}, chain whole 台账完整; head {report.head}"
        ]
        if report.published is not None:
            lines.append(f"published head 已公布台账头 holds: {report.note}")
        if not report.empty:
            lines.append(f"ledger head 台账头: {report.head} events 事件数: {report.events}")
        console.print("\n".join(lines), markup=False)
        return
    label = "INVALID 事件无效" if report.invalid else "BROKEN 台账链断裂"
    if report.head_mismatch:
        after = f"the chain itself is whole: {_events(report.events)}, head {report.head}"
    else:
        verified = "verifies" if report.events == 1 else "verify"
        after = f"{_events(report.events)} {verified} before it; last good hash {report.head}"
    console.print(f"{label} at event #{report.first_break}: {report.reason}\n{after}", markup=False)
    raise typer.Exit(1)
