"""The hash chain: each event carries the hash of the event before it.

Editing, deleting or reordering any event breaks the chain at that point, and
:func:`walk_chain` names the first broken link; an event whose hashes are right
but whose content is not a valid event (an unknown type, a time that is not
ISO 8601, a payload its model refuses) is reported as *invalid*, never passed on
to the audit or the reports.

Hash of an event: SHA-256 (lowercase hex) of the compact JSON, keys sorted,
non-ASCII as itself, of ``{"seq", "type", "time", "actor", "subject",
"payload", "prev_hash"}``; the first event's ``prev_hash`` is 64 zeros.

Events cut from the *end* leave a shorter chain that is still whole: only a
head published earlier (:class:`PublishedHead`: the hash of event *N* and *N*)
shows the cut.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel, ValidationError

from randcheck.errors import InputError
from randcheck.ledger.events import (
    OMITTED_WHEN_NONE,
    PAYLOADS,
    SHANGHAI,
    EventType,
    describe_errors,
    dump_payload,
    parse_payload,
)

GENESIS = "0" * 64
"""The ``prev_hash`` of event #1, and the head of an empty ledger."""

KEYS = ("seq", "type", "time", "actor", "subject", "payload", "prev_hash", "hash")
"""The fields of a stored event, in storage order."""

_KEY_SET = frozenset(KEYS)


def row_data(row: Sequence[Any], payload: Any) -> dict[str, Any]:
    """A stored row (the columns in :data:`KEYS` order) as an event's data, with its
    payload as parsed from the payload column."""
    seq, kind, when, actor, subject, _, prev_hash, digest = row
    return {
        "seq": seq,
        "type": kind,
        "time": when,
        "actor": actor,
        "subject": subject,
        "payload": payload,
        "prev_hash": prev_hash,
        "hash": digest,
    }


HASH_PATTERN = re.compile(r"[0-9a-f]{64}")
EARLIEST_YEAR, LATEST_YEAR = 1950, 2200
"""Event times outside these years are refused as invalid (a typo, not a record)."""

_TYPES: dict[str, EventType] = {t.value: t for t in EventType}


_CANONICAL = json.JSONEncoder(ensure_ascii=False, sort_keys=True, separators=(",", ":"))
"""The encoder of :func:`randcheck.randomness.canonical_json`, made once (a walk hashes
hundreds of thousands of events)."""


