"""A service over SQLite ledgers in a temporary folder, a token per role, a clock the
tests move, and helpers that walk a draw through the flow over HTTP."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from randcheck.io import write_registry
from randcheck.registry import Registry
from randcheck.service import create_app, load_settings
from randcheck.service.settings import Settings
from randcheck.service.tokens import FileTokenStore
from randcheck.synth import generate_registry

J = "410724"
CST = dt.timezone(dt.timedelta(hours=8))
ANNOUNCED = dt.datetime(2025, 6, 25, 9, 0, tzinfo=CST)
RANDOMNESS_AT = "2025-07-01T21:15:00+08:00"
DRAWN = dt.datetime(2025, 7, 2, 9, 0, tzinfo=CST)
DICE = "27182818284590452353"


class Clock:
    """The time the service records events at; tests move it."""

    def __init__(self) -> None:
        self.moment = ANNOUNCED

    def __call__(self) -> dt.datetime:
        return self.moment

    def advance(self, **delta: float) -> None:
        self.moment += dt.timedelta(**delta)


@dataclass
class Service:
    """The app, a client, the settings, the clock and a token per principal."""

    client: TestClient
    settings: Settings
    clock: Clock
    tokens: FileTokenStore
    registry: Registry
    bearer: dict[str, str] = field(default_factory=dict)

    def token(self, name: str, role: str, jurisdictions: tuple[str, ...] = (J,)) -> str:
        key = f"{role}:{name}"
        if key not in self.bearer:
            _, token = self.tokens.create(name, role, list(jurisdictions))
            self.bearer[key] = token
        return self.bearer[key]

    def auth(self, name: str, role: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token(name, role)}"}

    @property
    def operator(self) -> dict[str, str]:
        return self.auth("op", "operator")

    @property
    def approver(self) -> dict[str, str]:
        return self.auth("boss", "approver")

    @property
    def auditor(self) -> dict[str, str]:
        return self.auth("aud", "auditor")

    def inspector(self, inspector_id: str) -> dict[str, str]:
        return self.auth(inspector_id, "inspector")

    def call(
        self, method: str, path: str, headers: dict[str, str] | None = None, **kwargs: Any
    ) -> Any:
        return self.client.request(method, f"/j/{J}{path}", headers=headers or {}, **kwargs)

    def ok(
        self, method: str, path: str, headers: dict[str, str] | None = None, **kwargs: Any
    ) -> Any:
        response = self.call(method, path, headers, **kwargs)
        assert response.status_code in (200, 201), (method, path, response.text)
        return (
            response.json()
            if response.headers["content-type"].startswith("application/json")
            else response
        )

    # --- the flow ------------------------------------------------------------------------

    def upload(self, registry: Registry | None = None) -> dict[str, Any]:
        buffer = io.BytesIO()
        target = Path(self.settings.files) / "upload.json"
        target.parent.mkdir(parents=True, exist_ok=True)
        write_registry(registry or self.registry, target)
        buffer.write(target.read_bytes())
        target.unlink()
        return dict(
            self.ok(
                "POST",
                "/registries",
                self.operator,
                files={"entities": ("registry.json", buffer.getvalue(), "application/json")},
            )
        )

    def commit(self, digest: str, **extra: Any) -> dict[str, Any]:
        body = {
            "policy": "benxi",
            "year": 2025,
            "quarter": 3,
            "registry": digest,
            "randomness": {
                "kind": "lottery",
                "source": "中国福利彩票 双色球 第2025075期",
                "expected_at": RANDOMNESS_AT,
            },
            **extra,
        }
        return dict(self.ok("POST", "/draws", self.operator, json=body))

    def sealed_and_dispatched(self) -> tuple[str, list[dict[str, Any]]]:
        """A draw announced, sealed and dispatched; its id and dispatched tasks."""
        digest = self.upload()["digest"]
        draw_id = self.commit(digest)["draw_id"]
        self.clock.moment = DRAWN
        self.ok("POST", f"/draws/{draw_id}/seal", self.operator, json={"public_randomness": DICE})
        self.clock.advance(hours=1)
        dispatched = self.ok("POST", f"/draws/{draw_id}/dispatch", self.operator)["dispatched"]
        self.clock.advance(hours=1)
        return draw_id, dispatched


def make_settings(tmp_path: Path, **extra: Any) -> Settings:
    values: dict[str, Any] = {
        "store": str(tmp_path / "ledgers"),
        "data_dir": str(tmp_path / "files"),
        "tokens": str(tmp_path / "tokens.json"),
        **extra,
    }
    return load_settings(environ={}, **values)


@pytest.fixture(scope="session")
def county() -> Registry:
    return generate_registry(300, 20, seed="cli")


@pytest.fixture
def service(tmp_path: Path, county: Registry) -> Iterator[Service]:
    settings = make_settings(tmp_path)
    clock = Clock()
    app = create_app(settings, clock=clock)
    with TestClient(app, raise_server_exceptions=False) as client:
        yield Service(client, settings, clock, FileTokenStore(tmp_path / "tokens.json"), county)
