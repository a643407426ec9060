"""``randcheck ledger …``: check a ledger's hash chain (read-only), import records kept
elsewhere into it, list its events (read-only)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any, Literal

import typer

from randcheck.cli._output import LEDGER_HELP, console, ledger_file

app = typer.Typer(
    help="The hash-chained ledger 台账: verify, import records kept elsewhere, show events.",
    no_args_is_help=True,
)


def _events(count: int) -> str:
    return "1 event" if count == 1 else f"{count} events"


@app.command()
def verify(
    file: Annotated[str, typer.Argument(help="A ledger: " + LEDGER_HELP + ".")],
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


# --- import ----------------------------------------------------------------------------

PROBLEMS_SHOWN = 50
"""How many problems or skipped rows are listed; the rest are counted."""


@app.command("import")
def import_(
    files: Annotated[
        list[Path], typer.Argument(help="Exports to import: .csv (UTF-8 or GB18030) or .xlsx.")
    ],
    ledger: Annotated[
        str,
        typer.Option(help="The ledger to import into, created if missing: " + LEDGER_HELP + "."),
    ],
    mapping: Annotated[
        str | None,
        typer.Option(
            help="A shipped mapping (platform-export, disclosure-table) or a mapping file "
            "(.yaml) naming your headers; default: the shipped mapping the headers fit best."
        ),
    ] = None,
    skip_bad_rows: Annotated[
        bool,
        typer.Option(
            "--skip-bad-rows", help="Import the good rows, leave bad ones out and list them."
        ),
    ] = False,
    actor: Annotated[
        str | None, typer.Option(help="Who imports (the RECORDS_IMPORTED event's actor).")
    ] = None,
) -> None:
    """Import records kept elsewhere (外部记录导入): a platform's export of tasks,
    inspections, results, rectifications and disclosures, or a published disclosure
    table, as ledger events in time order, each with its source (file, sheet, row).

    Every problem is listed in one pass (file, row, column, reason) and nothing is
    imported (exit 2), unless --skip-bad-rows. Importing the same file twice adds
    nothing; an overlapping later export adds only its new rows.
    """
    from randcheck.cli._output import check_outputs, write_errors
    from randcheck.imports import apply_plan, read_records
    from randcheck.imports.mapping import resolve_mapping
    from randcheck.ledger.stores import open_ledger

    mapping_file = (
        Path(mapping) if mapping and mapping.lower().endswith((".yaml", ".yml")) else None
    )
    path = ledger_file(ledger)
    check_outputs([path] if path else [], [*files, mapping_file])
    chosen = resolve_mapping(mapping)
    exists = path is None or path.exists()  # a store creates a chain on its first append
    if exists:
        with open_ledger(ledger) as store:
            plan = read_records(files, chosen, skip_bad_rows=skip_bad_rows,
                                ledger_events=store.events())  # fmt: skip
            _check_plan(plan)
            with write_errors(ledger):
                report = apply_plan(store, plan, actor)
            head = store.head
    else:  # read first: a failed import leaves no new ledger behind
        plan = read_records(files, chosen, skip_bad_rows=skip_bad_rows)
        _check_plan(plan)
        with open_ledger(ledger) as store, write_errors(ledger):
            report = apply_plan(store, plan, actor)
            head = store.head
    _import_summary(report.plan, head)


def _check_plan(plan: Any) -> None:
    from randcheck.imports.plan import problems_error

    if plan.problems:
        raise problems_error(plan.problems, limit=PROBLEMS_SHOWN)


def _listed(lines: list[str], total: int) -> str:
    shown = "\n".join(f"  {line}" for line in lines[:PROBLEMS_SHOWN])
    more = f"\n  … and {total - PROBLEMS_SHOWN} more" if total > PROBLEMS_SHOWN else ""
    return shown + more


def _import_summary(plan: Any, head: str) -> None:
    out: list[str] = []
    for info in plan.files:
        source = info.source
        tables = "; ".join(
            (f"[{t.sheet}] " if t.sheet else "") + f"header row {t.header_row}, {t.picked}"
            for t in source.tables
        )
        out.append(f"{info.name}: {tables}")
        out.append(
            f"  {info.rows} rows; {info.added} events added, {info.present} already in the "
            "ledger" + (f"; {len(info.skipped)} rows left out" if info.skipped else "")
        )
        if not info.rows:
            out.append("  no records in it (only the header row)")
        shown = ", ".join(f"{e.zh} ({e.value})" for e in info.shows) or "nothing"
        out.append(f"  shows 记录所示: {shown}")
        unused = [h for t in source.tables for h in t.fit.unused]
        if unused:
            out.append(f"  columns not imported: {', '.join(unused)}")
        for note in source.notes:
            out.append(f"  {note}")
        if info.already is not None and not info.added:
            out.append(f"  these bytes were imported before (event #{info.already}): nothing added")
    if plan.skipped:
        rows = {(p.file, p.row) for p in plan.skipped}
        out.append(f"{len(rows)} bad rows left out (--skip-bad-rows):")
        out.append(_listed([str(p) for p in plan.skipped], len(plan.skipped)))
    if plan.warnings:
        out.append(f"{len(plan.warnings)} notes:")
        out.append(_listed(plan.warnings, len(plan.warnings)))
    out.append(f"{len(plan.added)} events added, {plan.present} already in the ledger")
    out.append(f"ledger head 台账头: {head}")
    console.print("\n".join(out), markup=False)


# --- show ------------------------------------------------------------------------------

SHOW_FORMATS = {".json": "json", ".csv": "csv"}
"""What ``ledger show -o`` writes, by the file's extension."""
CSV_COLUMNS = ("seq", "time", "type", "type_zh", "actor", "subject", "payload", "source", "hash")


