"""The PostgreSQL server the store's tests run against.

``RANDCHECK_TEST_POSTGRES`` (default ``postgresql://127.0.0.1:5432/test``) names it;
each test module works in a fresh schema of its own, dropped at the end. Without a
server (or without psycopg) the tests skip, saying why, unless
``RANDCHECK_REQUIRE_POSTGRES=1`` (``.ci/run`` sets it): then they fail.
"""

from __future__ import annotations

import itertools
import os
import secrets
from collections.abc import Iterator
from typing import Any

import pytest

DEFAULT = "postgresql://127.0.0.1:5432/test"


class Server:
    """A schema of one's own on the test server: URLs for new chains, and SQL."""

    def __init__(self, url: str, schema: str, schemas: list[str] | None = None) -> None:
        self.url = url
        self.schema = schema
        separator = "&" if "?" in url else "?"
        self.store = f"{url}{separator}schema={schema}"
        self._names = itertools.count(1)
        self.schemas = [schema] if schemas is None else schemas
        """Every schema made this session (dropped at its end)."""

    def isolated(self) -> Server:
        """A schema of its own, for a test that damages the tables themselves."""
        schema = f"{self.schema}_{len(self.schemas)}"
        self.schemas.append(schema)
        return Server(self.url, schema, self.schemas)

    def chain(self) -> str:
        """A chain name no other test uses."""
        return f"c{next(self._names)}"

    def ledger(self, chain: str | None = None) -> str:
        """The URL of a ledger (a new chain unless named)."""
        return f"{self.store}&chain={chain or self.chain()}"

    def sql(self, statement: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
        """Run one statement in the schema (as a forger or an administrator would)."""
        import psycopg

        with psycopg.connect(self.url, autocommit=True) as db:
            db.execute(f'SET search_path TO "{self.schema}"')
            cursor = db.execute(statement, params or None)
            return cursor.fetchall() if cursor.description else []


def _unavailable(reason: str) -> None:
    message = f"no PostgreSQL server for the store's tests: {reason}"
    if os.environ.get("RANDCHECK_REQUIRE_POSTGRES") == "1":
        pytest.fail(f"{message} (RANDCHECK_REQUIRE_POSTGRES=1: these tests must run)")
    pytest.skip(f"{message}; set RANDCHECK_TEST_POSTGRES to a server's URL to run them")


def serve() -> Iterator[Server]:
    """A schema of one's own on the test server, dropped after; for a fixture to yield
    from (``yield from serve()``)."""
    url = os.environ.get("RANDCHECK_TEST_POSTGRES") or DEFAULT
    try:
        import psycopg
    except ImportError as exc:
        _unavailable(f"psycopg cannot be imported ({exc}); pip install 'randcheck[postgres]'")
        raise AssertionError from None  # not reached: skip and fail raise
    try:
        db = psycopg.connect(url, autocommit=True, connect_timeout=5)
    except psycopg.Error as exc:
        _unavailable(f"{url}: {' '.join(str(exc).split())}")
        raise AssertionError from None
    schema = f"randcheck_test_{os.getpid()}_{secrets.token_hex(4)}"
    server = Server(url, schema)
    with db:
        db.execute(f'CREATE SCHEMA "{schema}"')
        try:
            yield server
        finally:
            for name in server.schemas:
                db.execute(f'DROP SCHEMA IF EXISTS "{name}" CASCADE')
