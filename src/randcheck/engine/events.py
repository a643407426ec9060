"""Deprecated: moved, and re-exported here for one release (0.2); importing it warns.

New home: randcheck.ledger.events (and randcheck.models.vocab). See CHANGELOG.md.
"""

import warnings

from randcheck.ledger.events import (
    PAYLOADS,
    SHANGHAI,
    CorrectionApproved,
    CorrectionRequested,
    DisclosurePublished,
    DrawRevealed,
    DrawSealed,
    EventType,
    InspectionCompleted,
    InspectionStarted,
    InspectorReplaced,
    ItemListPublished,
    JointInspectionInitiated,
    ListAccessed,
    PlanPublished,
    RectificationCompleted,
    RectificationOrdered,
    RectificationProgress,
    RegistrySnapshot,
    ReportKind,
    ReportSubmitted,
    ResultRecorded,
    TaskDispatched,
    aware,
    parse_payload,
    validate_payload,
)
from randcheck.models.vocab import (
    Mode,
    Outcome,
    ReplacementReason,
    Withheld,
)

MOVED_TO = "randcheck.ledger.events (and randcheck.models.vocab)"
warnings.warn(
    f"{__name__} is deprecated: import from {MOVED_TO} (see CHANGELOG.md)",
    DeprecationWarning,
    stacklevel=2,
)


__all__ = [
    "PAYLOADS",
    "SHANGHAI",
    "CorrectionApproved",
    "CorrectionRequested",
    "DisclosurePublished",
    "DrawRevealed",
    "DrawSealed",
    "EventType",
    "InspectionCompleted",
    "InspectionStarted",
    "InspectorReplaced",
    "ItemListPublished",
    "JointInspectionInitiated",
    "ListAccessed",
    "Mode",
    "Outcome",
    "PlanPublished",
    "RectificationCompleted",
    "RectificationOrdered",
    "RectificationProgress",
    "RegistrySnapshot",
    "ReplacementReason",
    "ReportKind",
    "ReportSubmitted",
    "ResultRecorded",
    "TaskDispatched",
    "Withheld",
    "aware",
    "parse_payload",
    "validate_payload",
]
