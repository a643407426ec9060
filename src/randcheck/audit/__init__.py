"""The verdict: what happened, judged against the policy, every rule citing its clause.

- :mod:`~randcheck.audit.obligations`: per-record obligations on durable-rules
  (deadlines, teams, the sealed list, confidentiality), live or in batch;
- :mod:`~randcheck.audit.facts`: one pass over the ledger gathers what the
  aggregates read;
- :mod:`~randcheck.audit.judges`: one judge per rule kind, in one table;
- :mod:`~randcheck.audit.verdict`: the verdict as data;
- :mod:`~randcheck.audit.run`: :func:`audit`, which puts them together.
"""

from randcheck.audit.obligations import Due, Monitor, Obligations, Violation
from randcheck.audit.run import audit
from randcheck.audit.verdict import RuleVerdict, Status, Verdict

__all__ = [
    "Due",
    "Monitor",
    "Obligations",
    "RuleVerdict",
    "Status",
    "Verdict",
    "Violation",
    "audit",
]
