"""The draw: quotas, ranking, teams, sealing and verification."""

from __future__ import annotations

import copy
import datetime as dt
from collections import Counter

import consistent_sampler
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from randcheck.draw.history import History, Inspection
from randcheck.draw.receipt import reveal, seal, verify
from randcheck.draw.select import plan_draw
from randcheck.errors import DrawError, VerificationError
from randcheck.models import EntityClass
from randcheck.models.vocab import Mode
from randcheck.periods import Quarter
from randcheck.policies import get_policy
from randcheck.policies.model import Policy
from randcheck.registry import EntityFilter, Registry
from randcheck.synth import generate_registry
from tests.conftest import make_entity, make_inspector

SECRET = "5e" * 32
DICE = "31415926535897932384"
REGISTRY = generate_registry(800, 40, seed="draw-tests")
Q3 = Quarter(2025, 3)


def _operating_key() -> list[str]:
    columns = zip(
        REGISTRY.column("uscc"),
        REGISTRY.column("entity_class"),
        REGISTRY.column("production_status"),
    )
    return [u for u, c, s in columns if c is EntityClass.KEY and s.operating]


def _drawn(result: object) -> list[str]:
    return [t.uscc for t in result.tasks]  # type: ignore[attr-defined]


def test_no_entity_twice_in_a_period_and_quotas_met_when_the_pool_allows() -> None:
    result = plan_draw(get_policy("huojia"), REGISTRY, Q3, "seed")
    drawn = _drawn(result)
    assert len(drawn) == len(set(drawn))
    for quota in result.quotas:
        assert not quota.capped
        got = sum(1 for t in result.tasks if t.entity_class is quota.entity_class)
        assert got == quota.quota == quota.required


def test_a_quota_above_the_pool_is_capped_and_flagged() -> None:
    policy = get_policy("huojia").with_changes(
        {"special.quarterly_share": {"min_fraction": 1.0}, "special.coverage": {"times": 9}},
        reason="more than there is",
    )
    (special,) = [
        q
        for q in plan_draw(policy, REGISTRY, Q3, "s").quotas
        if q.entity_class is EntityClass.SPECIAL
    ]
    assert special.capped and special.quota == special.eligible < special.required
    assert any("capped" in n for n in special.notes)


def test_four_quarters_of_25_percent_cover_every_key_entity_once() -> None:
    policy = get_policy("benxi")
    history = History()
    for quarter in Q3.year_quarters():
        result = plan_draw(policy, REGISTRY, quarter, f"seed-{quarter}", history=history)
        day = quarter.start + dt.timedelta(days=40)
        history = history + History(Inspection(uscc=t.uscc, date=day) for t in result.tasks)
    key = set(_operating_key())
    seen = history.between(dt.date(2025, 1, 1), dt.date(2025, 12, 31))
    assert key and all(seen[u] >= 1 for u in key)


def test_uncovered_entities_rank_first_in_ticket_order() -> None:
    policy = get_policy("benxi")
    first = plan_draw(policy, REGISTRY, Quarter(2025, 1), "s1")
    history = History(Inspection(uscc=t.uscc, date=dt.date(2025, 2, 10)) for t in first.tasks)
    second = plan_draw(policy, REGISTRY, Quarter(2025, 2), "s2", history=history)
    key_first = {t.uscc for t in first.tasks if t.entity_class is EntityClass.KEY}
    key_second = [t for t in second.tasks if t.entity_class is EntityClass.KEY]
    assert all(t.uncovered and t.uscc not in key_first for t in key_second)


def test_the_ranking_is_the_consistent_sampler_order() -> None:
    policy = get_policy("benxi")
    result = plan_draw(policy, REGISTRY, Q3, "public-check")
    key = [t.uscc for t in result.tasks if t.entity_class is EntityClass.KEY]
    eligible = _operating_key()
    reference = list(
        consistent_sampler.sampler(eligible, seed="public-check", take=len(key), output="id")
    )
    assert key == reference
    task = result.on_site[0]
    ids = [i.inspector_id for i in REGISTRY.inspectors if i.qualified]
    order = list(consistent_sampler.sampler(ids, seed=f"public-check|{task.uscc}", output="id"))
    assert (
        task.team[0] in order[:3]
    )  # least-loaded first; the very first task takes the top tickets
    assert plan_draw(policy, REGISTRY, Q3, "public-check").on_site[0].team == tuple(order[:2])


@settings(max_examples=15, deadline=None)
@given(st.permutations(range(60)))
def test_the_order_of_the_registry_does_not_matter(order: list[int]) -> None:
    entities = list(generate_registry(60, 12, seed="small").entities())
    base = Registry.from_records(entities, generate_registry(60, 12, seed="small").inspectors)
    shuffled = Registry.from_records([entities[i] for i in order], base.inspectors)
    policy = get_policy("huojia")
    assert (
        plan_draw(policy, base, Q3, "s").result_json()
        == plan_draw(policy, shuffled, Q3, "s").result_json()
    )


