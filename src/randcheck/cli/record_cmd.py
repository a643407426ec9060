"""``randcheck record TYPE``: append one event to a ledger by hand.

A result, a rectification, a correction request and its approval, a disclosure …:
the payload is given as ``--field value`` pairs (a list field by repeating the
option or by commas), or as a JSON object with ``--json FILE``, and is checked as
the library checks it (the payload's model, then the ledger's own rules: a second
result needs an approved correction). Records kept elsewhere are imported with
``randcheck ledger import`` instead, which alone gives events their ``source``.
"""

from __future__ import annotations

import datetime as dt
import types
import typing
from pathlib import Path
from typing import Annotated, Any

import typer

from randcheck.cli._output import LEDGER_HELP, console, ledger_file

REFUSED = {
    "RECORDS_IMPORTED": "it is appended by `randcheck ledger import`, one per imported file",
    "DRAW_ANNOUNCED": "it is recorded by `randcheck commit --ledger`, with the announcement",
    "DRAW_SEALED": "it is recorded by `randcheck draw --ledger`, with the sealed receipt",
}
"""Event types another command records, with the reason."""

DEFAULT_SUBJECTS = {
    "REGISTRY_SNAPSHOT": "registry",
    "ITEM_LIST_PUBLISHED": "items",
    "PLAN_PUBLISHED": "plan",
    "REPORT_SUBMITTED": "reports",
}
"""Subjects of events that name no task or draw (as the demo and the engine record them)."""

CONTEXT = {"allow_extra_args": True, "ignore_unknown_options": True}
"""The payload's ``--field value`` pairs are read from the command's extra arguments."""


def record(
    ctx: typer.Context,
    kind: Annotated[
        str,
        typer.Argument(
            metavar="TYPE",
            help="The event type: RESULT_RECORDED, CORRECTION_REQUESTED, CORRECTION_APPROVED, "
            "RECTIFICATION_ORDERED/_PROGRESS/_COMPLETED, DISCLOSURE_PUBLISHED … (or its "
            "Chinese name, 检查结果录入).",
        ),
    ],
    ledger: Annotated[str, typer.Option(help="The ledger: " + LEDGER_HELP + ".")],
    actor: Annotated[str, typer.Option(help="Who did it.")],
    at: Annotated[
        str | None,
        typer.Option(
            help="When it happened: YYYY-MM-DD, YYYY-MM-DD HH:MM or ISO 8601 (China Standard "
            "Time unless a zone is given); a date alone gets the time of day imports use. "
            "Default: now."
        ),
    ] = None,
    subject: Annotated[
        str | None,
        typer.Option(help="The subject; default the payload's task (or draw) id."),
    ] = None,
    json_file: Annotated[
        Path | None, typer.Option("--json", help="The payload as a JSON object (a file).")
    ] = None,
) -> None:
    """Append one event by hand: --FIELD VALUE for each payload field (see the type's
    fields in the error for an unknown one), or --json FILE.

    Example: randcheck record RESULT_RECORDED --ledger l.sqlite --actor 张三 --at 2025-03-05
    --task-id T1 --outcome 未发现问题
    """
    from randcheck.cli._output import check_outputs, write_errors
    from randcheck.errors import InputError
    from randcheck.io.safe import load_json
    from randcheck.ledger.events import PAYLOADS, EventType, validate_payload
    from randcheck.ledger.stores import open_ledger
    from randcheck.ledger.stores.memory import MemoryLedger

    try:
        event_type = EventType.of(kind)
    except ValueError:
        raise InputError(
            f"unknown event type {kind!r}", hint=f"use one of {EventType.spellings()}"
        ) from None
    if event_type.value in REFUSED:
        raise InputError(f"{event_type.value} is not recorded by hand: {REFUSED[event_type.value]}")
    path = ledger_file(ledger)
    check_outputs([path] if path else [], [json_file])
    model = PAYLOADS[event_type]
    payload: dict[str, Any] = {}
    if json_file is not None:
        data = load_json(json_file, "payload file")
        if not isinstance(data, dict):
            raise InputError("the payload must be a JSON object", where=str(json_file))
        payload.update(data)
    given = _fields(list(ctx.args), event_type.value, model)
    both = sorted(set(payload) & set(given))
    if both:
        raise InputError(f"{', '.join(both)} given both in --json and as options; give it once")
    payload.update(given)
    if "source" in payload:
        raise InputError(
            "source (file, sheet, row) is only for imported records",
            hint="import records kept elsewhere with `randcheck ledger import`",
        )
    validate_payload(event_type, payload)  # the model's refusal, before any file is touched
    moment = _moment(at, event_type.value)
    chosen = subject or _default_subject(event_type.value, payload)
    if path is None or not path.exists():  # its checks first: a refusal leaves no new ledger
        MemoryLedger().append(event_type, actor=actor, payload=payload, subject=chosen, time=moment)
    with open_ledger(ledger) as store, write_errors(ledger):
        event = store.append(event_type, actor=actor, payload=payload, subject=chosen, time=moment)
        head = store.head
    console.print(
        f"recorded #{event.seq} {event.type.value} ({event.type.zh}) for {event.subject} at "
        f"{event.time.isoformat()}\nledger head 台账头: {head}",
        markup=False,
    )


