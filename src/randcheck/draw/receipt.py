"""Receipts: a draw sealed, revealed, and verified by anyone.

A **sealed** receipt records everything a draw rests on and names no entity:
the algorithm versions, the policy (id, version and content digest) and every
parameter of it the draw reads, the period, the registry and history digests,
the declared source of public randomness and the announcement that bound the
inputs before it existed, the commitment, the public randomness, the quotas
with the clause behind each number, and the digest of the result. A
**revealed** receipt adds the secret, the seed and the result (the tasks with
their teams). :func:`verify` first validates the receipt against its schema,
then recomputes all of it from the registry and history and names the first
thing that differs.

Receipts of version 1 (randcheck 0.1 and 0.2: commitment to the secret alone,
no policy digest) still verify, under their own rules.

The byte-level construction is in ``docs/verification.md``; the JSON Schemas
are ``docs/receipt.schema.json`` (version 2) and ``docs/receipt-v1.schema.json``.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from randcheck.draw.announcement import (
    INPUT_KEYS,
    RandomnessSource,
    announcement_digest,
    campaign_json,
    check_announcement,
    describe_difference,
    draw_inputs,
    draw_parameters,
    first_difference,
    parse_time,
)
from randcheck.draw.history import History
from randcheck.draw.replace import ReplacementRecord, replace_inspector
from randcheck.draw.schemas import problems
from randcheck.draw.select import DRAW_V2, DrawResult, plan_draw
from randcheck.errors import InputError, RandcheckError, VerificationError
from randcheck.io.atomic import write_text
from randcheck.io.safe import load_json
from randcheck.models.vocab import ReplacementReason
from randcheck.periods import Quarter
from randcheck.policies.model import Policy
from randcheck.policies.registry import get_policy
from randcheck.randomness import (
    COMMITMENT_VERSION,
    SEED_VERSION,
    bound_commitment,
    canonical_digest,
    check_secret,
    commitment,
    draw_seed,
    normalise_public_randomness,
)
from randcheck.registry import EntityFilter, Registry
from randcheck.sampling import ALGORITHM as RANKING

FORMAT = "randcheck-receipt"
VERSION = 2
VERSIONS = (1, 2)
"""Receipt versions randcheck verifies: 1 (0.1, 0.2) and 2 (inputs bound, policy digest)."""

PolicyResolver = Callable[[str, str], Policy]
"""(policy id, version) -> that policy. Verification is given one, so a receipt can be
checked against any version, including one drawn under a version since superseded, or
a policy the verifier holds as a file."""


def installed_policy(policy_id: str, version: str) -> Policy:
    """The default resolver: the exact version among the policies randcheck holds."""
    return get_policy(policy_id, version=version)


def result_digest(result: dict[str, Any]) -> str:
    """SHA-256 of the canonical JSON of a draw's result (its tasks, in order)."""
    return canonical_digest(result)


def seed_context(
    policy: Policy,
    period: Quarter,
    jurisdiction: str | None,
    registry_digest: str,
    history_digest: str,
    campaign: EntityFilter | Mapping[str, Any] | None,
    departments: Sequence[str] = (),
    expertise: frozenset[str] = frozenset(),
    capacity: int | None = None,
) -> dict[str, Any]:
    """What the seed is bound to (see :func:`randcheck.randomness.draw_seed`).

    ``campaign``: the filter, or its JSON exactly as the receipt records it.
    ``departments``, ``expertise`` and ``capacity`` appear only when given, so
    routine draws keep the context they always had.
    """
    extra: dict[str, Any] = {"departments": list(departments)} if departments else {}
    if expertise:
        extra["expertise"] = sorted(expertise)
    if capacity is not None:
        extra["capacity"] = capacity
    recorded = campaign_json(campaign) if isinstance(campaign, EntityFilter) else campaign
    return {
        **extra,
        "policy": f"{policy.id}@{policy.version}",
        "period": period.label,
        "jurisdiction": jurisdiction,
        "registry": registry_digest,
        "history": history_digest,
        "campaign": recorded or None,
    }


