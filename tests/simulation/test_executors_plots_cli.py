"""Running on Dask, plots with Chinese labels, and ``randcheck simulate``."""

from __future__ import annotations

import os
import warnings
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from randcheck.cli import app
from randcheck.io import write_registry
from randcheck.policies import get_policy
from randcheck.registry import Registry
from randcheck.simulation import compare, simulate
from randcheck.synth import generate_registry

runner = CliRunner()


@pytest.fixture(scope="module")
def small():  # type: ignore[no-untyped-def]
    return generate_registry(300, 12, seed=5)


def test_a_dask_cluster_gives_the_same_numbers_as_the_process_pool(  # type: ignore[no-untyped-def]
    small, monkeypatch: pytest.MonkeyPatch
) -> None:
    distributed = pytest.importorskip("distributed")
    policy = get_policy("xiping")
    local = simulate(policy, small, 1, 6, "dask", progress=False).frame()
    pickled: list[int] = []

    def getstate(registry: Registry) -> dict[str, object]:
        pickled.append(1)
        return registry.__dict__

    monkeypatch.setattr(Registry, "__getstate__", getstate, raising=False)
    with (
        distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
        ) as cluster,
        distributed.Client(cluster) as client,
    ):
        on_dask = simulate(
            policy, small, 1, 6, "dask", client.get_executor(), progress=False
        ).frame()
    pd.testing.assert_frame_equal(local, on_dask)
    # sent to the cluster once, not with each of the 6 replicates
    assert 1 <= len(pickled) <= 2


@pytest.fixture(scope="module")
def frame(small):  # type: ignore[no-untyped-def]
    base = get_policy("xiping")
    half = base.with_changes(
        {"general.yearly_count": {"multiple": 5}}, reason="1 : 5", name="general_1_to_5"
    )
    return compare({"1:10": base, "1:5": half}, small, 2, 2, "plots", progress=False)


def test_plots_render_chinese_labels(frame, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    pytest.importorskip("matplotlib")
    from randcheck.simulation import plots

    font = plots.find_cjk_font()
    if font is None:
        if os.environ.get("CI"):
            pytest.fail("CI must install a CJK font (see .ci/run): Chinese labels cannot render")
        pytest.skip("no CJK font installed here (apt-get install fonts-wqy-microhei)")
    figures = {
        "coverage": plots.coverage_curves(frame),
        "gaps": plots.gap_histogram(frame, "GENERAL"),
        "workload": plots.workload_boxplot(frame),
    }
    with warnings.catch_warnings():
        # matplotlib warns "Glyph ... missing from font(s)" for each character it cannot draw
        warnings.simplefilter("error")
        for name, figure in figures.items():
            figure.savefig(tmp_path / f"{name}.png", dpi=60)
    assert all((tmp_path / f"{n}.png").stat().st_size > 5000 for n in figures)
    titles = [ax.get_title() for ax in figures["coverage"].axes]
    assert titles == ["重点 KEY", "一般 GENERAL", "特殊 SPECIAL"]
    legend = figures["coverage"].axes[-1].get_legend()
    assert [t.get_text() for t in legend.get_texts()] == ["1:10", "1:5"]


def test_a_plot_of_a_frame_without_the_metric_says_so() -> None:
    pytest.importorskip("matplotlib")
    from randcheck.simulation import plots

    with pytest.raises(ValueError, match="no 'coverage' rows"):
        plots.coverage_curves(pd.DataFrame({"metric": ["x"]}))


@pytest.fixture(scope="module")
def city_file(tmp_path_factory: pytest.TempPathFactory, small) -> Path:  # type: ignore[no-untyped-def]
    path = tmp_path_factory.mktemp("sim") / "city.csv"
    write_registry(small, path)
    return path


def test_cli_writes_coverage_per_class_and_year(city_file: Path, tmp_path: Path) -> None:
    out = tmp_path / "runs.csv"
    args = ["simulate", "--policy", "xiping", "--registry", str(city_file), "--years", "2"]
    result = runner.invoke(app, [*args, "--replicates", "3", "-o", str(out), "--no-progress"])
    assert result.exit_code == 0, result.output
    table = pd.read_csv(out)
    assert len(table) == 3 * 2 * 3  # replicates × years × classes
    assert {"coverage", "entity_class", "class_zh", "year", "replicate"} <= set(table.columns)
    assert table["coverage"].between(0, 1).all() or table["coverage"].isna().any()
    assert "重点" in result.output and "coverage" in result.output
    again = tmp_path / "again.parquet"
    result = runner.invoke(app, [*args, "--replicates", "3", "-o", str(again), "--no-progress"])
    assert result.exit_code == 0, result.output
    pd.testing.assert_frame_equal(table, pd.read_parquet(again), check_dtype=False)


def test_cli_takes_a_variant_file(city_file: Path, tmp_path: Path) -> None:
    variant = tmp_path / "key25.yaml"
    variant.write_text(
        "variant_of: xiping\nname: key25\nreason: scenario\n"
        "changes:\n  key.quarterly_share:\n    min_fraction: 0.25\n",
        encoding="utf-8",
    )
    out = tmp_path / "v.csv"
    base = ["simulate", "--policy", "xiping", "--registry", str(city_file), "--years", "1"]
    result = runner.invoke(
        app, [*base, "--replicates", "1", "--variant", str(variant), "-o", str(out)]
    )
    assert result.exit_code == 0, result.output
    assert set(pd.read_csv(out)["scenario"]) == {"xiping.key25"}
    wrong = ["simulate", "--policy", "benxi", "--registry", str(city_file), "-o", str(out)]
    result = runner.invoke(app, [*wrong, "--variant", str(variant)])
    assert result.exit_code == 2
    assert "variant" in result.output and "xiping" in result.output


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["-o", "runs.txt"], "unknown output format .txt"),
        (["-o", "missing/runs.csv"], "does not exist"),
        (["-o", "runs.csv", "--policy", "nowhere"], "nowhere"),
        (["-o", "runs.csv", "--teams", "fast"], "--teams must be drawn or balanced"),
    ],
)
def test_cli_bad_input_writes_nothing(
    city_file: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, extra: list[str], message: str
) -> None:
    monkeypatch.chdir(tmp_path)
    args = ["simulate", "--policy", "xiping", "--registry", str(city_file), "--replicates", "1"]
    result = runner.invoke(app, [*args, *extra])
    assert result.exit_code == 2
    assert message in result.output
    assert "Traceback" not in result.output
    assert list(tmp_path.iterdir()) == []


def test_cli_missing_registry_is_an_error(tmp_path: Path) -> None:
    out = tmp_path / "runs.csv"
    result = runner.invoke(
        app,
        ["simulate", "--policy", "xiping", "--registry", str(tmp_path / "no.csv"), "-o", str(out)],
    )
    assert result.exit_code == 2
    assert not out.exists()
