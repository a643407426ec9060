"""Ledger events written the way a regulation reads: when, what, which task, who.

A conformance case (and :func:`randcheck.testing.assert_verdict`) gives its events
as small mappings::

    - {on: 2025-07-10, do: dispatch, task: T1, entity: 91410724000000001J, class: KEY,
       who: [I1, I2], draw: D1}
    - {on: 2025-07-20, do: inspect, task: T1}

:class:`EventBuilder` turns each into a real ledger event, appended to an in-memory
ledger (:class:`~randcheck.ledger.stores.memory.MemoryLedger`), so the ledger's own
checks apply (payloads validated by their models, a result never edited) and the
audit reads exactly what it reads from a bureau's ledger.

What the compact form adds, and nothing else:

- ``do``: the event type, by its name (``TASK_DISPATCHED``), its Chinese label
  (``检查任务派发``) or a short verb (:data:`VERBS`);
- ``on`` (a date) or ``at`` (a date and time; naive times are China Standard Time).
  A date alone is 09:00 that day, and events given on the same date keep the
  order they are listed in, a minute apart;
- short keys for the payload fields every case uses (:data:`SHORT_KEYS`);
- what the records already say need not be said twice: an inspection's team and
  mode are the task's dispatched team (after replacements) and mode; a
  correction names the task's last result or request; a dispatch to an entity of
  the case's registry takes its class and name from it; a list read for a task names the
  task's draw;
- placeholders where a case has nothing to say: a sealed draw's commitment and
  receipt digest (64 zeros: a case does not verify draws, ``randcheck verify``
  does), its period (the quarter of its day), an announcement's policy (the
  case's), a snapshot's digest and totals (:func:`snapshot_payload`).

Every other key is a field of the event's payload model, validated by it.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from randcheck.errors import InputError, RandcheckError, join_choices
from randcheck.ledger.chain import LedgerEvent
from randcheck.ledger.events import PAYLOADS, SHANGHAI, EventType, aware
from randcheck.ledger.stores.memory import MemoryLedger
from randcheck.models import EntityClass
from randcheck.periods import Quarter
from randcheck.policies.model import Policy
from randcheck.randomness import canonical_digest
from randcheck.registry import Registry

ET = EventType

VERBS: dict[str, EventType] = {
    "publish_items": ET.ITEM_LIST_PUBLISHED,
    "plan": ET.PLAN_PUBLISHED,
    "snapshot": ET.REGISTRY_SNAPSHOT,
    "announce": ET.DRAW_ANNOUNCED,
    "seal": ET.DRAW_SEALED,
    "reveal": ET.DRAW_REVEALED,
    "read_list": ET.LIST_ACCESSED,
    "joint": ET.JOINT_INSPECTION_INITIATED,
    "dispatch": ET.TASK_DISPATCHED,
    "replace": ET.INSPECTOR_REPLACED,
    "start": ET.INSPECTION_STARTED,
    "inspect": ET.INSPECTION_COMPLETED,
    "record": ET.RESULT_RECORDED,
    "request_correction": ET.CORRECTION_REQUESTED,
    "approve_correction": ET.CORRECTION_APPROVED,
    "order_rectification": ET.RECTIFICATION_ORDERED,
    "rectification_progress": ET.RECTIFICATION_PROGRESS,
    "rectified": ET.RECTIFICATION_COMPLETED,
    "disclose": ET.DISCLOSURE_PUBLISHED,
    "report": ET.REPORT_SUBMITTED,
    "exception": ET.EXCEPTION_RECORDED,
    "import": ET.RECORDS_IMPORTED,
}
"""Short verbs, one per event type (the full names and Chinese labels work too)."""

SHORT_KEYS: dict[str, str] = {
    "task": "task_id",
    "draw": "draw_id",
    "entity": "uscc",
    "class": "entity_class",
    "who": "inspectors",
    "rule": "rule_id",
}
"""Short key -> payload field, for the events whose payload has that field."""

EVENT_KEYS = ("do", "on", "at", "actor", "subject")
"""Keys of the event itself, not of its payload."""

DEFAULT_ACTOR = "执法大队"
"""Who did it, when a case does not say (``actor``); a list read needs its reader."""

PLACEHOLDER = "0" * 64
"""The commitment and digests of a draw a case does not verify."""

SUBJECTS: dict[EventType, str] = {
    ET.ITEM_LIST_PUBLISHED: "items",
    ET.PLAN_PUBLISHED: "plan",
    ET.REGISTRY_SNAPSHOT: "registry",
    ET.DRAW_ANNOUNCED: "announcements",
    ET.REPORT_SUBMITTED: "reports",
    ET.EXCEPTION_RECORDED: "exceptions",
    ET.RECORDS_IMPORTED: "imports",
}
"""The subject of events that name no task or draw (as ``randcheck`` itself files them)."""

_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_FIRST_HOUR = dt.time(9, 0)


class CaseError(InputError):
    """A conformance case that cannot be used as written: ``where`` names the file,
    the case and the field."""


def event_type(value: Any, where: str) -> EventType:
    """The event type ``do`` names: a verb, the type's name or its Chinese label."""
    if isinstance(value, str):
        verb = VERBS.get(value.strip().lower())
        if verb is not None:
            return verb
        try:
            return EventType.of(value)
        except ValueError:
            pass
    raise CaseError(
        f"unknown event {value!r}",
        where=where,
        hint=f"write a verb ({join_choices(VERBS)}) or an event type "
        f"({join_choices(t.value for t in EventType)}) or its Chinese label",
    )