def _campaign(data: Any) -> EntityFilter | None:
    if not data:
        return None
    try:
        return EntityFilter.model_validate(data)
    except ValidationError as exc:
        raise InputError(f"campaign: {exc.errors()[0]['msg']}", where="receipt") from None


def _draw(
    policy: Policy,
    registry: Registry,
    period: Quarter,
    history: History,
    secret: str,
    public: str,
    jurisdiction: str | None,
    campaign: Mapping[str, Any] | None,
    departments: Sequence[str],
    expertise: frozenset[str] = frozenset(),
    capacity: int | None = None,
    algorithm: str = DRAW_V2,
) -> tuple[str, DrawResult]:
    """The seed and the draw: the one computation seal, reveal and verify share.

    ``campaign`` is the filter's JSON as recorded (the seed is bound to those bytes).
    """
    context = seed_context(
        policy,
        period,
        jurisdiction,
        registry.digest,
        history.digest,
        campaign,
        departments,
        expertise,
        capacity,
    )
    seed = draw_seed(secret, public, context)
    result = plan_draw(
        policy,
        registry,
        period,
        seed,
        history=history,
        jurisdiction=jurisdiction,
        campaign=_campaign(campaign),
        capacity=capacity,
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
        receipt["campaign"],
        receipt.get("departments", []),
        frozenset(receipt.get("expertise", [])),
        receipt.get("capacity"),
        receipt["algorithm"]["draw"],
    )


def receipt_inputs(receipt: Mapping[str, Any]) -> dict[str, Any]:
    """The inputs a version-2 receipt records, in the form an announcement carries them."""
    return {key: receipt.get(key) for key in INPUT_KEYS}


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
    capacity: int | None = None,
    randomness: RandomnessSource | None = None,
    announcement: Mapping[str, Any] | None = None,
    sealed_at: dt.datetime | None = None,
) -> tuple[dict[str, Any], DrawResult]:
    """Draw and seal: the sealed receipt (no entity named) and the draw it seals.

    ``announcement``: the announcement published before the randomness existed
    (:func:`randcheck.draw.announcement.announce`). Every input given must be the
    announced one and ``secret`` the committed one, or an :class:`InputError`
    names the first that differs; the draw must come after the randomness it
    declared. Without one the receipt says the draw was not announced.
    """
    history = history or History()
    public = normalise_public_randomness(public_randomness)
    moment = sealed_at or dt.datetime.now(dt.timezone.utc)
    if moment.tzinfo is None:
        raise InputError("the sealing time needs a time zone offset")
    if capacity is not None and capacity < 1:
        raise InputError(f"capacity {capacity}: an inspector takes at least one task")
    if len(set(departments)) != len(departments):
        raise InputError(f"departments {list(departments)}: a department is named twice")
    declared = randomness
    digest = None
    if announcement is not None:
        announcement = check_announcement(dict(announcement))
        announced = announcement["inputs"]
        if declared is None:
            declared = RandomnessSource.model_validate(announced["randomness"])
    inputs = draw_inputs(
        policy,
        period,
        registry_digest=registry.digest,
        history_digest=history.digest,
        jurisdiction=jurisdiction,
        campaign=campaign,
        departments=departments,
        expertise=expertise,
        capacity=capacity,
        randomness=declared,
    )
    if announcement is not None:
        differs = first_difference(announced, inputs)
        if differs is not None:
            raise InputError(
                "the draw's inputs are not the announced ones: "
                + describe_difference(differs, announced, inputs),
                hint="draw with exactly the inputs announced (the announcement binds them), "
                "or announce again before new randomness",
            )
        if bound_commitment(secret, inputs) != announcement["commitment"]:
            raise InputError(
                "the secret is not the one the announcement committed to",
                hint="use the secret file `randcheck commit` wrote with this announcement",
            )
        if moment < parse_time(announced["randomness"]["expected_at"], "randomness"):
            raise InputError(
                f"the announced randomness ({announced['randomness']['source']}) exists only "
                f"from {announced['randomness']['expected_at']}; it is now {moment.isoformat()}",
                hint="draw once the announced lottery draw, ceremony or beacon round has happened",
            )
        digest = announcement_digest(announcement)
    _seed, result = _draw(
        policy,
        registry,
        period,
        history,
        secret,
        public,
        jurisdiction,
        inputs["campaign"],
        departments,
        expertise,
        capacity,
    )
    receipt = {
        "format": FORMAT,
        "version": VERSION,
        "algorithm": {
            "draw": DRAW_V2,
            "ranking": RANKING,
            "seed": SEED_VERSION,
            "commitment": COMMITMENT_VERSION,
        },
        **inputs,
        "announcement_digest": digest,
        "parameters": draw_parameters(policy),
        "commitment": bound_commitment(secret, inputs),
        "public_randomness": public,
        "quotas": [q.to_json() for q in result.quotas],
        "tasks": len(result.tasks),
        "result_digest": result_digest(result.result_json()),
        "sealed_at": moment.isoformat(),
        "revealed": None,
    }
    return receipt, result


