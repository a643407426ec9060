"""``randcheck schedule``, ``plan``, ``disclose`` and ``report``: what a bureau publishes.

With ``-o`` the file's extension decides the format (.xlsx, .csv, .json; the schedule
also .ics); a name without an extension needs ``--format`` where the command has it
and is written exactly as given. Documents made from a ledger (the disclosure and the
reports) carry its head: see :mod:`randcheck.report.published`.

The documents are in Chinese by default (``--lang zh``; ``en`` or ``both`` on request);
an XLSX is a printable form (报表) whose 填报单位 is ``--unit``, else the registry's
authority (所属机关). A disclosure or credit push list names every entity, from the
ledger or the registry; when some name is known to neither, the command refuses
(exit 2) and writes nothing.
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
LangOption = Annotated[
    Literal["zh", "en", "both"],
    typer.Option(
        "--lang", help="The document's language: zh (default), en, or both. 文件语言，默认中文。"
    ),
]
UnitOption = Annotated[
    str | None,
    typer.Option(
        "--unit",
        help="填报单位, the reporting unit printed on the form (default: the registry's "
        "authority 所属机关).",
    ),
]


def _unit(unit: str | None) -> str | None:
    """``--unit`` as given, stripped (None when not given); an error when empty."""
    if unit is None:
        return None
    if not unit.strip():
        raise InputError("--unit is empty", hint="give the reporting unit's name (填报单位)")
    return unit.strip()


def _with_unit(table: Any, unit: str | None) -> Any:
    """``table`` with ``--unit`` as its reporting unit, when given (else as built)."""
    if unit is not None:
        table.unit = _unit(unit)
    return table


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
    if fmt == "xlsx" and not table.unit:
        console.print(
            "note: no reporting unit (填报单位) known: give --unit (or --registry); the "
            "form leaves a blank to fill in by hand",
            markup=False,
        )
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
    lang: LangOption = "zh",
    unit: UnitOption = None,
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
    table = _with_unit(schedule_table(chosen, year, lang=lang), unit)
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
    lang: LangOption = "zh",
    unit: UnitOption = None,
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
        table = item_list_table(snapshot, lang)
    elif quarter:
        table = quarterly_plan_table(chosen, snapshot, Quarter(year, quarter), past, lang)
    else:
        table = annual_plan_table(chosen, snapshot, year, past, lang)
    _show(_with_unit(table, unit), out, fmt)


def disclose(
    ledger: Annotated[Path, typer.Option(help="The ledger (.sqlite or .jsonl).")],
    policy: Annotated[str, typer.Option(help="Policy id or policy/variant file.")],
    year: Annotated[int, typer.Option(help="The year (1950–2200).")],
    quarter: Annotated[int | None, typer.Option(help="One quarter (1–4).")] = None,
    registry: Annotated[
        Path | None,
        typer.Option(
            help="Registry, for the names of entities whose dispatch recorded none (ledgers "
            "written before names were) and for the reporting unit."
        ),
    ] = None,
    out: OutOption = None,
    lang: LangOption = "zh",
    unit: UnitOption = None,
) -> None:
    """The disclosure of results (抽查结果公开): names, phrases, deadlines, withheld rows counted.

    Every row names its entity: the name its dispatch recorded at the draw, else the
    one the registry holds; a name known to neither is refused (give --registry).

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
    table = disclosure_table(chosen, events, year, quarter, snapshot, lang=lang)
    _show(_with_unit(table, unit), out, fmt, head)


