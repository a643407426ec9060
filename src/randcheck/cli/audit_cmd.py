"""``randcheck audit``: every rule of a policy judged against a ledger."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated, Literal

import typer

from randcheck.cli._output import console

REPORT_FORMATS = {".json": "json", ".md": "md", ".markdown": "md", ".html": "html", ".htm": "html"}
"""What ``audit -o`` writes, by the file's extension."""


def audit(
    policy: Annotated[str, typer.Option(help="Policy id or policy/variant file.")],
    ledger: Annotated[Path, typer.Option(help="The ledger (.sqlite or .jsonl).")],
    year: Annotated[int, typer.Option(help="The year to judge (1950–2200).")],
    quarter: Annotated[int | None, typer.Option(help="Only this quarter (1–4).")] = None,
    as_of: Annotated[
        str | None, typer.Option(help="Judge as of this date (YYYY-MM-DD); default today.")
    ] = None,
    registry: Annotated[
        Path | None, typer.Option(help="Registry, for coverage and positive-list rules.")
    ] = None,
    output_format: Annotated[
        Literal["table", "json", "md", "html"],
        typer.Option(
            "--format",
            help="table, json, md or html; with -o the file's extension decides "
            "(.json, .md, .html) and --format must agree with it",
        ),
    ] = "table",
    out: Annotated[
        Path | None,
        typer.Option(
            "-o",
            "--out",
            help="Write the report here (.json, .md or .html; without an extension, "
            "give --format: the exact name given is written).",
        ),
    ] = None,
    strict: Annotated[
        bool,
        typer.Option("--strict", help="Exit 1 on a missed target (力争) or preference (优先) too."),
    ] = False,
) -> None:
    """Judge every rule: pass, fail, not applicable, not enough data, not measured.

    Exit 1 when an obligation fails (a 原则上 miss with its reason recorded is excused);
    a missed target (力争) exits 1 only with --strict. Every report carries the ledger's
    head (``ledger head 台账头: … events 事件数: N``; in JSON, ``"ledger_head"``).
    """
    from randcheck.audit.run import audit as run
    from randcheck.calendar import parse_date
    from randcheck.cli._args import check_quarter, check_year
    from randcheck.cli._output import check_outputs, policy_file, write_errors
    from randcheck.cli._output import output_format as file_format
    from randcheck.io import read_registry, write_text
    from randcheck.ledger.stores import read_verified
    from randcheck.periods import Quarter
    from randcheck.policies import resolve_policy
    from randcheck.report.published import ledger_head
    from randcheck.report.verdict import render, to_rich_table

    check_year(year)
    check_quarter(quarter)
    fmt = None
    if out is not None:
        check_outputs([out], [ledger, registry, policy_file(policy)])
        requested = None if output_format == "table" else output_format
        fmt = file_format(out, requested, REPORT_FORMATS)
    period = Quarter(year, quarter) if quarter else None
    start = period.start if period else dt.date(year, 1, 1)
    end = period.end if period else dt.date(year, 12, 31)
    chosen = resolve_policy(policy, during=(start, end))
    day = parse_date(as_of, where="--as-of") if as_of else dt.date.today()
    snapshot = read_registry(registry).registry if registry else None
    events = read_verified(ledger)
    head = ledger_head(events)
    verdict = run(chosen, events, year, quarter=quarter, as_of=day, registry=snapshot)
    if output_format == "table":
        console.print(to_rich_table(verdict))
        console.print(", ".join(f"{k}: {v}" for k, v in verdict.counts().items()))
        console.print(head.line(), markup=False)
    elif out is None:
        print(render(verdict, output_format, head), end="")
    if out is not None and fmt is not None:
        with write_errors(out):
            write_text(out, render(verdict, fmt, head))
        console.print(f"wrote {out}", markup=False)
    if not verdict.passed or (strict and not verdict.targets_met):
        raise typer.Exit(1)
