"""The hash chain: each event carries the hash of the event before it.

Editing, deleting or reordering any event breaks the chain at that point, and
:func:`walk_chain` names the first broken link.

Hash of an event: SHA-256 (lowercase hex) of the compact JSON, keys sorted,
non-ASCII as itself, of ``{"seq", "type", "time", "actor", "subject",
"payload", "prev_hash"}``; the first event's ``prev_hash`` is 64 zeros.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel

from randcheck.ledger.events import SHANGHAI, EventType, parse_payload
from randcheck.randomness import canonical_json

GENESIS = "0" * 64


def event_hash(body: Mapping[str, Any]) -> str:
    """SHA-256 of the canonical JSON of an event's body (everything but its own hash)."""
    return hashlib.sha256(canonical_json(body).encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class LedgerEvent:
    """One event as stored: its place in the chain, what happened and the hashes."""

    seq: int
    type: EventType
    time: dt.datetime
    actor: str
    subject: str
    payload: dict[str, Any]
    prev_hash: str
    hash: str

    def body(self) -> dict[str, Any]:
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
        return cls(
            seq=int(data["seq"]),
            type=EventType.of(data["type"]),
            time=dt.datetime.fromisoformat(data["time"]),
            actor=str(data["actor"]),
            subject=str(data["subject"]),
            payload=dict(data["payload"]),
            prev_hash=str(data["prev_hash"]),
            hash=str(data["hash"]),
        )

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


@dataclass(frozen=True)
class ChainReport:
    """The result of walking the chain: whole, or the first broken link and why."""

    events: int
    head: str
    first_break: int | None = None
    reason: str | None = None
    note: str | None = None

    @property
    def ok(self) -> bool:
        return self.first_break is None


def walk_chain(
    events: Iterable[Mapping[str, Any]], expected_head: str | None = None
) -> ChainReport:
    """Check stored events (as JSON mappings, in storage order) link by link."""
    previous = GENESIS
    count = 0
    for count, data in enumerate(events, start=1):
        seq = data.get("seq")
        if seq != count:
            why = (
                f"event #{count} is missing (deleted?); the next stored event is #{seq}"
                if isinstance(seq, int) and seq > count
                else f"event #{count} is stored out of order (its number is {seq})"
            )
            return ChainReport(count - 1, previous, count, why)
        if data.get("prev_hash") != previous:
            return ChainReport(
                count - 1,
                previous,
                count,
                f"event #{count} does not follow event #{count - 1}: its prev_hash "
                "does not match (an event before it was changed, removed or moved?)",
            )
        body = {k: data[k] for k in ("seq", "type", "time", "actor", "subject", "payload")}
        body["prev_hash"] = previous
        if event_hash(body) != data.get("hash"):
            return ChainReport(
                count - 1, previous, count, f"event #{count} was changed after it was written"
            )
        previous = str(data["hash"])
    if expected_head is not None and previous != expected_head:
        return ChainReport(
            count,
            previous,
            count + 1,
            f"the chain ends at {previous[:12]}…, not at the published head "
            f"{expected_head[:12]}… (events removed from the end?)",
        )
    return ChainReport(count, previous)
