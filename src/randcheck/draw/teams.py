"""Teams: which inspectors go to each drawn entity.

For on-site tasks, classes in the order key, special, general and entities in
rank order: the inspectors of the pool (qualified per the policy; of the
entity's division when inspectors carry one) in their own ticket order under
``seed + "|" + uscc``, skipping declared conflicts (the recusal is recorded) and
those at capacity; the least-loaded are taken, ticket order breaking ties, so
no inspector has more than one task above another where conflicts allow. Team
size is the policy's (本溪: at least 2), else 2.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence

from randcheck.models import Inspector
from randcheck.policies.model import (
    InspectorPool,
    Policy,
    Team,
)
from randcheck.sampling import order_distinct

TieOrder = Callable[[list[str], str], Iterable[str]]
"""(inspectors of equal load, the entity's seed) -> those inspectors in the order to take them."""
DEFAULT_TEAM_SIZE = 2


def eligible_inspectors(
    policy: Policy, inspectors: Sequence[Inspector], jurisdiction: str | None
) -> list[Inspector]:
    """The inspectors who may be drawn: qualified per the policy, of the jurisdiction."""
    rule = policy.one(InspectorPool)
    need_certificate = rule.require_certificate if rule else True
    need_on_staff = rule.require_on_staff if rule else True
    chosen = []
    for inspector in inspectors:
        if jurisdiction is not None and inspector.region not in (None, jurisdiction):
            continue
        if inspector.auxiliary:
            continue  # auxiliaries assist; they are not drawn as enforcement officers
        if need_certificate and not inspector.has_certificate:
            continue
        if need_on_staff and not inspector.on_staff:
            continue
        chosen.append(inspector)
    return chosen


def team_size(policy: Policy) -> int:
    rule = policy.one(Team)
    return rule.min_size if rule and rule.min_size else DEFAULT_TEAM_SIZE


class TeamBuilder:
    """Inspectors grouped by (expertise unmatched, load), for least-loaded-first teams.

    A team is the free inspectors ordered by (unmatched, load, ticket under the
    entity's seed). Tickets are computed only for the groups that are reached:
    consistent sampling orders a group as it would the whole list.
    """

    def __init__(
        self,
        inspectors: Sequence[Inspector],
        expertise: frozenset[str],
        capacity: int | None,
        tie_order: TieOrder,
    ) -> None:
        self.capacity = capacity
        self.tie_order = tie_order
        self.department_of = {i.inspector_id: i.department for i in inspectors}
        self.load: Counter[str] = Counter()
        self.penalty = {
            i.inspector_id: (1 << 40) if expertise and not (i.expertise & expertise) else 0
            for i in inspectors
        }
        # Each level's inspectors in insertion order (a dict, not a set), so that
        # the order a tie_order receives is the same in every process.
        self.levels: dict[int, dict[str, None]] = {}
        for inspector_id, penalty in self.penalty.items():
            self.levels.setdefault(penalty, {})[inspector_id] = None
        self.conflicts: dict[str, list[str]] = {}
        for inspector in inspectors:
            for uscc in inspector.conflicts:
                self.conflicts.setdefault(uscc, []).append(inspector.inspector_id)

    def conflicted(self, uscc: str, entity_seed: str) -> list[str]:
        """Inspectors who declared a conflict with the entity, in its ticket order."""
        declared = self.conflicts.get(uscc)
        return order_distinct(declared, entity_seed) if declared else []

    def _free(self, inspectors: Iterable[str], uscc: str) -> list[str]:
        """Those of ``inspectors`` free for the entity: no declared conflict, under capacity."""
        excluded = self.conflicts.get(uscc, ())
        free = [i for i in inspectors if i not in excluded] if excluded else list(inspectors)
        if self.capacity is None:
            return free
        return [i for i in free if self.load[i] < self.capacity]

    def candidates(self, uscc: str, entity_seed: str) -> Iterator[str]:
        """Free inspectors for the entity: least loaded first, ticket order within a load."""
        for level in sorted(self.levels):
            yield from self.tie_order(self._free(self.levels[level], uscc), entity_seed)

    def free_count(self, uscc: str) -> int:
        return len(self._free(self.penalty, uscc))

    def assign(self, team: Sequence[str]) -> None:
        for i in team:
            level = self.penalty[i] + self.load[i]
            members = self.levels[level]
            del members[i]
            if not members:
                del self.levels[level]
            self.load[i] += 1
            self.levels.setdefault(level + 1, {})[i] = None
