"""Write the example notebooks (run from the repository root; outputs are not stored).

    python examples/notebooks/make_notebooks.py

Each notebook reads RANDCHECK_EXAMPLE_SIZE: "full" (the default) for the study
as described, "small" for the test run (examples/conftest.py sets it).
"""

from __future__ import annotations

from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

HERE = Path(__file__).parent


def notebook(name: str, cells: list[tuple[str, str]]) -> None:
    nb = new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.cells = [new_markdown_cell(text) if kind == "md" else new_code_cell(text) for kind, text in cells]
    nbformat.write(nb, HERE / name)


SIZE = '''import os

SMALL = os.environ.get("RANDCHECK_EXAMPLE_SIZE", "full") == "small"
'''

notebook(
    "01-county-quarter.ipynb",
    [
        ("md", """# One county quarter: registry to verdict 一个县一个季度：从名录库到合规结论

The whole flow on the built-in demo county (500 entities, 40 inspectors) under
获嘉县's rules: classify, compute quotas, seal the draw, reveal it, verify it as
anyone could, record the quarter in a hash-chained ledger, and judge it: every
verdict cites its clause."""),
        ("code", """import datetime as dt
import tempfile
from pathlib import Path

import pandas as pd

from randcheck.demo import demo_history, demo_public_randomness, demo_registry, demo_secret, record_quarter
from randcheck.engine.ledger import open_ledger
from randcheck.engine.receipt import reveal, seal, verify
from randcheck.engine.verdict import audit
from randcheck.periods import Quarter
from randcheck.policies import get_policy

policy = get_policy("huojia")
period = Quarter(2025, 3)
registry = demo_registry()
registry"""),
        ("md", "## The registry 一单两库"),
        ("code", """pd.Series({cls.label: n for cls, n in registry.class_counts().items()}, name="entities 数量")"""),
        ("md", "## The sealed draw 封存抽取\n\nThe secret's commitment is published first; the public randomness (dice) comes at the ceremony; the seed is fixed by both."),
        ("code", """history = demo_history(policy, registry, period)
secret, public = demo_secret(period), demo_public_randomness(period)
sealed, result = seal(policy, registry, period, secret=secret, public_randomness=public, history=history)
quotas = pd.DataFrame([
    {"class 类别": q.entity_class.label, "quota 数量": q.quota, "eligible 可抽": q.eligible,
     "deciding rule 依据": f"{q.deciding.explanation} ({q.deciding.clause})" if q.deciding else ""}
    for q in result.quotas
])
print("commitment 承诺值:", sealed["commitment"])
quotas"""),
        ("md", "## Reveal and verify 揭示与验证\n\nVerification recomputes the draw from the receipt, the registry and the history; any difference is named."),
        ("code", """revealed = reveal(sealed, secret, registry, history)
report = verify(revealed, registry, history)
assert report.ok, report
pd.DataFrame([{"check": c.name, "ok": c.ok} for c in report.checks])"""),
        ("code", """tasks = pd.DataFrame(revealed["revealed"]["tasks"])
tasks[["task_id", "uscc", "class", "mode", "team"]].head(10)"""),
        ("md", "## Record the quarter and judge it 记录与合规结论\n\nThe demo records the quarter with a few faults planted; the verdict must catch exactly those."),
        ("code", """folder = Path(tempfile.mkdtemp())
with open_ledger(folder / "ledger.sqlite") as ledger:
    planted = record_quarter(ledger, policy, registry, period, result)
    verdict = audit(policy, ledger.events(), period.year, quarter=period.quarter,
                    as_of=period.end + dt.timedelta(days=75), registry=registry)
rules = pd.DataFrame([
    {"rule": v.rule.id, "status": v.status.value, "measured": v.measured, "required": v.required,
     "clause": str(v.rule.citation)}
    for v in verdict.rules
])
rules"""),
        ("code", """caught = {(v.task_id, v.kind) for v in verdict.violations}
wanted = {(p.task_id, p.kind) for p in planted}
assert wanted <= caught, wanted - caught
print(f"planted {len(wanted)}, caught {len(wanted & caught)}")"""),
    ],
)