def event_hash(body: Mapping[str, Any]) -> str:
    """SHA-256 of the canonical JSON of an event's body (everything but its own hash)."""
    return hashlib.sha256(_CANONICAL.encode(body).encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class LedgerEvent:
    """One event as stored: its place in the chain, what happened and the hashes.

    ``payload`` is the payload in its model's normal form (every field present,
    spellings normalised) and ``time`` a datetime; when what is stored differs (a
    ledger written before a field was added, a time written another ISO 8601
    way), ``stored`` keeps the stored body, which is what :meth:`body` and so the
    hash use.
    """

    seq: int
    type: EventType
    time: dt.datetime
    actor: str
    subject: str
    payload: dict[str, Any]
    prev_hash: str
    hash: str
    stored: dict[str, Any] | None = field(default=None, compare=False, repr=False)

    def body(self) -> dict[str, Any]:
        """Everything but the hash, as stored: what the hash is computed over."""
        if self.stored is not None:
            return dict(self.stored)
        return {
            "seq": self.seq,
            "type": self.type.value,
            "time": self.time.isoformat(),
            "actor": self.actor,
            "subject": self.subject,
            "payload": self.payload,
            "prev_hash": self.prev_hash,
        }

    def to_json(self) -> dict[str, Any]:
        return {**self.body(), "hash": self.hash}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> LedgerEvent:
        """One stored event, checked on its own (its hash, its content); a
        :class:`~randcheck.errors.LedgerError` naming what is wrong otherwise."""
        from randcheck.errors import LedgerError

        seq = data.get("seq") if isinstance(data, Mapping) else None
        number = seq if isinstance(seq, int) and not isinstance(seq, bool) else 0
        try:
            return check_event(data, number)
        except EventProblem as problem:
            raise LedgerError(problem.message(), hint="run `randcheck ledger verify`") from None

    def parsed(self) -> BaseModel:
        """The payload as its model (``ResultRecorded``, ``TaskDispatched`` …)."""
        return parse_payload(self.type, self.payload)

    @property
    def day(self) -> dt.date:
        """The day the event happened, in China Standard Time (UTC+8)."""
        return self.time.astimezone(SHANGHAI).date()

    @property
    def task_id(self) -> str | None:
        value = self.payload.get("task_id")
        return value if isinstance(value, str) else None


# --- what a store hands the walk --------------------------------------------------


@dataclass(frozen=True)
class Damaged:
    """A stored row that cannot be read as an event at all (not JSON, not UTF-8, an
    unfinished line): the walk reports the chain broken there."""

    reason: str
    fragment: bool = False
    """An unfinished last line (JSON Lines): what a killed append leaves."""


class EventProblem(Exception):
    """Why event #``number`` is broken (the chain cannot vouch for it) or invalid
    (the chain is whole but the event is not a valid event)."""

    def __init__(self, number: int, reason: str, *, invalid: bool = False) -> None:
        super().__init__(reason)
        self.number = number
        self.reason = reason
        self.invalid = invalid

    def message(self) -> str:
        if self.invalid:
            return f"the ledger has an invalid event #{self.number}: {self.reason}"
        return f"the ledger's chain is broken at event #{self.number}: {self.reason}"


def _json_kind(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "an array"
    if isinstance(value, Mapping):
        return "an object"
    return type(value).__name__


def _shown(value: Any, limit: int = 40) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _structure(data: Any, number: int) -> Mapping[str, Any]:
    """The stored event as a mapping with exactly the chain's fields (else broken)."""
    if isinstance(data, Damaged):
        raise EventProblem(number, data.reason)
    if type(data) is dict and data.keys() == _KEY_SET:
        return data
    if not isinstance(data, Mapping):
        raise EventProblem(
            number, f"event #{number} is {_json_kind(data)}, not an event (a JSON object)"
        )
    if len(data) != len(KEYS) or any(k not in data for k in KEYS):
        missing = [k for k in KEYS if k not in data]
        if missing:
            raise EventProblem(number, f"event #{number} has no {missing[0]!r} field")
        extra = sorted(str(k) for k in data if k not in KEYS)
        raise EventProblem(
            number, f"event #{number} has a field the chain does not cover: {extra[0]!r}"
        )
    return data


def _hash_of(data: Mapping[str, Any], number: int) -> str:
    body = dict(data)
    del body["hash"]
    try:
        return event_hash(body)
    except (TypeError, ValueError, RecursionError) as exc:
        raise EventProblem(number, f"event #{number} cannot be hashed ({exc})") from None


def _invalid(number: int, reason: str) -> EventProblem:
    return EventProblem(number, reason, invalid=True)


_VALIDATORS = {kind: (model, model.__pydantic_validator__) for kind, model in PAYLOADS.items()}
_FIELDS = {kind: tuple(model.model_fields) for kind, model in PAYLOADS.items()}


def _in_normal_form(parsed: BaseModel, payload: dict[str, Any], names: tuple[str, ...]) -> bool:
    """Whether the stored payload already is what ``model_dump(mode="json")`` would give
    (every field there, each as its model holds it): then it is used as it is."""
    names = tuple(
        n
        for n in names
        if n in payload or n not in OMITTED_WHEN_NONE or getattr(parsed, n) is not None
    )
    if len(payload) != len(names):
        return False
    for name in names:
        mine = getattr(parsed, name)
        value = payload[name]
        if mine != value or (type(value) is not str and type(mine) is not type(value)):
            return False
    return True


_fromisoformat = dt.datetime.fromisoformat


def _content(data: Mapping[str, Any], number: int, build: bool) -> LedgerEvent | None:
    """Check what the event says (its chain fields are already checked)."""
    kind = _TYPES.get(data["type"]) if type(data["type"]) is str else None
    if kind is None:
        raise _invalid(
            number,
            f"field type: {_shown(data['type'])} is not an event type "
            f"(one of {', '.join(sorted(_TYPES))})",
        )
    when = data["time"]
    try:
        moment = _fromisoformat(when)
    except (TypeError, ValueError):
        raise _invalid(
            number,
            f"field time: {_shown(when)} is not an ISO 8601 time (2025-07-10T09:00:00+08:00)",
        ) from None
    if moment.tzinfo is None:
        raise _invalid(number, f"field time: {_shown(when)} has no time zone (+08:00)")
    if not EARLIEST_YEAR <= moment.year <= LATEST_YEAR:
        raise _invalid(
            number,
            f"field time: {_shown(when)} is outside the years {EARLIEST_YEAR}–{LATEST_YEAR}",
        )
    actor, subject, payload = data["actor"], data["subject"], data["payload"]
    if type(actor) is not str or not actor.strip():
        raise _invalid(number, f"field actor: {_shown(actor)} is not a non-empty text")
    if type(subject) is not str or not subject.strip():
        raise _invalid(number, f"field subject: {_shown(subject)} is not a non-empty text")
    if type(payload) is not dict:
        raise _invalid(
            number, f"field payload: {_json_kind(payload)}, not an object, in a {kind.value} event"
        )
    model, validator = _VALIDATORS[kind]
    try:
        parsed = validator.validate_python(payload)
    except ValidationError as exc:
        raise _invalid(
            number, f"payload of a {kind.value} event ({model.__name__}): {describe_errors(exc)}"
        ) from None
    natural = payload.get("task_id") or payload.get("draw_id")
    if natural is not None and natural != subject:
        natural = getattr(parsed, "task_id", None) or getattr(parsed, "draw_id", None)
        if isinstance(natural, str) and natural and natural != subject:
            which = "task_id" if getattr(parsed, "task_id", None) else "draw_id"
            raise _invalid(
                number,
                f"field subject: {_shown(subject)} differs from the payload's "
                f"{which} {_shown(natural)}",
            )
    if not build:
        return None
    if _in_normal_form(parsed, payload, _FIELDS[kind]):
        normal, as_stored = payload, moment.isoformat() == when
    else:
        normal = dump_payload(parsed)
        as_stored = normal == payload and moment.isoformat() == when
    return LedgerEvent(
        data["seq"],
        kind,
        moment,
        actor,
        subject,
        normal,
        data["prev_hash"],
        data["hash"],
        None if as_stored else {k: data[k] for k in KEYS[:-1]},
    )


def check_event(data: Any, number: int) -> LedgerEvent:
    """One stored event on its own: its fields, its own hash and its content.

    Its link to the event before is not checked here (:func:`walk_chain` does);
    an :class:`EventProblem` says what is wrong.
    """
    checked = _structure(data, number)
    if type(checked["seq"]) is not int:
        raise EventProblem(number, f"event #{number}'s number (seq) is not an integer")
    if _hash_of(checked, number) != checked["hash"]:
        raise EventProblem(number, f"event #{number} was changed after it was written")
    event = _content(checked, number, build=True)
    assert event is not None
    return event


# --- published heads ----------------------------------------------------------------


@dataclass(frozen=True)
class PublishedHead:
    """The ledger's head as published with a disclosure, report or announcement: the
    hash of event #``events`` and that count (``events`` None: a bare hash)."""

    hash: str
    events: int | None = None

    def line(self) -> str:
        """``ledger head 台账头: <hash> events 事件数: <N>``, the form texts carry."""
        return f"ledger head 台账头: {self.hash} events 事件数: {self.count}"

    def to_json(self) -> dict[str, Any]:
        """``{"hash": …, "events": N}``, the value of ``"ledger_head"`` in JSON documents."""
        return {"hash": self.hash, "events": self.count}

    @property
    def count(self) -> int:
        if self.events is None:
            raise InputError(
                "this head is a bare hash: its event count is not known",
                hint="publish the head with its count: published_head(ledger)",
            )
        return self.events

    @classmethod
    def of(cls, hash_: str, events: int | None = None, where: str = "head") -> PublishedHead:
        """A checked head: 64 hexadecimal digits, a count of 0 or more (0: the empty chain)."""
        if not isinstance(hash_, str) or not HASH_PATTERN.fullmatch(hash_.lower()):
            raise InputError(
                f"{_shown(hash_, 80)} is not a ledger head (64 hexadecimal digits)", where=where
            )
        if events is not None and (
            not isinstance(events, int) or isinstance(events, bool) or events < 0
        ):
            raise InputError(
                f"the event count {_shown(events)} is not a whole number >= 0", where=where
            )
        hash_ = hash_.lower()
        if events == 0 and hash_ != GENESIS:
            raise InputError(
                "a head of 0 events is the empty chain (64 zeros)",
                where=where,
                hint="give the hash and count of the last event at publication",
            )
        return cls(hash_, events)

    @classmethod
    def parse(cls, text: str, where: str = "--head") -> PublishedHead:
        """``<64 hex>`` or ``<64 hex>:<N>``."""
        value = text.strip()
        found = re.fullmatch(r"([0-9a-fA-F]{64}):(\d{1,15})", value)
        if found:
            return cls.of(found.group(1), int(found.group(2)), where)
        return cls.of(value, None, where)


# --- the walk ---------------------------------------------------------------------


@dataclass(frozen=True)
class ChainReport:
    """The result of walking the chain: whole, or the first broken link and why.

    ``events`` and ``head``: how many events verify and the hash of the last of
    them. ``invalid``: the problem is an event that is not valid though its
    hashes are right. ``published``: the head it was checked against, and
    ``note`` what that check found when it held; ``head_mismatch``: the chain is
    whole but does not hold the published head.
    """

    events: int
    head: str
    first_break: int | None = None
    reason: str | None = None
    note: str | None = None
    invalid: bool = False
    published: PublishedHead | None = None
    head_mismatch: bool = False

    @property
    def ok(self) -> bool:
        return self.first_break is None

    @property
    def empty(self) -> bool:
        """A whole ledger with no event yet."""
        return self.ok and self.events == 0

    @property
    def status(self) -> str:
        """``OK``, ``EMPTY``, ``BROKEN`` or ``INVALID``."""
        if self.ok:
            return "EMPTY" if self.events == 0 else "OK"
        return "INVALID" if self.invalid else "BROKEN"


class ChainWalker:
    """Checks stored events one after the other: :meth:`step` each, then :meth:`finish`.

    :meth:`step` raises :class:`EventProblem` at the first broken or invalid event.
    """

    def __init__(self, expected_head: PublishedHead | str | None = None) -> None:
        if isinstance(expected_head, str):
            expected_head = PublishedHead.parse(expected_head, where="expected_head")
        self.published = expected_head
        self.count = 0
        self.previous = GENESIS
        self.at_publication: str | None = None  # hash of event #N of the published head
        self.found_at: int | None = (
            0 if (expected_head is not None and expected_head.hash == GENESIS) else None
        )

    def step(self, data: Any, build: bool = False) -> LedgerEvent | None:
        number = self.count + 1
        checked = _structure(data, number)
        seq = checked["seq"]
        if type(seq) is not int:
            raise EventProblem(
                number, f"event #{number}'s number (seq) is {_json_kind(seq)}, not a whole number"
            )
        if seq != number:
            raise EventProblem(
                number,
                f"event #{number} is missing (deleted?); the next stored event is #{seq}"
                if seq > number
                else f"event #{number} is stored out of order (its number is {seq})",
            )
        if checked["prev_hash"] != self.previous:
            raise EventProblem(
                number,
                f"event #{number} does not follow event #{number - 1}: its prev_hash "
                "does not match (an event before it was changed, removed or moved?)",
            )
        if _hash_of(checked, number) != checked["hash"]:
            raise EventProblem(number, f"event #{number} was changed after it was written")
        event = _content(checked, number, build)
        self.count = number
        self.previous = checked["hash"]
        published = self.published
        if published is not None:
            if published.events == number:
                self.at_publication = self.previous
            if (
                self.found_at is None
                and published.events is None
                and published.hash == self.previous
            ):
                self.found_at = number
        return event

    def report(self, problem: EventProblem | None = None) -> ChainReport:
        """The report after the last step, or at ``problem``."""
        if problem is not None:
            return ChainReport(
                self.count,
                self.previous,
                problem.number,
                problem.reason,
                invalid=problem.invalid,
                published=self.published,
            )
        published = self.published
        if published is None:
            return ChainReport(self.count, self.previous)
        now = self.count
        if published.events is not None:
            wanted = published.events
            if now < wanted:
                return ChainReport(
                    now,
                    self.previous,
                    now + 1,
                    f"the published head has {wanted} events (event #{wanted}: "
                    f"{published.hash}), the ledger only {now}: events were cut from the "
                    "end (or the ledger was replaced)",
                    published=published,
                    head_mismatch=True,
                )
            actual = GENESIS if wanted == 0 else self.at_publication
            if actual != published.hash:
                return ChainReport(
                    now,
                    self.previous,
                    max(wanted, 1),
                    f"event #{wanted} is {actual}, not the published head {published.hash}: "
                    f"the ledger was rewritten at or before event #{wanted} since it was "
                    "published",
                    published=published,
                    head_mismatch=True,
                )
            at = wanted
        else:
            if self.found_at is None:
                return ChainReport(
                    now,
                    self.previous,
                    now + 1,
                    f"the chain ends at {self.previous} ({now} events) and never reaches "
                    f"the published head {published.hash}: events removed from the end, or "
                    "the ledger rewritten",
                    published=published,
                    head_mismatch=True,
                )
            at = self.found_at
        note = f"{at} events at publication, {now} now" + (
            "" if at == now else f" ({now - at} recorded since)"
        )
        return ChainReport(now, self.previous, note=note, published=published)


def walk_chain(
    events: Iterable[Any],
    expected_head: PublishedHead | str | None = None,
    *,
    collect: Callable[[LedgerEvent], object] | None = None,
) -> ChainReport:
    """Check stored events (JSON mappings, or :class:`Damaged`, in storage order) link by
    link, and each event's content; ``expected_head``: a published head (a
    :class:`PublishedHead`, or its text ``<hash>`` or ``<hash>:<N>``).

    ``collect`` is given each checked event (in its normal form), in order.
    """
    walker = ChainWalker(expected_head)
    build = collect is not None
    try:
        for data in events:
            event = walker.step(data, build)
            if collect is not None and event is not None:
                collect(event)
    except EventProblem as problem:
        return walker.report(problem)
    return walker.report()


# --- strict JSON, for what the stores read --------------------------------------------


def _pairs(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out = dict(pairs)
    if len(out) != len(pairs):
        seen: set[str] = set()
        for key, _ in pairs:
            if key in seen:
                raise ValueError(f"the key {key!r} appears twice in one object")
            seen.add(key)
    return out


def _constant(name: str) -> Any:
    raise ValueError(f"{name} is not a number JSON allows")


STRICT_JSON = json.JSONDecoder(object_pairs_hook=_pairs, parse_constant=_constant)
"""The decoder of :func:`loads_strict` (its ``decode`` raises ``ValueError``)."""


def loads_strict(text: str) -> Any:
    """JSON without NaN/Infinity, repeated keys, endless integers or runaway nesting;
    ``ValueError`` saying why otherwise."""
    try:
        return STRICT_JSON.decode(text)
    except json.JSONDecodeError as exc:
        raise ValueError(f"{exc.msg} at column {exc.colno}") from None
    except RecursionError:
        raise ValueError("nested too deeply") from None


__all__ = [
    "GENESIS",
    "KEYS",
    "STRICT_JSON",
    "ChainReport",
    "ChainWalker",
    "Damaged",
    "EventProblem",
    "LedgerEvent",
    "PublishedHead",
    "check_event",
    "event_hash",
    "loads_strict",
    "walk_chain",
]
