"""Registry at national scale: generate, write, load and validate.

Targets on a 2-core, 24 GiB machine (issue 2): load and validate a registry of
1.4 million entities and 45,000 inspectors (the order of the 2021 national
totals: 1.38 M entities, 44,900 inspectors) in <= 60 s with peak memory <= 4 GB.

Each step runs in its own process, so the peak memory reported for loading is
that of loading alone.

    python benchmarks/registry_scale.py                       # the national size
    python benchmarks/registry_scale.py --entities 100000     # a quicker look
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: KiB


def step_generate(args: argparse.Namespace) -> dict[str, float]:
    from randcheck.io import write_registry
    from randcheck.synth import generate_registry

    t0 = time.perf_counter()
    registry = generate_registry(
        args.entities, args.inspectors, seed="bench", jurisdictions=args.jurisdictions
    )
    t1 = time.perf_counter()
    write_registry(registry, Path(args.file))
    t2 = time.perf_counter()
    return {"generate_s": t1 - t0, "write_s": t2 - t1, "generate_write_peak_mb": _peak_mb()}


def step_load(args: argparse.Namespace) -> dict[str, float]:
    from randcheck.io import read_registry

    t0 = time.perf_counter()
    report = read_registry(Path(args.file))
    t1 = time.perf_counter()
    registry = report.registry
    peak_load = _peak_mb()
    t2 = time.perf_counter()
    digest = registry.digest
    t3 = time.perf_counter()
    assert registry.entity_count == args.entities, registry.entity_count
    assert len(digest) == 64
    return {
        "load_validate_s": t1 - t0,
        "load_validate_peak_mb": peak_load,
        "digest_s": t3 - t2,
        "entities": registry.entity_count,
        "inspectors": registry.inspector_count,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entities", type=int, default=1_400_000)
    parser.add_argument("--inspectors", type=int, default=45_000)
    parser.add_argument("--jurisdictions", type=int, default=2_330)
    parser.add_argument("--step", choices=["generate", "load"], help=argparse.SUPPRESS)
    parser.add_argument("--file", help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.step:
        result = step_generate(args) if args.step == "generate" else step_load(args)
        print(json.dumps(result))
        return

    with tempfile.TemporaryDirectory() as folder:
        file = str(Path(folder) / "registry.csv")
        results: dict[str, float] = {}
        for step in ("generate", "load"):
            command = [sys.executable, __file__, "--step", step, "--file", file]
            command += ["--entities", str(args.entities), "--inspectors", str(args.inspectors)]
            command += ["--jurisdictions", str(args.jurisdictions)]
            out = subprocess.run(command, check=True, capture_output=True, text=True).stdout
            results.update(json.loads(out.strip().splitlines()[-1]))
        size = sum(p.stat().st_size for p in Path(folder).iterdir())
        results["csv_mb"] = size / 1e6
    print(
        f"registry scale: {args.entities:,} entities, {args.inspectors:,} inspectors, "
        f"{args.jurisdictions:,} jurisdictions"
    )
    for key, value in results.items():
        shown = f"{value:12.2f}" if isinstance(value, float) else f"{value:>12}"
        print(f"  {key:24} {shown}")
    ok_time = results["load_validate_s"] <= 60
    ok_mem = results["load_validate_peak_mb"] <= 4096
    print(
        f"  target load+validate <= 60 s: {'met' if ok_time else 'MISSED'}; "
        f"peak <= 4 GB: {'met' if ok_mem else 'MISSED'}"
    )


if __name__ == "__main__":
    main()
