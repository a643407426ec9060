"""Scenario simulation at city and national scale (issue 7).

Targets on a 2-core, 24 GiB machine:

- city: 10,000 entities and 100 inspectors, 3 years x 4 quarters x 200
  replicates: <= 60 s;
- national: 1.4 M entities, 45,000 inspectors, 2,330 jurisdictions each
  drawing on its own, 1 year, 10 replicates: <= 10 min.

The registry is generated first and not timed; the default executor (a
process pool, a worker per core) runs the replicates.

    python benchmarks/simulation_scale.py city [--policy xiping] [--replicates 200]
    python benchmarks/simulation_scale.py national [--policy benxi] [--replicates 10]

Teams are ``balanced`` (simulate's default: least loaded first, random ties);
``--teams drawn`` breaks ties by each entity's inspector tickets, as a real draw
does (see docs/simulation.md).
"""

from __future__ import annotations

import argparse
import os
import resource
import time


def _peak_mb() -> tuple[float, float]:
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return own, children


def run(
    name: str,
    entities: int,
    inspectors: int,
    jurisdictions: int,
    years: int,
    replicates: int,
    policy_id: str,
    target_s: float,
    teams: str,
) -> None:
    from randcheck.policies import get_policy
    from randcheck.simulation import simulate
    from randcheck.synth import generate_registry

    start = time.perf_counter()
    registry = generate_registry(
        entities, inspectors, seed=f"bench-{name}", jurisdictions=jurisdictions
    )
    made = time.perf_counter() - start
    policy = get_policy(policy_id)
    start = time.perf_counter()
    result = simulate(
        policy,
        registry,
        years,
        replicates,
        seed=f"bench-{name}",
        by_jurisdiction=jurisdictions > 1,
        teams=teams,  # type: ignore[arg-type]
        progress=False,
    )
    took = time.perf_counter() - start
    own, children = _peak_mb()
    summary = result.summary()
    print(
        f"{name}: {policy.id}, {entities:,} entities, {inspectors:,} inspectors, "
        f"{jurisdictions:,} jurisdiction(s), {years} year(s) x 4 quarters x {replicates} "
        f"replicates on {os.cpu_count()} cores, {teams} teams"
    )
    print(f"  registry generated in {made:.1f} s (not timed)")
    print(
        f"  simulation {took:.1f} s ({took / replicates:.2f} s a replicate); "
        f"target <= {target_s:.0f} s: {'met' if took <= target_s else 'NOT met'}"
    )
    print(f"  peak RSS: parent {own:,.0f} MB, largest worker {children:,.0f} MB")
    for row in summary.itertuples(index=False):
        print(
            f"  {row.year} {row.entity_class:<8} coverage {row.coverage_mean * 100:5.1f} % "
            f"({row.coverage_p5 * 100:.1f}-{row.coverage_p95 * 100:.1f}), "
            f"on-site {row.on_site:,.0f}, non-site {row.non_site:,.0f}"
        )


def main() -> None:
    from randcheck.simulation.replicate import DEFAULT_TEAMS, TEAM_MODES

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("scale", choices=["city", "national"])
    parser.add_argument("--policy", default=None)
    parser.add_argument("--replicates", type=int, default=None)
    parser.add_argument("--teams", choices=TEAM_MODES, default=DEFAULT_TEAMS)
    args = parser.parse_args()
    if args.scale == "city":
        run(
            "city",
            10_000,
            100,
            1,
            3,
            args.replicates or 200,
            args.policy or "xiping",
            60,
            args.teams,
        )
    else:
        run(
            "national",
            1_400_000,
            45_000,
            2_330,
            1,
            args.replicates or 10,
            args.policy or "benxi",
            600,
            args.teams,
        )


if __name__ == "__main__":
    main()
