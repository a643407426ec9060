"""Quarters and seed material."""

from __future__ import annotations

import datetime as dt
import hashlib

import pytest

from randcheck.errors import InputError
from randcheck.periods import Quarter
from randcheck.randomness import (
    commitment,
    draw_seed,
    new_secret,
    normalise_public_randomness,
)


@pytest.mark.parametrize(
    "text", ["2025Q3", "2025-q3", "2025 Q3", "2025年第3季度", "2025年第三季度"]
)
def test_quarter_spellings(text: str) -> None:
    assert Quarter.parse(text) == Quarter(2025, 3)


def test_quarter_arithmetic() -> None:
    q = Quarter(2025, 4)
    assert (q.start, q.end) == (dt.date(2025, 10, 1), dt.date(2025, 12, 31))
    assert q.next() == Quarter(2026, 1) and Quarter(2026, 1).previous() == q
    assert Quarter(2024, 1).end == dt.date(2024, 3, 31)
    assert Quarter.of(dt.date(2024, 2, 29)) == Quarter(2024, 1)
    assert [x.quarters_left_in_year for x in q.year_quarters()] == [4, 3, 2, 1]
    assert (q.first_month, q.last_month, q.zh, str(q)) == (10, 12, "2025年第四季度", "2025Q4")


@pytest.mark.parametrize("text", ["2025Q5", "Q3", "2025", "第三季度"])
def test_bad_quarters(text: str) -> None:
    with pytest.raises(InputError, match="not a quarter"):
        Quarter.parse(text)


def test_commitment_is_sha256_of_the_secret_bytes() -> None:
    secret = new_secret()
    assert commitment(secret) == hashlib.sha256(bytes.fromhex(secret)).hexdigest()
    assert new_secret() != secret
    with pytest.raises(InputError, match="64 hexadecimal"):
        commitment("abc")


def test_seed_depends_on_every_input() -> None:
    secret = "ab" * 32
    context = {"policy": "huojia@1", "period": "2025Q3", "registry": "r" * 64}
    seed = draw_seed(secret, "1234 5678 9012 3456 7890", context)
    assert seed == draw_seed(
        secret.upper(), "12345678901234567890", dict(reversed(context.items()))
    )
    assert seed != draw_seed("cd" * 32, "12345678901234567890", context)
    assert seed != draw_seed(secret, "12345678901234567891", context)
    assert seed != draw_seed(secret, "12345678901234567890", {**context, "period": "2025Q4"})


@pytest.mark.parametrize(("text", "message"), [("123", "at least 20"), ("dice: 12", "digits")])
def test_public_randomness_is_checked(text: str, message: str) -> None:
    with pytest.raises(InputError, match=message):
        normalise_public_randomness(text)
