"""``randcheck schedule``, ``plan``, ``disclose`` and ``report``: what a bureau publishes.

With ``-o`` the file's extension decides the format (.xlsx, .csv, .json; the schedule
also .ics); a name without an extension needs ``--format`` where the command has it
and is written exactly as given. Documents made from a ledger (the disclosure and the
reports) carry its head: see :mod:`randcheck.report.published`.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Literal

import typer

from randcheck.cli._args import check_month, check_quarter, check_year
from randcheck.cli._output import (
    check_outputs,
    console,
    new_table,
    policy_file,
    print_json,
    write_errors,
)
from randcheck.cli._output import output_format as file_format
from randcheck.errors import InputError

if TYPE_CHECKING:
    from randcheck.ledger.chain import LedgerEvent
    from randcheck.report.published import LedgerHead

TABLE_FORMATS = {".xlsx": "xlsx", ".csv": "csv", ".json": "json"}
"""What the tables are written as, by the file's extension."""
SCHEDULE_FORMATS = {**TABLE_FORMATS, ".ics": "ics"}

OutOption = Annotated[
    Path | None,
    typer.Option("-o", "--out", help=".xlsx, .csv or .json: the extension decides the format"),
]


def _prepare(out: Path | None, inputs: list[Path | None]) -> str | None:
    """The format ``out`` is written in, every output check done; None without ``-o``."""
    if out is None:
        return None
    check_outputs([out], inputs)
    return file_format(out, None, TABLE_FORMATS)


def _show(table: Any, out: Path | None, fmt: str | None, head: LedgerHead | None = None) -> None:
    from randcheck.report.published import write_table_as

    for note in table.notes:
        console.print(f"note: {note}", markup=False)
    if out is not None and fmt is not None:
        with write_errors(out):
            write_table_as(table, out, fmt, head)
        console.print(f"wrote {out} ({len(table.rows)} rows)", markup=False)
        return
    shown = new_table(table.title, *table.headers)
    for values in table.values():
        shown.add_row(*(str(v) for v in values))
    console.print(shown, markup=False)
    if head is not None:
        console.print(head.line(), markup=False)


def _events(ledger: Path) -> tuple[list[LedgerEvent], LedgerHead]:
    """The ledger's events, read and verified, and its head as they were read."""
    from randcheck.ledger.stores import read_verified
    from randcheck.report.published import ledger_head

    events = read_verified(ledger)
    return events, ledger_head(events)


def schedule(
    policy: Annotated[str, typer.Option(help="Policy id or policy/variant file.")],
    year: Annotated[int, typer.Option(help="The year (1950–2200).")],
    output_format: Annotated[
        Literal["table", "json", "csv", "ics"],
        typer.Option(
            "--format",
            help="table, json, csv or ics; with -o the extension decides and --format must "
            "agree with it",
        ),
    ] = "table",
    out: Annotated[
        Path | None,
        typer.Option(
            "-o",
            "--out",
            help=".xlsx, .csv, .json or .ics: the extension decides the format (no "
            "extension: give --format; the exact name given is written)",
        ),
    ] = None,
) -> None:
    """Every dated obligation of the year, each with its clause (ics: import into a calendar)."""
    from randcheck.io import write_text
    from randcheck.policies import resolve_policy
    from randcheck.publish.schedule import schedule_table, to_ics

    check_year(year)
    fmt = None
    if out is not None:
        check_outputs([out], [policy_file(policy)])
        requested = None if output_format == "table" else output_format
        fmt = file_format(out, requested, SCHEDULE_FORMATS)
    chosen = resolve_policy(policy)
    if fmt == "ics" or (out is None and output_format == "ics"):
        text = to_ics(chosen, year)
        if out is None:
            print(text, end="")
        else:
            with write_errors(out):
                write_text(out, text)
            console.print(f"wrote {out}", markup=False)
        return
    table = schedule_table(chosen, year)
    if out is None and output_format == "json":
        print_json(table.to_json())
        return
    if out is None and output_format == "csv":
        import csv
        import sys

        writer = csv.writer(sys.stdout)
        writer.writerow(table.headers)
        writer.writerows(table.values())
        return
    _show(table, out, fmt)


