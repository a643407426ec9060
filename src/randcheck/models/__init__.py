"""The 一单两库 models: the item list (抽查事项清单), the entity registry
(检查对象名录库) and the inspector registry (执法检查人员名录库)."""

from randcheck.models.entity import (
    ControlLevel,
    CreditRating,
    Entity,
    EntityClass,
    Grade,
    PermitClass,
    PollutionType,
    ProductionStatus,
    Scale,
)
from randcheck.models.fields import LabelledEnum
from randcheck.models.inspector import AuxiliaryKind, Gender, Inspector
from randcheck.models.item import InspectionItem, builtin_items
from randcheck.models.vocab import Mode, Outcome, ReplacementReason, Withheld

__all__ = [
    "AuxiliaryKind",
    "ControlLevel",
    "CreditRating",
    "Entity",
    "EntityClass",
    "Gender",
    "Grade",
    "InspectionItem",
    "Inspector",
    "LabelledEnum",
    "Mode",
    "Outcome",
    "PermitClass",
    "PollutionType",
    "ProductionStatus",
    "ReplacementReason",
    "Scale",
    "Withheld",
    "builtin_items",
]
