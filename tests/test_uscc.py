"""统一社会信用代码: GB 32100-2015 check character."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from randcheck import uscc

first17 = st.text(alphabet=uscc.ALPHABET, min_size=17, max_size=17)


@pytest.mark.parametrize(
    "code",
    [
        "914403001922038216",  # 华为技术有限公司
        "91440300708461136T",  # 深圳市腾讯计算机系统有限公司
        "91330100716105852F",
    ],
)
def test_published_codes_are_valid(code: str) -> None:
    assert uscc.is_valid(code)


@given(first17)
def test_generated_codes_are_accepted(body: str) -> None:
    code = uscc.complete(body)
    assert len(code) == 18
    assert uscc.problem(code) is None


@given(first17, st.integers(min_value=0, max_value=17), st.data())
def test_every_single_character_corruption_is_rejected(
    body: str, position: int, data: st.DataObject
) -> None:
    code = uscc.complete(body)
    replacement = data.draw(
        st.sampled_from([c for c in uscc.ALPHABET + "IOZSVa-中 " if c != code[position]])
    )
    corrupted = code[:position] + replacement + code[position + 1 :]
    assert not uscc.is_valid(corrupted)


def test_exhaustive_substitutions_of_one_code() -> None:
    code = uscc.complete("91410724MA44ABCD1")
    for position in range(18):
        for char in uscc.ALPHABET:
            if char != code[position]:
                assert not uscc.is_valid(code[:position] + char + code[position + 1 :])


@pytest.mark.parametrize(
    ("code", "reason"),
    [
        ("91410724MA44ABCD1", "18 characters"),
        ("91410724MA44ABCD1O7", "18 characters"),
        ("91410724MA44ABCDI7", "not allowed"),
        ("91410724MA44ABCD10", "wrong check character"),
    ],
)
def test_problem_says_what_is_wrong(code: str, reason: str) -> None:
    why = uscc.problem(code)
    assert why is not None and reason in why