def test_same_inputs_same_draw_different_secret_or_randomness_different_draw() -> None:
    policy = get_policy("huojia")
    a, ra = seal(policy, REGISTRY, Q3, secret=SECRET, public_randomness=DICE)
    b, rb = seal(policy, REGISTRY, Q3, secret=SECRET, public_randomness=DICE)
    assert a["result_digest"] == b["result_digest"] and _drawn(ra) == _drawn(rb)
    _, other_secret = seal(policy, REGISTRY, Q3, secret="7f" * 32, public_randomness=DICE)
    _, other_dice = seal(policy, REGISTRY, Q3, secret=SECRET, public_randomness=DICE[:-1] + "5")
    assert _drawn(other_secret) != _drawn(ra) and _drawn(other_dice) != _drawn(ra)


def test_teams_have_the_policys_size_balanced_and_recusal_never_seats_a_conflict() -> None:
    entities = [make_entity(i, entity_class="KEY", permit_class="重点管理") for i in range(1, 41)]
    conflicted = entities[0].uscc
    inspectors = [make_inspector(i, conflicts=conflicted if i <= 3 else None) for i in range(1, 9)]
    registry = Registry.from_records(entities, inspectors)
    every_key = get_policy("benxi").with_changes(
        {"key.quarterly_share": {"min_fraction": 1.0}}, reason="draw every key entity"
    )
    result = plan_draw(every_key, registry, Q3, "teams")
    assert len(result.tasks) == 40
    assert all(len(t.team) == 2 for t in result.on_site)  # 本溪 七(五): at least 2
    loads = Counter(i for t in result.on_site for i in t.team)
    assert max(loads.values()) - min(loads.values()) <= 1
    task = next(t for t in result.tasks if t.uscc == conflicted)
    assert not set(task.team) & {"I0001", "I0002", "I0003"}
    assert {r.inspector_id for r in task.recusals} == {"I0001", "I0002", "I0003"}


def test_too_few_inspectors_is_an_error_naming_the_entity() -> None:
    entity = make_entity(1, entity_class="KEY")
    registry = Registry.from_records(
        [entity], [make_inspector(1), make_inspector(2, conflicts=entity.uscc)]
    )
    with pytest.raises(DrawError, match=entity.uscc):
        plan_draw(get_policy("benxi"), registry, Q3, "s")


def test_non_site_entities_go_to_the_non_site_list_without_a_team() -> None:
    entities = [
        make_entity(i, entity_class="KEY", positive_list=(i % 2 == 0)) for i in range(1, 21)
    ]
    registry = Registry.from_records(entities, [make_inspector(i) for i in range(1, 5)])
    result = plan_draw(get_policy("benxi"), registry, Q3, "s")
    positive = {e.uscc for e in entities if e.positive_list}
    for task in result.tasks:
        assert (task.mode is Mode.NON_SITE) == (task.uscc in positive)
        assert (task.team == ()) == (task.mode is Mode.NON_SITE)


def test_campaigns_draw_inside_their_filter() -> None:
    campaign = EntityFilter(industry_prefixes=("C33",))
    result = plan_draw(get_policy("huojia"), REGISTRY, Q3, "s", campaign=campaign)
    assert result.tasks and all(
        REGISTRY.entity(t.uscc).industry_code.startswith("C33") for t in result.tasks
    )


def test_the_item_cap_leaves_out_entities_inspected_twice_this_year() -> None:
    entities = [make_entity(i, entity_class="GENERAL") for i in range(1, 11)]
    registry = Registry.from_records(entities, [make_inspector(i) for i in range(1, 5)])
    twice = History(Inspection(uscc=entities[0].uscc, date=dt.date(2025, m, 5)) for m in (2, 5))
    policy = get_policy("benxi").with_changes(
        {"general.coverage": {"times": 10}}, reason="draw all"
    )
    result = plan_draw(policy, registry, Q3, "s", history=twice)
    assert entities[0].uscc not in _drawn(result) and len(result.tasks) == 9


def test_a_sealed_receipt_names_no_entity_and_the_revealed_one_verifies() -> None:
    policy = get_policy("huojia")
    sealed, result = seal(policy, REGISTRY, Q3, secret=SECRET, public_randomness=DICE)
    text = str(sealed)
    assert not any(t.uscc in text for t in result.tasks) and sealed["revealed"] is None
    assert not verify(sealed, REGISTRY).ok  # sealed: the list cannot be checked yet
    revealed = reveal(sealed, SECRET, REGISTRY)
    report = verify(revealed, REGISTRY)
    assert report.ok and [c.name for c in report.checks][-1] == "result digest"
    with pytest.raises(VerificationError, match="commitment"):
        reveal(sealed, "00" * 32, REGISTRY)