def plan(
    policy: Annotated[str, typer.Option(help="Policy id or policy/variant file.")],
    registry: Annotated[Path, typer.Option(help="Registry file.")],
    year: Annotated[int, typer.Option(help="The plan's year (1950–2200).")],
    quarter: Annotated[int | None, typer.Option(help="A quarterly plan instead (1–4).")] = None,
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

    check_year(year)
    check_quarter(quarter)
    fmt = _prepare(out, [registry, history, policy_file(policy)])
    chosen = resolve_policy(policy)
    if not items:
        chosen.check_in_force(year, quarter)
    snapshot = read_registry(registry).registry
    past = load_history(history) if history else History()
    if items:
        table = item_list_table(snapshot)
    elif quarter:
        table = quarterly_plan_table(chosen, snapshot, Quarter(year, quarter), past)
    else:
        table = annual_plan_table(chosen, snapshot, year, past)
    _show(table, out, fmt)


def disclose(
    ledger: Annotated[Path, typer.Option(help="The ledger (.sqlite or .jsonl).")],
    policy: Annotated[str, typer.Option(help="Policy id or policy/variant file.")],
    year: Annotated[int, typer.Option(help="The year (1950–2200).")],
    quarter: Annotated[int | None, typer.Option(help="One quarter (1–4).")] = None,
    registry: Annotated[Path | None, typer.Option(help="Registry, for entity names.")] = None,
    out: OutOption = None,
) -> None:
    """The disclosure of results (抽查结果公开): phrases, deadlines, withheld rows counted.

    It carries the ledger's head (``ledger head 台账头: … events 事件数: N``): a last
    line, a "ledger_head" object in JSON, a last row after an empty one in CSV, a sheet
    台账头 ledger_head in XLSX.
    """
    from randcheck.io import read_registry
    from randcheck.policies import resolve_policy
    from randcheck.publish.tables import disclosure_table

    check_year(year)
    check_quarter(quarter)
    fmt = _prepare(out, [ledger, registry, policy_file(policy)])
    chosen = resolve_policy(policy)
    snapshot = read_registry(registry).registry if registry else None
    events, head = _events(ledger)
    _show(disclosure_table(chosen, events, year, quarter, snapshot), out, fmt, head)


def report(
    kind: Annotated[
        Literal["monthly", "quarterly", "yearly", "credit-push"],
        typer.Argument(
            help="monthly (青岛 调度表), quarterly (青岛), yearly (本溪), credit-push (获嘉)"
        ),
    ],
    ledger: Annotated[Path, typer.Option(help="The ledger (.sqlite or .jsonl).")],
    year: Annotated[int, typer.Option(help="The year (1950–2200).")],
    policy: Annotated[str, typer.Option(help="Policy id (for credit-push).")] = "huojia",
    quarter: Annotated[int | None, typer.Option(help="Quarter (quarterly), 1–4.")] = None,
    month: Annotated[int | None, typer.Option(help="Month (monthly), 1–12.")] = None,
    out: OutOption = None,
) -> None:
    """Reports a bureau files: monthly dispatch table, quarterly and yearly reports, credit push.

    Each carries the ledger's head, as the disclosure does.
    """
    from randcheck.periods import Quarter
    from randcheck.policies import resolve_policy
    from randcheck.publish import tables as publish

    check_year(year)
    check_quarter(quarter)
    check_month(month)
    if kind == "monthly" and month is None:
        raise InputError("a monthly dispatch table needs --month")
    if kind == "quarterly" and quarter is None:
        raise InputError("a quarterly report needs --quarter")
    fmt = _prepare(out, [ledger, policy_file(policy) if kind == "credit-push" else None])
    chosen = resolve_policy(policy) if kind == "credit-push" else None
    events, head = _events(ledger)
    if kind == "monthly":
        assert month is not None
        table = publish.monthly_dispatch_table(events, year, month)
    elif kind == "quarterly":
        assert quarter is not None
        table = publish.quarterly_report_table(events, Quarter(year, quarter))
    elif kind == "yearly":
        table = publish.yearly_report_table(events, year)
    else:
        assert chosen is not None
        table = publish.credit_push_table(chosen, events, year, quarter)
    _show(table, out, fmt, head)