notebook(
    "02-compare-ratios.ipynb",
    [
        ("md", """# 20 % vs 25 % key ratio, 1 : 5 vs 1 : 10 staff ratio 重点比例与人员比例方案比较

What happens to coverage and workload if key entities (重点) are drawn at 25 %
a quarter instead of 西平县's 20 %, or general ones (一般) at 1 : 5 instead of
1 : 10? Every scenario runs on the same registry and the same seeds, so the
differences come from the rules alone."""),
        ("code", SIZE + """
ENTITIES, INSPECTORS = (1_500, 20) if SMALL else (10_000, 100)
YEARS, REPLICATES = (2, 4) if SMALL else (3, 200)"""),
        ("code", """from randcheck.policies import get_policy
from randcheck.simulation import compare, summarize
from randcheck.simulation import plots
from randcheck.synth import generate_registry

registry = generate_registry(ENTITIES, INSPECTORS, seed="city")
xiping = get_policy("xiping")
for rule_id in ("key.quarterly_share", "general.yearly_count"):
    rule = xiping.rule(rule_id)
    print(rule_id, "—", rule.title, "—", rule.citation)
scenarios = {
    "20 % key, 1:10 (西平)": xiping,
    "25 % key": xiping.with_changes({"key.quarterly_share": {"min_fraction": 0.25}},
                                    reason="scenario", name="key25"),
    "1:5 general": xiping.with_changes({"general.yearly_count": {"multiple": 5}},
                                       reason="scenario", name="general_1_to_5"),
}
frame = compare(scenarios, registry, YEARS, REPLICATES, seed="compare-ratios")
frame.head()"""),
        ("md", "## Coverage per class and year 各类对象年度覆盖率"),
        ("code", """summarize(frame)[["scenario", "year", "entity_class", "class_zh", "coverage_mean", "coverage_p5", "coverage_p95", "on_site"]]"""),
        ("code", "plots.coverage_curves(frame)"),
        ("md", "## Gaps between inspections 检查间隔 and inspector workload 执法人员工作量"),
        ("code", 'plots.gap_histogram(frame, "GENERAL")'),
        ("code", "plots.workload_boxplot(frame)"),
        ("code", """wide = summarize(frame)
general = wide[wide.entity_class == "GENERAL"].groupby("scenario")["coverage_mean"].mean()
assert general["1:5 general"] < general["20 % key, 1:10 (西平)"]
general"""),
    ],
)

notebook(
    "03-national-scenario.ipynb",
    [
        ("md", """# A national scenario: 2,330 jurisdictions 全国情景：2330个县级行政区

A synthetic national registry (1.4 million entities and 45,000 inspectors in
full size) spread over 2,330 county-level jurisdictions. Each jurisdiction
draws on its own with its own inspectors (`by_jurisdiction=True`), as counties
do. Small size keeps the 2,330 jurisdictions with fewer entities each."""),
        ("code", SIZE + """
JURISDICTIONS = 2_330
ENTITIES, INSPECTORS = (23_300, 9_320) if SMALL else (1_400_000, 45_000)
YEARS, REPLICATES = (1, 2) if SMALL else (1, 10)"""),
        ("code", """import time

from randcheck.policies import get_policy
from randcheck.simulation import simulate
from randcheck.synth import generate_registry

started = time.perf_counter()
registry = generate_registry(ENTITIES, INSPECTORS, seed="nation", jurisdictions=JURISDICTIONS)
print(registry, f"{time.perf_counter() - started:.0f} s")"""),
        ("code", """started = time.perf_counter()
result = simulate(get_policy("benxi"), registry, YEARS, REPLICATES, seed="nation", by_jurisdiction=True)
print(f"{REPLICATES} replicates in {time.perf_counter() - started:.0f} s")
result.summary()"""),
        ("code", """frame = result.frame()
load = frame[frame.metric == "inspector_load"]["value"]
failed = frame[frame.metric == "failed_draws"]["value"].mean()
print(f"draws that could not be made (too few inspectors), per replicate: {failed:.0f} of {JURISDICTIONS * 4 * YEARS}")
load.describe()"""),
        ("code", """key = result.summary().query("entity_class == 'KEY'")["coverage_mean"]
assert (key > 0.9).all()"""),
    ],
)
