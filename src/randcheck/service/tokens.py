"""API tokens: a role and the jurisdictions covered, stored hashed, shown once.

A token is ``rck_<id>_<secret>``: ``id`` (12 hexadecimal digits) names the record, so
it can be listed and revoked; ``secret`` is 256 random bits. Only the SHA-256 of the
whole token is kept (a token of that entropy needs no slow hash), compared in
constant time. Lost tokens are revoked and new ones made; nothing can show a token
again.

Two stores, chosen by the setting ``tokens``: a JSON file (``tokens.json``, written
atomically under a lock, readable by its owner only) or a table in an SQLite file
(``sqlite:///tokens.sqlite``).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import hmac
import json
import os
import re
import secrets
import sqlite3
from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Protocol

from randcheck.errors import InputError
from randcheck.service.roles import SIGNED_IN, Role
from randcheck.service.settings import JURISDICTION

PREFIX = "rck_"
TOKEN = re.compile(r"^rck_([0-9a-f]{12})_([A-Za-z0-9_-]{43})$")
NAME = re.compile(r"^[^\x00-\x1f\x7f]{1,100}$")
ALL = "*"
"""A token's jurisdictions: ``*`` covers every jurisdiction the service serves."""


def token_digest(token: str) -> str:
    """The SHA-256 of a token, as kept (hexadecimal)."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


_digest = token_digest


def _file_version(path: Path) -> tuple[int, int, int, int] | None:
    """What changes whenever ``path`` is written or replaced (one ``stat``)."""
    try:
        info = path.stat()
    except FileNotFoundError:
        return None
    return (info.st_ino, info.st_mtime_ns, info.st_ctime_ns, info.st_size)


def _now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc).replace(microsecond=0)


@dataclass(frozen=True)
class TokenRecord:
    """What is kept of a token: never the token itself."""

    id: str
    name: str
    role: str
    jurisdictions: tuple[str, ...]
    sha256: str
    created_at: str
    expires_at: str | None = None
    revoked_at: str | None = None

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["jurisdictions"] = list(self.jurisdictions)
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> TokenRecord:
        return cls(**{**data, "jurisdictions": tuple(data["jurisdictions"])})

    def active(self, now: dt.datetime) -> bool:
        if self.revoked_at is not None:
            return False
        return self.expires_at is None or dt.datetime.fromisoformat(self.expires_at) > now

    def public(self) -> dict[str, Any]:
        """The record as listed: everything but the hash."""
        data = self.to_json()
        del data["sha256"]
        return data


def check_request(name: str, role: str, jurisdictions: Sequence[str]) -> tuple[str, Role]:
    """A token request checked: a printable name, a role a token can carry, jurisdictions."""
    if not NAME.fullmatch(name) or not name.strip():
        raise InputError(
            f"name {name!r}: 1–100 printable characters",
            hint="the person or system the token is for; an inspector's 人员编号 (I0001)",
        )
    try:
        chosen = Role.of(role)
    except ValueError:
        chosen = None
    if chosen is None or chosen not in SIGNED_IN:
        raise InputError(
            f"role {role!r}: choose operator, inspector, approver or auditor",
            hint="the public needs no token",
        )
    if not jurisdictions:
        raise InputError("name the jurisdictions the token covers (or * for all)")
    for j in jurisdictions:
        if j != ALL and not re.fullmatch(JURISDICTION, j):
            raise InputError(f"jurisdiction {j!r} is not a jurisdiction name")
    return name.strip(), chosen


class TokenStore(Protocol):
    def create(
        self,
        name: str,
        role: str,
        jurisdictions: Sequence[str],
        expires_at: dt.datetime | None = None,
    ) -> tuple[TokenRecord, str]: ...

    def revoke(self, token_id: str) -> TokenRecord: ...

    def records(self) -> list[TokenRecord]: ...

    def find(self, token: str) -> TokenRecord | None: ...

    def version(self) -> Any:
        """Something cheap to get (one ``stat``) that changes whenever a token is made or
        revoked: what the service's cache of checked tokens compares."""
        ...


class _Base:
    """What both stores share: making a token, checking one."""

    def _new(
        self,
        name: str,
        role: str,
        jurisdictions: Sequence[str],
        expires_at: dt.datetime | None,
    ) -> tuple[TokenRecord, str]:
        name, chosen = check_request(name, role, jurisdictions)
        if expires_at is not None and expires_at.tzinfo is None:
            raise InputError("the expiry needs a time zone offset")
        token_id = secrets.token_hex(6)
        token = f"{PREFIX}{token_id}_{secrets.token_urlsafe(32)}"
        record = TokenRecord(
            id=token_id,
            name=name,
            role=chosen.value,
            jurisdictions=tuple(sorted(set(jurisdictions))),
            sha256=_digest(token),
            created_at=_now().isoformat(),
            expires_at=expires_at.isoformat() if expires_at else None,
        )
        return record, token

    def _by_id(self, token_id: str) -> TokenRecord | None:
        raise NotImplementedError

    def find(self, token: str) -> TokenRecord | None:
        """The active record of ``token``; None for any token that is not one."""
        found = TOKEN.fullmatch(token)
        if found is None:
            return None
        record = self._by_id(found.group(1))
        if record is None or not hmac.compare_digest(record.sha256, _digest(token)):
            return None
        return record if record.active(_now()) else None


