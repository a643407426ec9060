"""Running replicates: on any ``concurrent.futures.Executor``, with a progress bar.

``simulate`` runs one policy; ``compare`` runs several on the same registry,
seeds and world, so the differences between them come from the policies alone
(common random numbers: replicate *r* of every scenario sees the same churn
stream and the same draw seeds).
"""

from __future__ import annotations

import multiprocessing
import os
import sys
from collections.abc import Iterable, Mapping, Sequence
from concurrent.futures import Executor, Future, ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from randcheck.errors import InputError
from randcheck.models import EntityClass
from randcheck.policies.model import Policy
from randcheck.registry import Registry
from randcheck.simulation.models import ChurnModel, OutcomeModel
from randcheck.simulation.replicate import (
    COUNTED,
    DEFAULT_TEAMS,
    TEAM_MODES,
    ReplicateSpec,
    Row,
    TeamMode,
    run_replicate,
)

if TYPE_CHECKING:
    import pandas as pd

COLUMNS = ("scenario", "policy", "replicate", "metric", "entity_class", "year", "key", "value")
"""The long-form frame's columns; ``class_zh`` is added beside ``entity_class``."""

PER_CLASS_YEAR = ("entities", "inspected", "coverage", *COUNTED)
"""The metrics with one value per replicate, class and year (the CLI's columns)."""

# --- where replicates run ---------------------------------------------------------------

_SHARED: Registry | None = None


def _share(registry: Registry) -> None:
    global _SHARED
    _SHARED = registry


def _replicate_in_pool(spec: ReplicateSpec) -> list[Row]:
    assert _SHARED is not None, "the pool's initializer gives each worker the registry"
    return run_replicate(spec, _SHARED)


class RegistryPool(ProcessPoolExecutor):
    """A process pool whose workers each hold one registry, given once at start.

    Where processes start by forking (Linux), workers inherit the registry
    without copying it through a pipe; replicates sent to the pool carry only
    their small settings.
    """

    def __init__(self, registry: Registry, workers: int | None = None) -> None:
        methods = multiprocessing.get_all_start_methods()
        context = multiprocessing.get_context("fork" if "fork" in methods else None)
        super().__init__(
            max_workers=workers or os.cpu_count() or 1,
            mp_context=context,
            initializer=_share,
            initargs=(registry,),
        )
        self.registry = registry


def default_executor(registry: Registry, workers: int | None = None) -> RegistryPool:
    """The executor :func:`simulate` uses by default: a worker per core."""
    return RegistryPool(registry, workers)


# --- results -------------------------------------------------------------------------


@dataclass
class SimulationResult:
    """The numbers of every replicate of one scenario, and the settings behind them."""

    scenario: str
    policy_id: str
    policy_version: str
    registry_digest: str
    years: int
    start_year: int
    replicates: int
    seed: str
    churn: ChurnModel
    outcomes: OutcomeModel
    by_jurisdiction: bool
    teams: TeamMode = DEFAULT_TEAMS
    rows: dict[int, list[Row]] = field(default_factory=dict)

    def records(self) -> Iterable[tuple[Any, ...]]:
        for replicate in sorted(self.rows):
            for metric, cls, year, key, value in self.rows[replicate]:
                yield (
                    self.scenario,
                    f"{self.policy_id} {self.policy_version}",
                    replicate,
                    metric,
                    cls,
                    year,
                    key,
                    value,
                )

    def frame(self) -> pd.DataFrame:
        """Every number, long form: one row per (replicate, metric, class, year, key)."""
        return _frame(self.records())

    def by_class_year(self) -> pd.DataFrame:
        """One row per replicate, class and year; a column per metric (``coverage`` …)."""
        return wide(self.frame())

    def summary(self) -> pd.DataFrame:
        """Per class and year, over the replicates: coverage mean and 5-95 % range, workload."""
        return summarize(self.frame())