def _entity_class(value: str, where: str) -> str:
    """The class a spelling names (``重点`` is ``KEY``): the payload keeps any text, and
    the verdict counts only the English values."""
    try:
        return str(EntityClass.of(value))
    except ValueError:
        raise CaseError(
            f"unknown entity class {value!r}",
            where=where,
            hint="write KEY, GENERAL or SPECIAL (重点, 一般, 特殊)",
        ) from None


def registry_snapshot(registry: Registry) -> dict[str, Any]:
    """What a REGISTRY_SNAPSHOT of ``registry`` records (:meth:`Registry.snapshot_payload`)."""
    return registry.snapshot_payload()


def snapshot_payload(
    given: Mapping[str, Any], registry: Registry | None, where: str
) -> dict[str, Any]:
    """A REGISTRY_SNAPSHOT payload from what a case gives.

    Without ``class_counts`` the counts are those of the case's registry
    (:func:`registry_snapshot`); given counts win over the registry's. The digest
    defaults to the registry's, or to a digest of the counts given; ``entities`` to
    the sum of ``class_counts``; ``inspectors`` to the registry's, else 0.
    """
    data = dict(given)
    if "class_counts" not in data:
        if registry is None:
            raise CaseError(
                "a registry snapshot needs class_counts (entities per class), or a registry "
                "to count",
                where=where,
                hint="write class_counts: {KEY: 8, GENERAL: 80, SPECIAL: 4}, or give the case "
                "a registry",
            )
        data = {**registry_snapshot(registry), **data}
    if registry is not None:
        data.setdefault("digest", registry.digest)
        data.setdefault("inspectors", registry.inspector_count)
    counts = data.get("class_counts")
    if isinstance(counts, Mapping):
        data.setdefault("digest", canonical_digest({"class_counts": dict(counts)}))
        if all(isinstance(n, int) for n in counts.values()):
            data.setdefault("entities", sum(counts.values()))
    data.setdefault("inspectors", 0)
    return data


def parse_moment(value: Any, where: str) -> tuple[dt.datetime, bool]:
    """(the moment, whether only a date was given); naive times are China Standard Time."""
    if isinstance(value, dt.datetime):
        return aware(value), False
    if isinstance(value, dt.date):
        return dt.datetime.combine(value, _FIRST_HOUR, SHANGHAI), True
    if isinstance(value, str):
        text = value.strip()
        try:
            if _DATE.fullmatch(text):
                return dt.datetime.combine(dt.date.fromisoformat(text), _FIRST_HOUR, SHANGHAI), True
            return aware(dt.datetime.fromisoformat(text.replace("Z", "+00:00"))), False
        except ValueError:
            pass
    raise CaseError(
        f"{value!r} is not a date or a date and time",
        where=where,
        hint="write 2025-07-10, or 2025-07-10 14:30 (China Standard Time), or "
        "2025-07-10T14:30+08:00",
    )


