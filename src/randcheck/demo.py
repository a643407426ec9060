"""The built-in demo data: one synthetic county, the same every run."""

from __future__ import annotations

from functools import cache

from randcheck.registry import Registry

DEMO_SEED = "randcheck-demo"
DEMO_ENTITIES = 500
DEMO_INSPECTORS = 40


@cache
def demo_registry() -> Registry:
    """A county of 500 entities and 40 inspectors (seed ``randcheck-demo``)."""
    from randcheck.synth import generate_registry

    return generate_registry(DEMO_ENTITIES, DEMO_INSPECTORS, seed=DEMO_SEED, jurisdictions=1)