def _frame(records: Iterable[tuple[Any, ...]]) -> pd.DataFrame:
    import pandas as pd

    frame = pd.DataFrame.from_records(list(records), columns=list(COLUMNS))
    frame["year"] = frame["year"].astype("Int64")
    zh = {c.value: c.zh for c in EntityClass}
    frame.insert(5, "class_zh", frame["entity_class"].map(zh).fillna(""))
    return frame


def wide(frame: pd.DataFrame) -> pd.DataFrame:
    """The per-class-year metrics of a long frame as columns (CLI output, notebooks)."""
    part = frame[frame["metric"].isin(PER_CLASS_YEAR)]
    index = ["scenario", "policy", "replicate", "year", "entity_class"]
    table = part.pivot(index=index, columns="metric", values="value").reset_index()
    table.columns.name = None
    zh = {c.value: c.zh for c in EntityClass}
    table.insert(5, "class_zh", table["entity_class"].map(zh))
    ordered = [c for c in PER_CLASS_YEAR if c in table.columns]
    return table[[*index, "class_zh", *ordered]]


def summarize(frame: pd.DataFrame) -> pd.DataFrame:
    """Coverage (mean, 5th and 95th percentile), mean on-site count and capped quarters."""
    table = wide(frame)
    grouped = table.groupby(["scenario", "year", "entity_class", "class_zh"], observed=True)
    out = grouped.agg(
        coverage_mean=("coverage", "mean"),
        coverage_p5=("coverage", lambda s: s.quantile(0.05)),
        coverage_p95=("coverage", lambda s: s.quantile(0.95)),
        entities=("entities", "mean"),
        on_site=("on_site", "mean"),
        non_site=("non_site", "mean"),
        capped_quotas=("capped_quotas", "mean"),
    ).reset_index()
    return out


# --- the entry points ------------------------------------------------------------------


def _check(years: int, replicates: int, registry: Registry) -> None:
    if years < 1:
        raise InputError(f"years must be 1 or more, not {years}")
    if replicates < 1:
        raise InputError(f"replicates must be 1 or more, not {replicates}")
    if registry.entity_count == 0:
        raise InputError("the registry has no entities to draw from")


FIRST_YEAR, LAST_YEAR = 1950, 2200
"""The years a simulation may cover: those of the working-day calendar."""


def _check_years(policy: Policy, start: int, years: int) -> None:
    """Every simulated year on the calendar, the first one in the policy's time in force."""
    if isinstance(start, bool) or not isinstance(start, int):
        raise InputError(f"start_year must be a whole year, not {start!r}")
    last = start + years - 1
    if start < FIRST_YEAR or last > LAST_YEAR:
        raise InputError(
            f"start_year {start} with {years} year(s) runs to {last}: the simulated years "
            f"must lie in {FIRST_YEAR}–{LAST_YEAR}",
            hint="choose a start year and a number of years inside that range",
        )
    first_year = policy.effective_from.year
    if start < first_year:
        raise InputError(
            f"start_year {start} is before {policy.id} {policy.version} took effect "
            f"({policy.effective_from})",
            hint=f"start in {first_year} or later (the default is {first_year})",
        )
    until = policy.effective_until
    if until is not None and start > until.year:
        raise InputError(
            f"start_year {start} is after {policy.id} {policy.version} ceased to apply ({until})",
            hint="simulate the version in force then (get_policy(id, on=date))",
        )


def _specs(
    policy: Policy,
    years: int,
    replicates: int,
    seed: str | int,
    start_year: int | None,
    churn: ChurnModel | None,
    outcomes: OutcomeModel | None,
    by_jurisdiction: bool,
    teams: TeamMode = DEFAULT_TEAMS,
) -> list[ReplicateSpec]:
    if teams not in TEAM_MODES:
        raise InputError(f"teams must be 'drawn' or 'balanced', not {teams!r}")
    start = start_year if start_year is not None else policy.effective_from.year
    _check_years(policy, start, years)
    return [
        ReplicateSpec(
            policy=policy,
            years=years,
            start_year=start,
            seed=str(seed),
            replicate=r,
            churn=churn or ChurnModel(),
            outcomes=outcomes or OutcomeModel(),
            by_jurisdiction=by_jurisdiction,
            teams=teams,
        )
        for r in range(replicates)
    ]


