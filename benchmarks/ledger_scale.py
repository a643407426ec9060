"""A province-year in the ledger: append, verify the chain, audit.

Targets on a 2-core, 24 GiB machine (issue 5): 200,000 entities, 60,000
inspections, about 400,000 events; verify <= 10 s (read-only: the chain and every
event's content), full audit <= 30 s. Every task comes from its quarter's sealed
and revealed draw, as the regime asks.
Appends are reported both one transaction per event (what a live system does)
and in batches of 1,000 (an import).

    python benchmarks/ledger_scale.py
    python benchmarks/ledger_scale.py --tasks 6000     # a quicker look
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import resource
import tempfile
import time
from pathlib import Path
from typing import Any

Row = tuple[str, str, dict[str, Any], str | None, dt.datetime]


def province_year(tasks: int, entities: int, seed: int = 1) -> list[Row]:
    """Events of a year of inspections, in time order; a few of them late."""
    rng = random.Random(seed)
    classes = ["KEY"] * 12 + ["GENERAL"] * 83 + ["SPECIAL"] * 5
    rows: list[Row] = [
        (
            "REGISTRY_SNAPSHOT",
            "省平台",
            {
                "digest": "a" * 64,
                "entities": entities,
                "inspectors": 6000,
                "class_counts": {
                    "KEY": entities * 12 // 100,
                    "GENERAL": entities * 83 // 100,
                    "SPECIAL": entities * 5 // 100,
                },
                "on_staff_inspectors": 5000,
            },
            "registry",
            dt.datetime(2025, 1, 10, 9),
        )
    ]
    drawn: dict[int, list[str]] = {}  # quarter -> its tasks, each quarter one sealed draw
    for n in range(tasks):
        task = f"2025-T{n:06d}"
        start = dt.datetime(2025, 1, 15, 9) + dt.timedelta(minutes=n * 7)
        quarter = (start.month - 1) // 3 + 1
        drawn.setdefault(quarter, []).append(task)
        team = [f"I{rng.randrange(6000):05d}", f"I{rng.randrange(6000):05d}"]
        payload = {
            "task_id": task,
            "uscc": f"9141{rng.randrange(entities):014d}",
            "inspectors": team,
            "entity_class": rng.choice(classes),
            "draw_id": f"2025Q{quarter}",
            "period": f"2025Q{quarter}",
        }
        rows.append(("TASK_DISPATCHED", "执法队", payload, None, start))
        rows.append(
            (
                "LIST_ACCESSED",
                team[0],
                {"draw_id": f"2025Q{quarter}", "task_id": task, "role": "TEAM"},
                None,
                start + dt.timedelta(hours=1),
            )
        )
        rows.append(
            (
                "INSPECTION_STARTED",
                team[0],
                {"task_id": task, "inspectors": team},
                None,
                start + dt.timedelta(days=2),
            )
        )
        rows.append(
            (
                "INSPECTION_COMPLETED",
                team[0],
                {"task_id": task, "inspectors": team},
                None,
                start + dt.timedelta(days=2, hours=5),
            )
        )
        outcome = "RECTIFY" if n % 6 == 0 else "NO_PROBLEM"
        entry = start + dt.timedelta(days=3 if n % 50 else 20)
        rows.append(
            ("RESULT_RECORDED", team[0], {"task_id": task, "outcome": outcome}, None, entry)
        )
        if outcome == "RECTIFY":
            rows.append(
                (
                    "RECTIFICATION_COMPLETED",
                    "中队",
                    {"task_id": task},
                    None,
                    entry + dt.timedelta(days=40),
                )
            )
        rows.append(
            (
                "DISCLOSURE_PUBLISHED",
                "宣教中心",
                {"task_ids": [task]},
                task,
                entry + dt.timedelta(days=10),
            )
        )
    for quarter, ids in drawn.items():
        day = dt.datetime(2025, 3 * quarter - 2, 1, 8)
        draw = f"2025Q{quarter}"
        sealed = {"draw_id": draw, "period": draw, "commitment": "0" * 64,
                  "receipt_digest": "0" * 64}  # fmt: skip
        rows.append(("DRAW_SEALED", "执法队", sealed, None, day))
        revealed = {"draw_id": draw, "tasks": ids}
        rows.append(("DRAW_REVEALED", "执法队", revealed, None, day + dt.timedelta(hours=1)))
    rows.sort(key=lambda r: r[4])
    return rows


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tasks", type=int, default=60_000)
    parser.add_argument("--entities", type=int, default=200_000)
    args = parser.parse_args()

    from randcheck.audit.run import audit
    from randcheck.ledger.stores import open_ledger
    from randcheck.policies import get_policy

    rows = province_year(args.tasks, args.entities)
    with tempfile.TemporaryDirectory() as folder:
        one = Path(folder) / "one.sqlite"
        start = time.perf_counter()
        with open_ledger(one) as ledger:
            for kind, actor, payload, subject, when in rows:
                ledger.append(kind, actor=actor, payload=payload, subject=subject, time=when)
        appended = time.perf_counter() - start

        batched = Path(folder) / "batched.sqlite"
        start = time.perf_counter()
        with open_ledger(batched) as ledger:
            for i in range(0, len(rows), 1000):
                ledger.append_many([(k, a, p, s, w) for k, a, p, s, w in rows[i : i + 1000]])
        appended_batched = time.perf_counter() - start

        with open_ledger(one, readonly=True) as ledger:  # as `ledger verify` and audit read
            start = time.perf_counter()
            report = ledger.verify()
            verified = time.perf_counter() - start
            assert report.ok and report.events == len(rows)
            start = time.perf_counter()
            verdict = audit(get_policy("benxi"), ledger.events(), 2025, as_of=dt.date(2026, 3, 31))
            audited = time.perf_counter() - start
        size = one.stat().st_size / 1e6
    failing = [r.rule.id for r in verdict.rules if r.status.value == "FAIL"]
    lines = [
        f"ledger scale: {args.tasks:,} inspections of {args.entities:,} entities, "
        f"{len(rows):,} events ({size:.0f} MB)",
        f"  append, one transaction each: {appended:.1f} s ({len(rows) / appended:,.0f} events/s)",
        f"  append, batches of 1,000:     {appended_batched:.1f} s "
        f"({len(rows) / appended_batched:,.0f} events/s)",
        f"  verify (read-only, every event): {verified:.1f} s "
        f"(target <= 10 s: {'met' if verified <= 10 else 'MISSED'})",
        f"  full audit (benxi, year):     {audited:.1f} s "
        f"(target <= 30 s: {'met' if audited <= 30 else 'MISSED'}); "
        f"{len(verdict.violations):,} violations; failing rules: {', '.join(failing)}",
        f"  peak memory {_peak_mb():,.0f} MB",
    ]
    print("\n".join(lines))


if __name__ == "__main__":
    main()
