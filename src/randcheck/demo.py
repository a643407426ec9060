"""The built-in demo: one synthetic county and a reproducible quarter.

Everything is deterministic so the demo prints the same thing every run. The
demo's secrets are derived from fixed text: a real operator draws them from the
operating system (:func:`randcheck.randomness.new_secret`) and keeps them
secret until the inspections start.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from functools import cache

from randcheck.engine.history import History, Inspection
from randcheck.engine.receipt import seal
from randcheck.periods import Quarter
from randcheck.policies.model import Policy
from randcheck.registry import Registry

DEMO_SEED = "randcheck-demo"
DEMO_ENTITIES = 500
DEMO_INSPECTORS = 40


@cache
def demo_registry() -> Registry:
    """A county of 500 entities and 40 inspectors (seed ``randcheck-demo``)."""
    from randcheck.synth import generate_registry

    return generate_registry(DEMO_ENTITIES, DEMO_INSPECTORS, seed=DEMO_SEED, jurisdictions=1)


def demo_secret(period: Quarter) -> str:
    """A fixed secret per quarter, for the demo only."""
    return hashlib.sha256(f"{DEMO_SEED}|secret|{period.label}".encode()).hexdigest()


def demo_public_randomness(period: Quarter) -> str:
    """Twenty fixed 'dice' digits per quarter, for the demo only."""
    digest = hashlib.sha256(f"{DEMO_SEED}|dice|{period.label}".encode()).hexdigest()
    return str(int(digest, 16))[:20]


def demo_history(policy: Policy, registry: Registry, period: Quarter) -> History:
    """Inspections of the quarters before ``period``, drawn as the demo draws them.

    The quarters run from the start of the policy's first year (so coverage cycles
    have their past) to the quarter before ``period``.
    """
    history = History()
    current = Quarter(max(policy.effective_from.year, period.year - 2), 1)
    while current < period:
        _, result = seal(
            policy,
            registry,
            current,
            secret=demo_secret(current),
            public_randomness=demo_public_randomness(current),
            history=history,
        )
        middle = current.start + dt.timedelta(days=35)
        history = history + History(
            Inspection(
                uscc=t.uscc,
                date=middle + dt.timedelta(days=t.rank % 25),
                mode=t.mode,
                task_id=t.task_id,
            )
            for t in result.tasks
        )
        current = current.next()
    return history
