"""Signing in: API tokens (made, listed, revoked with the CLI; hashed at rest, shown once)
and JWTs (issuer, audience, expiry, key, claims); 401 against 403."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
import stat
from pathlib import Path
from typing import Any

import jwt
import pytest
import typer
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from randcheck.cli import _Group, service_cmd
from randcheck.service import create_app
from randcheck.service.tokens import FileTokenStore, SqliteTokenStore, open_tokens

from .conftest import J, Service, make_settings

runner = CliRunner()


def _cli() -> typer.Typer:
    """The commands as the CLI mounts them (``randcheck service …``, ``randcheck serve``)."""
    cli = typer.Typer(cls=_Group, pretty_exceptions_enable=False)
    cli.add_typer(service_cmd.app, name="service")
    cli.command("serve")(service_cmd.serve)
    return cli


def _create(tokens: str, *args: str) -> tuple[str, str]:
    made = runner.invoke(_cli(), ["service", "token", "create", "--tokens", tokens, *args])
    assert made.exit_code == 0, made.output
    token = made.stdout.strip().splitlines()[-1]
    token_id = re.search(r"token ([0-9a-f]{12})", made.stdout)
    assert token_id
    return token_id.group(1), token


@pytest.mark.parametrize("kind", ["tokens.json", "sqlite"])
def test_tokens_made_listed_revoked_and_hashed_at_rest(tmp_path: Path, kind: str) -> None:
    location = (
        str(tmp_path / "tokens.json") if kind == "tokens.json" else f"sqlite://{tmp_path}/t.sqlite"
    )
    settings = make_settings(tmp_path, tokens=location)
    client = TestClient(create_app(settings), raise_server_exceptions=False)
    token_id, token = _create(location, "--name", "张三", "--role", "operator", "--jurisdiction", J)
    assert token.startswith("rck_" + token_id)
    at_rest = (tmp_path / ("tokens.json" if kind == "tokens.json" else "t.sqlite")).read_bytes()
    assert token.encode() not in at_rest
    assert hashlib.sha256(token.encode()).hexdigest().encode() in at_rest
    if kind == "tokens.json":
        assert stat.S_IMODE((tmp_path / "tokens.json").stat().st_mode) == 0o600

    listed = runner.invoke(
        _cli(), ["service", "token", "list", "--tokens", location, "--format", "json"]
    )
    assert listed.exit_code == 0, listed.output
    [record] = json.loads(listed.stdout)
    assert record["id"] == token_id and record["role"] == "operator" and record["name"] == "张三"
    assert "sha256" not in record and token not in listed.stdout

    bearer = {"Authorization": f"Bearer {token}"}
    assert client.get(f"/j/{J}/registries", headers=bearer).status_code == 200
    revoked = runner.invoke(_cli(), ["service", "token", "revoke", "--tokens", location, token_id])
    assert revoked.exit_code == 0, revoked.output
    refused = client.get(f"/j/{J}/registries", headers=bearer)
    assert refused.status_code == 401 and "revoked" in refused.json()["detail"]
    # a public endpoint with a credential that is not valid: 401 too, never taken as public
    assert client.get(f"/j/{J}/ledger/head", headers=bearer).status_code == 401
    assert client.get(f"/j/{J}/ledger/head").status_code == 200


def test_a_token_that_was_never_made_or_is_expired_is_refused(service: Service) -> None:
    good = service.token("op", "operator")
    forged = good[:-4] + ("AAAA" if not good.endswith("AAAA") else "BBBB")
    for bad in (forged, "rck_000000000000_" + "x" * 43, "nonsense", "a.b.c"):
        refused = service.call("GET", "/registries", {"Authorization": f"Bearer {bad}"})
        assert refused.status_code == 401, bad
        assert refused.headers["content-type"] == "application/problem+json"
    past = dt.datetime(2020, 1, 1, tzinfo=dt.timezone.utc)
    _, expired = service.tokens.create("old", "operator", [J], expires_at=past)
    assert (
        service.call("GET", "/registries", {"Authorization": f"Bearer {expired}"}).status_code
        == 401
    )


def test_bad_token_requests_are_refused_with_a_message(tmp_path: Path) -> None:
    location = str(tmp_path / "tokens.json")
    for args, message in (
        (["--name", "x", "--role", "public", "--jurisdiction", J], "role"),
        (["--name", "x", "--role", "operator", "--jurisdiction", "../etc"], "jurisdiction"),
        (["--name", "x", "--role", "operator", "--jurisdiction", J, "--expires", "soon"], "ISO"),
    ):
        made = runner.invoke(_cli(), ["service", "token", "create", "--tokens", location, *args])
        assert made.exit_code == 2, made.output
        assert message in made.output
    assert open_tokens(location).records() == []
    with pytest.raises(Exception, match="cannot keep tokens"):
        open_tokens("tokens.txt")
    assert isinstance(open_tokens(f"sqlite://{tmp_path}/x.sqlite"), SqliteTokenStore)
    assert isinstance(open_tokens(location), FileTokenStore)


# --- JWT -----------------------------------------------------------------------------------

ISSUER = "https://sso.example.gov.cn"
AUDIENCE = "randcheck"


def _pem(key: Any) -> bytes:
    return key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )


@pytest.fixture(scope="module")
def keys() -> dict[str, Any]:
    return {
        "rsa": rsa.generate_private_key(public_exponent=65537, key_size=2048),
        "ec": ec.generate_private_key(ec.SECP256R1()),
        "other": rsa.generate_private_key(public_exponent=65537, key_size=2048),
    }


@pytest.fixture
def sso(tmp_path: Path, keys: dict[str, Any]) -> TestClient:
    (tmp_path / "rsa.pem").write_bytes(_pem(keys["rsa"]))
    (tmp_path / "ec.pem").write_bytes(_pem(keys["ec"]))
    settings = make_settings(
        tmp_path,
        jwt={
            "issuer": ISSUER,
            "audience": AUDIENCE,
            "keys": [str(tmp_path / "rsa.pem"), str(tmp_path / "ec.pem")],
        },
    )
    return TestClient(create_app(settings), raise_server_exceptions=False)


def _claims(**changes: Any) -> dict[str, Any]:
    now = dt.datetime.now(dt.timezone.utc)
    claims: dict[str, Any] = {
        "iss": ISSUER,
        "aud": AUDIENCE,
        "sub": "李四",
        "exp": now + dt.timedelta(minutes=5),
        "role": "operator",
        "jurisdictions": [J],
    }
    claims.update(changes)
    return {k: v for k, v in claims.items() if v is not None}


def _get(client: TestClient, token: str, path: str = "/registries") -> Any:
    return client.get(f"/j/{J}{path}", headers={"Authorization": f"Bearer {token}"})


def test_a_good_jwt_signs_in(sso: TestClient, keys: dict[str, Any]) -> None:
    assert _get(sso, jwt.encode(_claims(), keys["rsa"], algorithm="RS256")).status_code == 200
    assert _get(sso, jwt.encode(_claims(), keys["ec"], algorithm="ES256")).status_code == 200
    every = jwt.encode(_claims(jurisdictions="*"), keys["rsa"], algorithm="RS256")
    assert _get(sso, every).status_code == 200
    inspector = jwt.encode(_claims(role="inspector"), keys["rsa"], algorithm="RS256")
    assert _get(sso, inspector).status_code == 403
    elsewhere = jwt.encode(_claims(jurisdictions=["410726"]), keys["rsa"], algorithm="RS256")
    assert _get(sso, elsewhere).status_code == 403


@pytest.mark.parametrize(
    ("claims", "key", "algorithm", "message"),
    [
        ({"exp": dt.datetime(2020, 1, 1, tzinfo=dt.timezone.utc)}, "rsa", "RS256", "expired"),
        ({"aud": "another-service"}, "rsa", "RS256", "not meant for this service"),
        ({"iss": "https://evil.example"}, "rsa", "RS256", "not issued by"),
        ({}, "other", "RS256", "does not verify"),
        ({"exp": None}, "rsa", "RS256", "'exp'"),
        ({"sub": None}, "rsa", "RS256", "'sub'"),
        ({"role": None}, "rsa", "RS256", "'role' claim"),
        ({"role": "public"}, "rsa", "RS256", "'role' claim"),
        ({"jurisdictions": None}, "rsa", "RS256", "'jurisdictions' claim"),
        ({"jurisdictions": ["../x"]}, "rsa", "RS256", "'jurisdictions' claim"),
    ],
)
def test_a_bad_jwt_is_refused(
    sso: TestClient,
    keys: dict[str, Any],
    claims: dict[str, Any],
    key: str,
    algorithm: str,
    message: str,
) -> None:
    refused = _get(sso, jwt.encode(_claims(**claims), keys[key], algorithm=algorithm))
    assert refused.status_code == 401, refused.text
    assert message in refused.json()["detail"]
    assert refused.headers["WWW-Authenticate"].startswith("Bearer")


def test_a_jwt_signed_with_a_shared_secret_or_none_is_refused(sso: TestClient) -> None:
    hs = jwt.encode(_claims(), "a shared secret that is long enough", algorithm="HS256")
    assert "not an algorithm" in _get(sso, hs).json()["detail"]
    unsigned = jwt.encode(_claims(), None, algorithm="none")  # type: ignore[arg-type]
    assert _get(sso, unsigned).status_code == 401


def test_without_jwt_settings_only_api_tokens_sign_in(
    service: Service, keys: dict[str, Any]
) -> None:
    token = jwt.encode(_claims(), keys["rsa"], algorithm="RS256")
    refused = service.call("GET", "/registries", {"Authorization": f"Bearer {token}"})
    assert refused.status_code == 401 and "API tokens only" in refused.json()["detail"]


def test_a_checked_token_is_kept_a_bounded_time(tmp_path: Path) -> None:
    """A worker keeps a token's check while the token store is unchanged: no reading of
    the store per request. A revocation changes the store and is seen at once; were the
    change not seen, the check is still made again after TOKEN_RECHECK seconds."""
    from fastapi.security import HTTPAuthorizationCredentials

    from randcheck.service.auth import TOKEN_RECHECK, Authenticator

    store = FileTokenStore(tmp_path / "tokens.json")
    record, token = store.create("张三", "operator", [J])
    now = [1000.0]
    reads = []
    find = store.find

    def counted(given: str) -> Any:
        reads.append(given)
        return find(given)

    store.find = counted  # type: ignore[method-assign]
    auth = Authenticator(store, None, clock=lambda: now[0])
    bearer = HTTPAuthorizationCredentials(scheme="Bearer", credentials=token)
    assert auth.known(bearer) is None  # never checked: the store is read (in a thread)
    assert auth.principal(bearer).name == "张三" and len(reads) == 1
    for _ in range(5):
        who = auth.known(bearer)
        assert who is not None and who.via == f"token:{record.id}"
    assert len(reads) == 1
    store.revoke(record.id)
    assert auth.known(bearer) is None  # the store changed: read again, and refused
    with pytest.raises(Exception, match="revoked"):
        auth.principal(bearer)

    # a store whose change could not be seen (same version): refused within the bound
    _, other = store.create("李四", "auditor", [J])
    bearer = HTTPAuthorizationCredentials(scheme="Bearer", credentials=other)
    auth.principal(bearer)
    frozen = store.version()
    store.version = lambda: frozen  # type: ignore[method-assign]
    [listed] = [r for r in store.records() if r.name == "李四"]
    store.revoke(listed.id)
    store._cache = None
    now[0] += TOKEN_RECHECK - 1
    assert auth.known(bearer) is not None  # within the bound: the kept check holds
    now[0] += 2
    assert auth.known(bearer) is None
    with pytest.raises(Exception, match="revoked"):
        auth.principal(bearer)
