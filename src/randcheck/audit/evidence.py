"""What a rule needs to be measured, and what the records show.

A ledger kept by randcheck is the system of record: it shows everything it records,
and each judge says itself when an event it needs is absent. Records imported from
elsewhere (``randcheck ledger import``, ``randcheck audit --records``) show only what
their columns held, declared by each ``RECORDS_IMPORTED`` event's ``shows``. A
platform's export without a draw-batch column says nothing about draws; a published
disclosure table says nothing about teams or the sealed list. A rule that needs
evidence the records do not show is NOT_ENOUGH_DATA, naming what is missing, instead
of a PASS on silence or a FAIL on a blank the export never had a column for.
"""

from __future__ import annotations

from collections.abc import Iterable

from randcheck.ledger.chain import LedgerEvent
from randcheck.ledger.events import EventType
from randcheck.models.vocab import Evidence as E
from randcheck.policies.model import (
    AnyRule,
    Confidential,
    CoverageCycle,
    DatedObligation,
    Deadline,
    Disclosure,
    ItemCap,
    JointShare,
    ListFixed,
    NonSite,
    QuarterlyMinimum,
    QuarterlyShare,
    QuarterMonthDay,
    RandomDraw,
    Replacement,
    Requirement,
    ResultsImmutable,
    StaffMultiple,
    Team,
)

EVERYTHING = frozenset(E)
"""A ledger randcheck kept itself: every kind of evidence it records."""

RECORDED_AS: dict[EventType, frozenset[E]] = {
    EventType.ITEM_LIST_PUBLISHED: frozenset({E.FILINGS}),
    EventType.PLAN_PUBLISHED: frozenset({E.FILINGS}),
    EventType.REGISTRY_SNAPSHOT: frozenset({E.SNAPSHOTS}),
    EventType.DRAW_ANNOUNCED: frozenset({E.DRAWS}),
    EventType.DRAW_SEALED: frozenset({E.DRAWS}),
    EventType.DRAW_REVEALED: frozenset({E.DRAWS}),
    EventType.LIST_ACCESSED: frozenset({E.ACCESS}),
    EventType.JOINT_INSPECTION_INITIATED: frozenset({E.JOINT}),
    EventType.TASK_DISPATCHED: frozenset({E.DISPATCH, E.TEAMS, E.CLASSES, E.DRAWS}),
    EventType.INSPECTOR_REPLACED: frozenset({E.REPLACEMENTS}),
    EventType.INSPECTION_STARTED: frozenset({E.INSPECTIONS, E.MODES, E.TEAMS}),
    EventType.INSPECTION_COMPLETED: frozenset(
        {E.INSPECTIONS, E.MODES, E.TEAMS, E.ITEMS, E.SIGNATURES}
    ),
    EventType.RESULT_RECORDED: frozenset({E.RESULTS, E.RESULT_DATES}),
    EventType.CORRECTION_REQUESTED: frozenset({E.CORRECTIONS}),
    EventType.CORRECTION_APPROVED: frozenset({E.CORRECTIONS}),
    EventType.RECTIFICATION_ORDERED: frozenset({E.RECTIFICATIONS}),
    EventType.RECTIFICATION_PROGRESS: frozenset({E.RECTIFICATIONS}),
    EventType.RECTIFICATION_COMPLETED: frozenset({E.RECTIFICATIONS}),
    EventType.DISCLOSURE_PUBLISHED: frozenset({E.DISCLOSURES}),
    EventType.REPORT_SUBMITTED: frozenset({E.FILINGS}),
    EventType.EXCEPTION_RECORDED: frozenset({E.EXCEPTIONS}),
    EventType.RECORDS_IMPORTED: frozenset(),
}
"""What an event recorded in randcheck itself (no ``source``) shows."""


def shown_by(events: Iterable[LedgerEvent]) -> frozenset[E]:
    """The evidence a ledger's events show: everything when randcheck kept them all;
    with imports, what the imports declare plus what was recorded natively."""
    imported = False
    shown: set[E] = set()
    for event in events:
        if event.type is EventType.RECORDS_IMPORTED:
            imported = True
            shown.update(E.of(kind) for kind in event.payload.get("shows", []))
        elif event.payload.get("source") is None:
            shown |= RECORDED_AS[event.type]
    return frozenset(shown) if imported else EVERYTHING


DEADLINE_STARTS: dict[str, frozenset[E]] = {
    "inspection_completed": frozenset({E.INSPECTIONS}),
    "task_completed": frozenset({E.INSPECTIONS}),
    "result_recorded": frozenset({E.RESULTS, E.RESULT_DATES}),
}