def _default_subject(kind: str, payload: dict[str, Any]) -> str | None:
    if payload.get("task_id") or payload.get("draw_id"):
        return None  # the ledger takes it from the payload
    if kind == "DISCLOSURE_PUBLISHED":
        tasks = payload.get("task_ids")
        return tasks[0] if isinstance(tasks, list) and len(tasks) == 1 else "disclosures"
    if kind == "EXCEPTION_RECORDED":
        subjects = payload.get("subjects")
        return subjects[0] if isinstance(subjects, list) and len(subjects) == 1 else "exceptions"
    return DEFAULT_SUBJECTS.get(kind)


def _moment(text: str | None, kind: str) -> dt.datetime | None:
    from randcheck.errors import InputError
    from randcheck.imports.plan import SLOTS
    from randcheck.imports.values import parse_moment
    from randcheck.ledger.events import SHANGHAI, aware

    if text is None:
        return None
    try:
        moment, has_time = parse_moment(text)
    except ValueError as exc:
        raise InputError(f"--at: {exc}") from None
    if has_time:
        return aware(moment)
    return dt.datetime.combine(moment.date(), SLOTS.get(kind, dt.time(9, 0)), tzinfo=SHANGHAI)


# --- --field value pairs ---------------------------------------------------------------


def _shape(annotation: Any) -> str:
    """``list``, ``bool``, ``int``, ``dict`` or ``text``: how a field's option is read."""
    origin = typing.get_origin(annotation)
    if origin in (typing.Union, types.UnionType):
        inner = [a for a in typing.get_args(annotation) if a is not type(None)]
        return _shape(inner[0]) if len(inner) == 1 else "text"
    if origin is typing.Annotated:
        return _shape(typing.get_args(annotation)[0])
    if origin in (list, tuple, set, frozenset) or annotation in (list, tuple, set, frozenset):
        return "list"
    if origin is dict or annotation is dict:
        return "dict"
    if annotation is bool:
        return "bool"
    if annotation is int:
        return "int"
    return "text"


_TRUE, _FALSE = {"true", "yes", "1", "是"}, {"false", "no", "0", "否"}


def _fields(args: list[str], kind: str, model: Any) -> dict[str, Any]:
    """``--task-id T1 --inspectors I1,I2 --inspectors I3`` -> the payload's fields."""
    from randcheck.errors import InputError

    fields = {name: _shape(info.annotation) for name, info in model.model_fields.items()}
    fields.pop("source", None)
    names = ", ".join(f"--{n.replace('_', '-')}" for n in fields)
    out: dict[str, Any] = {}
    i = 0
    while i < len(args):
        token = args[i]
        if not token.startswith("--") or token == "--":
            raise InputError(
                f"unexpected argument {token!r}",
                hint=f"give the payload as --FIELD VALUE ({names})",
            )
        name, has_value, value = token[2:].partition("=")
        name = name.replace("-", "_")
        if name == "source":
            raise InputError(
                "source (file, sheet, row) is only for imported records",
                hint="import records kept elsewhere with `randcheck ledger import`",
            )
        shape = fields.get(name)
        if shape is None:
            raise InputError(
                f"{kind} has no field {token.split('=')[0]}", hint=f"its fields: {names}"
            )
        i += 1
        if not has_value:
            if i < len(args) and not args[i].startswith("--"):
                value = args[i]
                i += 1
            elif shape == "bool":
                value = "true"
            else:
                raise InputError(f"--{name.replace('_', '-')} needs a value")
        if shape == "list":
            parts = [p.strip() for p in value.replace("、", ",").replace("，", ",").split(",")]
            out.setdefault(name, []).extend(p for p in parts if p)
            continue
        if name in out:
            raise InputError(f"--{name.replace('_', '-')} given twice")
        if shape == "bool":
            folded = value.strip().lower()
            if folded not in _TRUE | _FALSE:
                raise InputError(f"--{name.replace('_', '-')}: {value!r} is not yes or no")
            out[name] = folded in _TRUE
        elif shape == "int":
            try:
                out[name] = int(value)
            except ValueError:
                raise InputError(f"--{name.replace('_', '-')}: {value!r} is not a number") from None
        elif shape == "dict":
            raise InputError(f"--{name.replace('_', '-')} is an object: give it with --json FILE")
        else:
            out[name] = value
    return out
