"""The unified social credit code (统一社会信用代码), GB 32100-2015.

Eighteen characters from a 31-character alphabet (the digits and the capitals
without I, O, Z, S, V). The last is a check character: with the weights
``3**i mod 31`` over the first seventeen, ``check = (31 - sum mod 31) mod 31``.
Because 31 is prime and no weight is zero mod 31, every change of a single
character is detected.
"""

from __future__ import annotations

ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_VALUE = {c: i for i, c in enumerate(ALPHABET)}
WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
LENGTH = 18


# For each position, character -> its weighted value: the sum runs as one C-level map.
_WEIGHTED = [{c: w * v for c, v in _VALUE.items()} for w in WEIGHTS]


def check_character(first17: str) -> str:
    """The check character for the first seventeen characters of a code."""
    if len(first17) != LENGTH - 1:
        raise ValueError(f"expected 17 characters, got {len(first17)}")
    try:
        return ALPHABET[-sum(map(dict.__getitem__, _WEIGHTED, first17)) % 31]
    except KeyError:
        pass  # a character outside the alphabet: find it and say which
    total = 0
    for weight, char in zip(WEIGHTS, first17):
        value = _VALUE.get(char)
        if value is None:
            raise ValueError(f"character {char!r} is not allowed in a USCC")
        total += weight * value
    return ALPHABET[(31 - total % 31) % 31]


def problem(code: str) -> str | None:
    """Why ``code`` is not a valid USCC, or ``None`` when it is."""
    if len(code) != LENGTH:
        return f"a USCC has 18 characters, {code!r} has {len(code)}"
    for position, char in enumerate(code, start=1):
        if char not in _VALUE:
            return (
                f"character {char!r} at position {position} is not allowed in a USCC "
                "(digits and capitals except I, O, Z, S, V)"
            )
    expected = check_character(code[:17])
    if code[17] != expected:
        return (
            f"wrong check character: {code!r} ends in {code[17]!r}, "
            f"GB 32100-2015 gives {expected!r}"
        )
    return None


def is_valid(code: str) -> bool:
    """True when ``code`` is an 18-character USCC with a correct check character."""
    return problem(code) is None


def complete(first17: str) -> str:
    """The full code: the seventeen characters followed by their check character."""
    return first17 + check_character(first17)
