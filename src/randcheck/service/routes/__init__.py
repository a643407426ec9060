"""The endpoints, one module per stage of the flow."""

from __future__ import annotations

from fastapi import APIRouter

from randcheck.service.routes import draws, ledger, published, records, registries, tasks

ROUTERS: tuple[APIRouter, ...] = (
    registries.router,
    draws.router,
    tasks.router,
    records.router,
    ledger.router,
    published.router,
)