def test_tampering_with_receipt_registry_or_history_fails_verification() -> None:
    policy = get_policy("huojia")
    history = History([Inspection(uscc=REGISTRY.entity_ids()[0], date=dt.date(2025, 2, 1))])
    sealed, _ = seal(policy, REGISTRY, Q3, secret=SECRET, public_randomness=DICE, history=history)
    revealed = reveal(sealed, SECRET, REGISTRY, history)
    assert verify(revealed, REGISTRY, history).ok

    swapped = copy.deepcopy(revealed)
    swapped["revealed"]["tasks"][0]["uscc"] = REGISTRY.entity_ids()[-1]
    assert verify(swapped, REGISTRY, history).first_failure.name == "result"  # type: ignore[union-attr]
    quota = copy.deepcopy(revealed)
    quota["quotas"][0]["quota"] += 1
    assert verify(quota, REGISTRY, history).first_failure.name == "quotas"  # type: ignore[union-attr]
    dice = copy.deepcopy(revealed)
    dice["public_randomness"] = DICE[::-1]
    assert verify(dice, REGISTRY, history).first_failure.name == "seed"  # type: ignore[union-attr]

    edited = Registry.from_records(
        [*list(REGISTRY.entities())[1:], make_entity(99999)], REGISTRY.inspectors, REGISTRY.items
    )
    assert verify(revealed, edited, history).first_failure.name == "registry digest"  # type: ignore[union-attr]
    assert verify(revealed, REGISTRY, History()).first_failure.name == "history digest"  # type: ignore[union-attr]


def test_joint_teams_hold_an_inspector_of_every_department() -> None:
    entities = [make_entity(i, entity_class="KEY") for i in range(1, 13)]
    inspectors = [make_inspector(i, department="生态环境") for i in range(1, 7)]
    inspectors += [make_inspector(i, department="市场监管") for i in range(7, 10)]
    registry = Registry.from_records(entities, inspectors)
    departments = ("生态环境", "市场监管")
    sealed, result = seal(
        get_policy("huojia"),
        registry,
        Q3,
        secret=SECRET,
        public_randomness=DICE,
        departments=departments,
    )
    by_id = {i.inspector_id: i.department for i in inspectors}
    for task in result.on_site:
        assert {by_id[i] for i in task.team} == set(departments)
    assert sealed["departments"] == list(departments)
    assert verify(reveal(sealed, SECRET, registry), registry).ok


def _replacement_setup(policy_id: str) -> tuple[dict[str, object], Registry, object]:
    entities = [make_entity(i, entity_class="KEY") for i in range(1, 9)]
    registry = Registry.from_records(entities, [make_inspector(i) for i in range(1, 9)])
    policy = get_policy(policy_id).with_changes(
        {"key.quarterly_share": {"min_fraction": 1.0}}, reason="all"
    )
    sealed, _ = seal(policy, registry, Q3, secret=SECRET, public_randomness=DICE)
    return sealed, registry, policy


def test_replacement_drawn_again_huojia_12() -> None:
    from randcheck.draw.receipt import record_replacement
    from randcheck.models.vocab import ReplacementReason

    sealed, registry, policy = _replacement_setup("huojia")

    def resolve(*_: str) -> Policy:  # the variant is not installed: verify against it
        return policy

    revealed = reveal(sealed, SECRET, registry, resolve=resolve)
    task = revealed["revealed"]["tasks"][0]  # type: ignore[index]
    after = record_replacement(
        revealed,
        registry,
        task["task_id"],
        task["team"][0],
        ReplacementReason.RECUSAL,
        resolve=resolve,
    )
    (record,) = after["revealed"]["replacements"]
    assert record["method"] == "drawn_again" and record["added"] not in task["team"]
    assert verify(after, registry, resolve=resolve).ok
    forged = copy.deepcopy(after)
    forged["revealed"]["replacements"][0]["added"] = next(
        f"I{n:04d}"
        for n in range(1, 9)
        if f"I{n:04d}" not in task["team"] and f"I{n:04d}" != record["added"]
    )
    assert verify(forged, registry, resolve=resolve).first_failure.name == "replacement 1"  # type: ignore[union-attr]


