"""What every route works with: the settings, the ledgers, the files, the clock; and the
limits on what a request's fields may hold (documented in the OpenAPI document)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Path, Request
from pydantic import StringConstraints

from randcheck.service.files import DIGEST, DRAW_ID, Files
from randcheck.service.settings import JURISDICTION, Settings
from randcheck.service.store import Ledgers

Clock = Callable[[], dt.datetime]


@dataclass
class Context:
    settings: Settings
    ledgers: Ledgers
    clock: Clock

    def files(self, jurisdiction: str) -> Files:
        return Files(self.settings.files, jurisdiction)

    def now(self) -> dt.datetime:
        moment = self.clock()
        return moment if moment.tzinfo else moment.replace(tzinfo=dt.timezone.utc)


async def context(request: Request) -> Context:
    # async: nothing blocks here, so FastAPI calls it on the event loop (no thread hop)
    found: Context = request.app.state.context
    return found


Ctx = Annotated[Context, Depends(context)]

# --- the limits on fields -------------------------------------------------------------

MAX_TEXT = 2000
"""A free text (facts, handling, a reason, a note)."""
MAX_NAME = 100
"""A name: an inspector id, a department, an item, a channel."""
MAX_TEAM = 50
MAX_TASKS = 10_000
"""Task ids in one disclosure."""
MAX_EARLIER = 50_000
"""Earlier inspections given with a commit."""

Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=MAX_TEXT)]
Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=MAX_NAME)]
PolicyId = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_.]{0,79}$")]

Jurisdiction = Annotated[
    str, Path(pattern=JURISDICTION, description="a division code (410724) or a short name")
]
DrawId = Annotated[str, Path(pattern=DRAW_ID, description="the draw's id")]
TaskId = Annotated[str, Path(min_length=1, max_length=MAX_NAME, description="the task's id")]
Digest = Annotated[str, Path(pattern=DIGEST, description="a registry's digest")]
