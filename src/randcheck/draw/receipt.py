"""Receipts: a draw sealed, revealed, and verified by anyone.

A **sealed** receipt records everything a draw rests on and names no entity:
the algorithm versions, the policy id and version, the period, the registry
and history digests, the commitment to the operator's secret, the public
randomness, the quotas with the clause behind each number, and the digest of
the result. A **revealed** receipt adds the secret, the seed and the result
(the tasks with their teams). :func:`verify` recomputes all of it from the
registry and history and names the first thing that differs.

The byte-level construction is in ``docs/verification.md``; the JSON Schema of
a receipt is ``docs/receipt.schema.json``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from randcheck.draw.history import History
from randcheck.draw.replace import ReplacementRecord, replace_inspector
from randcheck.draw.select import DRAW_VERSION, DRAW_VERSIONS, DrawResult, plan_draw
from randcheck.errors import InputError, VerificationError
from randcheck.io.atomic import write_text
from randcheck.models.vocab import ReplacementReason
from randcheck.periods import Quarter
from randcheck.policies.model import Policy
from randcheck.policies.registry import get_policy
from randcheck.randomness import (
    SEED_VERSION,
    canonical_json,
    check_secret,
    commitment,
    draw_seed,
    normalise_public_randomness,
)
from randcheck.registry import EntityFilter, Registry
from randcheck.sampling import ALGORITHM as RANKING

FORMAT = "randcheck-receipt"
VERSION = 1

PolicyResolver = Callable[[str, str], Policy]
"""(policy id, version) -> that policy. Verification is given one, so a receipt can be
checked against any version, including one drawn under a version since superseded, or
a policy the verifier holds as a file."""


def installed_policy(policy_id: str, version: str) -> Policy:
    """The default resolver: the exact version among the policies randcheck holds."""
    return get_policy(policy_id, version=version)


def result_digest(result: dict[str, Any]) -> str:
    """SHA-256 of the canonical JSON of a draw's result (its tasks, in order)."""
    return hashlib.sha256(canonical_json(result).encode("utf-8")).hexdigest()


def seed_context(
    policy: Policy,
    period: Quarter,
    jurisdiction: str | None,
    registry_digest: str,
    history_digest: str,
    campaign: EntityFilter | None,
    departments: Sequence[str] = (),
    expertise: frozenset[str] = frozenset(),
) -> dict[str, Any]:
    """What the seed is bound to (see :func:`randcheck.randomness.draw_seed`)."""
    extra: dict[str, Any] = {"departments": list(departments)} if departments else {}
    if expertise:
        extra["expertise"] = sorted(expertise)
    return {
        **extra,
        "policy": f"{policy.id}@{policy.version}",
        "period": period.label,
        "jurisdiction": jurisdiction,
        "registry": registry_digest,
        "history": history_digest,
        "campaign": campaign.model_dump(mode="json") if campaign and not campaign.empty else None,
    }


def _campaign(data: Any) -> EntityFilter | None:
    return EntityFilter.model_validate(data) if data else None


def _draw(
    policy: Policy,
    registry: Registry,
    period: Quarter,
    history: History,
    secret: str,
    public: str,
    jurisdiction: str | None,
    campaign: EntityFilter | None,
    departments: Sequence[str],
    expertise: frozenset[str] = frozenset(),
    algorithm: str = DRAW_VERSION,
) -> tuple[str, DrawResult]:
    """The seed and the draw: the one computation seal, reveal and verify share."""
    context = seed_context(
        policy,
        period,
        jurisdiction,
        registry.digest,
        history.digest,
        campaign,
        departments,
        expertise,
    )
    seed = draw_seed(secret, public, context)
    result = plan_draw(
        policy,
        registry,
        period,
        seed,
        history=history,
        jurisdiction=jurisdiction,
        campaign=campaign,
        departments=departments,
        expertise=expertise,
        algorithm=algorithm,
    )
    return seed, result


def _redraw(
    receipt: dict[str, Any], policy: Policy, registry: Registry, history: History, secret: str
) -> tuple[str, DrawResult]:
    """Recompute a receipt's draw from its recorded inputs and ``secret``."""
    return _draw(
        policy,
        registry,
        Quarter.parse(receipt["period"]),
        history,
        secret,
        receipt["public_randomness"],
        receipt["jurisdiction"],
        _campaign(receipt["campaign"]),
        receipt.get("departments", []),
        frozenset(receipt.get("expertise", [])),
        receipt["algorithm"]["draw"],
    )


