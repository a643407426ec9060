"""Rivest's consistent sampling: the ranking every randcheck draw uses.

Byte-compatible with the ``consistent-sampler`` package (PyPI, 1.0.10), without
replacement, so anyone can re-check a draw with that independent package::

    seed_hash = sha256_hex(seed)                     # lowercase hex of UTF-8 bytes
    N         = int(sha256_hex(seed_hash + id), 16)
    ticket    = "0." + reversed("{:064d}".format(N)) # decimal digits, reversed
    order     = ids sorted by (ticket, id)           # smallest tickets first

The reversed string starts with N's least significant decimal digits, so the
first 9 characters of a ticket are ``N mod 10**9`` written with 9 digits and
reversed. That short key decides the order (10**9 is below 2**30, so CPython
divides by it in one step, twice as fast as by 10**19); ids whose short keys
are equal (about once in 10**9 pairs) are ordered by their full tickets, then
by id, as the package does.

Consistency: the order of any subset is the order of the whole restricted to
that subset, so excluding an entity never reshuffles the others, and a larger
quota extends the same list.
"""

from __future__ import annotations

import hashlib
import heapq
from collections import Counter
from collections.abc import Iterable, Sequence
from itertools import groupby

from randcheck.errors import InputError

ALGORITHM = "consistent-sampler-1.0.10:sha256:without-replacement"
"""The name receipts record for this ranking."""

_SHORT = 10**9


def sha256_hex(text: str) -> str:
    """Lowercase hex SHA-256 of the UTF-8 bytes of ``text``.

    >>> sha256_hex("314159")
    'c5b389beb081fe1e43ae92e895deca086b4eed5cf9efc7b78eebbbc9dc75c3f0'
    """
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def ticket(entity_id: str, seed: str) -> str:
    """The full ticket of ``entity_id`` under ``seed`` (``consistent_sampler.first_fraction``).

    Rivest's own vector (``consistent_sampler.first_fraction``'s docstring):

    >>> ticket("AB-130", "01382438112797316654")
    '0.26299714122838008416507544297546663599715395525154425586041245287750224561854'

    A registry key (a 统一社会信用代码, valid check character) is an id like any other:

    >>> ticket("914107244TUTWQHEXU", "314159")
    '0.52660882393142394035656168501972784681109964546050701987532140010417826422112'
    """
    number = int(sha256_hex(sha256_hex(seed) + entity_id), 16)
    return "0." + f"{number:064d}"[::-1]


def _keys(ids: Sequence[str], seed: str) -> list[tuple[str, str]]:
    # The prefix is one 64-byte SHA-256 block: hash it once and copy the state.
    base = hashlib.sha256(sha256_hex(seed).encode("ascii"))
    from_bytes = int.from_bytes
    short = _SHORT
    keyed: list[tuple[str, str]] = []
    append = keyed.append
    for i in ids:
        h = base.copy()
        h.update(i.encode("utf-8"))
        # Unpadded reversed digits order like the padded ones: the last digit of a
        # number's own digits is never 0, so no key is a zero-padded prefix of another.
        append((str(from_bytes(h.digest(), "big") % short)[::-1], i))
    return keyed


def _check(ids: Sequence[str], take: int | None) -> None:
    if take is not None and take < 0:
        raise InputError(f"take must be 0 or more, not {take}")
    if len(set(ids)) != len(ids):
        repeated = sorted(i for i, n in Counter(ids).items() if n > 1)
        raise InputError(
            f"ids must be distinct; repeated: {', '.join(repeated[:5])}"
            + (" …" if len(repeated) > 5 else ""),
            hint="rank each entity once",
        )
    for i in ids:
        if not isinstance(i, str):
            raise InputError(f"ids must be strings, got {type(i).__name__} {i!r}")


def _resolve_ties(keyed: list[tuple[str, str]], seed: str) -> list[str]:
    """Ids in order; runs with equal short keys are ordered by full ticket, then id."""
    if len({k for k, _ in keyed}) == len(keyed):  # no ties: the usual case
        return [i for _, i in keyed]
    out: list[str] = []
    for _, run in groupby(keyed, key=lambda pair: pair[0]):
        members = [i for _, i in run]
        if len(members) > 1:
            members.sort(key=lambda i: (ticket(i, seed), i))
        out.extend(members)
    return out


def consistent_order(ids: Iterable[str], seed: str, take: int | None = None) -> list[str]:
    """``ids`` ordered by consistent-sampling ticket under ``seed``; the first ``take``.

    The same order as ``consistent_sampler.sampler(ids, seed=seed, take=take,
    with_replacement=False, output="id")``. Rivest's example:

    >>> consistent_order(["ab-1", "ab-2", "cd-1", "ef-3"], "314159")
    ['cd-1', 'ef-3', 'ab-1', 'ab-2']

    A subset keeps the order of the whole, and ``take`` keeps its head:

    >>> consistent_order(["ab-2", "ef-3", "ab-1"], "314159")
    ['ef-3', 'ab-1', 'ab-2']
    >>> consistent_order(["ab-1", "ab-2", "cd-1", "ef-3"], "314159", take=2)
    ['cd-1', 'ef-3']
    """
    ids = ids if isinstance(ids, list | tuple) else list(ids)
    _check(ids, take)
    return _order(ids, seed, take)


def order_distinct(ids: Sequence[str], seed: str, take: int | None = None) -> list[str]:
    """:func:`consistent_order` for ids known to be distinct strings (registry keys).

    The engine ranks the same registry thousands of times in a simulation; this
    skips the checks that the registry already guarantees.
    """
    return _order(ids, seed, take)


def _order(ids: Sequence[str], seed: str, take: int | None) -> list[str]:
    keyed = _keys(ids, seed)
    if take is None or take >= len(keyed):
        keyed.sort()
        return _resolve_ties(keyed, seed)
    if take == 0:
        return []
    chosen = heapq.nsmallest(take, keyed)
    boundary = chosen[-1][0]
    # Ids outside the first `take` may share the boundary short key: bring them in.
    tied = [pair for pair in keyed if pair[0] == boundary]
    if len(tied) > 1:
        chosen = sorted({*chosen, *tied})
    return _resolve_ties(chosen, seed)[:take]
