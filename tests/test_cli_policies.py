"""``randcheck policies`` and ``randcheck registry classify``."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from randcheck.cli import app
from randcheck.io import write_registry
from randcheck.registry import Registry
from tests.conftest import make_entity

runner = CliRunner()


def test_list_as_json() -> None:
    result = runner.invoke(app, ["policies", "list", "--format", "json"])
    assert result.exit_code == 0
    rows = json.loads(result.stdout)
    assert {"id", "name_zh", "effective_from"} <= set(rows[0])
    assert [r["id"] for r in rows][:5] == [
        "suixian",
        "xiping",
        "huojia",
        "qingdao_west_coast",
        "benxi",
    ]


def test_show_json_has_a_citation_on_every_rule() -> None:
    result = runner.invoke(app, ["policies", "show", "huojia", "--format", "json"])
    assert result.exit_code == 0
    rules = json.loads(result.stdout)["rules"]
    assert rules and all(r["citation"]["clause"] and r["citation"]["quote"] for r in rules)
    joint = next(r for r in rules if r["id"] == "joint.share")
    assert joint["min_fraction"] == 0.35 and "35 %" in joint["value"]


def test_show_table_prints_clause_and_quote() -> None:
    result = runner.invoke(app, ["policies", "show", "benxi"])
    assert result.exit_code == 0 and "七(五)" in result.stdout


def test_diff_of_a_policy_and_a_variant_file(tmp_path: Path) -> None:
    variant = tmp_path / "key20.yaml"
    variant.write_text(
        "variant_of: huojia\nname: key_20\nreason: scenario\n"
        "changes:\n  key.quarterly_share: {min_fraction: 0.20}\n",
        encoding="utf-8",
    )
    result = runner.invoke(app, ["policies", "diff", "huojia", str(variant), "--format", "json"])
    assert result.exit_code == 0, result.output
    (row,) = json.loads(result.stdout)["differences"]
    assert row["rule"] == "key.quarterly_share" and "25 %" in row["a"] and "20 %" in row["b"]
    other = runner.invoke(app, ["policies", "diff", "benxi", "huojia", "--format", "json"])
    kinds = {r["change"] for r in json.loads(other.stdout)["differences"]}
    assert kinds == {"changed", "only in a", "only in b"}


def test_unknown_policy_is_an_error_listing_the_known_ids() -> None:
    result = runner.invoke(app, ["policies", "show", "shanghai"])
    assert result.exit_code == 2 and "known policies" in result.stderr and "benxi" in result.stderr


def test_classify_lists_the_differences(tmp_path: Path) -> None:
    registry = Registry.from_records(
        [
            make_entity(1, entity_class="GENERAL", hazardous_waste=True),
            make_entity(4, entity_class="GENERAL"),
        ]
    )
    write_registry(registry, tmp_path / "r.csv")
    result = runner.invoke(
        app,
        ["registry", "classify", "--policy", "benxi", str(tmp_path / "r.csv"), "--format", "json"],
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["entities"] == 2
    (difference,) = data["differences"]
    assert (difference["recorded"], difference["proposed"]) == ("GENERAL", "KEY")
    assert "hazardous_waste" in difference["reason"]


def test_export_writes_the_policy_a_receipt_names_by_digest(tmp_path: Path) -> None:
    from randcheck.policies import get_policy, load_policy

    for name in ("huojia.json", "huojia.yaml"):
        out = tmp_path / name
        made = runner.invoke(app, ["policies", "export", "huojia", "-o", str(out)])
        assert made.exit_code == 0, made.output
        assert load_policy(out).digest == get_policy("huojia").digest
        assert get_policy("huojia").digest in made.stdout
    again = runner.invoke(
        app,
        ["policies", "export", str(tmp_path / "huojia.json"), "-o", str(tmp_path / "huojia.json")],
    )
    assert again.exit_code == 2
    wrong = runner.invoke(app, ["policies", "export", "huojia", "-o", str(tmp_path / "h.txt")])
    assert wrong.exit_code == 2 and not (tmp_path / "h.txt").exists()