DEADLINE_DUTIES: dict[str, frozenset[E]] = {
    "result_entry": frozenset({E.RESULTS, E.RESULT_DATES}),
    "disclosure": frozenset({E.RESULTS, E.DISCLOSURES}),
    "rectification": frozenset({E.RESULTS, E.RECTIFICATIONS}),
}

DATED_DUTIES: dict[str, frozenset[E]] = {
    "draw": frozenset({E.DRAWS}),
    "quarter_results": frozenset({E.FILINGS}),
    "pool_update": frozenset({E.SNAPSHOTS}),
    "inspector_count": frozenset({E.SNAPSHOTS}),
    "result_entry": frozenset({E.RESULTS, E.RESULT_DATES}),
    "disclosure": frozenset({E.DISCLOSURES}),
    "rectification": frozenset({E.RECTIFICATIONS}),
}

REQUIREMENT_TOPICS: dict[str, frozenset[E]] = {
    "inspector_counts": frozenset({E.INSPECTIONS, E.TEAMS}),
    "entity_signature": frozenset({E.INSPECTIONS, E.SIGNATURES}),
    "rectification_ordered": frozenset({E.RESULTS, E.RECTIFICATIONS}),
    "flow_order": frozenset({E.DRAWS, E.DISPATCH, E.INSPECTIONS, E.RESULT_DATES}),
    "draw_filing": frozenset({E.DRAWS, E.FILINGS}),
    "quarterly_report_published": frozenset({E.FILINGS}),
    "list_and_plan_published": frozenset({E.FILINGS}),
}


def needs(rule: AnyRule) -> frozenset[E]:
    """The evidence ``rule``'s measure reads (empty for a rule the audit does not measure
    from records)."""
    if isinstance(rule, QuarterlyShare | QuarterlyMinimum | StaffMultiple):
        return frozenset({E.INSPECTIONS, E.CLASSES})
    if isinstance(rule, CoverageCycle):
        return frozenset({E.INSPECTIONS})
    if isinstance(rule, JointShare):
        return frozenset({E.JOINT, E.DRAWS})
    if isinstance(rule, Disclosure):
        return frozenset({E.RESULTS, E.DISCLOSURES})
    if isinstance(rule, ItemCap):
        return frozenset({E.INSPECTIONS, E.ITEMS, E.CLASSES})
    if isinstance(rule, Deadline):
        return DEADLINE_STARTS[rule.after] | DEADLINE_DUTIES.get(rule.obligation, frozenset())
    if isinstance(rule, DatedObligation):
        if rule.obligation == "quarter_results" and isinstance(rule.when, QuarterMonthDay):
            # 本溪 六(一)2: the quarter's tasks, each inspected and its result published
            return frozenset({E.INSPECTIONS, E.DISCLOSURES})
        return DATED_DUTIES.get(rule.obligation, frozenset({E.FILINGS}))
    if isinstance(rule, Team):
        return frozenset({E.TEAMS, E.MODES})
    if isinstance(rule, ListFixed):
        return frozenset({E.DRAWS, E.TEAMS})
    if isinstance(rule, Replacement):
        return frozenset({E.REPLACEMENTS})
    if isinstance(rule, Confidential):
        return frozenset({E.ACCESS, E.DRAWS})
    if isinstance(rule, NonSite):
        return frozenset({E.INSPECTIONS, E.MODES})
    if isinstance(rule, RandomDraw):
        return frozenset({E.DRAWS, E.INSPECTIONS})
    if isinstance(rule, ResultsImmutable):
        return frozenset({E.RESULTS, E.CORRECTIONS})
    if isinstance(rule, Requirement):
        return REQUIREMENT_TOPICS.get(rule.topic, frozenset())
    return frozenset()


def lacking(rule: AnyRule, shown: frozenset[E]) -> list[E]:
    """The evidence ``rule`` needs that the records do not show, in a stable order."""
    return [kind for kind in E if kind in needs(rule) and kind not in shown]


UNSHOWN = "the imported records do not show "
"""How a NOT_ENOUGH_DATA note for evidence the records lack begins."""


def describe_lack(missing: Iterable[E]) -> str:
    """``the imported records do not show 抽取记录 (DRAWS), …``: a NOT_ENOUGH_DATA note."""
    names = ", ".join(f"{kind.zh} ({kind.value})" for kind in missing)
    return (
        f"{UNSHOWN}{names}: their columns hold no such evidence; import the records "
        "that do (randcheck ledger import) or record them"
    )
