"""Before the visit: which entities are inspected this quarter, by whom, and the proof.

In the order of the flow:

- :mod:`~randcheck.draw.classify`: classes proposed from the policy's criteria;
- :mod:`~randcheck.draw.history`: earlier inspections, for coverage cycles and caps;
- :mod:`~randcheck.draw.quotas`: how many of each class, each number with its clause;
- :mod:`~randcheck.draw.select`: eligibility and the ranking (:func:`plan_draw`);
- :mod:`~randcheck.draw.teams`: inspectors for each on-site task;
- :mod:`~randcheck.draw.replace`: an inspector replaced after the draw;
- :mod:`~randcheck.draw.receipt`: seal, reveal and verify.
"""

from randcheck.draw.history import History, Inspection, load_history, save_history
from randcheck.draw.quotas import ClassQuota, QuotaTerm, compute_quota
from randcheck.draw.receipt import (
    load_receipt,
    record_replacement,
    reveal,
    save_receipt,
    seal,
    verify,
)
from randcheck.draw.select import DrawResult, Task, plan_draw

__all__ = [
    "ClassQuota",
    "DrawResult",
    "History",
    "Inspection",
    "QuotaTerm",
    "Task",
    "compute_quota",
    "load_history",
    "load_receipt",
    "plan_draw",
    "record_replacement",
    "reveal",
    "save_history",
    "save_receipt",
    "seal",
    "verify",
]
