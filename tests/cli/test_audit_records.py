"""``randcheck audit --records``: an outside auditor judges a bureau's published
disclosure table (获嘉 第二十条–第二十一条) with the registry's class counts, writing
nothing; what the table cannot show comes out NOT_ENOUGH_DATA, naming the evidence."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from randcheck.cli import app
from randcheck.io import write_registry
from randcheck.models import EntityClass
from randcheck.synth import generate_registry
from tests.imports.helpers import write_csv

runner = CliRunner()

HEADERS = "企业名称 统一社会信用代码 检查日期 检查事项 检查结果 违法事实 查处结果 公开日期".split()


@pytest.fixture
def registry(tmp_path: Path) -> Any:
    return generate_registry(40, 6, seed="audit-records")


def _keys(registry: Any, n: int) -> list[str]:
    return [e.uscc for e in registry.entities() if e.entity_class is EntityClass.KEY][:n]


def _table(folder: Path, usccs: list[str], published: list[str]) -> Path:
    """Each entity inspected on 2025-07-21 (a Monday), published on the day given;
    获嘉 第二十条 allows 20 working days: to 2025-08-18."""
    rows = [
        [f"企业{i}", uscc, "2025-07-21", "污染源日常监管", "未发现问题", "无", "无", day]
        for i, (uscc, day) in enumerate(zip(usccs, published))
    ]
    return write_csv(folder / "公开表.csv", HEADERS, rows)


def _audit(*args: str) -> Any:
    base = ["audit", "--policy", "huojia", "--year", "2025", "--quarter", "3"]
    return runner.invoke(app, [*base, "--as-of", "2025-12-31", "--format", "json", *args])


def _rules(result: Any) -> dict[str, dict[str, Any]]:
    assert result.exit_code in (0, 1), result.output
    return {r["rule"]: r for r in json.loads(result.stdout)["rules"]}


def test_a_published_table_and_class_counts_judge_the_deadline_and_name_what_is_missing(
    tmp_path: Path, registry: Any
) -> None:
    usccs = _keys(registry, 2)
    table = _table(tmp_path, usccs, ["2025-08-18", "2025-08-19"])
    before = sorted(p.name for p in tmp_path.iterdir())
    rules = _rules(_audit("--records", str(table), "--class-counts", "KEY=8"))
    assert rules["disclosure.deadline"]["status"] == "FAIL"
    # a published table names no task: the entity and the day inspected name it
    assert rules["disclosure.deadline"]["subjects"] == [f"{usccs[1]}-20250721"]
    # 2 of 8 key entities = 25 %: 第十四条 met, counted from the table and the counts given
    assert rules["key.quarterly_share"]["status"] == "NOT_ENOUGH_DATA"  # no class column
    for rule, evidence in (("draw.random", "DRAWS"), ("team.replacement", "REPLACEMENTS")):
        assert rules[rule]["status"] == "NOT_ENOUGH_DATA"
        assert evidence in rules[rule]["note"]
    assert sorted(p.name for p in tmp_path.iterdir()) == before, "an audit wrote a file"


def test_classes_come_from_the_registry_when_the_table_has_none(
    tmp_path: Path, registry: Any
) -> None:
    write_registry(registry, tmp_path / "registry.csv")
    keys = registry.snapshot_payload()["class_counts"]["KEY"]  # operating key entities
    usccs = _keys(registry, 2)
    table = _table(tmp_path, usccs, ["2025-08-01", "2025-08-01"])
    rules = _rules(_audit("--records", str(table), "--registry", str(tmp_path / "registry.csv")))
    share = rules["key.quarterly_share"]
    assert share["status"] == ("PASS" if 2 / keys >= 0.25 else "FAIL")
    assert f"2/{keys}" in share["measured"]
    # with counts given, they are the base; the registry still classes the entities
    given = _rules(
        _audit(
            "--records",
            str(table),
            "--registry",
            str(tmp_path / "registry.csv"),
            "--class-counts",
            "KEY=8",
        )
    )
    assert given["key.quarterly_share"]["status"] == "PASS"
    assert "2/8" in given["key.quarterly_share"]["measured"]
    assert rules["disclosure.deadline"]["status"] == "PASS"


def test_the_counts_given_are_not_taken_for_the_bureau_s_own_snapshot(
    tmp_path: Path, registry: Any
) -> None:
    """青岛 三(一): the pool is updated by a date; counts an auditor types are not that."""
    table = _table(tmp_path, _keys(registry, 1), ["2025-08-01"])
    result = runner.invoke(
        app,
        ["audit", "--policy", "qingdao_west_coast", "--year", "2025", "--as-of", "2025-12-31",
         "--format", "json", "--records", str(table), "--class-counts", "KEY=4"],
    )  # fmt: skip
    rules = _rules(result)
    assert rules["pool.entities_update"]["status"] == "NOT_ENOUGH_DATA"
    assert "SNAPSHOTS" in rules["pool.entities_update"]["note"]


def test_the_same_records_give_the_same_head(tmp_path: Path, registry: Any) -> None:
    table = _table(tmp_path, _keys(registry, 1), ["2025-08-01"])
    heads = {json.loads(_audit("--records", str(table)).stdout)["ledger_head"]["hash"]
             for _ in range(2)}  # fmt: skip
    assert len(heads) == 1


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ([], "--ledger or --records"),
        (["--ledger", "x.sqlite", "--records", "t.csv"], "--ledger or --records"),
        (["--ledger", "x.sqlite", "--class-counts", "KEY=1"], "goes with --records"),
        (["--ledger", "x.sqlite", "--mapping", "disclosure-table"], "goes with --records"),
        (["--records", "t.csv", "--class-counts", "KEY"], "expected CLASS=N"),
        (["--records", "t.csv", "--class-counts", "KEY=-1"], "expected CLASS=N"),
        (["--records", "t.csv", "--class-counts", "VIP=3"], "expected CLASS=N"),
        (["--records", "t.csv", "--class-counts", "KEY=1", "--class-counts", "重点=2"], "twice"),
        (["--records", "missing.csv"], "does not exist"),
    ],
)
def test_wrong_sources_are_refused_plainly(
    args: list[str], message: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "t.csv").write_text(",".join(HEADERS) + "\n", encoding="utf-8")
    result = _audit(*args)
    assert result.exit_code == 2, result.output
    assert message in result.stderr
    assert "Traceback" not in result.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["t.csv"]


def test_ledger_commands_take_a_store_url(tmp_path: Path, registry: Any) -> None:
    """import, record, show, verify and audit name a chain in a store by URL as they name
    a file (sqlite:///folder?chain=… is the folder's <chain>.sqlite)."""
    table = _table(tmp_path, _keys(registry, 1), ["2025-08-01"])
    store = tmp_path / "store"
    store.mkdir()
    url = f"sqlite://{store}?chain=410724"
    imported = runner.invoke(app, ["ledger", "import", str(table), "--ledger", url])
    assert imported.exit_code == 0, imported.output
    payload = tmp_path / "exception.json"
    reason = {"rule_id": "draw.random", "subjects": ["2025Q3"], "reason": "公开表无抽取批次"}
    payload.write_text(json.dumps(reason, ensure_ascii=False), encoding="utf-8")
    recorded = runner.invoke(
        app,
        ["record", "EXCEPTION_RECORDED", "--ledger", url, "--actor", "执法大队",
         "--json", str(payload), "--subject", "exceptions"],
    )  # fmt: skip
    assert recorded.exit_code == 0, recorded.output
    assert (store / "410724.sqlite").exists()
    assert runner.invoke(app, ["ledger", "verify", url]).exit_code == 0
    shown = runner.invoke(app, ["ledger", "show", url, "--format", "json"])
    assert shown.exit_code == 0 and "EXCEPTION_RECORDED" in shown.stdout
    rules = _rules(_audit("--ledger", url))
    assert rules["disclosure.deadline"]["status"] == "PASS"