def test_replacement_chosen_with_approval_qingdao_7_1() -> None:
    from randcheck.draw.receipt import record_replacement
    from randcheck.models.vocab import ReplacementReason

    sealed, registry, policy = _replacement_setup("qingdao_west_coast")

    def resolve(*_: str) -> Policy:  # the variant is not installed: verify against it
        return policy

    revealed = reveal(sealed, SECRET, registry, resolve=resolve)
    task = revealed["revealed"]["tasks"][0]  # type: ignore[index]
    spare = next(f"I{n:04d}" for n in range(1, 9) if f"I{n:04d}" not in task["team"])
    where = (revealed, registry, task["task_id"], task["team"][0])
    with pytest.raises(DrawError, match="approval of 分管负责人"):
        record_replacement(*where, ReplacementReason.HEALTH, resolve=resolve, chosen=spare)
    # 七(一) lists its reasons and ends in 等特殊情况: another reason only when stated
    with pytest.raises(DrawError, match="only when it is stated"):
        record_replacement(
            *where, ReplacementReason.OTHER, resolve=resolve, chosen=spare, approved_by="副局长"
        )
    other = record_replacement(
        *where,
        ReplacementReason.OTHER,
        resolve=resolve,
        chosen=spare,
        approved_by="副局长",
        note="借调参加省级督察",
    )
    assert other["revealed"]["replacements"][0]["note"] == "借调参加省级督察"
    assert verify(other, registry, resolve=resolve).ok  # the note is replayed too
    after = record_replacement(
        *where, ReplacementReason.HEALTH, resolve=resolve, chosen=spare, approved_by="副局长"
    )
    assert after["revealed"]["replacements"][0]["added"] == spare
    assert verify(after, registry, resolve=resolve).ok


def test_a_jurisdictions_draw_uses_its_own_entities_and_inspectors() -> None:
    registry = generate_registry(900, 90, seed="multi", jurisdictions=6)
    codes = sorted(set(registry.column("division_code")))
    for code in codes[:3]:
        result = plan_draw(get_policy("benxi"), registry, Q3, f"s-{code}", jurisdiction=code)
        assert result.tasks and all(
            registry.entity(t.uscc).division_code == code for t in result.tasks
        )
        members = {i for t in result.tasks for i in t.team}
        assert all(registry.inspector(i).region == code for i in members)


def test_campaign_teams_take_matching_expertise_first() -> None:
    entities = [make_entity(i, entity_class="KEY") for i in range(1, 7)]
    inspectors = [make_inspector(i, expertise="辐射" if i in (3, 7) else "水") for i in range(1, 9)]
    registry = Registry.from_records(entities, inspectors)
    every_key = get_policy("huojia").with_changes(
        {"key.quarterly_share": {"min_fraction": 1.0}}, reason="all"
    )
    result = plan_draw(every_key, registry, Q3, "s", expertise=frozenset({"辐射"}))
    assert all({"I0003", "I0007"} & set(t.team) for t in result.on_site)
    sealed, _ = seal(
        every_key,
        registry,
        Q3,
        secret=SECRET,
        public_randomness=DICE,
        expertise=frozenset({"辐射"}),
    )
    assert sealed["expertise"] == ["辐射"]


def test_replacement_benxi_7_2_names_no_method_so_a_redraw_is_not_refused() -> None:
    """本溪 七(二) "如因执法回避等特殊情况，需经本部门分管负责同志同意后，方可对抽取名单
    进行调整更换": no method named."""
    from randcheck.draw.receipt import record_replacement
    from randcheck.models.vocab import ReplacementReason

    sealed, registry, policy = _replacement_setup("benxi")

    def resolve(*_: str) -> Policy:
        return policy

    revealed = reveal(sealed, SECRET, registry, resolve=resolve)
    task = revealed["revealed"]["tasks"][0]  # type: ignore[index]
    where = (revealed, registry, task["task_id"], task["team"][0])
    drawn = record_replacement(
        *where, ReplacementReason.RECUSAL, approved_by="分管副局长", resolve=resolve
    )
    assert drawn["revealed"]["replacements"][0]["method"] == "drawn_again"
    with pytest.raises(DrawError, match="approval of 分管负责同志"):
        record_replacement(*where, ReplacementReason.RECUSAL, resolve=resolve)


def test_replacement_huojia_12_forbids_no_reason() -> None:
    """获嘉 第十二条 speaks of recusal ("应依法回避") and forbids no other reason."""
    from randcheck.draw.receipt import record_replacement
    from randcheck.models.vocab import ReplacementReason

    sealed, registry, policy = _replacement_setup("huojia")

    def resolve(*_: str) -> Policy:
        return policy

    revealed = reveal(sealed, SECRET, registry, resolve=resolve)
    task = revealed["revealed"]["tasks"][0]  # type: ignore[index]
    after = record_replacement(
        revealed, registry, task["task_id"], task["team"][0], ReplacementReason.HEALTH,
        resolve=resolve,
    )  # fmt: skip
    assert after["revealed"]["replacements"][0]["reason"] == "HEALTH"
