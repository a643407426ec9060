"""``randcheck simulate``: a policy's draws repeated over years, as a table of numbers."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Annotated

import typer

from randcheck.cli._output import console, new_table
from randcheck.errors import InputError, PolicyError
from randcheck.policies.model import Policy
from randcheck.simulation.replicate import DEFAULT_TEAMS, TEAM_MODES

FORMATS = {".csv": "CSV", ".parquet": "Parquet"}
FORMAT_OF = {suffix: suffix for suffix in FORMATS}
"""The extensions ``simulate -o`` writes (the extension decides the format)."""
MAX_REPLICATES = 1_000_000
MAX_WORKERS = 1024


def _policy(policy_id: str, variant: Path | None) -> Policy:
    from randcheck.policies import get_policy, load_policy

    base = get_policy(policy_id)
    if variant is None:
        return base
    chosen = load_policy(variant)
    if (chosen.variant_of or chosen.id) != base.id:
        raise PolicyError(
            f"the variant in {variant} is of {chosen.variant_of or chosen.id}, not {base.id}",
            where=str(variant),
            hint=f"give --policy {chosen.variant_of or chosen.id}, or a variant of {base.id}",
        )
    return chosen


def _percent(value: object) -> str:
    number = float(value)  # type: ignore[arg-type]
    return "–" if math.isnan(number) else f"{number * 100:.1f} %"


def simulate(
    policy: Annotated[str, typer.Option(help="Policy id (randcheck policies list).")],
    registry: Annotated[Path, typer.Option(help="Registry file (.csv, .xlsx, .json).")],
    output: Annotated[
        Path, typer.Option("--output", "-o", help="Where to write: .csv or .parquet.")
    ],
    years: Annotated[int, typer.Option(min=1, max=50, help="Years to simulate.")] = 3,
    replicates: Annotated[
        int, typer.Option(min=1, max=MAX_REPLICATES, help="Independent repetitions.")
    ] = 100,
    variant: Annotated[
        Path | None, typer.Option(help="A variant file of the policy (.json/.yaml).")
    ] = None,
    seed: Annotated[str, typer.Option(help="Makes the run reproducible.")] = "randcheck",
    start_year: Annotated[
        int | None,
        typer.Option(help="First year (default: the policy's first; 1950–2200)."),
    ] = None,
    by_jurisdiction: Annotated[
        bool, typer.Option(help="A draw per 行政区划 with its own inspectors (national runs).")
    ] = False,
    teams: Annotated[
        str,
        typer.Option(
            help="balanced: least loaded first, random ties; drawn: ties broken by "
            "inspector tickets as in a real draw (same entities, about twice the time)."
        ),
    ] = DEFAULT_TEAMS,
    workers: Annotated[
        int | None,
        typer.Option(min=1, max=MAX_WORKERS, help="Processes (default: one per core)."),
    ] = None,
    opening_rate: Annotated[float, typer.Option(min=0, max=1, help="New entities a year.")] = 0.04,
    closing_rate: Annotated[float, typer.Option(min=0, max=1, help="Closures a year.")] = 0.03,
    progress: Annotated[bool, typer.Option(help="Show a progress bar.")] = True,
) -> None:
    """Repeat a policy's quarterly draws over years and write coverage per class and year.

    The output has a row per replicate, class and year with the columns
    coverage, entities, inspected, on_site, non_site, violations, quota,
    cap_hits, capped_quotas and quota_shortfall; a summary table is printed.
    """
    from randcheck.cli._args import check_year
    from randcheck.cli._output import check_outputs, write_errors
    from randcheck.io import read_registry
    from randcheck.io.atomic import atomic_write
    from randcheck.simulation import ChurnModel
    from randcheck.simulation import simulate as run
    from randcheck.simulation.run import default_executor

    (suffix,) = check_outputs([output], [registry, variant], formats=FORMAT_OF)
    if suffix == ".parquet":
        try:
            import pyarrow  # noqa: F401
        except ImportError:
            raise InputError(
                "writing Parquet needs pyarrow", hint="pip install 'randcheck[analysis]'"
            ) from None
    check_year(start_year, "--start-year")
    for option, rate in (("--opening-rate", opening_rate), ("--closing-rate", closing_rate)):
        if not (math.isfinite(rate) and 0 <= rate <= 1):
            raise InputError(f"{option} {rate} is not a share from 0 to 1")
    if teams not in TEAM_MODES:
        raise InputError(f"--teams must be drawn or balanced, not {teams!r}")
    chosen = _policy(policy, variant)
    snapshot = read_registry(registry).registry
    churn = ChurnModel(opening_rate=opening_rate, closing_rate=closing_rate)
    pool = default_executor(snapshot, workers)
    with pool:
        result = run(
            chosen,
            snapshot,
            years,
            replicates,
            seed,
            pool,
            start_year=start_year,
            churn=churn,
            by_jurisdiction=by_jurisdiction,
            teams=teams,  # type: ignore[arg-type]  # checked by simulate
            progress=progress,
        )
    table = result.by_class_year()
    with write_errors(output), atomic_write(output) as temp:
        if suffix == ".csv":
            table.to_csv(temp, index=False, encoding="utf-8")
        else:
            table.to_parquet(temp, index=False)

    summary = result.summary()
    shown = new_table(
        f"{chosen.label}: {replicates} replicates × {years} years, seed {seed!r}",
        "year 年度",
        "class 类别",
        "coverage 覆盖率",
        "5–95 %",
        "entities 对象",
        "on-site 现场",
        "non-site 非现场",
        "capped 受限",
    )
    for row in summary.itertuples(index=False):
        shown.add_row(
            str(row.year),
            f"{row.entity_class} / {row.class_zh}",
            _percent(row.coverage_mean),
            f"{_percent(row.coverage_p5)} – {_percent(row.coverage_p95)}",
            f"{row.entities:.0f}",
            f"{row.on_site:.0f}",
            f"{row.non_site:.0f}",
            f"{row.capped_quotas:.1f}",
        )
    console.print(shown)
    console.print(f"written 已写入: {output} ({FORMATS[suffix]}, {len(table)} rows)")