def seal(
    policy: Policy,
    registry: Registry,
    period: Quarter,
    *,
    secret: str,
    public_randomness: str,
    history: History | None = None,
    jurisdiction: str | None = None,
    campaign: EntityFilter | None = None,
    departments: Sequence[str] = (),
    expertise: frozenset[str] = frozenset(),
    sealed_at: dt.datetime | None = None,
) -> tuple[dict[str, Any], DrawResult]:
    """Draw and seal: the sealed receipt (no entity named) and the draw it seals."""
    history = history or History()
    public = normalise_public_randomness(public_randomness)
    _seed, result = _draw(
        policy,
        registry,
        period,
        history,
        secret,
        public,
        jurisdiction,
        campaign,
        departments,
        expertise,
    )
    moment = sealed_at or dt.datetime.now(dt.timezone.utc)
    receipt = {
        "format": FORMAT,
        "version": VERSION,
        "algorithm": {"draw": DRAW_VERSION, "ranking": RANKING, "seed": SEED_VERSION},
        "policy": {"id": policy.id, "version": policy.version},
        "period": period.label,
        "jurisdiction": jurisdiction,
        "campaign": campaign.model_dump(mode="json") if campaign and not campaign.empty else None,
        "departments": list(departments),
        "expertise": sorted(expertise),
        "registry_digest": registry.digest,
        "history_digest": history.digest,
        "commitment": commitment(secret),
        "public_randomness": public,
        "quotas": [q.to_json() for q in result.quotas],
        "tasks": len(result.tasks),
        "result_digest": result_digest(result.result_json()),
        "sealed_at": moment.isoformat(),
        "revealed": None,
    }
    return receipt, result


def reveal(
    receipt: dict[str, Any],
    secret: str,
    registry: Registry,
    history: History | None = None,
    *,
    resolve: PolicyResolver = installed_policy,
) -> dict[str, Any]:
    """The revealed receipt: the sealed one plus the secret, the seed and the result.

    The secret must match the commitment and reproduce the sealed result.
    ``resolve`` finds the policy the receipt names (see :data:`PolicyResolver`).
    """
    history = history or History()
    if receipt.get("revealed"):
        raise InputError("this receipt is already revealed")
    secret = check_secret(secret)
    if commitment(secret) != receipt["commitment"]:
        raise VerificationError(
            "the secret does not match the receipt's commitment",
            hint="use the secret file written when this draw was sealed",
        )
    policy = _policy_of(receipt, resolve)
    seed, result = _redraw(receipt, policy, registry, history, secret)
    body = result.result_json()
    if result_digest(body) != receipt["result_digest"]:
        raise VerificationError(
            "the registry or history given do not reproduce the sealed result",
            hint="reveal with the registry and history snapshots the draw was sealed on",
        )
    return {**receipt, "revealed": {"secret": secret, "seed": seed, **body}}


def _policy_of(receipt: dict[str, Any], resolve: PolicyResolver) -> Policy:
    """The policy the receipt names, by ``resolve``; it must be that id and version."""
    wanted_id, wanted_version = receipt["policy"]["id"], receipt["policy"]["version"]
    policy = resolve(wanted_id, wanted_version)
    if (policy.id, policy.version) != (wanted_id, wanted_version):
        raise VerificationError(
            f"the receipt was drawn under {wanted_id} version {wanted_version}; "
            f"the policy given is {policy.id} version {policy.version}",
            hint="verify against the policy version the receipt names",
        )
    return policy


@dataclass
class Check:
    name: str
    ok: bool
    detail: str = ""


@dataclass
class Verification:
    """Each check in order; ``first_failure`` is the first that did not hold."""

    checks: list[Check] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return all(c.ok for c in self.checks)

    @property
    def first_failure(self) -> Check | None:
        return next((c for c in self.checks if not c.ok), None)

    def add(self, name: str, ok: bool, detail: str = "") -> bool:
        self.checks.append(Check(name, ok, detail))
        return ok


def _first_difference(expected: Any, got: Any, path: str = "") -> str:
    if type(expected) is not type(got):
        return f"{path or 'value'}: expected {expected!r}, found {got!r}"
    if isinstance(expected, dict):
        for key in expected.keys() | got.keys():
            if expected.get(key) != got.get(key):
                return _first_difference(
                    expected.get(key), got.get(key), f"{path}.{key}" if path else key
                )
    if isinstance(expected, list):
        if len(expected) != len(got):
            return f"{path}: expected {len(expected)} entries, found {len(got)}"
        for n, (a, b) in enumerate(zip(expected, got)):
            if a != b:
                return _first_difference(a, b, f"{path}[{n}]")
    return f"{path or 'value'}: expected {expected!r}, found {got!r}"


