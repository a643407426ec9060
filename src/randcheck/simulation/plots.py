"""Plots of a simulation frame: coverage curves, gap histograms, workload box plots.

Each helper takes the long frame of :func:`~randcheck.simulation.compare` (or
``SimulationResult.frame()``) and returns a matplotlib ``Figure``; labels are in
Chinese and English (``覆盖率 coverage``). Chinese needs a CJK font:
:func:`use_cjk_font` picks an installed one (on Debian or Ubuntu,
``apt-get install fonts-wqy-microhei`` or ``fonts-noto-cjk``).
"""

from __future__ import annotations

import warnings
from typing import TYPE_CHECKING

from randcheck.models import EntityClass

if TYPE_CHECKING:
    import pandas as pd
    from matplotlib.figure import Figure

CJK_FONTS = (
    "Noto Sans CJK SC",
    "Noto Sans CJK JP",
    "WenQuanYi Micro Hei",
    "WenQuanYi Zen Hei",
    "Source Han Sans SC",
    "Source Han Sans CN",
    "SimHei",
    "Microsoft YaHei",
    "PingFang SC",
    "Heiti SC",
)
"""Fonts with Chinese glyphs, in the order they are preferred."""

CLASS_LABELS = {c.value: f"{c.zh} {c.value}" for c in EntityClass}


def find_cjk_font() -> str | None:
    """The name of an installed font with Chinese glyphs, or None."""
    from matplotlib import font_manager

    installed = {f.name for f in font_manager.fontManager.ttflist}
    found = next((name for name in CJK_FONTS if name in installed), None)
    if found is None:
        # matplotlib caches the font list: a font installed after the cache was made
        # is not in it. Look at the system's font files for CJK ones and add them.
        for path in font_manager.findSystemFonts():
            if any(tag in path.lower() for tag in ("wqy", "cjk", "sourcehan", "simhei", "msyh")):
                font_manager.fontManager.addfont(path)
        installed = {f.name for f in font_manager.fontManager.ttflist}
        found = next((name for name in CJK_FONTS if name in installed), None)
    return found


def use_cjk_font() -> str | None:
    """Put an installed CJK font first in matplotlib's sans-serif list; its name, or None.

    Warns (once, with what to install) when there is none: Chinese labels would
    then draw as empty boxes.
    """
    import matplotlib

    name = find_cjk_font()
    if name is None:
        warnings.warn(
            "no CJK font found: Chinese labels will not render. Install one, e.g. "
            "`apt-get install fonts-wqy-microhei` (Debian/Ubuntu), then restart Python",
            stacklevel=2,
        )
        return None
    fonts = [name, *[f for f in matplotlib.rcParams["font.sans-serif"] if f != name]]
    matplotlib.rcParams["font.sans-serif"] = fonts
    matplotlib.rcParams["font.family"] = "sans-serif"
    matplotlib.rcParams["axes.unicode_minus"] = False
    return name


def _figure(width: float = 9, height: float = 4.5) -> Figure:
    from matplotlib.figure import Figure

    use_cjk_font()
    return Figure(figsize=(width, height), layout="constrained")


def _metric(frame: pd.DataFrame, metric: str) -> pd.DataFrame:
    part = frame[frame["metric"] == metric]
    if part.empty:
        raise ValueError(f"the frame has no {metric!r} rows: is it a simulation frame?")
    return part


def coverage_curves(frame: pd.DataFrame, classes: tuple[str, ...] | None = None) -> Figure:
    """Coverage per year, a panel per class: a line per scenario (mean), 5-95 % band."""
    part = _metric(frame, "coverage")
    shown = classes or tuple(c for c in CLASS_LABELS if c in set(part["entity_class"]))
    figure = _figure(4.2 * len(shown), 4)
    axes = figure.subplots(1, len(shown), squeeze=False, sharey=True)[0]
    for ax, cls in zip(axes, shown):
        mine = part[part["entity_class"] == cls]
        for scenario, rows in mine.groupby("scenario", sort=False):
            stats = rows.groupby("year")["value"]
            years = [int(y) for y in stats.mean().index]
            ax.plot(years, stats.mean().values, marker="o", label=str(scenario))
            ax.fill_between(
                years, stats.quantile(0.05).values, stats.quantile(0.95).values, alpha=0.2
            )
        ax.set_title(CLASS_LABELS.get(cls, cls))
        ax.set_xlabel("年度 year")
        ax.set_xticks(sorted({int(y) for y in mine["year"].dropna()}))
        ax.set_ylim(0, 1.05)
        ax.grid(alpha=0.3)
    axes[0].set_ylabel("年度覆盖率 coverage")
    axes[-1].legend(title="方案 scenario", fontsize="small")
    figure.suptitle("抽查覆盖率 Inspection coverage (mean, 5-95 %)")
    return figure


def gap_histogram(frame: pd.DataFrame, entity_class: str | None = None) -> Figure:
    """Quarters between consecutive inspections of an entity: share of gaps, per scenario."""
    import pandas as pd

    part = _metric(frame, "gap_quarters")
    if entity_class is not None:
        part = part[part["entity_class"] == entity_class]
    part = part.assign(gap=pd.to_numeric(part["key"]))
    figure = _figure()
    ax = figure.subplots()
    scenarios = list(dict.fromkeys(part["scenario"]))
    width = 0.8 / max(1, len(scenarios))
    for n, scenario in enumerate(scenarios):
        counts = part[part["scenario"] == scenario].groupby("gap")["value"].sum()
        shares = counts / counts.sum()
        ax.bar(
            shares.index + (n - (len(scenarios) - 1) / 2) * width,
            shares.values,
            width=width,
            label=str(scenario),
        )
    ax.set_xlabel("两次检查间隔（季度） quarters between inspections")
    ax.set_ylabel("占比 share of gaps")
    which = f" — {CLASS_LABELS.get(entity_class, entity_class)}" if entity_class else ""
    ax.set_title(f"检查间隔分布 Gaps between inspections{which}")
    ax.legend(title="方案 scenario", fontsize="small")
    ax.grid(alpha=0.3, axis="y")
    return figure


def workload_boxplot(frame: pd.DataFrame) -> Figure:
    """On-site tasks per inspector per year: a box per scenario."""
    part = _metric(frame, "inspector_load")
    scenarios = list(dict.fromkeys(part["scenario"]))
    data = [part[part["scenario"] == s]["value"].to_numpy() for s in scenarios]
    figure = _figure()
    ax = figure.subplots()
    ax.boxplot(data, tick_labels=[str(s) for s in scenarios])
    ax.set_ylabel("每名执法人员年检查任务数 tasks per inspector per year")
    ax.set_title("执法人员工作量 Inspector workload")
    ax.grid(alpha=0.3, axis="y")
    return figure
