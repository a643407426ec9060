"""The draw keeps the coverage promise of each policy's cycles (issue 13).

获嘉 细则 第十四条 "确保重点监管对象1年抽查1次 … 特殊监管对象1年抽查2次"; 睢县 三(二)1,
西平 一(四)1 and 本溪 七(一)1: every key entity once a year. Entities that must be
drawn this quarter for their cycle rank ahead of the other uncovered ones, and
those ahead of the covered ones (draw v2).
"""

from __future__ import annotations

import datetime as dt

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from randcheck.demo import demo_history, demo_registry
from randcheck.draw.history import History, Inspection
from randcheck.draw.quotas import compute_quota
from randcheck.draw.select import DRAW_V1, class_pools, plan_draw
from randcheck.draw.teams import eligible_inspectors
from randcheck.models import EntityClass
from randcheck.periods import Quarter
from randcheck.policies import available_policies, get_policy
from randcheck.policies.dates import cycle_of
from randcheck.policies.model import CoverageCycle, Policy
from randcheck.synth import generate_registry

Q3 = Quarter(2025, 3)


def test_huojia_14_special_entities_due_now_are_drawn_in_2025q3() -> None:
    """The demo's 2025Q3 under 获嘉: the SPECIAL term says some must be drawn now;
    under draw v1 some of them were not drawn, under v2 every one is."""
    policy, registry = get_policy("huojia"), demo_registry()
    history = demo_history(policy, registry, Q3)
    pools = class_pools(policy, registry, Q3, history)
    inspectors = eligible_inspectors(policy, registry.inspectors, None)
    quota, needs = compute_quota(
        policy, EntityClass.SPECIAL, pools[EntityClass.SPECIAL], Q3, history, inspectors
    )
    assert needs.now, "the demo has special entities with 0 of 2 visits and two quarters left"
    assert f"{len(needs.now)} must be drawn now" in quota.terms[-1].explanation
    drawn = {t.uscc for t in plan_draw(policy, registry, Q3, "s", history=history).tasks}
    assert needs.now <= drawn
    old = {
        t.uscc
        for t in plan_draw(policy, registry, Q3, "s", history=history, algorithm=DRAW_V1).tasks
    }
    assert old != drawn  # v1 ranked every uncovered entity on one level


def test_tasks_say_which_level_drew_them() -> None:
    policy, registry = get_policy("huojia"), demo_registry()
    history = demo_history(policy, registry, Q3)
    result = plan_draw(policy, registry, Q3, "s", history=history)
    for cls in EntityClass:
        ranks = [t for t in result.tasks if t.entity_class is cls]
        levels = [(not t.due_now, not t.uncovered) for t in ranks]
        assert levels == sorted(levels), f"{cls}: due now, then uncovered, then the rest"
        assert all(t.due_now is not None for t in ranks)


def _guaranteed(policy: Policy) -> list[CoverageCycle]:
    return [r for r in policy.rules_of(CoverageCycle) if r.years == 1]


POLICIES = [p for p in available_policies() if _guaranteed(p)]


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(
    policy=st.sampled_from(POLICIES),
    entities=st.integers(20, 160),
    registry_seed=st.integers(0, 10**6),
    seed=st.text("0123456789abcdef", min_size=4, max_size=12),
    start=st.integers(1, 4),
    earlier=st.lists(st.tuples(st.integers(0, 10**6), st.integers(1, 3)), max_size=40),
)
def test_every_cycle_the_policy_guarantees_is_covered_by_year_end(
    policy: Policy,
    entities: int,
    registry_seed: int,
    seed: str,
    start: int,
    earlier: list[tuple[int, int]],
) -> None:
    """Drawing the quarters of a year in turn with the real engine, from any quarter and
    any earlier inspections that year: every entity whose remaining visits fit into the
    quarters left is covered as often as its cycle asks by year end, unless its quota
    was flagged as capped by the pool."""
    year = max(2025, policy.effective_from.year + 1)
    registry = generate_registry(entities, 12, seed=registry_seed)
    usccs = registry.column("uscc")
    history = History(
        Inspection(uscc=usccs[n % len(usccs)], date=dt.date(year, 3 * q - 2, 15))
        for n, q in earlier
        if q < start
    )
    first = Quarter(year, start)
    pools = class_pools(policy, registry, first, history)
    inspectors = eligible_inspectors(policy, registry.inspectors, None)
    promised: dict[EntityClass, set[str]] = {}
    for rule in _guaranteed(policy):
        _, needs = compute_quota(
            policy, rule.entity_class, pools[rule.entity_class], first, history, inspectors
        )
        cycle = cycle_of(rule, policy, first)
        before = history.between(cycle.start, cycle.end)
        promised[rule.entity_class] = {
            u for u in needs.uncovered if rule.times - before.get(u, 0) <= cycle.quarters_left
        }
    capped: set[EntityClass] = set()
    for quarter in first.year_quarters():
        if quarter < first:
            continue
        result = plan_draw(policy, registry, quarter, f"{seed}|{quarter.label}", history=history)
        capped |= {q.entity_class for q in result.quotas if q.capped}
        day = quarter.start + dt.timedelta(days=20)
        history = history + History(Inspection(uscc=t.uscc, date=day) for t in result.tasks)
    seen = history.between(dt.date(year, 1, 1), dt.date(year, 12, 31))
    for rule in _guaranteed(policy):
        if rule.entity_class in capped:
            continue
        short = {u for u in promised[rule.entity_class] if seen.get(u, 0) < rule.times}
        assert not short, f"{policy.id} {rule.id}: {len(short)} promised entities not covered"
