"""Who is calling: bearer tokens (the service's own, or a platform's JWTs) and the check
of every request against the role table.

- ``Authorization: Bearer rck_…``: an API token (:mod:`randcheck.service.tokens`);
- ``Authorization: Bearer <header>.<claims>.<signature>``: a JWT, verified against the
  configured public keys: signature, ``iss``, ``aud``, ``exp`` (required), ``sub`` (the
  principal's name), the role claim and the jurisdictions claim (a list, or ``*``).

No credential: the public, who may call the public operations only (401 elsewhere). A
credential that is not valid: 401 everywhere, public operations included, so a client
never mistakes a broken token for being signed in. Valid, but the role may not call
the operation or the token does not cover the jurisdiction: 403.
"""

from __future__ import annotations

import datetime as dt
import re
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from randcheck.errors import InputError
from randcheck.service.problems import ApiProblem
from randcheck.service.roles import SIGNED_IN, TABLE, Role, allowed
from randcheck.service.routing import in_thread
from randcheck.service.settings import JURISDICTION, JwtSettings
from randcheck.service.tokens import ALL, PREFIX, TokenStore, token_digest

bearer = HTTPBearer(auto_error=False, description="An API token (rck_…) or a JWT")


@dataclass(frozen=True)
class Principal:
    """The one calling: a name (an inspector's 人员编号 for inspectors), a role, the
    jurisdictions covered, and how they signed in."""

    name: str
    role: Role
    jurisdictions: frozenset[str]
    via: str

    def covers(self, jurisdiction: str) -> bool:
        return ALL in self.jurisdictions or jurisdiction in self.jurisdictions

    @property
    def actor(self) -> str:
        """The ledger's actor for what this principal does: their name."""
        return self.name


PUBLIC = Principal("public", Role.PUBLIC, frozenset({ALL}), "anonymous")


def _unauthorized(detail: str, hint: str | None = None) -> ApiProblem:
    return ApiProblem(
        401,
        detail,
        hint=hint or "send Authorization: Bearer <token>",
        headers={"WWW-Authenticate": 'Bearer error="invalid_token"'},
    )


KEY_KINDS = {"RS": "rsa", "PS": "rsa", "ES": "ec", "Ed": "ed25519"}
"""The kind of key each algorithm family verifies with (by its first two letters)."""


class JwtVerifier:
    """JWTs verified against the configured public keys."""

    def __init__(self, settings: JwtSettings) -> None:
        from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa
        from cryptography.hazmat.primitives.serialization import load_pem_public_key

        from randcheck.io.safe import read_bytes

        self.settings = settings
        self.keys: list[tuple[str, Any]] = []
        for path in settings.keys:
            data = read_bytes(path, "JWT key", 1024 * 1024)
            try:
                key = load_pem_public_key(data)
            except ValueError:
                raise InputError(
                    "not a PEM public key", where=str(path), hint="give the issuer's public key"
                ) from None
            if isinstance(key, rsa.RSAPublicKey):
                kind = "rsa"
            elif isinstance(key, ec.EllipticCurvePublicKey):
                kind = "ec"
            elif isinstance(key, ed25519.Ed25519PublicKey):
                kind = "ed25519"
            else:
                raise InputError("an RSA, EC or Ed25519 public key is needed", where=str(path))
            self.keys.append((kind, key))

    def verify(self, token: str) -> Principal:
        import jwt

        try:
            header = jwt.get_unverified_header(token)
        except jwt.PyJWTError:
            raise _unauthorized("the bearer token is neither an API token nor a JWT") from None
        algorithm = header.get("alg")
        if algorithm not in self.settings.algorithms:
            raise _unauthorized(
                f"the JWT is signed with {algorithm!r}, not an algorithm this service accepts "
                f"({', '.join(self.settings.algorithms)})"
            )
        kind = KEY_KINDS.get(str(algorithm)[:2])
        candidates = [key for k, key in self.keys if k == kind]
        claims: dict[str, Any] | None = None
        for key in candidates:
            try:
                claims = jwt.decode(
                    token,
                    key,
                    algorithms=[algorithm],
                    audience=self.settings.audience,
                    issuer=self.settings.issuer,
                    leeway=self.settings.leeway_seconds,
                    options={"require": ["exp", "iss", "aud", "sub"]},
                )
                break
            except jwt.InvalidSignatureError:
                continue
            except jwt.ExpiredSignatureError:
                raise _unauthorized("the JWT has expired", "sign in again") from None
            except jwt.InvalidAudienceError:
                raise _unauthorized(
                    f"the JWT is not meant for this service (aud must be "
                    f"{self.settings.audience!r})"
                ) from None
            except jwt.InvalidIssuerError:
                raise _unauthorized(
                    f"the JWT was not issued by {self.settings.issuer!r} (iss)"
                ) from None
            except jwt.MissingRequiredClaimError as exc:
                raise _unauthorized(f"the JWT has no {exc.claim!r} claim") from None
            except jwt.PyJWTError as exc:
                raise _unauthorized(f"the JWT is not valid: {exc}") from None
        if claims is None:
            raise _unauthorized("the JWT's signature does not verify against the configured keys")
        return self._principal(claims)

    def _principal(self, claims: dict[str, Any]) -> Principal:
        role_name = claims.get(self.settings.role_claim)
        try:
            role = Role.of(role_name) if isinstance(role_name, str) else None
        except ValueError:
            role = None
        if role is None or role not in SIGNED_IN:
            raise _unauthorized(
                f"the JWT's {self.settings.role_claim!r} claim must be operator, inspector, "
                f"approver or auditor (got {role_name!r})"
            )
        covered = claims.get(self.settings.jurisdictions_claim)
        if isinstance(covered, str):
            covered = [covered]
        if (
            not isinstance(covered, list)
            or not covered
            or not all(
                isinstance(j, str) and (j == ALL or re.fullmatch(JURISDICTION, j)) for j in covered
            )
        ):
            raise _unauthorized(
                f"the JWT's {self.settings.jurisdictions_claim!r} claim must list the "
                "jurisdictions covered (or be *)"
            )
        subject = claims["sub"]
        if not isinstance(subject, str) or not subject.strip() or len(subject) > 100:
            raise _unauthorized("the JWT's 'sub' claim must name the principal (1–100 characters)")
        return Principal(subject.strip(), role, frozenset(covered), "jwt")