@dataclass
class _Task:
    """What the events so far say of one task, for the defaults of the next."""

    team: list[str] = field(default_factory=list)
    mode: str | None = None
    draw_id: str | None = None
    last_result: int | None = None
    last_request: int | None = None


class EventBuilder:
    """Compact events -> ledger events, in an in-memory ledger of their own.

    ``where``: the place errors name (``file, case 'name'``); ``policy`` fills an
    announcement's policy; ``registry`` gives dispatched entities their class and
    snapshots their counts.
    """

    def __init__(
        self,
        where: str,
        *,
        policy: Policy | None = None,
        registry: Registry | None = None,
    ) -> None:
        self.where = where
        self.policy = policy
        self.registry = registry
        self.ledger = MemoryLedger(where)
        self.labels: dict[int, str] = {}
        """Event number -> where the case gave it (``events[3]``)."""
        self._tasks: dict[str, _Task] = {}
        self._same_day: dict[dt.date, int] = {}

    @property
    def events(self) -> list[LedgerEvent]:
        return list(self.ledger.events())

    def add_all(self, entries: Iterable[Any], key: str = "events") -> list[LedgerEvent]:
        """Append every entry (``key[i]`` in errors), in order."""
        return [self.add(entry, f"{key}[{i}]") for i, entry in enumerate(entries)]

    def add(self, entry: Any, label: str) -> LedgerEvent:
        """Append one compact event; a :class:`CaseError` naming ``label`` and the field."""
        here = f"{self.where}, {label}"
        if not isinstance(entry, Mapping):
            raise CaseError(
                f"an event is a mapping, not {type(entry).__name__}",
                where=here,
                hint="write {on: 2025-07-10, do: dispatch, task: T1, ...}",
            )
        data = dict(entry)
        if True in data and "on" not in data:  # YAML 1.1 reads the key `on` as true
            data["on"] = data.pop(True)
        if "do" not in data:
            raise CaseError("the event says not what happened: 'do' is missing", where=here)
        kind = event_type(data.pop("do"), f"{here}.do")
        when = [k for k in ("on", "at") if k in data]
        if len(when) != 1:
            raise CaseError(
                "give when it happened once: 'on' (a date) or 'at' (a date and time)"
                if when
                else "the event says not when it happened: 'on' or 'at' is missing",
                where=here,
            )
        moment, date_only = parse_moment(data.pop(when[0]), f"{here}.{when[0]}")
        if date_only:
            day = moment.date()
            moment += dt.timedelta(minutes=self._same_day.get(day, 0))
            self._same_day[day] = self._same_day.get(day, 0) + 1
        actor = data.pop("actor", DEFAULT_ACTOR)
        subject = data.pop("subject", None)
        for key, value in (("actor", actor), ("subject", subject)):
            if value is not None and (not isinstance(value, str) or not value.strip()):
                raise CaseError(f"{key} is a non-empty text, not {value!r}", where=f"{here}.{key}")
        payload = self._payload(kind, data, moment, here)
        if subject is None:
            subject = self._subject(kind, payload)
        try:
            event = self.ledger.append(
                kind, actor=actor, payload=payload, subject=subject, time=moment
            )
        except RandcheckError as exc:
            raise CaseError(exc.what, where=f"{here} ({kind.value})", hint=exc.hint) from None
        self.labels[event.seq] = label
        self._remember(event)
        return event

    # --- payload -----------------------------------------------------------------------

    def _payload(
        self, kind: EventType, data: dict[str, Any], moment: dt.datetime, here: str
    ) -> dict[str, Any]:
        fields = PAYLOADS[kind].model_fields
        payload: dict[str, Any] = {}
        for key, value in data.items():
            name = key
            if kind is ET.DISCLOSURE_PUBLISHED and key in ("task", "tasks"):
                name, value = "task_ids", [value] if key == "task" else value
            elif key in SHORT_KEYS:
                name = SHORT_KEYS[key]
                if name not in fields:
                    raise CaseError(
                        f"{key!r} ({name}) is not a field of the {kind.value} event",
                        where=f"{here}.{key}",
                        hint=f"its fields: {join_choices(fields)}",
                    )
                if key == "who" and isinstance(value, str):
                    value = [value]
            elif key not in fields:
                short = [k for k, f in SHORT_KEYS.items() if f in fields]
                raise CaseError(
                    f"unknown key {key!r} for the {kind.value} event",
                    where=f"{here}.{key}",
                    hint=f"write {', '.join(EVENT_KEYS)}"
                    + (f", {', '.join(short)}" if short else "")
                    + f" or a field of the event: {join_choices(fields)}",
                )
            if name in payload:
                raise CaseError(f"{name} is given twice (as {key!r} too)", where=f"{here}.{key}")
            payload[name] = value
        self._fill(kind, payload, moment, here)
        return payload

    def _fill(
        self, kind: EventType, payload: dict[str, Any], moment: dt.datetime, here: str
    ) -> None:
        """The defaults the module docstring lists: what the records already say."""
        task_id = payload.get("task_id")
        task = self._tasks.get(task_id) if isinstance(task_id, str) else None
        if kind is ET.DRAW_SEALED:
            payload.setdefault("commitment", PLACEHOLDER)
            payload.setdefault("receipt_digest", PLACEHOLDER)
            payload.setdefault("period", Quarter.of(moment.date()).label)
        elif kind is ET.DRAW_ANNOUNCED:
            payload.setdefault("commitment", PLACEHOLDER)
            payload.setdefault("announcement_digest", PLACEHOLDER)
            if self.policy is not None:
                payload.setdefault("policy", f"{self.policy.id}@{self.policy.version}")
        elif kind is ET.REGISTRY_SNAPSHOT:
            payload.update(snapshot_payload(payload, self.registry, here))
        elif kind is ET.TASK_DISPATCHED:
            given = payload.get("entity_class")
            if isinstance(given, str):
                payload["entity_class"] = _entity_class(given, f"{here}.class")
            uscc, registry = payload.get("uscc"), self.registry
            entity = registry.get_entity(uscc) if registry and isinstance(uscc, str) else None
            if entity is not None:
                payload.setdefault("entity_class", entity.entity_class.value)
                payload.setdefault("entity_name", entity.name)
        elif kind in (ET.INSPECTION_STARTED, ET.INSPECTION_COMPLETED) and task is not None:
            if "inspectors" not in payload and task.team:
                payload["inspectors"] = list(task.team)
            if "mode" not in payload and task.mode:
                payload["mode"] = task.mode
        elif kind is ET.CORRECTION_REQUESTED and task is not None and task.last_result:
            payload.setdefault("result_seq", task.last_result)
        elif kind is ET.CORRECTION_APPROVED and task is not None and task.last_request:
            payload.setdefault("request_seq", task.last_request)
        elif kind is ET.LIST_ACCESSED and task is not None and task.draw_id:
            payload.setdefault("draw_id", task.draw_id)

    @staticmethod
    def _subject(kind: EventType, payload: Mapping[str, Any]) -> str | None:
        if kind is ET.DISCLOSURE_PUBLISHED:
            tasks = payload.get("task_ids")
            if isinstance(tasks, list) and len(tasks) == 1 and isinstance(tasks[0], str):
                return tasks[0]
            return "disclosures"
        return SUBJECTS.get(kind)  # None: the ledger takes the task or draw id

    def _remember(self, event: LedgerEvent) -> None:
        p, kind = event.payload, event.type
        task_id = p.get("task_id")
        if not isinstance(task_id, str):
            return
        task = self._tasks.setdefault(task_id, _Task())
        if kind is ET.TASK_DISPATCHED:
            task.team, task.mode, task.draw_id = list(p["inspectors"]), p["mode"], p["draw_id"]
        elif kind is ET.INSPECTOR_REPLACED:
            task.team = [p["added"] if i == p["removed"] else i for i in task.team]
            if p["added"] not in task.team:
                task.team.append(p["added"])
        elif kind is ET.RESULT_RECORDED:
            task.last_result = event.seq
        elif kind is ET.CORRECTION_REQUESTED:
            task.last_request = event.seq
