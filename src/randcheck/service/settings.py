"""The service's settings: where the ledgers and files are, who may sign in, the limits.

Read from a TOML or YAML file (``randcheck serve --config FILE``) and then from the
environment, which wins: ``RANDCHECK_SERVICE_<FIELD>`` for a top-level field
(``RANDCHECK_SERVICE_STORE``), ``RANDCHECK_SERVICE_<SECTION>__<FIELD>`` for one in a
section (``RANDCHECK_SERVICE_JWT__ISSUER``); a list is given as JSON
(``RANDCHECK_SERVICE_JURISDICTIONS='["410724","410726"]'``). Bad settings stop the
service at start, naming the field, never halfway through a request.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from randcheck.errors import InputError

ENV_PREFIX = "RANDCHECK_SERVICE_"
CONFIG_ENV = "RANDCHECK_SERVICE_CONFIG"
"""The config file, for worker processes started by uvicorn (they cannot take arguments)."""

JURISDICTION = r"^[A-Za-z0-9][A-Za-z0-9_-]{0,39}$"
"""A jurisdiction's name in paths and file names: a division code (410724) or a short name."""
MiB = 1024 * 1024


class JwtSettings(BaseModel):
    """JSON Web Tokens from a platform's own single sign-on, verified against its keys."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    issuer: str = Field(min_length=1, description="the `iss` every token must carry")
    audience: str = Field(min_length=1, description="the `aud` every token must carry")
    keys: list[Path] = Field(
        min_length=1,
        description="PEM files of the issuer's public keys (RSA, EC or Ed25519); a token "
        "signed by any of them is accepted",
    )
    algorithms: list[str] = Field(
        default=["RS256", "ES256", "EdDSA"],
        min_length=1,
        description="signature algorithms accepted (never `none`, never HS*: the keys are public)",
    )
    role_claim: str = Field("role", min_length=1)
    jurisdictions_claim: str = Field("jurisdictions", min_length=1)
    leeway_seconds: int = Field(30, ge=0, le=600, description="clock skew allowed on exp/nbf")

    @field_validator("algorithms")
    @classmethod
    def _asymmetric(cls, value: list[str]) -> list[str]:
        allowed = {"RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384"}
        allowed |= {"ES512", "EdDSA"}
        bad = [a for a in value if a not in allowed]
        if bad:
            raise ValueError(
                f"{bad}: only public-key algorithms are accepted ({', '.join(sorted(allowed))})"
            )
        return value


class Limits(BaseModel):
    """What one request may carry; more is refused (413 or 422) before any work is done."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    max_body_bytes: int = Field(1 * MiB, ge=1024, description="a JSON request body")
    max_upload_bytes: int = Field(
        64 * MiB, ge=1024, description="a registry upload (XLSX, CSV or JSON, all files)"
    )
    max_events_page: int = Field(1000, ge=1, le=100_000, description="ledger events per page")


class Settings(BaseModel):
    """Everything the service needs to start (see docs/service.md, Configuration)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    store: str = Field(
        min_length=1,
        description="where the ledgers are: a folder (one SQLite ledger per jurisdiction), "
        "sqlite:///FOLDER, jsonl:///FOLDER or postgresql://…",
    )
    data_dir: Path | None = Field(
        None,
        description="where the draws' files are kept (registries, announcements, secrets, "
        "receipts); default: FOLDER/files for a folder store",
    )
    tokens: str | None = Field(
        None,
        description="the API tokens: a .json file or sqlite:///FILE (a table); "
        "default: DATA_DIR/tokens.json",
    )
    jurisdictions: list[str] | None = Field(
        None, description="the jurisdictions served; None: any (tokens still say whose)"
    )
    jwt: JwtSettings | None = None
    limits: Limits = Limits()

    @field_validator("jurisdictions")
    @classmethod
    def _names(cls, value: list[str] | None) -> list[str] | None:
        for name in value or []:
            if not re.fullmatch(JURISDICTION, name):
                raise ValueError(f"{name!r} is not a jurisdiction name ({JURISDICTION})")
        return value

    @property
    def files(self) -> Path:
        """The folder of the draws' files."""
        if self.data_dir is not None:
            return self.data_dir
        folder = store_folder(self.store)
        if folder is None:
            raise InputError(
                f"the store {redact(self.store)} is not a folder: say where the draws' files go",
                where="data_dir",
                hint="set data_dir in the config file (or RANDCHECK_SERVICE_DATA_DIR)",
            )
        return folder / "files"

    @property
    def token_store(self) -> str:
        return self.tokens or str(self.files / "tokens.json")


