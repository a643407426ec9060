"""``randcheck demo``: the main job on built-in demo data."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from randcheck.cli._output import console, registry_summary
from randcheck.demo import DEMO_SEED, demo_registry
from randcheck.errors import InputError
from randcheck.io import write_registry


def demo(
    policy: Annotated[
        str, typer.Option(help="Policy id (see `randcheck policies list`).")
    ] = "huojia",
    year: Annotated[int, typer.Option(help="Year of the quarter to run.")] = 2025,
    quarter: Annotated[int, typer.Option(min=1, max=4, help="Quarter, 1–4.")] = 3,
    out: Annotated[Path | None, typer.Option(help="Folder to write the outputs to.")] = None,
) -> None:
    """Run randcheck on the built-in demo county: registry first."""
    if not 2000 <= year <= 2100:
        raise InputError(f"year {year} is out of range", hint="give a year from 2000 to 2100")
    if out is not None and out.exists() and not out.is_dir():
        raise InputError(f"{out} exists and is not a folder", hint="give a folder for --out")
    registry = demo_registry()
    console.print(
        f"Demo county 示范县: synthetic registry, seed {DEMO_SEED!r}; "
        f"policy {policy}, {year} Q{quarter}"
    )
    registry_summary(registry)
    if out is not None:
        out.mkdir(parents=True, exist_ok=True)
        for path in write_registry(registry, out / "registry.csv"):
            console.print(f"wrote {path}")
