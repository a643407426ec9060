"""``randcheck schedule``, ``plan``, ``disclose`` and ``report``: what a bureau publishes."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any, Literal

import typer

from randcheck.cli._output import console, new_table, print_json
from randcheck.errors import InputError

OutOption = Annotated[
    Path | None, typer.Option("-o", "--out", help=".xlsx, .csv or .json (by extension)")
]


def _show(table: Any, out: Path | None) -> None:
    from randcheck.report.files import write_table

    for note in table.notes:
        console.print(f"note: {note}", markup=False)
    if out is not None:
        write_table(table, out)
        console.print(f"wrote {out} ({len(table.rows)} rows)")
        return
    shown = new_table(table.title, *table.headers)
    for values in table.values():
        shown.add_row(*(str(v) for v in values))
    console.print(shown)


def _events(ledger: Path) -> list[Any]:
    from randcheck.ledger.stores import read_verified

    return read_verified(ledger)


def schedule(
    policy: Annotated[str, typer.Option(help="Policy id or policy/variant file.")],
    year: Annotated[int, typer.Option(help="The year.")],
    output_format: Annotated[
        Literal["table", "json", "csv", "ics"],
        typer.Option("--format", help="table, json, csv or ics"),
    ] = "table",
    out: OutOption = None,
) -> None:
    """Every dated obligation of the year, each with its clause (ics: import into a calendar)."""
    from randcheck.io import write_text
    from randcheck.policies import resolve_policy
    from randcheck.publish.schedule import schedule_table, to_ics
    from randcheck.report.files import write_table

    chosen = resolve_policy(policy)
    if not 1950 <= year <= 2200:
        raise InputError(f"year {year} is out of range")
    table = schedule_table(chosen, year)
    if output_format == "ics":
        text = to_ics(chosen, year)
        if out is None:
            print(text, end="")
        else:
            write_text(out, text)
            console.print(f"wrote {out}")
        return
    if output_format == "json" and out is None:
        print_json(table.to_json())
        return
    if output_format == "csv" and out is None:
        import csv
        import sys

        writer = csv.writer(sys.stdout)
        writer.writerow(table.headers)
        writer.writerows(table.values())
        return
    if out is not None and output_format != "table":
        out = out.with_suffix(f".{output_format}")
        write_table(table, out)
        console.print(f"wrote {out}")
        return
    _show(table, out)


def plan(
    policy: Annotated[str, typer.Option(help="Policy id or policy/variant file.")],
    registry: Annotated[Path, typer.Option(help="Registry file.")],
    year: Annotated[int, typer.Option(help="The plan's year.")],
    quarter: Annotated[
        int | None, typer.Option(min=1, max=4, help="A quarterly plan instead.")
    ] = None,
    history: Annotated[Path | None, typer.Option(help="Earlier inspections (.csv/.json).")] = None,
    items: Annotated[bool, typer.Option(help="The item list (抽查事项清单) instead.")] = False,
    out: OutOption = None,
) -> None:
    """The annual plan (获嘉 附件1), a quarterly plan (本溪 六(一)2) or the item list."""
    from randcheck.draw.history import History, load_history
    from randcheck.io import read_registry
    from randcheck.periods import Quarter
    from randcheck.policies import resolve_policy
    from randcheck.publish.tables import annual_plan_table, item_list_table, quarterly_plan_table

    chosen = resolve_policy(policy)
    snapshot = read_registry(registry).registry
    past = load_history(history) if history else History()
    if items:
        table = item_list_table(snapshot)
    elif quarter:
        table = quarterly_plan_table(chosen, snapshot, Quarter(year, quarter), past)
    else:
        table = annual_plan_table(chosen, snapshot, year, past)
    _show(table, out)


def disclose(
    ledger: Annotated[Path, typer.Option(help="The ledger (.sqlite or .jsonl).")],
    policy: Annotated[str, typer.Option(help="Policy id or policy/variant file.")],
    year: Annotated[int, typer.Option(help="The year.")],
    quarter: Annotated[int | None, typer.Option(min=1, max=4, help="One quarter.")] = None,
    registry: Annotated[Path | None, typer.Option(help="Registry, for entity names.")] = None,
    out: OutOption = None,
) -> None:
    """The disclosure of results (抽查结果公开): phrases, deadlines, withheld rows counted."""
    from randcheck.io import read_registry
    from randcheck.policies import resolve_policy
    from randcheck.publish.tables import disclosure_table

    chosen = resolve_policy(policy)
    snapshot = read_registry(registry).registry if registry else None
    _show(disclosure_table(chosen, _events(ledger), year, quarter, snapshot), out)


def report(
    kind: Annotated[
        Literal["monthly", "quarterly", "yearly", "credit-push"],
        typer.Argument(
            help="monthly (青岛 调度表), quarterly (青岛), yearly (本溪), credit-push (获嘉)"
        ),
    ],
    ledger: Annotated[Path, typer.Option(help="The ledger (.sqlite or .jsonl).")],
    year: Annotated[int, typer.Option(help="The year.")],
    policy: Annotated[str, typer.Option(help="Policy id (for credit-push).")] = "huojia",
    quarter: Annotated[int | None, typer.Option(min=1, max=4, help="Quarter (quarterly).")] = None,
    month: Annotated[int | None, typer.Option(min=1, max=12, help="Month (monthly).")] = None,
    out: OutOption = None,
) -> None:
    """Reports a bureau files: monthly dispatch table, quarterly and yearly reports, credit push."""
    from randcheck.periods import Quarter
    from randcheck.policies import resolve_policy
    from randcheck.publish import tables as publish

    events = _events(ledger)
    if kind == "monthly":
        if month is None:
            raise InputError("a monthly dispatch table needs --month")
        table = publish.monthly_dispatch_table(events, year, month)
    elif kind == "quarterly":
        if quarter is None:
            raise InputError("a quarterly report needs --quarter")
        table = publish.quarterly_report_table(events, Quarter(year, quarter))
    elif kind == "yearly":
        table = publish.yearly_report_table(events, year)
    else:
        table = publish.credit_push_table(resolve_policy(policy), events, year, quarter)
    _show(table, out)
