"""A quarter whose ledger names its entities (dispatches written with ``entity_name``),
long enough for the disclosure to span pages, and one written the old way, without."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from randcheck.io import write_registry
from randcheck.ledger.events import SHANGHAI, EventType
from randcheck.ledger.stores import open_ledger
from randcheck.registry import Registry
from randcheck.synth import generate_registry

TASKS = 48
"""Results in the quarter: enough rows for the disclosure to span pages."""
FACTS = "废气处理设施未正常运行，在线监测数据超标，现场检查发现危险废物贮存场所未设置标识"
HANDLING = "责令限期整改，整改完成后复查；依法立案调查，处罚款并公开"


def quarter_registry() -> Registry:
    return generate_registry(120, 12, seed="publish-tests")


def write_quarter(folder: Path, *, names: bool = True, tasks: int = TASKS) -> Path:
    """A ledger of ``tasks`` inspections in 2025Q3 (dispatched, inspected, a result,
    disclosed), with the registry beside it as ``registry.csv``; its dispatches record
    the entities' names unless ``names`` is False (a ledger written before they were)."""
    registry = quarter_registry()
    write_registry(registry, folder / "registry.csv")
    entities = sorted(registry.entities(), key=lambda e: e.uscc)[:tasks]
    team = [i.inspector_id for i in registry.inspectors][:2]
    path = folder / ("ledger-named.sqlite" if names else "ledger-old.sqlite")
    start = dt.datetime(2025, 7, 7, 9, 0, tzinfo=SHANGHAI)
    with open_ledger(path) as ledger:
        for n, entity in enumerate(entities):
            task = f"2025Q3-ALL-{n + 1:05d}"
            day = start + dt.timedelta(days=n)
            dispatch = {
                "task_id": task,
                "uscc": entity.uscc,
                "inspectors": team,
                "entity_class": entity.entity_class.value,
                "period": "2025Q3",
            }
            if names:
                dispatch["entity_name"] = entity.name
            ledger.append(EventType.TASK_DISPATCHED, actor="执法大队", payload=dispatch, time=day)
            visit = {"task_id": task, "inspectors": team}
            ledger.append(
                EventType.INSPECTION_STARTED,
                actor=team[0],
                payload=visit,
                time=day + dt.timedelta(days=2),
            )
            ledger.append(
                EventType.INSPECTION_COMPLETED, actor=team[0], payload=visit,
                time=day + dt.timedelta(days=2, hours=3),
            )  # fmt: skip
            found = n % 3 == 1
            result = {
                "task_id": task,
                "outcome": "RECTIFY" if found else "NO_PROBLEM",
                **({"facts": FACTS, "handling": HANDLING} if found else {}),
            }
            ledger.append(
                EventType.RESULT_RECORDED, actor=team[0], payload=result,
                time=day + dt.timedelta(days=3),
            )  # fmt: skip
            ledger.append(
                EventType.DISCLOSURE_PUBLISHED, actor="执法大队", payload={"task_ids": [task]},
                time=day + dt.timedelta(days=8), subject=task,
            )  # fmt: skip
    return path