def _run(
    specs: Sequence[ReplicateSpec],
    registry: Registry,
    executor: Executor | None,
    progress: bool | None,
    description: str,
) -> list[list[Row]]:
    """Every spec's rows, in spec order; a failed replicate stops the run with its error."""
    own = executor is None
    pool: Executor = default_executor(registry) if executor is None else executor
    shared = isinstance(pool, RegistryPool) and pool.registry is registry
    show = sys.stderr.isatty() if progress is None else progress
    futures: dict[Future[list[Row]], int] = {}
    sent: Any = registry if shared else _send_once(pool, registry)
    try:
        for n, spec in enumerate(specs):
            future = (
                pool.submit(_replicate_in_pool, spec)
                if shared
                else pool.submit(run_replicate, spec, sent)
            )
            futures[future] = n
        results: list[list[Row] | None] = [None] * len(specs)
        for n, rows in _collect(futures, show, description):
            results[n] = rows
    except BaseException:
        for future in futures:
            future.cancel()
        raise
    finally:
        if own:
            pool.shutdown(wait=True, cancel_futures=True)
        if sent is not registry:
            sent.release()  # the scattered copy on a Dask cluster
    return [r for r in results if r is not None]


def _send_once(pool: Executor, registry: Registry) -> Any:
    """The registry as each replicate receives it.

    On a Dask cluster (``Client.get_executor()``), one copy is scattered to the
    workers and each replicate gets a handle that its worker resolves, instead
    of a copy of the registry in every task (hundreds of MB at national scale).
    Elsewhere, the registry itself.
    """
    module = sys.modules.get("distributed.cfexecutor")
    if module is None or not isinstance(pool, module.ClientExecutor):
        return registry
    # hash=False: a random key, rather than tokenizing a million-row object
    return pool._client.scatter(registry, broadcast=True, hash=False)


def _collect(
    futures: Mapping[Future[list[Row]], int], show: bool, description: str
) -> Iterable[tuple[int, list[Row]]]:
    if not show:
        for future in as_completed(futures):
            yield futures[future], future.result()
        return
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
    )
    with Progress(*columns, console=Console(stderr=True), transient=False) as bar:
        task = bar.add_task(description, total=len(futures))
        for future in as_completed(futures):
            yield futures[future], future.result()
            bar.advance(task)


def simulate(
    policy: Policy,
    registry: Registry,
    years: int,
    replicates: int,
    seed: str | int,
    executor: Executor | None = None,
    *,
    start_year: int | None = None,
    churn: ChurnModel | None = None,
    outcomes: OutcomeModel | None = None,
    by_jurisdiction: bool = False,
    teams: TeamMode = DEFAULT_TEAMS,
    progress: bool | None = None,
    scenario: str | None = None,
) -> SimulationResult:
    """Repeat ``policy``'s quarterly draws for ``years`` years, ``replicates`` times.

    Every replicate starts from ``registry`` with no inspections, in
    ``start_year`` (default: the year the policy took effect, where its cycles
    start), and uses the real draw engine; the world changes as ``churn`` and
    ``outcomes`` say. ``seed`` makes the run reproducible: the same arguments give
    the same numbers on any executor. ``executor``: any
    ``concurrent.futures.Executor`` (a Dask ``Client.get_executor()`` included);
    by default a process pool with a worker per core. ``by_jurisdiction``: each
    行政区划 draws on its own with its own inspectors (a national registry).
    ``teams``: ``"balanced"`` (the default) takes the least-loaded inspectors with
    ties broken by the replicate's random stream; ``"drawn"`` breaks them by each
    entity's inspector tickets, exactly as a real draw under that seed would, at
    about twice the time. The entities drawn, and so every coverage number, are
    the same either way; the workload is the same in distribution.
    ``progress``: a progress bar on standard error (default: when it is a terminal).
    """
    _check(years, replicates, registry)
    specs = _specs(
        policy, years, replicates, seed, start_year, churn, outcomes, by_jurisdiction, teams
    )
    label = scenario or policy.id
    rows = _run(specs, registry, executor, progress, f"simulate {label}")
    first = specs[0]
    return SimulationResult(
        scenario=label,
        policy_id=policy.id,
        policy_version=policy.version,
        registry_digest=registry.digest if registry.entity_count <= 200_000 else "",
        years=years,
        start_year=first.start_year,
        replicates=replicates,
        seed=str(seed),
        churn=first.churn,
        outcomes=first.outcomes,
        by_jurisdiction=by_jurisdiction,
        teams=teams,
        rows=dict(enumerate(rows)),
    )


