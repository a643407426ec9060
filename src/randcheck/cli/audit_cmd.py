"""``randcheck audit``: every rule of a policy judged against a ledger."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Annotated, Any, Literal

import typer

from randcheck.cli._output import console, new_table


def verdict_table(verdict: Any) -> Any:
    table = new_table(
        verdict.title(), "rule 规则", "status 结论", "measured 实测", "required 要求", "clause 条款"
    )
    for r in verdict.rules:
        subjects = (
            f"\n{', '.join(r.subjects[:4])}{' …' if len(r.subjects) > 4 else ''}"
            if r.subjects
            else ""
        )
        table.add_row(
            r.rule.id,
            r.status.label,
            (r.measured or r.note) + subjects,
            r.required,
            str(r.rule.citation),
        )
    return table


def audit(
    policy: Annotated[str, typer.Option(help="Policy id or policy/variant file.")],
    ledger: Annotated[Path, typer.Option(help="The ledger (.sqlite or .jsonl).")],
    year: Annotated[int, typer.Option(help="The year to judge.")],
    quarter: Annotated[int | None, typer.Option(min=1, max=4, help="Only this quarter.")] = None,
    as_of: Annotated[
        str | None, typer.Option(help="Judge as of this date (YYYY-MM-DD); default today.")
    ] = None,
    registry: Annotated[
        Path | None, typer.Option(help="Registry, for coverage and positive-list rules.")
    ] = None,
    output_format: Annotated[
        Literal["table", "json", "md", "html"],
        typer.Option("--format", help="table, json, md or html"),
    ] = "table",
    out: Annotated[Path | None, typer.Option("-o", "--out", help="Write the report here.")] = None,
) -> None:
    """Judge every rule: pass, fail, not applicable, not enough data. Exit 1 when any fails."""
    from randcheck.calendar import parse_date
    from randcheck.engine.ledger import read_verified
    from randcheck.engine.verdict import audit as run
    from randcheck.io import read_registry, write_text
    from randcheck.policies import resolve_policy

    chosen = resolve_policy(policy)
    day = parse_date(as_of, where="--as-of") if as_of else dt.date.today()
    snapshot = read_registry(registry).registry if registry else None
    events = read_verified(ledger)
    verdict = run(chosen, events, year, quarter=quarter, as_of=day, registry=snapshot)
    text = {
        "json": lambda: json.dumps(verdict.to_json(), ensure_ascii=False, indent=1) + "\n",
        "md": verdict.to_markdown,
        "html": verdict.to_html,
    }
    if output_format == "table":
        console.print(verdict_table(verdict))
        console.print(", ".join(f"{k}: {v}" for k, v in verdict.counts().items()))
    elif out is None:
        print(text[output_format](), end="")
    if out is not None:
        fmt = (
            output_format
            if output_format != "table"
            else {".json": "json", ".md": "md", ".html": "html"}.get(out.suffix.lower(), "md")
        )
        write_text(out, text[fmt]())
        console.print(f"wrote {out}")
    if not verdict.passed:
        raise typer.Exit(1)