class FileTokenStore(_Base):
    """Tokens in a JSON file; every change rewrites it whole, under an exclusive lock."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._cache: tuple[tuple[int, int, int], dict[str, TokenRecord]] | None = None

    @contextlib.contextmanager
    def _locked(self) -> Iterator[None]:
        import fcntl

        lock = self.path.with_name(self.path.name + ".lock")
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(lock, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            yield
        finally:
            os.close(fd)

    def _load(self) -> dict[str, TokenRecord]:
        try:
            info = self.path.stat()
        except FileNotFoundError:
            return {}
        key = (info.st_ino, info.st_mtime_ns, info.st_size)
        if self._cache is not None and self._cache[0] == key:
            return self._cache[1]
        from randcheck.io.safe import load_json

        data = load_json(self.path, "token file")
        if not isinstance(data, dict) or not isinstance(data.get("tokens"), list):
            raise InputError("not a randcheck token file", where=str(self.path))
        records = {r["id"]: TokenRecord.from_json(r) for r in data["tokens"]}
        self._cache = (key, records)
        return records

    def _save(self, records: dict[str, TokenRecord]) -> None:
        from randcheck.io.atomic import atomic_write

        text = json.dumps(
            {"format": "randcheck-tokens", "tokens": [r.to_json() for r in records.values()]},
            ensure_ascii=False,
            indent=1,
        )
        with atomic_write(self.path) as temp:
            temp.write_text(text + "\n", encoding="utf-8")
            os.chmod(temp, 0o600)

    def create(
        self,
        name: str,
        role: str,
        jurisdictions: Sequence[str],
        expires_at: dt.datetime | None = None,
    ) -> tuple[TokenRecord, str]:
        record, token = self._new(name, role, jurisdictions, expires_at)
        with self._locked():
            records = dict(self._load())
            records[record.id] = record
            self._save(records)
        return record, token

    def revoke(self, token_id: str) -> TokenRecord:
        with self._locked():
            records = dict(self._load())
            record = records.get(token_id)
            if record is None:
                raise InputError(f"no token {token_id!r}", hint="list them: service token list")
            if record.revoked_at is None:
                record = TokenRecord(**{**asdict(record), "revoked_at": _now().isoformat()})
                records[token_id] = record
                self._save(records)
        return record

    def records(self) -> list[TokenRecord]:
        return list(self._load().values())

    def version(self) -> Any:
        return _file_version(self.path)  # every change replaces the file (a new inode)

    def _by_id(self, token_id: str) -> TokenRecord | None:
        return self._load().get(token_id)


class SqliteTokenStore(_Base):
    """Tokens in a table ``tokens`` of an SQLite file."""

    SCHEMA = "CREATE TABLE IF NOT EXISTS tokens (id TEXT PRIMARY KEY, record TEXT NOT NULL)"

    def __init__(self, path: Path) -> None:
        self.path = path

    @contextlib.contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        connection = sqlite3.connect(self.path, timeout=30, isolation_level=None)
        try:
            connection.execute(self.SCHEMA)
            yield connection
        finally:
            connection.close()

    def create(
        self,
        name: str,
        role: str,
        jurisdictions: Sequence[str],
        expires_at: dt.datetime | None = None,
    ) -> tuple[TokenRecord, str]:
        record, token = self._new(name, role, jurisdictions, expires_at)
        with self._connect() as db:
            db.execute(
                "INSERT INTO tokens (id, record) VALUES (?, ?)",
                (record.id, json.dumps(record.to_json(), ensure_ascii=False)),
            )
        return record, token

    def revoke(self, token_id: str) -> TokenRecord:
        with self._connect() as db:
            db.execute("BEGIN IMMEDIATE")
            row = db.execute("SELECT record FROM tokens WHERE id = ?", (token_id,)).fetchone()
            if row is None:
                db.execute("ROLLBACK")
                raise InputError(f"no token {token_id!r}", hint="list them: service token list")
            record = TokenRecord.from_json(json.loads(row[0]))
            if record.revoked_at is None:
                record = TokenRecord(**{**asdict(record), "revoked_at": _now().isoformat()})
                db.execute(
                    "UPDATE tokens SET record = ? WHERE id = ?",
                    (json.dumps(record.to_json(), ensure_ascii=False), token_id),
                )
            db.execute("COMMIT")
        return record

    def version(self) -> Any:
        # a commit writes the file (a rollback journal), or its -wal file (WAL mode)
        return (_file_version(self.path), _file_version(Path(f"{self.path}-wal")))

    def records(self) -> list[TokenRecord]:
        if not self.path.exists():
            return []
        with self._connect() as db:
            rows = db.execute("SELECT record FROM tokens ORDER BY rowid").fetchall()
        return [TokenRecord.from_json(json.loads(r[0])) for r in rows]

    def _by_id(self, token_id: str) -> TokenRecord | None:
        if not self.path.exists():
            return None
        with self._connect() as db:
            row = db.execute("SELECT record FROM tokens WHERE id = ?", (token_id,)).fetchone()
        return TokenRecord.from_json(json.loads(row[0])) if row else None


def open_tokens(location: str) -> TokenStore:
    """The token store the setting ``tokens`` names: ``sqlite:///FILE`` or a .json file."""
    if location.startswith("sqlite://"):
        return SqliteTokenStore(Path(location[len("sqlite://") :]))
    if "://" in location or not location.lower().endswith(".json"):
        raise InputError(
            f"cannot keep tokens in {location!r}",
            where="tokens",
            hint="give a .json file or sqlite:///FILE",
        )
    return FileTokenStore(Path(location))
