"""``randcheck audit``: every rule of a policy judged against a ledger."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Literal

import typer

from randcheck.cli._output import console

if TYPE_CHECKING:
    from randcheck.ledger.chain import LedgerEvent
    from randcheck.registry import Registry

REPORT_FORMATS = {".json": "json", ".md": "md", ".markdown": "md", ".html": "html", ".htm": "html"}
"""What ``audit -o`` writes, by the file's extension."""


def audit(
    policy: Annotated[str, typer.Option(help="Policy id or policy/variant file.")],
    year: Annotated[int, typer.Option(help="The year to judge (1950–2200).")],
    ledger: Annotated[
        str | None,
        typer.Option(
            help="The ledger: a .sqlite or .jsonl file, or a store URL with ?chain= "
            "(postgresql://host/db?chain=410724). Or give --records instead."
        ),
    ] = None,
    records: Annotated[
        list[Path] | None,
        typer.Option(
            "--records",
            help="Records kept elsewhere, judged as they are, no ledger written: a "
            "platform's export or a published disclosure table (.csv or .xlsx); repeat "
            "for several files.",
        ),
    ] = None,
    mapping: Annotated[
        str | None,
        typer.Option(
            help="With --records: a shipped mapping (platform-export, disclosure-table) or "
            "a mapping file (.yaml); default: the shipped mapping the headers fit best."
        ),
    ] = None,
    class_counts: Annotated[
        list[str] | None,
        typer.Option(
            "--class-counts",
            help="With --records: the registry's entities per class, the base of the "
            "shares, as CLASS=N (KEY=8 or 重点=8); repeat per class. Without it the "
            "counts come from --registry.",
        ),
    ] = None,
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

    The records are a ledger (--ledger), or records kept elsewhere (--records: a
    platform's export, a bureau's published disclosure table), read into memory and
    judged without writing anything. A rule needing evidence the records do not show
    is NOT_ENOUGH_DATA, naming it; the shares need the registry's class counts
    (--class-counts, or --registry), and a table without a class column takes each
    entity's class from --registry.

    Exit 1 when an obligation fails (a 原则上 miss with its reason recorded is excused);
    a missed target (力争) exits 1 only with --strict. Every report carries the ledger's
    head (``ledger head 台账头: … events 事件数: N``; in JSON, ``"ledger_head"``).
    """
    from randcheck.audit.run import audit as run
    from randcheck.calendar import parse_date
    from randcheck.cli._args import check_quarter, check_year
    from randcheck.cli._output import check_outputs, ledger_file, policy_file, write_errors
    from randcheck.cli._output import output_format as file_format
    from randcheck.io import read_registry, write_text
    from randcheck.ledger.stores import read_verified
    from randcheck.periods import Quarter
    from randcheck.policies import resolve_policy
    from randcheck.report.published import ledger_head
    from randcheck.report.verdict import render, to_rich_table

    check_year(year)
    check_quarter(quarter)
    _check_source(ledger, records, mapping, class_counts)
    fmt = None
    if out is not None:
        read = ledger_file(ledger) if ledger is not None else None
        check_outputs([out], [registry, policy_file(policy), read, *(records or [])])
        requested = None if output_format == "table" else output_format
        fmt = file_format(out, requested, REPORT_FORMATS)
    period = Quarter(year, quarter) if quarter else None
    start = period.start if period else dt.date(year, 1, 1)
    end = period.end if period else dt.date(year, 12, 31)
    chosen = resolve_policy(policy, during=(start, end))
    day = parse_date(as_of, where="--as-of") if as_of else dt.date.today()
    snapshot = read_registry(registry).registry if registry else None
    if ledger is not None:
        events = read_verified(ledger)
    else:
        counts = parse_class_counts(class_counts or [])
        events = records_events(records or [], mapping, counts, snapshot, start)
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


def _check_source(
    ledger: str | None,
    records: list[Path] | None,
    mapping: str | None,
    class_counts: list[str] | None,
) -> None:
    from randcheck.errors import InputError

    if (ledger is None) == (not records):
        raise InputError(
            "give the records to judge: --ledger or --records, one of them",
            hint="--ledger 2025.sqlite for a ledger; --records export.xlsx for records "
            "kept elsewhere (a platform's export, a published disclosure table)",
        )
    if ledger is not None and (mapping or class_counts):
        option = "--mapping" if mapping else "--class-counts"
        raise InputError(
            f"{option} goes with --records, not --ledger",
            hint="a ledger holds its own registry snapshots; leave the option out",
        )


def parse_class_counts(values: list[str]) -> dict[str, int]:
    """``["KEY=8", "一般=80"]`` -> ``{"KEY": 8, "GENERAL": 80}``; an InputError naming the
    bad value otherwise."""
    from randcheck.errors import InputError
    from randcheck.models import EntityClass

    counts: dict[str, int] = {}
    for value in values:
        name, sep, number = value.partition("=")
        try:
            cls = EntityClass.of(name.strip().upper()) if sep else None
        except ValueError:
            cls = None
        count = int(number.strip()) if number.strip().isdigit() else None
        if cls is None or count is None:
            raise InputError(
                f"--class-counts {value!r}: expected CLASS=N, a class and a whole number",
                hint="e.g. --class-counts KEY=8 --class-counts GENERAL=80 (or 重点=8, 一般=80)",
            )
        if cls.value in counts:
            raise InputError(
                f"--class-counts {value!r}: {cls.value} is given twice",
                hint="give each class once",
            )
        counts[cls.value] = count
    return counts


def records_events(
    records: list[Path],
    mapping: str | None,
    counts: dict[str, int],
    registry: Registry | None,
    start: dt.date,
) -> list[LedgerEvent]:
    """The events of records kept elsewhere, in memory (nothing is written), with the
    registry's class counts recorded as a snapshot on the period's first day, marked as
    given by the auditor (``source``) so it is not taken for the bureau's own snapshot."""
    from randcheck.imports import records_ledger
    from randcheck.imports.mapping import resolve_mapping
    from randcheck.ledger.events import SHANGHAI
    from randcheck.randomness import canonical_digest

    ledger, _ = records_ledger(records, resolve_mapping(mapping))
    if counts or registry is not None:
        if counts:
            payload: dict[str, object] = {
                "digest": canonical_digest({"class_counts": counts}),
                "entities": sum(counts.values()),
                "inspectors": 0,
                "class_counts": counts,
                "registered_counts": counts,
                "source": {"file": "--class-counts"},
            }
        else:
            assert registry is not None
            payload = {**registry.snapshot_payload(), "source": {"file": "--registry"}}
        first = dt.datetime.combine(start, dt.time(0, 0), SHANGHAI)
        ledger.append("REGISTRY_SNAPSHOT", actor="audit", payload=payload, time=first,
                      subject="registry")  # fmt: skip
    return list(ledger.events())
