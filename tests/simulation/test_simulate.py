"""simulate() and compare(): the numbers an analyst relies on when comparing policies."""

from __future__ import annotations

import math
from concurrent.futures import ThreadPoolExecutor

import pandas as pd
import pytest
from pydantic import ValidationError

from randcheck.errors import InputError
from randcheck.models import EntityClass, ProductionStatus
from randcheck.policies import get_policy
from randcheck.simulation import (
    PER_CLASS_YEAR,
    ChurnModel,
    OutcomeModel,
    compare,
    simulate,
    wide,
)
from randcheck.simulation.replicate import ReplicateSpec, run_replicate
from randcheck.synth import generate_registry

STILL = ChurnModel(opening_rate=0, closing_rate=0, reclassify_rate=0)
"""No churn: the registry stays as given."""
CLEAN = OutcomeModel(violation_rate={})
"""No violations: nobody becomes special."""


@pytest.fixture(scope="module")
def county():  # type: ignore[no-untyped-def]
    return generate_registry(600, 20, seed=7)


def serial() -> ThreadPoolExecutor:
    return ThreadPoolExecutor(max_workers=1)


def metric(frame: pd.DataFrame, name: str, cls: str | None = None) -> pd.DataFrame:
    part = frame[frame["metric"] == name]
    return part if cls is None else part[part["entity_class"] == cls]


def test_the_same_seed_gives_the_same_numbers_on_any_executor(county) -> None:  # type: ignore[no-untyped-def]
    policy = get_policy("xiping")
    in_processes = simulate(policy, county, 2, 3, "s1", progress=False).frame()
    with serial() as pool:
        in_a_thread = simulate(policy, county, 2, 3, "s1", pool, progress=False).frame()
    pd.testing.assert_frame_equal(in_processes, in_a_thread)
    with serial() as pool:
        other = simulate(policy, county, 2, 3, "s2", pool, progress=False).frame()
    assert not other["value"].equals(in_a_thread["value"])


def test_replicates_differ_from_each_other(county) -> None:  # type: ignore[no-untyped-def]
    with serial() as pool:
        frame = simulate(get_policy("xiping"), county, 1, 4, "s", pool, progress=False).frame()
    loads = metric(frame, "inspector_load").groupby("replicate")["value"].apply(tuple)
    assert loads.nunique() > 1


def test_all_key_entities_once_a_year_gives_full_key_coverage(county) -> None:  # type: ignore[no-untyped-def]
    # 睢县 三(二)1: 重点排污单位每年至少抽查一次 — with nothing changing, every key entity is seen.
    with serial() as pool:
        result = simulate(
            get_policy("suixian"), county, 2, 2, "s", pool, churn=STILL, outcomes=CLEAN
        )
    coverage = metric(result.frame(), "coverage", "KEY")
    assert list(coverage["value"]) == [1.0] * 4
    cycle = metric(result.frame(), "cycle_coverage", "KEY")
    assert set(cycle["value"]) == {1.0}
    assert set(cycle["key"]) == {"2021-2021", "2022-2022"}


def test_staff_ratio_sets_the_yearly_number_of_general_inspections(county) -> None:  # type: ignore[no-untyped-def]
    # 西平 一(四)2: at least 1 : 10, i.e. 10 × certified inspectors a year.
    policy = get_policy("xiping")
    certified = sum(
        1 for i in county.inspectors if i.on_staff and i.has_certificate and not i.auxiliary
    )
    with serial() as pool:
        frame = simulate(policy, county, 1, 2, "s", pool, churn=STILL, outcomes=CLEAN).frame()
    table = wide(frame).set_index("entity_class").loc["GENERAL"]
    drawn = table["on_site"] + table["non_site"]
    assert certified > 0
    # the quota counts the entities inspected so far this year and makes up the rest
    assert (drawn >= 10 * certified).all()
    assert (table["inspected"] <= drawn).all()


def test_violators_become_special_next_year(county) -> None:  # type: ignore[no-untyped-def]
    always = OutcomeModel(violation_rate={EntityClass.KEY: 1.0}, special_years=1)
    with serial() as pool:
        frame = simulate(
            get_policy("suixian"), county, 3, 1, "s", pool, churn=STILL, outcomes=always
        ).frame()
    special = metric(frame, "entities", "SPECIAL").set_index("year")["value"]
    key = metric(frame, "entities", "KEY").set_index("year")["value"]
    found = metric(frame, "violations", "KEY").set_index("year")["value"]
    assert found[2021] == key[2021]  # every key entity inspected and found in violation
    assert special[2022] == special[2021] + found[2021]
    assert key[2022] == 0
    # special for one year only: back on the key list in 2023
    assert key[2023] == key[2021]


