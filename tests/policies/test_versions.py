"""Dated versions of a policy side by side (OpenFisca's dated values, holidays'
start_year): look-up by date and by exact version, periods out of force refused,
and a receipt drawn under an older version verified after a newer one ships."""

from __future__ import annotations

import datetime as dt
import json
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from randcheck.audit import audit
from randcheck.cli import app
from randcheck.draw.receipt import reveal, seal, verify
from randcheck.draw.select import plan_draw
from randcheck.errors import PolicyError
from randcheck.periods import Quarter
from randcheck.policies import BUILTINS, get_policy, in_force_during, versions
from randcheck.policies.registry import refresh_plugins
from randcheck.synth import generate_registry

SECRET = "5e" * 32
DICE = "31415926535897932384"
REGISTRY = generate_registry(300, 20, seed="versions")


@pytest.mark.parametrize("policy_id", list(BUILTINS))
def test_a_period_before_the_policy_is_in_force_is_refused(policy_id: str) -> None:
    """As holidays returns nothing before start_year, a policy judges nothing before
    its effective date: the audit and the draw refuse, naming the date."""
    policy = get_policy(policy_id)
    first = policy.effective_from
    before = Quarter.of(first).previous()
    with pytest.raises(PolicyError, match=f"in force from {first}"):
        audit(policy, [], first.year - 1, as_of=dt.date(first.year, 3, 1))
    with pytest.raises(PolicyError, match="not in force"):
        audit(policy, [], before.year, quarter=before.quarter, as_of=first)
    with pytest.raises(PolicyError, match="not in force"):
        plan_draw(policy, REGISTRY, before, "seed")
    # the first year in force is judged (a period that overlaps it is accepted)
    assert audit(policy, [], first.year, as_of=first).rules
    assert plan_draw(policy, REGISTRY, Quarter.of(first), "seed").quotas


def test_a_policy_in_force_from_mid_quarter_judges_that_quarter() -> None:
    qingdao = get_policy("qingdao_west_coast")  # 青环西新字〔2020〕29号, from 2020-04-08
    assert qingdao.effective_from == dt.date(2020, 4, 8)
    qingdao.check_in_force(2020, 2)
    with pytest.raises(PolicyError, match="2020Q1"):
        qingdao.check_in_force(2020, 1)


def test_exact_version_and_unknown_version() -> None:
    assert get_policy("huojia", version="2023.1").version == "2023.1"
    with pytest.raises(PolicyError, match=r"no version '2019\.9' of huojia") as caught:
        get_policy("huojia", version="2019.9")
    assert "2023.1" in (caught.value.hint or "")
    with pytest.raises(PolicyError, match="not in force on 2022-06-30"):
        get_policy("huojia", version="2023.1", on=dt.date(2022, 6, 30))


def test_on_a_date_before_any_version_is_refused() -> None:
    assert get_policy("benxi", on=dt.date(2025, 1, 1)).version == "2025.2"
    with pytest.raises(PolicyError, match="no version of benxi is in force on 2024-12-31"):
        get_policy("benxi", on=dt.date(2024, 12, 31))


NEW_VERSION = textwrap.dedent(
    """
    import datetime as dt

    from randcheck.policies.jurisdictions.huojia_2023 import POLICY as OLD

    # A later document: key entities at 30 % a quarter, from 2026.
    POLICY = OLD.model_copy(
        update={
            "version": "2026.1",
            "revises": None,
            "effective_from": dt.date(2026, 1, 1),
            "rules": tuple(
                r.model_copy(update={"min_fraction": 0.30}) if r.id == "key.quarterly_share" else r
                for r in OLD.rules
            ),
        }
    )
    """
)


@pytest.fixture
def huojia_2026(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """A second huojia version, shipped beside the first, as a new document would be."""
    (tmp_path / "huojia_2026_for_tests.py").write_text(NEW_VERSION, encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setitem(BUILTINS, "huojia", (*BUILTINS["huojia"], "huojia_2026_for_tests"))
    refresh_plugins()
    yield
    monkeypatch.undo()
    refresh_plugins()


def test_versions_live_side_by_side(huojia_2026: None) -> None:
    assert [p.version for p in versions("huojia")] == ["2023.1", "2023.2", "2026.1"]
    assert get_policy("huojia").version == "2026.1"  # the newest by default
    assert get_policy("huojia", on=dt.date(2025, 9, 1)).version == "2023.2"
    assert get_policy("huojia", on=dt.date(2026, 3, 1)).version == "2026.1"
    assert in_force_during("huojia", dt.date(2025, 7, 1), dt.date(2025, 9, 30)).version == "2023.2"
    assert get_policy("huojia", version="2023.1").rule("key.quarterly_share").min_fraction == 0.25


def test_a_receipt_drawn_under_an_older_version_still_verifies(huojia_2026: None) -> None:
    old = get_policy("huojia", on=dt.date(2025, 7, 1))
    sealed, _ = seal(old, REGISTRY, Quarter(2025, 3), secret=SECRET, public_randomness=DICE)
    assert sealed["policy"] == {
        "id": "huojia",
        "version": "2023.2",
        "digest": get_policy("huojia", version="2023.2").digest,
    }
    revealed = reveal(sealed, SECRET, REGISTRY)
    report = verify(revealed, REGISTRY)
    assert report.ok, report.first_failure
    # verified against the newer version, the same receipt fails on the policy, by name
    newer = get_policy("huojia")
    wrong = verify(revealed, REGISTRY, resolve=lambda *_: newer)
    assert wrong.first_failure is not None and wrong.first_failure.name == "policy"
    assert "2026.1" in wrong.first_failure.detail


def test_the_command_line_picks_the_version_in_force(huojia_2026: None, tmp_path: Path) -> None:
    registry = tmp_path / "r.csv"
    runner = CliRunner()
    synth = ["registry", "synth", "--entities", "200", "--inspectors", "20", "--seed", "v"]
    assert runner.invoke(app, [*synth, "-o", str(registry)]).exit_code == 0
    for year, version in ((2025, "2023.2"), (2026, "2026.1")):
        out = tmp_path / f"receipt-{year}.json"
        run = runner.invoke(
            app,
            ["draw", "--policy", "huojia", "--registry", str(registry), "--year", str(year),
             "--quarter", "1", "--public-randomness", DICE, "-o", str(out)],
        )  # fmt: skip
        assert run.exit_code == 0, run.output
        assert json.loads(out.read_text("utf-8"))["policy"]["version"] == version


def test_a_resolver_verifies_against_a_policy_held_as_a_file(tmp_path: Path) -> None:
    """The service and the JavaScript verifier give verification its policy."""
    from randcheck.policies import load_policy, save_policy

    variant = get_policy("huojia").with_changes(
        {"key.quarterly_share": {"min_fraction": 0.2}}, reason="what if 20 %?", name="key_20"
    )
    save_policy(variant, tmp_path / "key_20.yaml")
    sealed, _ = seal(variant, REGISTRY, Quarter(2025, 3), secret=SECRET, public_randomness=DICE)
    with pytest.raises(PolicyError, match="unknown policy"):
        reveal(sealed, SECRET, REGISTRY)  # not installed, and no resolver given
    from_file = load_policy(tmp_path / "key_20.yaml")
    revealed = reveal(sealed, SECRET, REGISTRY, resolve=lambda *_: from_file)
    assert verify(revealed, REGISTRY, resolve=lambda *_: from_file).ok
    failed = verify(revealed, REGISTRY)
    assert failed.first_failure is not None and failed.first_failure.name == "policy"