def verify(
    receipt: dict[str, Any],
    registry: Registry,
    history: History | None = None,
    *,
    resolve: PolicyResolver = installed_policy,
) -> Verification:
    """Recompute the draw from the registry and history; every check, in order.

    ``resolve`` finds the policy the receipt names, by id and version; the default
    looks among the policies randcheck holds (built-ins, variants, plugins, every
    dated version). Give another to verify against a policy file or a store.
    """
    history = history or History()
    report = Verification()
    if not report.add(
        "format",
        receipt.get("format") == FORMAT and receipt.get("version") == VERSION,
        f"not a {FORMAT} v{VERSION} receipt",
    ):
        return report
    algorithm = receipt.get("algorithm")
    known = (
        isinstance(algorithm, dict)
        and set(algorithm) == {"draw", "ranking", "seed"}
        and algorithm["draw"] in DRAW_VERSIONS
        and algorithm["ranking"] == RANKING
        and algorithm["seed"] == SEED_VERSION
    )
    if not report.add(
        "algorithm",
        known,
        f"the receipt names {algorithm!r}; randcheck verifies draw {', '.join(DRAW_VERSIONS)} "
        f"with ranking {RANKING} and seed {SEED_VERSION}",
    ):
        return report
    report.add(
        "registry digest",
        receipt["registry_digest"] == registry.digest,
        f"receipt {receipt['registry_digest'][:16]}…, registry {registry.digest[:16]}…",
    )
    report.add(
        "history digest",
        receipt["history_digest"] == history.digest,
        f"receipt {receipt['history_digest'][:16]}…, history {history.digest[:16]}…",
    )
    try:
        policy = _policy_of(receipt, resolve)
        report.add("policy version", True)
    except Exception as exc:  # reported as a failed check, not raised
        report.add("policy version", False, str(exc))
        return report
    revealed = receipt.get("revealed")
    if not report.add(
        "revealed", bool(revealed), "the receipt is sealed: reveal it to verify the list"
    ):
        return report
    assert isinstance(revealed, dict)
    secret = revealed.get("secret", "")
    report.add(
        "commitment",
        commitment(secret) == receipt["commitment"],
        "SHA-256 of the revealed secret is not the commitment",
    )
    seed, result = _redraw(receipt, policy, registry, history, secret)
    report.add(
        "seed", seed == revealed.get("seed"), "the seed does not follow from the secret and inputs"
    )
    quotas = [q.to_json() for q in result.quotas]
    report.add(
        "quotas",
        quotas == receipt["quotas"],
        _first_difference(quotas, receipt["quotas"], "quotas"),
    )
    body = result.result_json()
    got = {"tasks": revealed.get("tasks")}
    report.add("result", body == got, _first_difference(body, got))
    for n, record in enumerate(revealed.get("replacements", []), start=1):
        try:
            again = _replay(policy, registry, result, seed, record)
            ok, detail = again.to_json() == record, f"expected {again.to_json()}"
        except Exception as exc:  # reported as a failed check, not raised
            ok, detail = False, str(exc)
        report.add(f"replacement {n}", ok, detail)
    report.add(
        "result digest",
        result_digest(got) == receipt["result_digest"],
        "the revealed list is not the list that was sealed",
    )
    return report


def save_receipt(receipt: dict[str, Any], path: Path | str) -> None:
    write_text(Path(path), json.dumps(receipt, ensure_ascii=False, indent=1) + "\n")


def load_receipt(path: Path | str) -> dict[str, Any]:
    path = Path(path)
    if not path.is_file():
        raise InputError(f"receipt {path} does not exist", where=str(path))
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise InputError(f"not valid JSON ({exc})", where=str(path)) from None
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise InputError(f"not a {FORMAT} file", where=str(path))
    return data


def _replay(
    policy: Policy, registry: Registry, result: DrawResult, seed: str, record: dict[str, Any]
) -> ReplacementRecord:
    """Make a recorded replacement again on ``result`` (its teams change as they did)."""
    return replace_inspector(
        policy,
        registry,
        result,
        seed,
        record["task_id"],
        record["removed"],
        ReplacementReason.of(record["reason"]),
        approved_by=record.get("approved_by"),
        chosen=record["added"] if record["method"] == "chosen" else None,
        note=record.get("note"),
    )


def record_replacement(
    receipt: dict[str, Any],
    registry: Registry,
    task_id: str,
    removed: str,
    reason: ReplacementReason,
    *,
    history: History | None = None,
    approved_by: str | None = None,
    chosen: str | None = None,
    note: str | None = None,
    resolve: PolicyResolver = installed_policy,
) -> dict[str, Any]:
    """A revealed receipt with one more replacement, made as the policy says; verify rechecks it."""
    history = history or History()
    revealed = receipt.get("revealed")
    if not revealed:
        raise InputError("reveal the receipt first: a replacement is recorded on the revealed list")
    policy = _policy_of(receipt, resolve)
    seed, result = _redraw(receipt, policy, registry, history, revealed["secret"])
    records = list(revealed.get("replacements", []))
    for record in records:  # replay earlier replacements so teams are current
        _replay(policy, registry, result, seed, record)
    made = replace_inspector(
        policy,
        registry,
        result,
        seed,
        task_id,
        removed,
        reason,
        approved_by=approved_by,
        chosen=chosen,
        note=note,
    )
    return {**receipt, "revealed": {**revealed, "replacements": [*records, made.to_json()]}}