def store_folder(store: str) -> Path | None:
    """The folder a folder store names (a path, sqlite:///… or jsonl:///…); None otherwise."""
    for scheme in ("sqlite://", "jsonl://"):
        if store.startswith(scheme):
            return Path(store[len(scheme) :])
    if "://" in store:
        return None
    return Path(store)


def redact(url: str) -> str:
    """A store URL without its password, for messages."""
    return re.sub(r"(://[^:/@]*:)[^@]*@", r"\1***@", url)


def _read_file(path: Path) -> dict[str, Any]:
    from randcheck.io.safe import parse_yaml, read_text

    text = read_text(path, "config file", 1 * MiB)
    suffix = path.suffix.lower()
    if suffix == ".toml":
        import tomllib

        try:
            data: Any = tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            raise InputError(f"not valid TOML: {exc}", where=str(path)) from None
    elif suffix in (".yaml", ".yml"):
        data = parse_yaml(text, str(path)) or {}
    else:
        raise InputError(
            f"cannot read a {suffix or 'file without an extension'} config",
            where=str(path),
            hint="give a .toml, .yaml or .yml file",
        )
    if not isinstance(data, dict):
        raise InputError("a config file holds a table of settings", where=str(path))
    # relative paths in the file are relative to the file, not to where the service starts
    base = path.resolve().parent
    for key in ("store", "data_dir", "tokens"):
        value = data.get(key)
        if isinstance(value, str) and "://" not in value and not Path(value).is_absolute():
            data[key] = str(base / value)
    jwt = data.get("jwt")
    if isinstance(jwt, dict) and isinstance(jwt.get("keys"), list):
        jwt["keys"] = [
            str(base / k) if isinstance(k, str) and not Path(k).is_absolute() else k
            for k in jwt["keys"]
        ]
    return data


def _from_env(environ: Mapping[str, str]) -> dict[str, Any]:
    import json

    data: dict[str, Any] = {}
    for name, raw in environ.items():
        if not name.startswith(ENV_PREFIX) or name == CONFIG_ENV:
            continue
        path = name[len(ENV_PREFIX) :].lower().split("__")
        value: Any = raw
        if raw[:1] in "[{":
            try:
                value = json.loads(raw)
            except ValueError:
                raise InputError(f"{name}: not valid JSON", hint="give a list as JSON") from None
        node = data
        for part in path[:-1]:
            node = node.setdefault(part, {})
            if not isinstance(node, dict):
                raise InputError(f"{name}: {part} is not a section")
        node[path[-1]] = value
    return data


def _merge(base: dict[str, Any], over: dict[str, Any]) -> dict[str, Any]:
    out = dict(base)
    for key, value in over.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = _merge(out[key], value)
        else:
            out[key] = value
    return out


def load_settings(
    config: Path | str | None = None,
    *,
    environ: Mapping[str, str] | None = None,
    **overrides: Any,
) -> Settings:
    """The settings from ``config`` (TOML or YAML), then the environment, then ``overrides``
    (the command line's options); an :class:`InputError` naming the field otherwise."""
    environ = os.environ if environ is None else environ
    if config is None and environ.get(CONFIG_ENV):
        config = environ[CONFIG_ENV]
    data = _read_file(Path(config)) if config is not None else {}
    data = _merge(data, _from_env(environ))
    data = _merge(data, {k: v for k, v in overrides.items() if v is not None})
    try:
        return Settings.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        field = ".".join(str(p) for p in first["loc"]) or "(settings)"
        raise InputError(
            f"setting {field}: {first['msg']}",
            where=str(config) if config else "the environment",
            hint="see docs/service.md, Configuration",
        ) from None
