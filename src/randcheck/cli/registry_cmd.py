"""``randcheck registry …``: validate, show, diff and synthesise registries."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal

import typer

from randcheck.cli._output import console, new_table, print_json, registry_summary
from randcheck.errors import ProblemsFound
from randcheck.io import format_cell, read_registry, write_registry

app = typer.Typer(
    help="The registries 一单两库: validate, show, diff, synthesise, classify.",
    no_args_is_help=True,
)

FileArg = Annotated[Path, typer.Argument(help="A registry file: .csv, .xlsx or .json.")]


@app.command()
def validate(
    files: Annotated[list[Path], typer.Argument(help="Registry files (.csv, .xlsx, .json).")],
) -> None:
    """Check registry files; list every problem (file, row, column, reason).

    Exit status 0 when the files are clean, 1 when there are problems.
    """
    try:
        report = read_registry(files)
    except ProblemsFound as found:
        for problem in found.problems:
            console.print(str(problem), markup=False)
        noun = "problem" if len(found.problems) == 1 else "problems"
        console.print(f"{len(found.problems)} {noun} found 发现问题", style="bold red")
        raise typer.Exit(1) from None
    registry = report.registry
    for column in report.ignored_columns:
        console.print(f"note: column not used: {column}", markup=False)
    console.print(
        f"OK: {registry.entity_count} entities 检查对象, {registry.inspector_count} inspectors "
        f"检查人员, {len(registry.items)} items 抽查事项; no problems 未发现问题"
    )
    console.print(f"digest: {registry.digest}")


@app.command()
def show(
    file: FileArg,
    skip_bad_rows: Annotated[
        bool, typer.Option(help="Load the good rows; list the rows skipped and why.")
    ] = False,
) -> None:
    """Counts per class, a few rows and the digest of a registry."""
    report = read_registry(file, skip_bad_rows=skip_bad_rows)
    for problem in report.skipped:
        console.print(f"skipped: {problem}", markup=False)
    if report.skipped:
        console.print(f"{report.skipped_rows} row(s) skipped 已跳过")
    registry_summary(report.registry)


@app.command()
def diff(
    old: Annotated[Path, typer.Argument(help="The earlier registry file.")],
    new: Annotated[Path, typer.Argument(help="The later registry file.")],
    output_format: Annotated[
        Literal["table", "json"], typer.Option("--format", help="table or json")
    ] = "table",
) -> None:
    """Entities and inspectors added, removed and changed between two snapshots (动态管理)."""
    from randcheck.diff import diff_registries, iter_field_changes

    result = diff_registries(read_registry(old).registry, read_registry(new).registry)
    if output_format == "json":
        print_json(result.to_json(lambda value: format_cell(value, "en")))
        return
    if result.empty:
        console.print("No differences 无变化.")
        return
    counts = new_table(
        "Summary 变化汇总", "record 记录", "added 新增", "removed 删除", "changed 变更"
    )
    labels = {
        "entity": "entities 检查对象",
        "inspector": "inspectors 检查人员",
        "item": "items 抽查事项",
    }
    for kind, row in result.counts().items():
        counts.add_row(labels[kind], *(str(row[k]) for k in ("added", "removed", "changed")))
    console.print(counts)
    listing = new_table(
        "Added and removed 新增与删除", "change 变化", "record 记录", "key 编码", "name 名称"
    )
    for ref in result.added:
        listing.add_row("added 新增", ref.kind, ref.key, ref.name)
    for ref in result.removed:
        listing.add_row("removed 删除", ref.kind, ref.key, ref.name)
    if result.added or result.removed:
        console.print(listing)
    changes = new_table(
        "Changed, by field 变更明细",
        *("record 记录", "key 编码", "name 名称", "field 字段", "old 原值", "new 新值"),
    )
    for record, change in iter_field_changes(result):
        changes.add_row(
            record.kind,
            record.key,
            record.name,
            change.field,
            format_cell(change.old, "zh"),
            format_cell(change.new, "zh"),
        )
    if result.changed:
        console.print(changes)


REGISTRY_FORMATS = {".csv": "csv", ".xlsx": "xlsx", ".json": "json"}
"""What a registry is written as, by the file's extension."""
MAX_ENTITIES = 10_000_000
MAX_INSPECTORS = 1_000_000
MAX_JURISDICTIONS = 3_000
"""More county-level divisions than China has (about 2,850)."""


@app.command()
def synth(
    out: Annotated[
        Path,
        typer.Option(
            "-o",
            "--out",
            help="File to write: .csv (with NAME.inspectors.csv and NAME.items.csv beside "
            "it), .xlsx or .json.",
        ),
    ],
    entities: Annotated[
        int, typer.Option(min=0, max=MAX_ENTITIES, help="Number of entities.")
    ] = 500,
    inspectors: Annotated[
        int, typer.Option(min=0, max=MAX_INSPECTORS, help="Number of inspectors.")
    ] = 30,
    seed: Annotated[str, typer.Option(help="Seed: the same seed gives the same registry.")] = "0",
    jurisdictions: Annotated[
        int, typer.Option(min=1, max=MAX_JURISDICTIONS, help="County-level divisions.")
    ] = 1,
    headers: Annotated[
        Literal["zh", "en"], typer.Option(help="Chinese or English column headers.")
    ] = "zh",
) -> None:
    """Write a deterministic synthetic registry (valid USCCs, plausible tags).

    A CSV registry is three files written together (or none): NAME.csv,
    NAME.inspectors.csv and NAME.items.csv.
    """
    from randcheck.cli._output import check_outputs, write_errors
    from randcheck.io.tables import sibling
    from randcheck.synth import generate_registry

    (fmt,) = check_outputs([out], formats=REGISTRY_FORMATS)
    if fmt == "csv":
        check_outputs([out, sibling(out, "inspectors"), sibling(out, "items")])
    registry = generate_registry(entities, inspectors, seed=seed, jurisdictions=jurisdictions)
    with write_errors(out):
        written = write_registry(registry, out, headers=headers)
    for path in written:
        console.print(f"wrote {path}", markup=False)
    console.print(f"digest: {registry.digest}")
