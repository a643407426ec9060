"""Ledger and store addresses: file paths as ever, URLs for stores and their chains,
and a clear error (what, where, what to do) for every address that names nothing."""

from __future__ import annotations

from pathlib import Path

import pytest

from randcheck.errors import LedgerError
from randcheck.ledger.stores import (
    JsonlLedger,
    SqliteLedger,
    open_ledger,
    open_store,
    parse_url,
    read_verified,
)
from randcheck.ledger.stores.urls import hide_password, is_url
from tests.ledger.helpers import fill, make, snapshot


def test_a_path_is_a_file_and_a_url_is_a_url(tmp_path: Path) -> None:
    assert not is_url(Path("sqlite:x.sqlite")) and not is_url("2025.sqlite")
    assert is_url("sqlite:///x.sqlite") and is_url("PostgreSQL://h/db") and is_url("jsonl:x")
    assert not is_url("C:/ledgers/x.sqlite") and not is_url("notes: 2025.sqlite")
    assert is_url("https://example.org/x.sqlite")  # meant as a URL: refused, naming the stores
    with pytest.raises(LedgerError, match="unknown store 'https'"):
        open_ledger("https://example.org/x.sqlite")


@pytest.mark.parametrize(
    ("url", "kind", "path", "chain"),
    [
        ("sqlite:///srv/2025.sqlite", "sqlite", "/srv/2025.sqlite", None),
        ("sqlite://localhost/srv/2025.db", "sqlite", "/srv/2025.db", None),
        ("sqlite:ledgers/2025.sqlite", "sqlite", "ledgers/2025.sqlite", None),
        ("sqlite:///srv/ledgers?chain=410724", "sqlite", "/srv/ledgers", "410724"),
        ("jsonl:///srv/%E5%8F%B0%E8%B4%A6/x.jsonl", "jsonl", "/srv/台账/x.jsonl", None),
        ("jsonl:///srv/台账?chain=huojia", "jsonl", "/srv/台账", "huojia"),
    ],
)
def test_file_urls(url: str, kind: str, path: str, chain: str | None) -> None:
    address = parse_url(url)
    assert (address.kind, address.path, address.chain) == (kind, Path(path), chain)


def test_postgresql_urls_keep_libpq_s_parameters_and_hide_the_password() -> None:
    address = parse_url(
        "postgresql://clerk:s3cret@db.example:5433/ledgers?sslmode=require&chain=410724"
        "&schema=randcheck&application_name=svc"
    )
    assert address.kind == "postgresql"
    assert (address.chain, address.schema) == ("410724", "randcheck")
    assert address.conninfo == (
        "postgresql://clerk:s3cret@db.example:5433/ledgers?sslmode=require&application_name=svc"
    )
    assert "s3cret" not in address.shown and "clerk:***@db.example" in address.shown
    assert parse_url("postgres://h/db").kind == "postgresql"
    assert hide_password("postgresql://h/db?password=x&user=u") == (
        "postgresql://h/db?password=***&user=u"
    )
    store = parse_url("postgresql://h/db?schema=s")
    assert store.with_chain("410724").shown == "postgresql://h/db?schema=s&chain=410724"


@pytest.mark.parametrize(
    ("url", "words"),
    [
        ("mysql://h/db", "unknown store"),
        ("sqlite://server/x.sqlite", "names no host"),
        ("sqlite:///x.sqlite?chain=410724", "holds one chain"),
        ("sqlite:///x.jsonl", "names a .jsonl file"),
        ("jsonl:///x.sqlite", "names a .sqlite file"),
        ("sqlite:///srv?chain=../etc", "not a jurisdiction"),
        ("sqlite:///srv?chain=", "not a jurisdiction"),
        ("sqlite:///srv?chain=a%20b", "not a jurisdiction"),
        ("sqlite:///srv?chain=a&chain=b", "chain= twice"),
        ("sqlite:///srv?sslmode=require", "takes no sslmode"),
        ("sqlite:///srv?schema=x", "takes no schema"),
        ("sqlite:///srv#410724", "fragment"),
        ("sqlite:", "names no file or folder"),
        ("postgresql://h/db?schema=a;b", "not a schema name"),
        ("postgresql://h/db?chain=x/y", "not a jurisdiction"),
        ("postgresql://[::1/db", "not a usable URL"),
        ("sqlite:///a\x00b.sqlite", "NUL"),
    ],
)
def test_bad_urls_say_what_to_do(url: str, words: str) -> None:
    with pytest.raises(LedgerError, match=words) as caught:
        parse_url(url)
    assert caught.value.where


def test_open_ledger_takes_file_urls(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    make(tmp_path / "a.sqlite")
    with open_ledger(f"sqlite://{tmp_path}/a.sqlite", readonly=True) as ledger:
        assert isinstance(ledger, SqliteLedger) and ledger.verify().events == 6
    monkeypatch.chdir(tmp_path)  # a relative path: no slashes
    with open_ledger("sqlite:a.sqlite", readonly=True) as ledger:
        assert ledger.path == Path("a.sqlite") and ledger.verify().events == 6
    with open_ledger(f"jsonl://{tmp_path}?chain=410724") as ledger:
        assert isinstance(ledger, JsonlLedger) and ledger.path == tmp_path / "410724.jsonl"
        fill(ledger, 1)
    assert len(read_verified(f"jsonl://{tmp_path}?chain=410724")) == 3
    with pytest.raises(LedgerError, match="names a folder of ledgers"):
        open_ledger(f"sqlite://{tmp_path}")


def test_a_folder_store_holds_one_file_per_jurisdiction(tmp_path: Path) -> None:
    for kind in ("sqlite", "jsonl"):
        folder = tmp_path / kind
        folder.mkdir()
        (folder / "notes.txt").write_text("not a ledger", encoding="utf-8")
        with open_store(f"{kind}://{folder}") as store:
            assert store.jurisdictions() == []
            with store.ledger("410724") as huojia, store.ledger("qingdao_west_coast") as qd:
                fill(huojia, 2)
                fill(qd, 1)
            assert store.jurisdictions() == ["410724", "qingdao_west_coast"]
            assert (folder / f"410724.{kind}").is_file()
            before = snapshot(folder)
            with store.ledger("410724", readonly=True) as reader:
                assert reader.verify().events == 6
            assert snapshot(folder) == before  # a reader writes nothing
            with pytest.raises(LedgerError, match="does not exist"):
                store.ledger("benxi", readonly=True)
            for bad in ("../410724", "a b", "", "x.y", "台账"):
                with pytest.raises(LedgerError, match="not a jurisdiction's chain name"):
                    store.ledger(bad)


@pytest.mark.parametrize(
    ("url", "words"),
    [
        ("ledgers", "not a store URL"),
        ("sqlite:///no/such/folder", "does not exist"),
        ("sqlite:///srv/x.sqlite", "names one ledger file"),
        ("sqlite:///srv?chain=410724", "names no chain"),
        ("postgresql://h/db?chain=410724", "names no chain"),
    ],
)
def test_bad_store_urls(url: str, words: str) -> None:
    with pytest.raises(LedgerError, match=words):
        open_store(url)


def test_file_paths_work_as_before(tmp_path: Path) -> None:
    """open_ledger(path) is unchanged: a Path or a text without a store's scheme."""
    path = tmp_path / "l.jsonl"
    with open_ledger(str(path)) as ledger:
        fill(ledger, 1)
    assert len(read_verified(path)) == 3
    with pytest.raises(LedgerError, match="cannot tell the ledger format"):
        open_ledger(tmp_path / "l.txt")
