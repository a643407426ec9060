"""The announcement: what a bureau publishes before a draw, binding every input.

A draw is steerable if anything it rests on can still change once the public
randomness is known: the operator could mark a friendly entity 停产, drop a row
or edit the history, draw again with the same secret, and publish whichever
list suits. The announcement closes that. Before the randomness exists the
bureau publishes:

- the **inputs**: the policy (id, version and content digest), the period, the
  jurisdiction, the campaign filter, the departments of a joint draw, the wanted
  expertise, the inspectors' capacity, the registry and history digests, and the
  declared **source of public randomness** and when it will exist (dice at a
  named ceremony, a named lottery draw such as 福彩双色球 第2025123期, a beacon
  round);
- the **commitment**: ``SHA-256`` over the secret and the canonical inputs
  (:func:`randcheck.randomness.bound_commitment`), so neither the secret nor
  any input can change unseen.

``randcheck draw --announcement`` refuses inputs that differ from the announced
ones; the receipt carries the announcement's digest; ``randcheck verify
--announcement`` checks the receipt against it. The bytes are in
``docs/verification.md``; the JSON Schema is ``docs/announcement.schema.json``.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from randcheck.draw.schemas import problems
from randcheck.errors import InputError
from randcheck.io.safe import load_json
from randcheck.periods import Quarter
from randcheck.policies.model import Policy, Rule
from randcheck.randomness import bound_commitment, canonical_digest, check_secret
from randcheck.registry import EntityFilter

FORMAT = "randcheck-announcement"
VERSION = 1

INPUT_KEYS = (
    "policy",
    "period",
    "jurisdiction",
    "campaign",
    "departments",
    "expertise",
    "capacity",
    "registry_digest",
    "history_digest",
    "randomness",
)
"""The inputs of a draw, as a receipt (v2) and an announcement both carry them."""

DRAW_KINDS = (
    "draw_base",
    "item_cap",
    "quarterly_share",
    "staff_multiple",
    "coverage_cycle",
    "quarterly_minimum",
    "no_minimum",
    "not_specified",
    "non_site",
    "inspector_pool",
    "team",
    "replacement",
    "list_fixed",
)
"""The kinds of policy rule a draw reads (quotas, eligibility, teams, replacements)."""


def now() -> dt.datetime:
    """The current time, with its offset: when a draw is announced or sealed.

    One function, so a test can stand the clock at a chosen moment."""
    return dt.datetime.now(dt.timezone.utc)


def draw_parameters(policy: Policy) -> dict[str, Any]:
    """Every policy parameter the draw reads, as the receipt carries them.

    The rules of the kinds in :data:`DRAW_KINDS`, each as its JSON with its
    clause and quoted source sentence, in the policy's order, and the dates the
    policy is in force (coverage cycles count from ``effective_from``).
    """
    rules: list[Rule] = [r for r in policy.rules if r.kind in DRAW_KINDS]
    return {
        "effective_from": policy.effective_from.isoformat(),
        "effective_until": policy.effective_until.isoformat() if policy.effective_until else None,
        "rules": [r.model_dump(mode="json") for r in rules],
    }


def campaign_json(campaign: EntityFilter | None) -> dict[str, Any] | None:
    """A campaign filter as canonical JSON (sets as sorted lists), or None for a routine draw.

    Sets are sorted so the JSON, and so the seed, never depends on the order a
    Python process happens to iterate a set in.
    """
    if campaign is None or campaign.empty:
        return None
    data = campaign.model_dump(mode="json")
    return {k: sorted(v) if isinstance(v, list) else v for k, v in data.items()}


class RandomnessSource(BaseModel):
    """Where the public randomness will come from, and when it will exist."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    kind: Literal["dice", "lottery", "beacon"] = Field(
        description="dice rolled at a ceremony; a lottery draw; a randomness beacon round"
    )
    source: str = Field(
        min_length=3,
        max_length=300,
        description="which: the ceremony (place, witnesses), the lottery draw "
        "(福彩双色球 第2025123期), the beacon and round",
    )
    expected_at: dt.datetime = Field(description="when the randomness will exist (with offset)")

    @field_validator("expected_at")
    @classmethod
    def _aware(cls, value: dt.datetime) -> dt.datetime:
        if value.tzinfo is None:
            raise ValueError("give a time zone offset, e.g. 2025-06-30T10:00:00+08:00")
        return value

    def to_json(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "source": self.source,
            "expected_at": self.expected_at.isoformat(),
        }