def _labels(policies: Sequence[Policy] | Mapping[str, Policy]) -> list[tuple[str, Policy]]:
    if isinstance(policies, Mapping):
        pairs = list(policies.items())
    else:
        ids = [p.id for p in policies]
        pairs = [(p.id if ids.count(p.id) == 1 else f"{p.id} {p.version}", p) for p in policies]
    labels = [label for label, _ in pairs]
    if len(set(labels)) != len(labels):
        raise InputError("two scenarios have the same label", hint="name them: {label: policy}")
    if not pairs:
        raise InputError("compare needs at least one policy")
    return pairs


def compare(
    policies: Sequence[Policy] | Mapping[str, Policy],
    registry: Registry,
    years: int,
    replicates: int,
    seed: str | int,
    executor: Executor | None = None,
    **options: Any,
) -> pd.DataFrame:
    """Several policies (or variants) on the same registry and seeds: one long frame.

    ``policies``: a list (labelled by policy id) or ``{label: policy}``. Options
    are :func:`simulate`'s. The frame has the columns :data:`COLUMNS` plus
    ``class_zh``; :func:`wide` and :func:`summarize` reshape it.
    """
    import pandas as pd

    pairs = _labels(policies)
    _check(years, replicates, registry)
    progress = options.pop("progress", None)
    allowed = {"start_year", "churn", "outcomes", "by_jurisdiction", "teams"}
    unknown = set(options) - allowed
    if unknown:
        raise InputError(f"unknown option(s): {', '.join(sorted(unknown))}")
    specs: list[ReplicateSpec] = []
    owners: list[int] = []
    for n, (_, policy) in enumerate(pairs):
        group = _specs(
            policy,
            years,
            replicates,
            seed,
            options.get("start_year"),
            options.get("churn"),
            options.get("outcomes"),
            bool(options.get("by_jurisdiction", False)),
            options.get("teams", DEFAULT_TEAMS),
        )
        specs += group
        owners += [n] * len(group)
    rows = _run(specs, registry, executor, progress, f"compare {len(pairs)} scenarios")
    frames = []
    for n, (label, policy) in enumerate(pairs):
        mine = [r for r, owner in zip(rows, owners) if owner == n]
        result = SimulationResult(
            scenario=label,
            policy_id=policy.id,
            policy_version=policy.version,
            registry_digest="",
            years=years,
            start_year=specs[owners.index(n)].start_year,
            replicates=replicates,
            seed=str(seed),
            churn=specs[0].churn,
            outcomes=specs[0].outcomes,
            by_jurisdiction=specs[0].by_jurisdiction,
            teams=specs[0].teams,
            rows=dict(enumerate(mine)),
        )
        frames.append(result.frame())
    return pd.concat(frames, ignore_index=True)
