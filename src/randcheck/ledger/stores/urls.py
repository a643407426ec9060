"""Ledger and store addresses: a file path, or a URL naming the store and the chain.

A **store** holds one hash chain per jurisdiction (one ledger each):

- ``sqlite:///srv/ledgers`` — a folder of SQLite files, ``<jurisdiction>.sqlite``;
- ``jsonl:///srv/ledgers`` — a folder of JSON Lines files, ``<jurisdiction>.jsonl``;
- ``postgresql://user@host:5432/db`` — a PostgreSQL database (``postgres://`` too):
  every chain in one events table. ``?schema=name`` puts the tables in that schema
  (default: the connection's search path, normally ``public``); every other query
  parameter (``sslmode``, ``connect_timeout``, ``application_name`` …) goes to libpq.

A **ledger** (one chain) is a plain file path as ever (``2025.sqlite``,
``2025.jsonl``), a file URL (``sqlite:///srv/2025.sqlite``), or a store URL with
``?chain=<jurisdiction>`` (``postgresql://host/db?chain=410724``,
``sqlite:///srv/ledgers?chain=410724`` is ``/srv/ledgers/410724.sqlite``).

The path of a file URL is read as RFC 8089 reads ``file:`` URLs: what follows
``sqlite://`` is an (empty) host, then the path, so ``sqlite:///srv/x.sqlite`` is
``/srv/x.sqlite``; a relative path is written without the slashes,
``sqlite:ledgers/2025.sqlite``. Characters a URL cannot hold are percent-encoded.

A password in a URL is never shown: messages name the URL with it replaced by ``***``.
"""

from __future__ import annotations

import re
import urllib.parse
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from randcheck.errors import LedgerError

SQLITE_SUFFIXES = (".sqlite", ".sqlite3", ".db")
JSONL_SUFFIXES = (".jsonl",)
SCHEMES = ("sqlite", "jsonl", "postgresql", "postgres")
JURISDICTION = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,63}")
"""A chain's name: a division code (``410724``) or a policy id (``qingdao_west_coast``);
it is a file name in a folder store, so no dot, slash or space."""
SCHEMA = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,62}")

Kind = Literal["sqlite", "jsonl", "postgresql"]

_URL_FORMS = (
    "sqlite:///folder, jsonl:///folder, postgresql://user@host:5432/database; a ledger "
    "adds ?chain=<jurisdiction>, or is a file: 2025.sqlite, sqlite:///srv/2025.sqlite"
)


@dataclass(frozen=True)
class Address:
    """Where a store or a ledger is: what :func:`parse_url` read from a URL.

    ``path``: the file or folder (SQLite, JSON Lines). ``conninfo``: the URL given to
    libpq (PostgreSQL), without randcheck's own parameters. ``chain``: the
    jurisdiction named by ``?chain=``. ``shown``: the URL for messages, password hidden.
    """

    kind: Kind
    shown: str
    path: Path | None = None
    conninfo: str | None = None
    schema: str | None = None
    chain: str | None = None

    @property
    def is_file(self) -> bool:
        """A single ledger file (not a folder of them, not a database)."""
        return self.path is not None and self.path.suffix.lower() in suffixes(self.kind)

    def with_chain(self, chain: str) -> Address:
        """The ledger of ``chain`` in this store."""
        chain = check_jurisdiction(chain, where=self.shown)
        separator = "&" if "?" in self.shown else "?"
        return Address(
            self.kind,
            f"{self.shown}{separator}chain={urllib.parse.quote(chain)}",
            self.path,
            self.conninfo,
            self.schema,
            chain,
        )

    def ledger_file(self) -> Path:
        """The file of this ledger (a file URL, or a folder URL with its chain)."""
        assert self.path is not None
        if self.is_file:
            return self.path
        if self.chain is None:
            raise LedgerError(
                "this URL names a folder of ledgers (a store), not one ledger",
                where=self.shown,
                hint=f"name the jurisdiction: {self.shown}?chain=<jurisdiction>, or give a "
                "ledger file",
            )
        return self.path / f"{self.chain}{suffixes(self.kind)[0]}"


def suffixes(kind: Kind) -> tuple[str, ...]:
    return SQLITE_SUFFIXES if kind == "sqlite" else JSONL_SUFFIXES if kind == "jsonl" else ()


def is_url(text: object) -> bool:
    """Whether ``text`` is meant as a URL: a text starting with a scheme randcheck knows
    (``sqlite:``), or with any ``scheme://`` (refused by :func:`parse_url`, naming the
    stores there are). A :class:`~pathlib.Path` is always a file path."""
    if not isinstance(text, str):
        return False
    scheme, colon, rest = text.partition(":")
    if not colon:
        return False
    return scheme.lower() in SCHEMES or (
        rest.startswith("//") and re.fullmatch(r"[A-Za-z][A-Za-z0-9+.-]*", scheme) is not None
    )


def check_jurisdiction(name: object, where: str | None = None) -> str:
    """``name`` as a chain's name, or a :class:`LedgerError` saying what one looks like."""
    if not isinstance(name, str) or not JURISDICTION.fullmatch(name):
        raise LedgerError(
            f"{name!r} is not a jurisdiction's chain name",
            where=where,
            hint="use letters, digits, '_' and '-' (at most 64, starting with a letter or "
            "digit): a division code such as 410724, or a policy id such as huojia",
        )
    return name


