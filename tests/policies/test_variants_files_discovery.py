"""Scenario variants, JSON/YAML files, discovery and third-party plugins."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from randcheck.errors import PolicyError
from randcheck.models import EntityClass
from randcheck.policies import (
    QuarterlyShare,
    dump_policy,
    get_policy,
    load_policy,
    refresh_plugins,
    save_policy,
)

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "randcheck-policy-example"


def test_with_changes_makes_a_new_policy_and_records_the_change() -> None:
    huojia = get_policy("huojia")
    key20 = huojia.with_changes(
        {"key.quarterly_share": {"min_fraction": 0.20}}, reason="scenario", name="key_20"
    )
    assert key20.id == "huojia.key_20" and key20.version == "2023.2+key_20"
    assert key20.variant_of == "huojia"
    assert key20.rule("key.quarterly_share").min_fraction == 0.20  # type: ignore[union-attr]
    assert huojia.rule("key.quarterly_share").min_fraction == 0.25  # type: ignore[union-attr]
    (change,) = key20.changes
    assert (change.rule, change.field, change.old, change.new) == (
        "key.quarterly_share",
        "min_fraction",
        0.25,
        0.20,
    )
    assert key20.changed("key.quarterly_share") and not key20.changed("key.coverage")
    assert key20.rule("key.quarterly_share").citation == huojia.rule("key.quarterly_share").citation


def test_unnamed_variants_get_a_version_from_their_changes() -> None:
    a = get_policy("benxi").with_changes({"team.size": {"min_size": 3}}, reason="r")
    b = get_policy("benxi").with_changes({"team.size": {"min_size": 3}}, reason="r")
    assert a.version == b.version and a.version.startswith("2025.2+variant-")


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"nope": {"x": 1}}, "no rule 'nope'"),
        ({"team.size": {"colour": 1}}, "has no field 'colour'"),
        ({"team.size": {"citation": None}}, "may not change"),
        ({"team.size": {"min_size": 0}}, "not a valid policy"),
        ({}, "at least one change"),
    ],
)
def test_bad_changes_are_refused(changes: dict[str, dict[str, object]], message: str) -> None:
    with pytest.raises(PolicyError, match=message):
        get_policy("benxi").with_changes(changes, reason="r")


def test_adding_and_removing_rules() -> None:
    benxi = get_policy("benxi")
    rule = QuarterlyShare(
        id="special.quarterly_share",
        title="scenario",
        entity_class=EntityClass.SPECIAL,
        min_fraction=0.5,
        citation=benxi.rule("special.no_minimum").citation,
    )
    varied = benxi.with_changes(remove=["special.no_minimum"], add=[rule], reason="r", name="s50")
    assert "special.no_minimum" not in [r.id for r in varied.rules]
    assert varied.rule("special.quarterly_share") == rule
    assert [c.new for c in varied.changes] == ["removed", "added"]


@pytest.mark.parametrize("suffix", [".json", ".yaml"])
@pytest.mark.parametrize("policy_id", ["suixian", "benxi", "xiping.each_special_quarterly"])
def test_policies_round_trip_through_files(tmp_path: Path, suffix: str, policy_id: str) -> None:
    policy = get_policy(policy_id)
    save_policy(policy, tmp_path / f"p{suffix}")
    assert load_policy(tmp_path / f"p{suffix}") == policy


def test_a_variant_file_without_python(tmp_path: Path) -> None:
    path = tmp_path / "key20.yaml"
    path.write_text(
        "variant_of: huojia\nname: key_20\nreason: what if 20 %?\n"
        "changes:\n  key.quarterly_share: {min_fraction: 0.20}\n",
        encoding="utf-8",
    )
    policy = load_policy(path)
    assert policy.rule("key.quarterly_share").min_fraction == 0.2  # type: ignore[union-attr]
    assert policy.changes[0].reason == "what if 20 %?"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (
            "variant_of: huojia\nname: x\nreason: r\n"
            "changes: {key.quarterly_share: {min_fraction: 2}}\n",
            "min_fraction",
        ),
        ("variant_of: nowhere\nname: x\nreason: r\n", "unknown policy"),
        ("variant_of: huojia\nreason: r\n", "field name"),
        ("id: x\nrules: [{kind: team, id: t}]\n", "field"),
        ("[1, 2", "not valid YAML"),
    ],
)
def test_malformed_files_name_the_field(tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(PolicyError, match=message) as caught:
        load_policy(path)
    assert caught.value.where == str(path)


def test_json_export_has_a_citation_on_every_rule() -> None:
    data = json.loads(dump_policy(get_policy("qingdao_west_coast")))
    assert all(rule["citation"]["clause"] for rule in data["rules"])


def test_unknown_policy_lists_the_known_ids() -> None:
    with pytest.raises(PolicyError) as caught:
        get_policy("shanghai")
    assert caught.value.hint is not None
    for known in ("suixian", "xiping", "huojia", "qingdao_west_coast", "benxi"):
        assert known in caught.value.hint


def test_the_example_plugin_installs_and_is_discovered(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "site"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "--quiet",
            "--no-deps",
            "--no-build-isolation",
            "--target",
            str(target),
            str(EXAMPLE),
        ],
        check=True,
    )
    monkeypatch.syspath_prepend(str(target))
    refresh_plugins()
    try:
        policy = get_policy("example_county")
        assert policy.rule("key.quarterly_share").min_fraction == 0.30  # type: ignore[union-attr]
        assert policy.rule("disclosure.deadline") == get_policy("huojia").rule(
            "disclosure.deadline"
        )
    finally:
        monkeypatch.undo()
        refresh_plugins()
    with pytest.raises(PolicyError):
        get_policy("example_county")
