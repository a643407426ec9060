"""Replacements after the draw: an inspector taken off a task, and who takes the place.

获嘉 第十二条 (recusal), 青岛 七(一) (post change, work conflict, health, recusal,
drawn again with approval), 本溪 七(二) (approval). The replacement is made as
the policy says, and a receipt records it so that ``verify`` can make it again.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

from randcheck.draw.select import DrawResult
from randcheck.draw.teams import eligible_inspectors
from randcheck.errors import DrawError
from randcheck.models.vocab import ReplacementReason
from randcheck.policies.model import (
    ListFixed,
    Policy,
    Replacement,
)
from randcheck.registry import Registry
from randcheck.sampling import order_distinct


@dataclass(frozen=True)
class ReplacementRecord:
    """An inspector replaced after the draw, and how (获嘉 第十二条; 青岛 七(一); 本溪 七(二))."""

    task_id: str
    removed: str
    added: str
    reason: str
    method: str
    approved_by: str | None = None
    note: str | None = None
    """The reason in words, for a reason the text does not list (等特殊情况)."""

    def to_json(self) -> dict[str, Any]:
        data = dict(vars(self))
        if data["note"] is None:
            del data["note"]  # records made before notes existed stay byte for byte
        return data


def replace_inspector(
    policy: Policy,
    registry: Registry,
    result: DrawResult,
    seed: str,
    task_id: str,
    removed: str,
    reason: ReplacementReason,
    *,
    approved_by: str | None = None,
    chosen: str | None = None,
    note: str | None = None,
) -> ReplacementRecord:
    """Replace ``removed`` on task ``task_id`` as the policy says; the task's team is updated.

    Drawn again: the next inspector in the entity's own ticket order who is
    eligible, free of conflict and not on the team. Chosen: ``chosen``, who must be
    eligible and free of conflict. Approval is required where the policy names an
    approver; the reason must be one the policy allows.
    """
    rule = policy.one(Replacement)
    fixed = policy.one(ListFixed)
    approver = (rule.approval_by if rule else None) or (
        fixed.changes_approved_by if fixed else None
    )
    index = next((n for n, t in enumerate(result.tasks) if t.task_id == task_id), None)
    if index is None:
        raise DrawError(f"no task {task_id} in this draw")
    task = result.tasks[index]
    if removed not in task.team:
        raise DrawError(f"{removed} is not on the team of task {task_id}")
    listed = rule is None or not rule.reasons or reason in rule.reasons
    if not listed and not (rule is not None and rule.other_reasons):
        allowed = ", ".join(r.label for r in rule.reasons)  # type: ignore[union-attr]
        raise DrawError(
            f"{reason.label} is not a reason {policy.id} allows", hint=f"allowed: {allowed}"
        )
    if not listed and not (note and note.strip()):
        raise DrawError(
            f"{reason.label} is not among the reasons {policy.id} lists; its 等特殊情况 allows "
            "another reason only when it is stated",
            hint="give note: the reason in words",
        )
    if approver and not approved_by:
        source = f" ({rule.citation})" if rule else ""
        raise DrawError(
            f"replacing an inspector needs the approval of {approver}{source}",
            hint="give approved_by: who approved the change",
        )
    candidates = registry.inspectors_of_region(result.jurisdiction)
    pool = {i.inspector_id: i for i in eligible_inspectors(policy, candidates, result.jurisdiction)}
    busy = set(task.team)
    usable = [i for i in pool if i not in busy and task.uscc not in pool[i].conflicts]
    method = rule.method if rule else "drawn_again"
    if method == "any":  # the text names no method: chosen when one is named, else drawn
        method = "chosen" if chosen is not None else "drawn_again"
    if method == "drawn_again":
        order = order_distinct(usable, f"{seed}|{task.uscc}")
        if not order:
            raise DrawError(f"no eligible inspector left to replace {removed} on task {task_id}")
        added = order[0]
    else:
        if chosen is None:
            raise DrawError(f"{policy.id} replaces inspectors by choice: give the chosen inspector")
        if chosen not in usable:
            raise DrawError(
                f"{chosen} cannot join task {task_id}: not eligible, conflicted or on it"
            )
        added = chosen
    team = tuple(added if i == removed else i for i in task.team)
    result.tasks[index] = dataclasses.replace(task, team=team)
    return ReplacementRecord(
        task_id, removed, added, reason.value, method, approved_by, (note or "").strip() or None
    )
