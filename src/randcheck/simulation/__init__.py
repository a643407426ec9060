"""Scenario simulation: what a policy does to coverage and workload over years.

:func:`simulate` repeats a policy's quarterly draws with the real draw engine on
a changing registry; :func:`compare` runs several policies or variants on the
same seeds and returns one long pandas DataFrame; :mod:`randcheck.simulation.plots`
draws it. The metrics (``metric`` column):

- per class and year: ``entities`` (operating at a draw of the year, in the class
  they had at the first), ``inspected``, ``coverage`` (their share inspected that
  year), ``on_site`` / ``non_site`` tasks, ``violations`` found, ``quota`` (drawn),
  ``cap_hits`` (entities left out by an item cap, 本溪 七(一)4, summed over
  quarters), ``capped_quotas`` (quarters whose quota was cut to the eligible
  pool) and ``quota_shortfall`` (how many short);
- ``cycle_coverage`` per class with a coverage cycle: the share of the cycle's
  entities (present in its first simulated year) inspected as often as the cycle
  asks; ``key`` names the window, "(partial)" where the run does not cover it all;
- over the run, per class as first seen: ``horizon_coverage`` (inspected at
  least once), ``gap_quarters`` (``key`` = quarters between consecutive
  inspections, ``value`` = how many such gaps), ``uninspected_years`` (``key`` =
  k: among entities operating every year, the share with k or more consecutive
  years without an inspection);
- ``inspector_load`` per year: on-site tasks per inspector (``key``), zeros included;
- ``failed_draws`` per year: quarterly draws that could not be made (a
  jurisdiction with too few qualified inspectors for a team); its entities go
  uninspected that quarter, which the coverage shows.
"""

from randcheck.simulation.models import ChurnModel, OutcomeModel
from randcheck.simulation.run import (
    COLUMNS,
    PER_CLASS_YEAR,
    SimulationResult,
    compare,
    default_executor,
    simulate,
    summarize,
    wide,
)

__all__ = [
    "COLUMNS",
    "PER_CLASS_YEAR",
    "ChurnModel",
    "OutcomeModel",
    "SimulationResult",
    "compare",
    "default_executor",
    "simulate",
    "summarize",
    "wide",
]