TOKEN_CACHE = 4096
"""API tokens whose check a worker keeps (the most recently used)."""
TOKEN_RECHECK = 30.0
"""Seconds a worker trusts a kept check at most before it reads the token store again."""


class Authenticator:
    """Turns a bearer credential into a :class:`Principal` (or refuses it: 401).

    An API token's check is kept, by the token's SHA-256, with the token store's version
    (:meth:`~randcheck.service.tokens.TokenStore.version`: one ``stat`` of its file) and
    the time it was made: it holds while the store is unchanged and for at most
    :data:`TOKEN_RECHECK` seconds. A token made or revoked changes the store, so every
    worker reads it again at the next request (a revocation takes effect at once, and in
    any case within :data:`TOKEN_RECHECK` seconds); an expiry is checked every time.
    Only valid tokens are kept, never the token itself."""

    def __init__(
        self,
        tokens: TokenStore,
        jwt: JwtVerifier | None,
        *,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.tokens = tokens
        self.jwt = jwt
        self._clock = clock
        self._kept: OrderedDict[str, tuple[Principal, dt.datetime | None, Any, float]] = (
            OrderedDict()
        )
        self._lock = threading.Lock()

    def known(self, credentials: HTTPAuthorizationCredentials | None) -> Principal | None:
        """The principal, when it can be told without reading the token store (no
        credential, a JWT, an API token checked recently and the store unchanged); None
        when :meth:`principal` must read the store. Does no blocking I/O but one
        ``stat``: the service calls it on the event loop."""
        if credentials is None:
            return PUBLIC
        token = credentials.credentials
        if not token.startswith(PREFIX):
            return self._other(token)
        digest = token_digest(token)
        with self._lock:
            kept = self._kept.get(digest)
            if kept is not None:
                self._kept.move_to_end(digest)
        if kept is None:
            return None
        who, expires, version, checked = kept
        if (
            self._clock() - checked > TOKEN_RECHECK
            or version != self.tokens.version()
            or (expires is not None and expires <= dt.datetime.now(dt.timezone.utc))
        ):
            with self._lock:
                self._kept.pop(digest, None)
            return None
        return who

    def principal(self, credentials: HTTPAuthorizationCredentials | None) -> Principal:
        """The principal, reading the token store where needed (blocking I/O)."""
        if credentials is None:
            return PUBLIC
        token = credentials.credentials
        if not token.startswith(PREFIX):
            return self._other(token)
        checked = self._clock()
        version = self.tokens.version()  # before the reading: a change after it is seen
        record = self.tokens.find(token)
        if record is None:
            raise _unauthorized("the API token is not valid (unknown, revoked or expired)")
        who = Principal(
            record.name,
            Role.of(record.role),
            frozenset(record.jurisdictions),
            f"token:{record.id}",
        )
        expires = dt.datetime.fromisoformat(record.expires_at) if record.expires_at else None
        with self._lock:
            self._kept[token_digest(token)] = (who, expires, version, checked)
            while len(self._kept) > TOKEN_CACHE:
                self._kept.popitem(last=False)
        return who

    def _other(self, token: str) -> Principal:
        if token.count(".") == 2 and self.jwt is not None:
            return self.jwt.verify(token)
        raise _unauthorized(
            "the bearer token is not valid"
            + ("" if self.jwt is not None else " (this service accepts API tokens only)")
        )


async def authorize(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
) -> Principal:
    """The caller, checked against the role table for this route's operation and against
    the jurisdiction in the path. Every route depends on it. On the event loop (async):
    only a token not checked recently is looked up in the store, in the thread pool."""
    route = request.scope.get("route")
    operation = getattr(route, "operation_id", None) or ""
    authenticator: Authenticator = request.app.state.authenticator
    who = authenticator.known(credentials)
    if who is None:
        who = await in_thread(authenticator.principal, credentials)
    roles = TABLE.get(operation)
    if roles is None:  # fail closed: an operation missing from the table is nobody's
        raise ApiProblem(403, f"operation {operation!r} is not in the role table")
    if not allowed(operation, who.role):
        if who.role is Role.PUBLIC:
            raise _unauthorized(f"{operation} needs a signed-in principal")
        raise ApiProblem(
            403,
            f"a {who.role.value} may not call {operation}",
            hint="see docs/service.md, Roles, for who may do what",
        )
    jurisdiction = request.path_params.get("jurisdiction")
    if jurisdiction is not None:
        served = request.app.state.settings.jurisdictions
        if not re.fullmatch(JURISDICTION, jurisdiction) or (
            served is not None and jurisdiction not in served
        ):
            raise ApiProblem(404, f"this service does not serve jurisdiction {jurisdiction!r}")
        if who.role is not Role.PUBLIC and not who.covers(jurisdiction):
            raise ApiProblem(
                403,
                f"{who.name}'s credential does not cover jurisdiction {jurisdiction}",
                hint="use a token made for this jurisdiction",
            )
    request.state.principal = who
    return who


Who = Annotated[Principal, Depends(authorize)]
"""The authenticated caller, as a route parameter."""