def report(
    kind: Annotated[
        Literal["monthly", "quarterly", "yearly", "credit-push"],
        typer.Argument(
            help="monthly (青岛 调度表), quarterly (青岛), yearly (本溪), credit-push (获嘉)"
        ),
    ],
    ledger: Annotated[Path, typer.Option(help="The ledger (.sqlite or .jsonl).")],
    year: Annotated[int, typer.Option(help="The year (1950–2200).")],
    policy: Annotated[
        str | None,
        typer.Option(
            help="Policy id: for credit-push (default huojia), and for the Word report's "
            "verdicts (default: benxi for yearly, 本溪 八(一); qingdao_west_coast for "
            "quarterly, 青岛 五)."
        ),
    ] = None,
    quarter: Annotated[int | None, typer.Option(help="Quarter (quarterly), 1–4.")] = None,
    month: Annotated[int | None, typer.Option(help="Month (monthly), 1–12.")] = None,
    registry: Annotated[
        Path | None,
        typer.Option(
            help="Registry: the reporting unit (its authority), and entity names for "
            "credit-push where the ledger has none."
        ),
    ] = None,
    out: Annotated[
        Path | None,
        typer.Option(
            "-o",
            "--out",
            help=".xlsx, .csv or .json: the extension decides the format; a quarterly or "
            "yearly report also .docx (the narrative report as a Word draft, 工作情况报告)",
        ),
    ] = None,
    lang: LangOption = "zh",
    unit: UnitOption = None,
    as_of: Annotated[
        str | None,
        typer.Option(
            help="The Word report's date (填报日期), and the date its verdicts are judged as "
            "of (YYYY-MM-DD); default today."
        ),
    ] = None,
) -> None:
    """Reports a bureau files: monthly dispatch table, quarterly and yearly reports, credit push.

    Each carries the ledger's head, as the disclosure does. The reports' XLSX is a form
    with 填报单位 (--unit, else the registry's authority), 填报日期 and signature lines.
    A quarterly or yearly report written to a .docx is the narrative report (青岛 五,
    本溪 八(一)) as a Word draft in Chinese: the figures, each ratio and deadline judged
    with its clause, the tables, and a place for the seal.
    """
    from randcheck.io import read_registry
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
    if out is not None and out.suffix.lower() == ".docx" and kind in ("quarterly", "yearly"):
        if lang != "zh":
            raise InputError(
                f"the Word report is written in Chinese only, not --lang {lang}",
                hint="leave --lang out for the .docx, or write an .xlsx in that language",
            )
        _narrative(kind, ledger, year, quarter, policy, registry, out, unit, as_of)
        return
    if as_of is not None:
        raise InputError(
            "--as-of is for a report written as a Word draft (.docx)",
            hint="leave it out, or write the quarterly or yearly report to a .docx",
        )
    policy = policy or "huojia"
    fmt = _prepare(out, [ledger, registry, policy_file(policy) if kind == "credit-push" else None])
    chosen = resolve_policy(policy) if kind == "credit-push" else None
    snapshot = read_registry(registry).registry if registry else None
    events, head = _events(ledger)
    if kind == "monthly":
        assert month is not None
        table = publish.monthly_dispatch_table(events, year, month, lang)
    elif kind == "quarterly":
        assert quarter is not None
        table = publish.quarterly_report_table(events, Quarter(year, quarter), lang)
    elif kind == "yearly":
        table = publish.yearly_report_table(events, year, lang)
    else:
        assert chosen is not None
        table = publish.credit_push_table(chosen, events, year, quarter, snapshot, lang)
    table.unit = table.unit or publish.registry_unit(snapshot)
    _show(_with_unit(table, unit), out, fmt, head)


def _narrative(
    kind: Literal["quarterly", "yearly"],
    ledger: Path,
    year: int,
    quarter: int | None,
    policy: str | None,
    registry: Path | None,
    out: Path,
    unit: str | None,
    as_of: str | None,
) -> None:
    """The quarterly (青岛 五) or yearly (本溪 八(一)) report as a Word draft: its figures
    are the XLSX report's, its verdicts the audit's under the policy that asks for it."""
    import datetime as dt

    from randcheck.audit.run import audit
    from randcheck.calendar import parse_date
    from randcheck.io import read_registry
    from randcheck.policies import resolve_policy
    from randcheck.publish.narrative import NARRATIVE_POLICY, write_narrative_docx

    day = parse_date(as_of, where="--as-of") if as_of else dt.date.today()
    unit = _unit(unit)
    name = policy or NARRATIVE_POLICY[kind]
    check_outputs([out], [ledger, registry, policy_file(name)])
    chosen = resolve_policy(name)
    snapshot = read_registry(registry).registry if registry else None
    events, head = _events(ledger)
    verdict = audit(chosen, events, year, quarter=quarter, as_of=day, registry=snapshot)
    with write_errors(out):
        write_narrative_docx(
            out,
            kind,
            events,
            year,
            quarter,
            verdict=verdict,
            registry=snapshot,
            unit=unit,
            report_date=day,
            head=head,
        )
    console.print(
        f"wrote {out} (the {kind} report as a Word draft; its verdicts under {chosen.id})",
        markup=False,
    )
