"""randcheck: verifiable 双随机、一公开 random inspections for environmental enforcement.

The flow (see ``docs/``): registries (一单两库) and a jurisdiction's policy go
into quotas and a sealed, verifiable draw; the ledger records what happened;
rules and aggregates give a verdict that cites the clause behind each rule.
"""

from randcheck.errors import (
    CalendarError,
    DrawError,
    InputError,
    LedgerError,
    PolicyError,
    Problem,
    ProblemsFound,
    RandcheckError,
    VerificationError,
)
from randcheck.io import LoadReport, load_registry, read_registry, write_registry
from randcheck.models import Entity, EntityClass, InspectionItem, Inspector
from randcheck.registry import EntityFilter, Registry

__version__ = "0.1.0"

__all__ = [
    "CalendarError",
    "DrawError",
    "Entity",
    "EntityClass",
    "EntityFilter",
    "InputError",
    "InspectionItem",
    "Inspector",
    "LedgerError",
    "LoadReport",
    "PolicyError",
    "Problem",
    "ProblemsFound",
    "RandcheckError",
    "Registry",
    "VerificationError",
    "__version__",
    "load_registry",
    "read_registry",
    "write_registry",
]