def draw_inputs(
    policy: Policy,
    period: Quarter,
    *,
    registry_digest: str,
    history_digest: str,
    jurisdiction: str | None = None,
    campaign: EntityFilter | None = None,
    departments: Sequence[str] = (),
    expertise: frozenset[str] = frozenset(),
    capacity: int | None = None,
    randomness: RandomnessSource | None = None,
) -> dict[str, Any]:
    """The inputs of a draw in the form the announcement and the receipt carry."""
    return {
        "policy": {"id": policy.id, "version": policy.version, "digest": policy.digest},
        "period": period.label,
        "jurisdiction": jurisdiction,
        "campaign": campaign_json(campaign),
        "departments": list(departments),
        "expertise": sorted(expertise),
        "capacity": capacity,
        "registry_digest": registry_digest,
        "history_digest": history_digest,
        "randomness": randomness.to_json() if randomness else None,
    }


def announce(
    secret: str,
    inputs: Mapping[str, Any],
    *,
    announced_at: dt.datetime | None = None,
    ledger_head: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """The announcement of a draw: its inputs and the commitment that binds them.

    The randomness must be declared and must not exist yet: an announcement made
    after it is worth nothing.
    """
    moment = announced_at or dt.datetime.now(dt.timezone.utc)
    if moment.tzinfo is None:
        raise InputError("the announcement time needs a time zone offset")
    declared = inputs.get("randomness")
    if not declared:
        raise InputError(
            "an announcement declares its source of public randomness",
            hint="give --randomness-kind, --randomness-source and --randomness-at",
        )
    expected = dt.datetime.fromisoformat(declared["expected_at"])
    if expected <= moment:
        raise InputError(
            f"the public randomness ({declared['source']}) is declared to exist at "
            f"{expected.isoformat()}, not after this announcement ({moment.isoformat()})",
            hint="announce before the randomness exists: name a later draw or ceremony",
        )
    return {
        "format": FORMAT,
        "version": VERSION,
        "inputs": dict(inputs),
        "commitment": bound_commitment(check_secret(secret), inputs),
        "announced_at": moment.isoformat(),
        "ledger_head": dict(ledger_head) if ledger_head else None,
    }


def announcement_digest(announcement: Mapping[str, Any]) -> str:
    """``SHA-256`` (hex) of the announcement's canonical JSON: what a receipt names."""
    return canonical_digest(announcement)


def parse_time(text: Any, field: str) -> dt.datetime:
    """An ISO 8601 time with a time zone offset; an :class:`InputError` naming ``field``."""
    try:
        moment = dt.datetime.fromisoformat(text)
    except (TypeError, ValueError):
        raise InputError(f"{field}: {text!r} is not an ISO 8601 time") from None
    if moment.tzinfo is None:
        raise InputError(f"{field}: {text!r} has no time zone offset")
    return moment


def check_announcement(data: Any, where: str = "announcement") -> dict[str, Any]:
    """``data`` as a valid announcement: its schema, its times, its randomness declared."""
    found = problems(data, "announcement")
    if found:
        raise InputError(
            f"not a valid {FORMAT} v{VERSION}: " + "; ".join(found[:5]),
            where=where,
            hint="use the announcement file `randcheck commit` wrote, unedited",
        )
    assert isinstance(data, dict)
    try:
        RandomnessSource.model_validate(data["inputs"]["randomness"])
    except ValidationError as exc:
        raise InputError(f"inputs.randomness: {exc.errors()[0]['msg']}", where=where) from None
    announced = parse_time(data["announced_at"], "announced_at")
    expected = parse_time(data["inputs"]["randomness"]["expected_at"], "inputs.randomness")
    if expected <= announced:
        raise InputError(
            "the announcement was made after its randomness existed "
            f"(announced {announced.isoformat()}, randomness {expected.isoformat()})",
            where=where,
        )
    Quarter.parse(data["inputs"]["period"])
    return data


def load_announcement(path: Path | str) -> dict[str, Any]:
    """An announcement file, read safely and validated (:func:`check_announcement`)."""
    return check_announcement(load_json(path, "announcement"), str(path))


def first_difference(announced: Mapping[str, Any], given: Mapping[str, Any]) -> str | None:
    """The first input (in :data:`INPUT_KEYS` order) whose given value differs, if any."""
    for key in INPUT_KEYS:
        if announced.get(key) != given.get(key):
            if isinstance(announced.get(key), dict) and isinstance(given.get(key), dict):
                subs = [*announced[key], *(k for k in given[key] if k not in announced[key])]
                for sub in subs:
                    if announced[key].get(sub) != given[key].get(sub):
                        return f"{key}.{sub}"
            return key
    return None


def describe_difference(field: str, announced: Mapping[str, Any], given: Mapping[str, Any]) -> str:
    """ "<field>: announced X, given Y" for :func:`first_difference`'s field."""

    def shown(data: Mapping[str, Any]) -> str:
        node: Any = data
        for part in field.split("."):
            node = node.get(part) if isinstance(node, dict) else None
        text = json.dumps(node, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
        return text if len(text) <= 80 else text[:77] + "..."

    a, g = shown(announced), shown(given)
    return f"{field}: announced {a}, given {g}"
