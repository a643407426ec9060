"""Seed material for a draw nobody can choose, and a list nobody can read early.

The construction (documented byte by byte in ``docs/verification.md``):

1. Before the draw the operator makes a secret of 32 random bytes and publishes
   its commitment, ``SHA-256(secret bytes)`` in lowercase hex.
2. At the draw ceremony public randomness is entered: digits from dice, or a
   beacon value announced in advance. It is normalised (white space removed,
   hex letters lower-cased) and must carry at least 20 characters.
3. The seed is ``SHA-256`` (lowercase hex) of the UTF-8 text::

       randcheck-seed-v1\\n<secret hex>\\n<public randomness>\\n<context JSON>

   where the context JSON binds the seed to what is drawn: the policy id and
   version, the period, the registry and history digests (compact JSON, keys
   sorted, non-ASCII written as itself).

Without the secret, the public inputs alone do not give the list, so it stays
sealed until the operator reveals the secret; without the public randomness,
the operator could not have known the list when committing, so could not
choose it.
"""

from __future__ import annotations

import hashlib
import json
import re
import secrets
from collections.abc import Mapping
from typing import Any

from randcheck.errors import InputError

SEED_VERSION = "randcheck-seed-v1"
COMMITMENT_VERSION = "randcheck-commitment-v2"
SECRET_BYTES = 32
MIN_PUBLIC_CHARS = 20

_HEX = re.compile(r"^[0-9a-f]+$")


def new_secret() -> str:
    """32 random bytes from the operating system, as 64 lowercase hex characters."""
    return secrets.token_hex(SECRET_BYTES)


def check_secret(secret: str) -> str:
    """The secret in canonical form; an :class:`InputError` when it is not 32 bytes of hex."""
    cleaned = secret.strip().lower()
    if len(cleaned) != 2 * SECRET_BYTES or not _HEX.match(cleaned):
        raise InputError(
            "the secret must be 64 hexadecimal characters (32 bytes)",
            hint="use the secret file written when the draw was sealed",
        )
    return cleaned


def commitment(secret: str) -> str:
    """``SHA-256`` of the secret's 32 bytes, lowercase hex: published before the draw.

    The bytes are the secret's, not its hex text:

    >>> commitment("5e" * 32)
    '9985b2e4b9b71b28ce59ea5ce77f0b110637b625c6d7f41e982c9510940a2056'
    """
    return hashlib.sha256(bytes.fromhex(check_secret(secret))).hexdigest()


def bound_commitment(secret: str, inputs: Mapping[str, Any]) -> str:
    """The commitment of an announcement: binds the secret *and* every input of the draw.

    ``SHA-256`` of the UTF-8 text ``randcheck-commitment-v2\\n<secret hex>\\n<inputs>``,
    the inputs as canonical JSON, so that once it is published neither the secret nor
    any input (registry, history, policy, period, campaign ...) can change unseen:

    >>> bound_commitment("5e" * 32, {"period": "2025Q3", "registry_digest": "ab" * 32})
    '7c2f2620767becc431ba6e1e2f38d90a09b354de2fc7c4a0edce655d2aee897d'
    """
    text = "\n".join((COMMITMENT_VERSION, check_secret(secret), canonical_json(inputs)))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def normalise_public_randomness(text: str) -> str:
    """Dice digits or a beacon value without white space, hex lower-cased; >= 20 characters.

    >>> normalise_public_randomness("3141 5926 5358 9793 2384")
    '31415926535897932384'
    >>> normalise_public_randomness(" 9F86D081884C7D659A2FEAA0C55AD015 ")
    '9f86d081884c7d659a2feaa0c55ad015'
    """
    cleaned = "".join(text.split()).lower()
    if not _HEX.match(cleaned or "-"):
        raise InputError(
            f"public randomness {text!r} must be decimal digits (dice) or hexadecimal (a beacon)",
            hint="enter the dice digits or the beacon's randomness value as printed",
        )
    if len(cleaned) < MIN_PUBLIC_CHARS:
        raise InputError(
            f"public randomness has {len(cleaned)} characters; at least {MIN_PUBLIC_CHARS} needed",
            hint="roll more dice (20 ten-sided dice give 66 bits) or use a beacon value",
        )
    return cleaned


def canonical_json(data: Mapping[str, Any]) -> str:
    """Compact JSON with sorted keys and non-ASCII characters as themselves.

    >>> canonical_json({"policy": {"version": "2023.1", "id": "huojia"}, "period": "2025Q3"})
    '{"period":"2025Q3","policy":{"id":"huojia","version":"2023.1"}}'
    >>> canonical_json({"jurisdiction": "获嘉县"})
    '{"jurisdiction":"获嘉县"}'
    """
    return json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def canonical_digest(data: Mapping[str, Any]) -> str:
    """``SHA-256`` (lowercase hex) of the UTF-8 bytes of :func:`canonical_json`: how a
    receipt's result, an announcement, a receipt and a policy are named by content.

    >>> canonical_digest({"tasks": []})
    'b8cce95f94bb3842447a35cad31d68789df636e11353ab4a75179d86761d804c'
    """
    return hashlib.sha256(canonical_json(data).encode("utf-8")).hexdigest()


def draw_seed(secret: str, public_randomness: str, context: Mapping[str, Any]) -> str:
    """The seed of a draw: see the module docstring for the exact bytes.

    >>> draw_seed("5e" * 32, "31415926535897932384", {"period": "2025Q3", "policy": "huojia"})
    'f32a9396ca51cf29bf52116679fe9b4ee717770c48b311711b2942590637a488'

    That is ``SHA-256`` of these UTF-8 bytes (one line each, no final newline):

    >>> print(SEED_VERSION, "5e" * 32, "31415926535897932384",
    ...       canonical_json({"period": "2025Q3", "policy": "huojia"}), sep="\\n")
    randcheck-seed-v1
    5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e
    31415926535897932384
    {"period":"2025Q3","policy":"huojia"}
    """
    text = "\n".join(
        (
            SEED_VERSION,
            check_secret(secret),
            normalise_public_randomness(public_randomness),
            canonical_json(context),
        )
    )
    return hashlib.sha256(text.encode("utf-8")).hexdigest()