@app.command()
def show(
    file: Annotated[str, typer.Argument(help="A ledger: " + LEDGER_HELP + ".")],
    task: Annotated[
        str | None, typer.Option(help="Only the events of this task (or other subject).")
    ] = None,
    kind: Annotated[
        str | None,
        typer.Option("--type", help="Only events of this type (RESULT_RECORDED or 检查结果录入)."),
    ] = None,
    output_format: Annotated[
        Literal["table", "json", "csv"],
        typer.Option("--format", help="table, json or csv; with -o the extension decides."),
    ] = "table",
    out: Annotated[
        Path | None,
        typer.Option("-o", "--out", help="Write the events here (.json or .csv)."),
    ] = None,
) -> None:
    """List a ledger's events (read-only: nothing is written to the ledger): number, time,
    type, actor, subject, payload and, for imported events, their source."""
    from randcheck.cli._output import check_outputs, write_errors
    from randcheck.cli._output import output_format as file_format
    from randcheck.errors import InputError
    from randcheck.io.atomic import atomic_write
    from randcheck.ledger.events import EventType
    from randcheck.ledger.stores import open_ledger

    fmt: str = output_format
    if out is not None:
        check_outputs([out], [ledger_file(file)])
        fmt = file_format(out, None if output_format == "table" else output_format, SHOW_FORMATS)
    wanted = None
    if kind is not None:
        try:
            wanted = EventType.of(kind)
        except ValueError:
            raise InputError(
                f"unknown event type {kind!r}", hint=f"use one of {EventType.spellings()}"
            ) from None
    with open_ledger(file, readonly=True) as ledger:
        events = [e for e in ledger.events() if _selected(e, task, wanted)]
    if fmt == "table":
        _show_table(events, task, wanted)
        return
    text = _render(events, fmt)
    if out is None:
        print(text, end="")
        return
    with write_errors(out), atomic_write(out) as temp:
        # a CSV file opens in Excel as UTF-8 only with a byte-order mark
        temp.write_text(text, encoding="utf-8-sig" if fmt == "csv" else "utf-8")
    console.print(f"wrote {out} ({_events(len(events))})", markup=False)


def _selected(event: Any, task: str | None, wanted: Any) -> bool:
    if wanted is not None and event.type is not wanted:
        return False
    if task is None:
        return True
    p = event.payload
    return bool(event.subject == task or p.get("task_id") == task or task in p.get("task_ids", ()))


def _source(payload: dict[str, Any]) -> str:
    source = payload.get("source")
    if not source:
        return ""
    sheet = f" [{source['sheet']}]" if source.get("sheet") else ""
    row = f" row {source['row']}" if source.get("row") else ""
    return f"{source['file']}{sheet}{row}"


def _short(payload: dict[str, Any], width: int = 90) -> str:
    parts = []
    for key, value in payload.items():
        if key == "source" or value in (None, [], {}, False, ""):
            continue
        if isinstance(value, list):
            value = "、".join(str(v) for v in value)
        parts.append(f"{key}={value}")
    text = " ".join(parts)
    return text if len(text) <= width else text[: width - 1] + "…"


def _time(event: Any) -> str:
    from randcheck.ledger.events import SHANGHAI

    return str(event.time.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M"))


def _show_table(events: list[Any], task: str | None, wanted: Any) -> None:
    from randcheck.cli._output import new_table

    what = [f"task {task}"] if task else []
    what += [f"type {wanted.value}"] if wanted is not None else []
    title = "Ledger events 台账事件" + (f" ({', '.join(what)})" if what else "")
    table = new_table(
        title, "#", "time 时间", "type 类型", "actor 执行人", "subject 对象", "payload 内容",
        "source 来源",
    )  # fmt: skip
    for e in events:
        table.add_row(
            str(e.seq), _time(e), f"{e.type.value} {e.type.zh}", e.actor, e.subject,
            _short(e.payload), _source(e.payload),
        )  # fmt: skip
    console.print(table)
    console.print(_events(len(events)), markup=False)


def _render(events: list[Any], fmt: str) -> str:
    import csv
    import io
    import json

    if fmt == "json":
        data = [e.to_json() for e in events]
        return json.dumps(data, ensure_ascii=False, indent=1) + "\n"
    from randcheck.io.cells import escape_value

    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(CSV_COLUMNS)
    for e in events:
        payload = {k: v for k, v in e.payload.items() if k != "source"}
        row = [
            e.seq, e.time.isoformat(), e.type.value, e.type.zh, e.actor, e.subject,
            json.dumps(payload, ensure_ascii=False, sort_keys=True), _source(e.payload), e.hash,
        ]  # fmt: skip
        writer.writerow([escape_value(v) for v in row])
    return buffer.getvalue()
