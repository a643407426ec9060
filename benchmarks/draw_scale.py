"""Draws at county and national scale, and the ranking against consistent-sampler.

Targets on a 2-core, 24 GiB machine (issue 4):

- county: 2,000 entities, 40 inspectors; a full quarterly draw with teams and a
  sealed receipt: the median time over repeated runs;
- national: 1.4 M entities and 45,000 inspectors in 2,330 synthetic
  jurisdictions, one draw each: <= 30 s and <= 4 GB;
- ranking 1 M ids, randcheck against ``consistent_sampler.sampler`` in the same
  run: randcheck at least 2.5 x faster.

    python benchmarks/draw_scale.py county
    python benchmarks/draw_scale.py ranking
    python benchmarks/draw_scale.py national
"""

from __future__ import annotations

import argparse
import resource
import statistics
import time


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def county(runs: int) -> None:
    from randcheck.draw.receipt import seal
    from randcheck.periods import Quarter
    from randcheck.policies import get_policy
    from randcheck.synth import generate_registry

    registry = generate_registry(2_000, 40, seed="bench-county")
    registry.digest  # noqa: B018 - computed once, as a loaded snapshot would be
    policy = get_policy("huojia")
    times = []
    for n in range(runs):
        start = time.perf_counter()
        _, result = seal(
            policy,
            registry,
            Quarter(2025, 3),
            secret=f"{n:064x}",
            public_randomness="12345678901234567890",
        )
        times.append(time.perf_counter() - start)
    print(
        f"county: 2,000 entities, 40 inspectors, {len(result.tasks)} tasks; "
        f"median {statistics.median(times) * 1000:.1f} ms over {runs} runs "
        f"(min {min(times) * 1000:.1f}, max {max(times) * 1000:.1f})"
    )


def ranking(size: int) -> None:
    import consistent_sampler

    from randcheck.sampling import consistent_order

    ids = [f"9141{n:014d}" for n in range(size)]
    start = time.perf_counter()
    ours = consistent_order(ids, "bench-seed")
    t_ours = time.perf_counter() - start
    start = time.perf_counter()
    theirs = list(consistent_sampler.sampler(ids, seed="bench-seed", output="id"))
    t_theirs = time.perf_counter() - start
    assert ours == theirs, "the orders differ"
    ratio = t_theirs / t_ours
    print(
        f"ranking {size:,} ids: randcheck {t_ours:.2f} s, consistent-sampler {t_theirs:.2f} s; "
        f"{ratio:.2f} x faster (target >= 2.5 x: {'met' if ratio >= 2.5 else 'MISSED'}); same order"
    )


def national() -> None:
    from randcheck.draw.receipt import seal
    from randcheck.periods import Quarter
    from randcheck.policies import get_policy
    from randcheck.synth import generate_registry

    start = time.perf_counter()
    registry = generate_registry(1_400_000, 45_000, seed="bench-national", jurisdictions=2_330)
    made = time.perf_counter() - start
    start = time.perf_counter()
    digest = registry.digest
    digested = time.perf_counter() - start
    policy = get_policy("benxi")
    codes = sorted(set(registry.column("division_code")))
    start = time.perf_counter()
    tasks = 0
    for n, code in enumerate(codes):
        _, result = seal(
            policy,
            registry,
            Quarter(2025, 3),
            secret=f"{n:064x}",
            public_randomness="12345678901234567890",
            jurisdiction=code,
        )
        tasks += len(result.tasks)
    drew = time.perf_counter() - start
    print(
        f"national: {registry.entity_count:,} entities, {registry.inspector_count:,} inspectors, "
        f"{len(codes):,} jurisdictions"
    )
    print(f"  generate {made:.1f} s; registry digest {digested:.1f} s ({digest[:12]}…)")
    print(
        f"  {len(codes):,} sealed draws, {tasks:,} tasks: {drew:.1f} s "
        f"(target <= 30 s: {'met' if drew <= 30 else 'MISSED'})"
    )
    peak = _peak_mb()
    print(
        f"  peak memory {peak:,.0f} MB (target <= 4,096 MB: {'met' if peak <= 4096 else 'MISSED'})"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("which", choices=["county", "ranking", "national"])
    parser.add_argument("--runs", type=int, default=21)
    parser.add_argument("--ids", type=int, default=1_000_000)
    args = parser.parse_args()
    if args.which == "county":
        county(args.runs)
    elif args.which == "ranking":
        ranking(args.ids)
    else:
        national()


if __name__ == "__main__":
    main()