def hide_password(url: str) -> str:
    """``url`` with a password (in the user part or a ``password=`` parameter) as ``***``."""
    try:
        parts = urllib.parse.urlsplit(url)
    except ValueError:
        return re.sub(r"//([^/@:]*):[^/@]*@", r"//\1:***@", url)
    netloc = parts.netloc
    if "@" in netloc:
        user, _, host = netloc.rpartition("@")
        if ":" in user:
            netloc = f"{user.split(':', 1)[0]}:***@{host}"
    query = re.sub(r"(^|&)password=[^&]*", r"\1password=***", parts.query)
    return urllib.parse.urlunsplit((parts.scheme, netloc, parts.path, query, parts.fragment))


def parse_url(url: str) -> Address:
    """What ``url`` names (see the module docstring); a :class:`LedgerError` saying what
    is wrong with it otherwise. The PostgreSQL part is checked by libpq when it connects."""
    shown = hide_password(url)
    if "\x00" in url:
        raise LedgerError("the URL holds a NUL character", where=repr(shown))
    try:
        parts = urllib.parse.urlsplit(url)
        query = urllib.parse.parse_qsl(
            parts.query, keep_blank_values=True, strict_parsing=bool(parts.query)
        )
    except ValueError as exc:
        raise LedgerError(
            f"not a usable URL ({exc})", where=shown, hint=f"use one of: {_URL_FORMS}"
        ) from None
    scheme = parts.scheme.lower()
    if scheme not in SCHEMES:
        raise LedgerError(
            f"unknown store {parts.scheme!r}", where=shown, hint=f"use one of: {_URL_FORMS}"
        )
    if parts.fragment:
        raise LedgerError(
            f"the URL has a fragment (#{parts.fragment}), which names nothing here",
            where=shown,
            hint="name a jurisdiction's chain with ?chain=<jurisdiction>",
        )
    ours: dict[str, str] = {}
    passed: list[tuple[str, str]] = []
    for key, value in query:
        if key in ("chain", "schema"):
            if key in ours:
                raise LedgerError(f"the URL gives {key}= twice", where=shown)
            ours[key] = value
        else:
            passed.append((key, value))
    chain = ours.get("chain")
    if chain is not None:
        check_jurisdiction(chain, where=shown)
    if scheme in ("postgresql", "postgres"):
        schema = ours.get("schema")
        if schema is not None and not SCHEMA.fullmatch(schema):
            raise LedgerError(
                f"{schema!r} is not a schema name randcheck uses",
                where=shown,
                hint="letters, digits and '_', starting with a letter or '_' (at most 63)",
            )
        conninfo = urllib.parse.urlunsplit(
            (parts.scheme, parts.netloc, parts.path, urllib.parse.urlencode(passed), "")
        )
        return Address("postgresql", shown, conninfo=conninfo, schema=schema, chain=chain)
    kind: Kind = "sqlite" if scheme == "sqlite" else "jsonl"
    unknown = sorted({key for key, _ in passed} | ({"schema"} & ours.keys()))
    if unknown:
        raise LedgerError(
            f"a {scheme} URL takes no {unknown[0]}= parameter",
            where=shown,
            hint="the only parameter of a file store is ?chain=<jurisdiction>",
        )
    if parts.netloc not in ("", "localhost"):
        raise LedgerError(
            f"a {scheme} URL names no host ({parts.netloc!r})",
            where=shown,
            hint=f"an absolute path has three slashes ({scheme}:///srv/ledgers), a relative "
            f"one none ({scheme}:ledgers)",
        )
    if not parts.path:
        raise LedgerError(f"the {scheme} URL names no file or folder", where=shown)
    path = Path(urllib.parse.unquote(parts.path))
    address = Address(kind, shown, path=path, chain=chain)
    suffix = path.suffix.lower()
    other = SQLITE_SUFFIXES if kind == "jsonl" else JSONL_SUFFIXES
    if suffix in other:
        raise LedgerError(
            f"a {scheme} URL names a {suffix} file",
            where=shown,
            hint=f"use {'sqlite' if kind == 'jsonl' else 'jsonl'}: for a {suffix} file",
        )
    if address.is_file and chain is not None:
        raise LedgerError(
            "a ledger file holds one chain: ?chain= names a ledger in a folder of them",
            where=shown,
            hint=f"leave ?chain= out, or name the folder: {scheme}:///folder?chain={chain}",
        )
    return address


__all__ = [
    "JSONL_SUFFIXES",
    "SQLITE_SUFFIXES",
    "Address",
    "check_jurisdiction",
    "hide_password",
    "is_url",
    "parse_url",
]


def ledger_path(ledger: str | Path) -> Path | None:
    """The file a ledger argument names (a path, a file URL, or a folder URL with its
    chain), or None for a database: what a command checks its outputs against."""
    if isinstance(ledger, Path):
        return ledger
    if not is_url(ledger):
        return Path(ledger)
    address = parse_url(ledger)
    if address.kind == "postgresql":
        return None
    try:
        return Path(address.ledger_file())
    except (LedgerError, AttributeError, ValueError):
        return None