def test_churn_opens_and_closes_entities(county) -> None:  # type: ignore[no-untyped-def]
    growing = ChurnModel(opening_rate=0.4, closing_rate=0, reclassify_rate=0)
    shrinking = ChurnModel(opening_rate=0, closing_rate=0.4, reclassify_rate=0)
    with serial() as pool:
        up = simulate(get_policy("xiping"), county, 2, 1, "s", pool, churn=growing).frame()
        down = simulate(get_policy("xiping"), county, 2, 1, "s", pool, churn=shrinking).frame()
    total = "entities"
    up_years = metric(up, total).groupby("year")["value"].sum()
    down_years = metric(down, total).groupby("year")["value"].sum()
    operating = sum(1 for s in county.column("production_status") if s.operating)
    assert up_years[2025] > up_years[2024] > operating
    assert down_years[2025] < down_years[2024] <= operating
    assert ProductionStatus.CLOSED.operating is False


def test_run_replicate_leaves_the_registry_untouched(county) -> None:  # type: ignore[no-untyped-def]
    before = county.digest
    spec = ReplicateSpec(get_policy("benxi"), 2, 2025, "s", 0, ChurnModel(), OutcomeModel())
    run_replicate(spec, county)
    assert county.digest == before


def test_item_cap_hits_and_capped_quotas_are_counted(county) -> None:  # type: ignore[no-untyped-def]
    # 本溪 七(一)4: the same entity at most twice a year. Drawing every key entity
    # every quarter runs into the cap from the third quarter on.
    every_quarter = get_policy("benxi").with_changes(
        {"key.quarterly_share": {"min_fraction": 1.0}}, reason="test", name="all_key"
    )
    with serial() as pool:
        frame = simulate(
            every_quarter, county, 1, 1, "s", pool, churn=STILL, outcomes=CLEAN
        ).frame()
    key = county.class_counts()[EntityClass.KEY]
    operating_key = sum(
        1
        for c, s in zip(county.column("entity_class"), county.column("production_status"))
        if c is EntityClass.KEY and s.operating
    )
    assert key >= operating_key > 0
    assert metric(frame, "cap_hits", "KEY")["value"].item() == 2 * operating_key
    assert metric(frame, "capped_quotas", "KEY")["value"].item() == 2
    assert metric(frame, "quota_shortfall", "KEY")["value"].item() == 2 * operating_key
    tasks = metric(frame, "on_site", "KEY")["value"].item()
    assert tasks + metric(frame, "non_site", "KEY")["value"].item() == 2 * operating_key


def test_gaps_years_uninspected_and_workload_add_up(county) -> None:  # type: ignore[no-untyped-def]
    policy = get_policy("suixian")
    with serial() as pool:
        frame = simulate(policy, county, 3, 1, "s", pool, churn=STILL, outcomes=CLEAN).frame()
    table = wide(frame)
    inspections = table.groupby("entity_class")[["on_site", "non_site"]].sum().sum(axis=1)
    entities_seen = {
        cls: metric(frame, "horizon_coverage", cls)["value"].item()
        * metric(frame, "entities", cls)["value"].iloc[0]
        for cls in ("KEY", "GENERAL")
    }
    for cls in ("KEY", "GENERAL"):
        gaps = metric(frame, "gap_quarters", cls)
        # each inspection after an entity's first opens one gap
        assert gaps["value"].sum() == pytest.approx(inspections[cls] - entities_seen[cls])
        assert (pd.to_numeric(gaps["key"]) >= 1).all()
    key_gaps = pd.to_numeric(metric(frame, "gap_quarters", "KEY")["key"])
    assert key_gaps.max() <= 7  # once a year: never more than 7 quarters apart
    shares = metric(frame, "uninspected_years", "GENERAL")["value"].tolist()
    assert shares == sorted(shares, reverse=True)  # k or more years: fewer as k grows
    assert 0 < shares[0] <= 1
    assert metric(frame, "uninspected_years", "KEY")["value"].max() == 0
    team = 2
    loads = metric(frame, "inspector_load").groupby("year")["value"].sum()
    on_site = table.groupby("year")["on_site"].sum()
    assert (loads == on_site * team).all()


def test_national_runs_draw_each_jurisdiction_with_its_own_inspectors() -> None:
    registry = generate_registry(900, 45, seed=3, jurisdictions=3)
    with serial() as pool:
        frame = simulate(
            get_policy("suixian"),
            registry,
            1,
            1,
            "s",
            pool,
            churn=STILL,
            outcomes=CLEAN,
            by_jurisdiction=True,
        ).frame()
    assert metric(frame, "coverage", "KEY")["value"].item() == 1.0
    quota = metric(frame, "quota", "KEY")["value"].item()
    assert quota >= registry.class_counts()[EntityClass.KEY] * 0.9


