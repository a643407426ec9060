"""Consistent sampling: the same order as the independent consistent-sampler package."""

from __future__ import annotations

import consistent_sampler
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from randcheck import sampling
from randcheck.errors import InputError
from randcheck.sampling import consistent_order

ids_strategy = st.lists(st.text(min_size=1, max_size=12), min_size=0, max_size=60, unique=True)
seeds = st.text(max_size=30)


def reference(ids: list[str], seed: str, take: int | None) -> list[str]:
    kwargs = {} if take is None else {"take": take}
    return list(
        consistent_sampler.sampler(ids, seed=seed, with_replacement=False, output="id", **kwargs)
    )


def test_docstring_vector_of_the_package() -> None:
    assert sampling.ticket("AB-130", "01382438112797316654") == (
        "0.26299714122838008416507544297546663599715395525154425586041245287750224561854"
    )


@settings(max_examples=200, deadline=None)
@given(ids_strategy, seeds, st.one_of(st.none(), st.integers(min_value=0, max_value=70)))
def test_same_order_as_consistent_sampler(ids: list[str], seed: str, take: int | None) -> None:
    assert consistent_order(ids, seed, take) == reference(ids, seed, take)


def test_chinese_ids_and_seeds() -> None:
    ids = ["获嘉县恒达化工", "91410724MA44ABCD17", "本溪-尾矿库-03", "青岛西海岸 001"]
    for seed in ("双随机一公开", "2025Q3 获嘉 骰子 31415926535897932384"):
        assert consistent_order(ids, seed) == reference(ids, seed, None)


def test_ties_on_the_short_key_fall_back_to_the_full_ticket(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(sampling, "_SHORT", 10)  # one digit: thousands of ties
    ids = [f"E{i:05d}" for i in range(3000)]
    assert consistent_order(ids, "tie-seed") == reference(ids, "tie-seed", None)
    assert consistent_order(ids, "tie-seed", take=777) == reference(ids, "tie-seed", 777)


@settings(max_examples=50, deadline=None)
@given(ids_strategy, seeds, st.data())
def test_order_of_a_subset_is_the_order_of_the_whole(
    ids: list[str], seed: str, data: st.DataObject
) -> None:
    subset = data.draw(st.lists(st.sampled_from(ids), unique=True) if ids else st.just([]))
    whole = consistent_order(ids, seed)
    assert consistent_order(subset, seed) == [i for i in whole if i in set(subset)]


def test_bad_arguments() -> None:
    with pytest.raises(InputError, match="distinct"):
        consistent_order(["a", "b", "a"], "s")
    with pytest.raises(InputError, match="take must be"):
        consistent_order(["a"], "s", take=-1)
    with pytest.raises(InputError, match="strings"):
        consistent_order([1, 2], "s")  # type: ignore[list-item]