def receipt_problems(receipt: Any) -> list[str]:
    """How ``receipt`` breaks the schema of its version (empty when it follows it)."""
    if not isinstance(receipt, dict):
        return ["(the document): a receipt is a JSON object"]
    version = receipt.get("version")
    if receipt.get("format") != FORMAT:
        return [f"format: {receipt.get('format')!r} is not {FORMAT!r}"]
    if type(version) is not int or version not in VERSIONS:
        return [f"version: {version!r} is not a receipt version randcheck verifies (1 or 2)"]
    return problems(receipt, "receipt" if version == VERSION else "receipt-v1")


def _check_schema(receipt: Any, what: str) -> dict[str, Any]:
    found = receipt_problems(receipt)
    if found:
        more = f" (and {len(found) - 3} more)" if len(found) > 3 else ""
        raise InputError(
            f"not a valid {what}: " + "; ".join(found[:3]) + more,
            where="receipt",
            hint="use the receipt randcheck wrote, unedited",
        )
    assert isinstance(receipt, dict)
    return receipt


def _commitment_of(receipt: Mapping[str, Any], secret: str) -> str:
    """What the receipt's commitment must be for ``secret`` (its version's rule)."""
    if receipt["version"] == 1:
        return commitment(secret)
    return bound_commitment(secret, receipt_inputs(receipt))


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
    receipt = _check_schema(receipt, "sealed receipt")
    if receipt.get("revealed"):
        raise InputError("this receipt is already revealed")
    secret = check_secret(secret)
    if _commitment_of(receipt, secret) != receipt["commitment"]:
        raise VerificationError(
            "the secret does not match the receipt's commitment",
            hint="use the secret file written when this draw was sealed",
        )
    if receipt["registry_digest"] != registry.digest:
        raise VerificationError(
            "the registry given is not the one the draw was sealed on "
            f"(receipt {receipt['registry_digest'][:16]}…, given {registry.digest[:16]}…)",
            hint="reveal with the registry snapshot the draw was sealed on",
        )
    if receipt["history_digest"] != history.digest:
        raise VerificationError(
            "the history given is not the one the draw was sealed on "
            f"(receipt {receipt['history_digest'][:16]}…, given {history.digest[:16]}…)",
            hint="reveal with the history file the draw was sealed on",
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
    """The policy the receipt names, by ``resolve``: that id and version, and (version 2)
    that content, parameter for parameter."""
    named = receipt["policy"]
    wanted_id, wanted_version = named["id"], named["version"]
    policy = resolve(wanted_id, wanted_version)
    if (policy.id, policy.version) != (wanted_id, wanted_version):
        raise VerificationError(
            f"the receipt was drawn under {wanted_id} version {wanted_version}; "
            f"the policy given is {policy.id} version {policy.version}",
            hint="verify against the policy version the receipt names",
        )
    if receipt["version"] == 1:
        return policy
    if policy.digest != named["digest"]:
        raise VerificationError(
            f"the receipt was drawn under a policy {wanted_id} {wanted_version} with digest "
            f"{named['digest'][:16]}…; the one given has digest {policy.digest[:16]}… "
            "(same id and version, other values)",
            hint="give the policy file the draw was made with (--policy FILE)",
        )
    params = draw_parameters(policy)
    if params != receipt["parameters"]:
        raise VerificationError(
            "the receipt's parameters are not the policy's: "
            + _first_difference(params, receipt["parameters"], "parameters"),
            hint="the receipt was edited: its parameters must be those of the policy it names",
        )
    return policy


@dataclass
class Check:
    """One check of a verification. ``ok`` None: not checked (``detail`` says why)."""

    name: str
    ok: bool | None
    detail: str = ""

    @property
    def skipped(self) -> bool:
        return self.ok is None


@dataclass
class Verification:
    """Each check in order; ``first_failure`` is the first that did not hold.

    A check that could not be made (no announcement given, …) is listed as not
    checked, with the reason: it neither passes nor fails.
    """

    checks: list[Check] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return all(c.ok is not False for c in self.checks) and any(c.ok for c in self.checks)

    @property
    def first_failure(self) -> Check | None:
        return next((c for c in self.checks if c.ok is False), None)

    @property
    def not_checked(self) -> list[Check]:
        return [c for c in self.checks if c.ok is None]

    def add(self, name: str, ok: bool, detail: str = "") -> bool:
        self.checks.append(Check(name, ok, detail))
        return ok

    def skip(self, name: str, why: str) -> None:
        self.checks.append(Check(name, None, why))


def _first_difference(expected: Any, got: Any, path: str = "") -> str:
    if type(expected) is not type(got):
        return f"{path or 'value'}: expected {_short(expected)}, found {_short(got)}"
    if isinstance(expected, dict):
        for key in sorted(expected.keys() | got.keys()):
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
    return f"{path or 'value'}: expected {_short(expected)}, found {_short(got)}"


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 120 else text[:117] + "..."


@dataclass(frozen=True)
class LedgerTimes:
    """What a ledger shows about a draw: when its announcement and its sealing were
    recorded, and the replacements it recorded (INSPECTOR_REPLACED payloads)."""

    announced: dt.datetime | None = None
    sealed: dt.datetime | None = None
    replacements: tuple[Mapping[str, Any], ...] = ()


def _check_announcement(
    report: Verification, receipt: dict[str, Any], announcement: Any
) -> dt.datetime | None:
    """The announcement checks; the time the randomness existed from, when known."""
    if receipt["version"] == 1:
        report.skip("announcement", "a version-1 receipt binds no announcement")
        return None
    recorded = receipt["announcement_digest"]
    if announcement is None:
        if recorded is None:
            report.skip(
                "announcement",
                "the draw was not announced: nothing shows its inputs were fixed before "
                "the public randomness existed",
            )
        else:
            report.skip(
                "announcement",
                f"the receipt names announcement {recorded[:16]}…; give it (--announcement) "
                "to check the inputs were announced before the randomness",
            )
        return None
    try:
        check_announcement(announcement)
    except InputError as exc:
        report.add("announcement", False, exc.what)
        return None
    digest = announcement_digest(announcement)
    if recorded != digest:
        report.add(
            "announcement",
            False,
            f"the receipt names announcement {str(recorded)[:16]}…, the one given is "
            f"{digest[:16]}…",
        )
        return None
    announced = announcement["inputs"]
    given = receipt_inputs(receipt)
    differs = first_difference(announced, given)
    if differs is not None:
        report.add(
            "announcement",
            False,
            "the receipt's inputs are not the announced ones: "
            + describe_difference(differs, announced, given).replace("given", "receipt"),
        )
        return None
    if announcement["commitment"] != receipt["commitment"]:
        report.add("announcement", False, "the receipt's commitment is not the announced one")
        return None
    expected = parse_time(announced["randomness"]["expected_at"], "randomness")
    sealed = parse_time(receipt["sealed_at"], "sealed_at")
    if sealed < expected:
        report.add(
            "announcement",
            False,
            f"sealed at {receipt['sealed_at']}, before the announced randomness existed "
            f"({announced['randomness']['expected_at']})",
        )
        return None
    report.add("announcement", True)
    return expected


def _check_ledger(
    report: Verification, times: LedgerTimes | None, randomness_at: dt.datetime | None
) -> None:
    if times is None:
        return
    if times.announced is None:
        report.add("ledger", False, "the ledger holds no DRAW_ANNOUNCED event for this draw")
        return
    if randomness_at is not None and times.announced >= randomness_at:
        report.add(
            "ledger",
            False,
            f"the ledger records the announcement at {times.announced.isoformat()}, not before "
            f"the randomness ({randomness_at.isoformat()})",
        )
        return
    if times.sealed is not None and times.sealed < times.announced:
        report.add("ledger", False, "the ledger records the sealing before the announcement")
        return
    report.add("ledger", True)


def _check_sealed_in_ledger(
    report: Verification, times: LedgerTimes | None, sealed_at: dt.datetime
) -> None:
    if times is None:
        return
    report.add(
        "sealed in ledger",
        times.sealed is not None and times.sealed == sealed_at,
        "the ledger holds no DRAW_SEALED event with this commitment"
        if times.sealed is None
        else f"the ledger records the sealing at {times.sealed.isoformat()}, "
        f"the receipt at {sealed_at.isoformat()}",
    )


_RECORDED = ("reason", "approved_by", "note")
"""What a replacement record holds that no recomputation gives: the operator's record."""


def _check_replacement_record(
    report: Verification, n: int, record: Mapping[str, Any], times: LedgerTimes | None
) -> None:
    name = f"replacement {n} record"
    if times is None:
        report.skip(
            name,
            "its reason, approver and note are as the operator recorded them; give the "
            "ledger (--ledger) to check them against its INSPECTOR_REPLACED event",
        )
        return
    key = (record["task_id"], record["removed"], record["added"])
    found = [
        r for r in times.replacements if (r.get("task_id"), r.get("removed"), r.get("added")) == key
    ]
    if not found:
        report.add(
            name, False, f"the ledger records no replacement {key[1]} -> {key[2]} on {key[0]}"
        )
        return
    entry = found[0]
    for field_ in _RECORDED:
        if (field_ in entry or field_ != "note") and entry.get(field_) != record.get(field_):
            report.add(
                name,
                False,
                f"{field_}: the ledger records {entry.get(field_)!r}, "
                f"the receipt {record.get(field_)!r}",
            )
            return
    report.add(name, True)


def verify(
    receipt: Any,
    registry: Registry,
    history: History | None = None,
    *,
    resolve: PolicyResolver = installed_policy,
    announcement: Mapping[str, Any] | None = None,
    ledger: LedgerTimes | None = None,
) -> Verification:
    """Validate the receipt, then recompute the draw; every check, in order.

    ``resolve`` finds the policy the receipt names, by id and version; the default
    looks among the policies randcheck holds (built-ins, variants, plugins, every
    dated version). Give another to verify against a policy file or a store.
    ``announcement``: the announcement published before the draw; its inputs and
    commitment must be the receipt's. ``ledger``: when the ledger recorded the
    announcement and the sealing; the announcement must predate the randomness.
    """
    history = history or History()
    report = Verification()
    found = receipt_problems(receipt)
    if not report.add("schema", not found, "; ".join(found[:5])):
        return report
    report.add("format", True)
    try:
        sealed_at = parse_time(receipt["sealed_at"], "sealed_at")
        report.add("sealed at", True)
    except InputError as exc:
        report.add("sealed at", False, exc.what)
        return report
    public = receipt["public_randomness"]
    try:
        canonical = normalise_public_randomness(public) == public
    except InputError:
        canonical = False
    if not report.add("public randomness", canonical, "not in its normalised form"):
        return report
    randomness_at = _check_announcement(report, receipt, announcement)
    if randomness_at is None and receipt["version"] == 2 and receipt["randomness"]:
        randomness_at = parse_time(receipt["randomness"]["expected_at"], "randomness")
    if randomness_at is not None and not report.add(
        "sealed after randomness",
        sealed_at >= randomness_at,
        f"sealed at {receipt['sealed_at']}, before its declared randomness existed",
    ):
        return report
    _check_ledger(report, ledger, randomness_at)
    _check_sealed_in_ledger(report, ledger, sealed_at)
    registry_ok = report.add(
        "registry digest",
        receipt["registry_digest"] == registry.digest,
        f"receipt {receipt['registry_digest'][:16]}…, registry {registry.digest[:16]}…",
    )
    history_ok = report.add(
        "history digest",
        receipt["history_digest"] == history.digest,
        f"receipt {receipt['history_digest'][:16]}…, history {history.digest[:16]}…",
    )
    if not (registry_ok and history_ok):
        report.skip("result", "not recomputed: the draw is only defined on the inputs it names")
        return report
    try:
        policy = _policy_of(receipt, resolve)
        report.add("policy", True)
    except RandcheckError as exc:  # reported as a failed check, not raised
        report.add("policy", False, exc.what)
        return report
    if receipt["version"] == 2:
        try:
            canonical_campaign = campaign_json(_campaign(receipt["campaign"]))
            ok = canonical_campaign == receipt["campaign"]
            detail = "the campaign filter is not in its canonical form (sets sorted, no defaults)"
        except InputError as exc:
            ok, detail = False, exc.what
        if not report.add("campaign", ok, detail):
            return report
    revealed = receipt["revealed"]
    if not report.add(
        "revealed", revealed is not None, "the receipt is sealed: reveal it to verify the list"
    ):
        return report
    secret = revealed["secret"]
    report.add(
        "commitment",
        _commitment_of(receipt, secret) == receipt["commitment"],
        "the revealed secret does not give the commitment",
    )
    try:
        seed, result = _redraw(receipt, policy, registry, history, secret)
    except RandcheckError as exc:
        report.add("result", False, f"the draw cannot be recomputed: {exc.what}")
        return report
    report.add(
        "seed", seed == revealed["seed"], "the seed does not follow from the secret and inputs"
    )
    quotas = [q.to_json() for q in result.quotas]
    report.add(
        "quotas",
        quotas == receipt["quotas"],
        _first_difference(quotas, receipt["quotas"], "quotas"),
    )
    report.add(
        "task count",
        receipt["tasks"] == len(result.tasks) == len(revealed["tasks"]),
        f"the receipt says {receipt['tasks']} tasks, the draw gives {len(result.tasks)}, "
        f"the list holds {len(revealed['tasks'])}",
    )
    body = result.result_json()
    got = {"tasks": revealed["tasks"]}
    report.add("result", body == got, _first_difference(body, got))
    for n, record in enumerate(revealed.get("replacements", []), start=1):
        try:
            again = _replay(policy, registry, result, seed, record)
            ok, detail = again.to_json() == record, f"expected {again.to_json()}"
        except RandcheckError as exc:  # reported as a failed check, not raised
            ok, detail = False, exc.what
        report.add(f"replacement {n}", ok, detail)
        _check_replacement_record(report, n, record, ledger)
    report.add(
        "result digest",
        result_digest(got) == receipt["result_digest"],
        "the revealed list is not the list that was sealed",
    )
    return report


def save_receipt(receipt: dict[str, Any], path: Path | str) -> None:
    write_text(Path(path), json.dumps(receipt, ensure_ascii=False, indent=1) + "\n")


def load_receipt(path: Path | str) -> Any:
    """A receipt file's JSON, read safely; whether it is a valid receipt is the first
    check :func:`verify` makes (and :func:`reveal` refuses an invalid one)."""
    return load_json(path, "receipt")


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
    receipt = _check_schema(receipt, "receipt")
    revealed = receipt.get("revealed")
    if not revealed:
        raise InputError("reveal the receipt first: a replacement is recorded on the revealed list")
    report = verify(receipt, registry, history, resolve=resolve)
    failure = report.first_failure
    if failure is not None:
        raise VerificationError(
            f"the receipt does not verify ({failure.name}: {failure.detail})",
            hint="record replacements on a receipt that verifies, with its registry and history",
        )
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