def test_compare_uses_common_random_numbers(county) -> None:  # type: ignore[no-untyped-def]
    policy = get_policy("xiping")
    with serial() as pool:
        frame = compare({"a": policy, "b": policy}, county, 1, 2, "s", pool, progress=False)
    a = frame[frame["scenario"] == "a"].reset_index(drop=True)
    b = frame[frame["scenario"] == "b"].reset_index(drop=True)
    assert a["value"].equals(b["value"])


def test_a_higher_key_share_draws_more_key_entities(county) -> None:  # type: ignore[no-untyped-def]
    base = get_policy("xiping")  # 一(四)1: 20 % of key entities each quarter
    half = base.with_changes(
        {"key.quarterly_share": {"min_fraction": 0.5}}, reason="scenario", name="key50"
    )
    with serial() as pool:
        frame = compare([base, half], county, 1, 2, "s", pool, churn=STILL)
    assert set(frame["scenario"]) == {"xiping", "xiping.key50"}
    on_site = metric(frame, "on_site", "KEY").groupby("scenario")["value"].mean()
    assert on_site["xiping.key50"] > on_site["xiping"]
    assert {"class_zh", *PER_CLASS_YEAR} <= set(frame.columns) | set(PER_CLASS_YEAR)
    assert set(frame["class_zh"]) >= {"重点", "一般"}


def test_summary_gives_mean_and_range_per_class_and_year(county) -> None:  # type: ignore[no-untyped-def]
    with serial() as pool:
        result = simulate(get_policy("xiping"), county, 2, 4, "s", pool)
    summary = result.summary()
    assert len(summary) == 2 * len(EntityClass)
    for row in summary.itertuples():
        if not math.isnan(row.coverage_mean):
            assert row.coverage_p5 <= row.coverage_mean <= row.coverage_p95


def test_progress_bar_goes_to_standard_error(county, capsys) -> None:  # type: ignore[no-untyped-def]
    with serial() as pool:
        simulate(get_policy("xiping"), county, 1, 2, "s", pool, progress=True)
    captured = capsys.readouterr()
    assert "simulate xiping" in captured.err
    assert captured.out == ""


@pytest.mark.parametrize(
    ("years", "replicates", "message"),
    [(0, 1, "years must be 1 or more"), (1, 0, "replicates must be 1 or more")],
)
def test_bad_settings_are_refused(county, years, replicates, message) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(InputError, match=message):
        simulate(get_policy("xiping"), county, years, replicates, "s")


def test_bad_rates_are_refused() -> None:
    with pytest.raises(ValidationError, match="must be 0 to 1"):
        OutcomeModel(violation_rate={EntityClass.KEY: 1.5})
    with pytest.raises(ValidationError):
        ChurnModel(opening_rate=-0.1)


def test_compare_refuses_duplicate_labels_and_unknown_options(county) -> None:  # type: ignore[no-untyped-def]
    policy = get_policy("xiping")
    with pytest.raises(InputError, match="same label"):
        compare([policy, policy], county, 1, 1, "s")
    with pytest.raises(InputError, match="unknown option"):
        compare([policy], county, 1, 1, "s", colour="red")


def test_a_jurisdiction_too_small_for_a_team_is_counted_not_fatal() -> None:
    registry = generate_registry(600, 4, seed=3, jurisdictions=3)
    with serial() as pool:
        frame = simulate(
            get_policy("suixian"), registry, 1, 1, "s", pool, churn=STILL, by_jurisdiction=True
        ).frame()
    failed = metric(frame, "failed_draws")["value"].item()
    assert 0 < failed <= 3 * 4
    assert metric(frame, "coverage", "KEY")["value"].item() < 1.0


def test_balanced_teams_by_default_draw_the_same_entities_and_spread_work_evenly(county) -> None:  # type: ignore[no-untyped-def]
    policy = get_policy("xiping")
    with serial() as pool:
        drawn = simulate(policy, county, 2, 2, "t", pool, teams="drawn").frame()
        balanced = simulate(policy, county, 2, 2, "t", pool, teams="balanced").frame()
    default = simulate(policy, county, 2, 2, "t", progress=False).frame()
    pd.testing.assert_frame_equal(balanced, default)  # the default; the same in other processes
    entity_metrics = ["coverage", "on_site", "gap_quarters", "uninspected_years"]
    pick = drawn["metric"].isin(entity_metrics)
    assert drawn[pick]["value"].equals(balanced[pick]["value"])
    for frame in (drawn, balanced):
        loads = metric(frame, "inspector_load").groupby(["replicate", "year"])["value"]
        assert ((loads.max() - loads.min()) <= 8).all()  # one per quarter at most, x4, x2
    assert not metric(drawn, "inspector_load")["value"].equals(
        metric(balanced, "inspector_load")["value"]
    )


def test_an_unknown_team_mode_is_refused(county) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(InputError, match="teams must be"):
        simulate(get_policy("xiping"), county, 1, 1, "s", teams="fast")  # type: ignore[arg-type]
