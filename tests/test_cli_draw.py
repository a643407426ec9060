"""``randcheck commit``, ``draw``, ``reveal``, ``replace``, ``verify`` and the demo's files."""

from __future__ import annotations

import datetime as dt
import json
import os
import stat
from pathlib import Path

import pytest
from typer.testing import CliRunner

from randcheck.cli import app
from randcheck.draw import announcement as announcement_module
from randcheck.io import write_registry
from randcheck.registry import Registry
from randcheck.synth import generate_registry

runner = CliRunner()
DICE = "27182818284590452353"
CST = dt.timezone(dt.timedelta(hours=8))
ANNOUNCED = dt.datetime(2025, 6, 25, 9, 0, tzinfo=CST)
RANDOMNESS_AT = "2025-07-01T21:15:00+08:00"
DRAWN = dt.datetime(2025, 7, 2, 9, 0, tzinfo=CST)


class Clock:
    """Stands the clock `commit` and `draw` read at a chosen moment."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.moment = ANNOUNCED
        monkeypatch.setattr(announcement_module, "now", lambda: self.moment)


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    return Clock(monkeypatch)


def _commit(tmp_path: Path, registry: Path, *extra: str, ledger: Path | None = None) -> Path:
    out = tmp_path / "announcement.json"
    made = runner.invoke(
        app,
        [
            "commit",
            "--policy",
            "benxi",
            "--registry",
            str(registry),
            "--year",
            "2025",
            "--quarter",
            "3",
            "--randomness-kind",
            "lottery",
            "--randomness-source",
            "中国福利彩票 双色球 第2025075期",
            "--randomness-at",
            RANDOMNESS_AT,
            *(["--ledger", str(ledger)] if ledger else []),
            *extra,
            "-o",
            str(out),
        ],
    )
    assert made.exit_code == 0, made.output
    return out


def _draw(tmp_path: Path, registry: Path, announcement: Path, *extra: str) -> Path:
    receipt = tmp_path / "receipt.json"
    drawn = runner.invoke(
        app,
        [
            "draw",
            "--announcement",
            str(announcement),
            "--registry",
            str(registry),
            "--public-randomness",
            DICE,
            *extra,
            "-o",
            str(receipt),
        ],
    )
    assert drawn.exit_code == 0, drawn.output
    return receipt


def _ceremony(tmp_path: Path, clock: Clock, ledger: Path | None = None) -> tuple[Path, Path]:
    registry = tmp_path / "reg.csv"
    write_registry(generate_registry(300, 20, seed="cli"), registry)
    announcement = _commit(tmp_path, registry, ledger=ledger)
    clock.moment = DRAWN
    receipt = _draw(
        tmp_path, registry, announcement, *(["--ledger", str(ledger)] if ledger else [])
    )
    published = json.loads(announcement.read_text(encoding="utf-8"))
    sealed = json.loads(receipt.read_text(encoding="utf-8"))
    assert sealed["commitment"] == published["commitment"]
    return registry, receipt


def _reveal(tmp_path: Path, registry: Path, receipt: Path) -> Path:
    shown = runner.invoke(
        app,
        [
            "reveal",
            str(receipt),
            "--secret-file",
            str(tmp_path / "announcement.secret"),
            "--registry",
            str(registry),
        ],
    )
    assert shown.exit_code == 0, shown.output
    return tmp_path / "receipt.revealed.json"


def test_the_whole_announced_ceremony_verifies(tmp_path: Path, clock: Clock) -> None:
    ledger = tmp_path / "ledger.sqlite"
    registry, receipt = _ceremony(tmp_path, clock, ledger)
    revealed = _reveal(tmp_path, registry, receipt)
    checked = runner.invoke(
        app,
        [
            "verify",
            str(revealed),
            "--registry",
            str(registry),
            "--announcement",
            str(tmp_path / "announcement.json"),
            "--ledger",
            str(ledger),
        ],
    )
    assert checked.exit_code == 0, checked.output
    assert "ok   announcement" in checked.stdout and "ok   ledger" in checked.stdout
    assert "not checked" not in checked.stdout and "verified" in checked.stdout


def test_verify_without_the_announcement_says_what_it_did_not_check(
    tmp_path: Path, clock: Clock
) -> None:
    registry, receipt = _ceremony(tmp_path, clock)
    revealed = _reveal(tmp_path, registry, receipt)
    checked = runner.invoke(app, ["verify", str(revealed), "--registry", str(registry)])
    assert checked.exit_code == 0
    assert "--   announcement: not checked" in checked.stdout


def test_the_secret_file_is_private_from_its_first_byte_and_public_files_are_not(
    tmp_path: Path, clock: Clock
) -> None:
    old = os.umask(0o022)
    try:
        _registry, receipt = _ceremony(tmp_path, clock)
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "announcement.secret").stat().st_mode) == 0o600
    assert stat.S_IMODE((tmp_path / "announcement.json").stat().st_mode) == 0o644
    assert stat.S_IMODE(receipt.stat().st_mode) == 0o644


def test_a_draw_on_a_registry_changed_after_the_announcement_is_refused(
    tmp_path: Path, clock: Clock
) -> None:
    registry = tmp_path / "reg.csv"
    write_registry(generate_registry(300, 20, seed="cli"), registry)
    announcement = _commit(tmp_path, registry)
    clock.moment = DRAWN
    # The attack: one entity marked 停产 once the randomness is known.
    lines = registry.read_text(encoding="utf-8-sig").splitlines()
    assert ",在产," in lines[1]
    lines[1] = lines[1].replace(",在产,", ",停产,")
    (tmp_path / "edited.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    drawn = runner.invoke(
        app,
        [
            "draw",
            "--announcement",
            str(announcement),
            "--registry",
            str(tmp_path / "edited.csv"),
            "--public-randomness",
            DICE,
            "-o",
            str(tmp_path / "r.json"),
        ],
    )
    assert drawn.exit_code == 2
    assert "registry_digest: announced" in drawn.stderr
    assert not (tmp_path / "r.json").exists()


@pytest.mark.parametrize(
    ("option", "value", "field"),
    [
        ("--quarter", "4", "period"),
        ("--jurisdiction", "410724", "jurisdiction"),
        ("--capacity", "3", "capacity"),
        ("--expertise", "水", "expertise"),
        ("--policy", "huojia", "policy.id"),
    ],
)
def test_draw_refuses_any_input_other_than_the_announced_one(
    tmp_path: Path, clock: Clock, option: str, value: str, field: str
) -> None:
    registry = tmp_path / "reg.csv"
    write_registry(generate_registry(300, 20, seed="cli"), registry)
    announcement = _commit(tmp_path, registry)
    clock.moment = DRAWN
    extra = [option, value] + (["--year", "2025"] if option == "--quarter" else [])
    drawn = runner.invoke(
        app,
        [
            "draw",
            "--announcement",
            str(announcement),
            "--registry",
            str(registry),
            "--public-randomness",
            DICE,
            *extra,
            "-o",
            str(tmp_path / "r.json"),
        ],
    )
    assert drawn.exit_code == 2, drawn.output
    assert f"{field}: announced" in drawn.stderr
    assert not (tmp_path / "r.json").exists()


def test_no_draw_before_the_announced_randomness(tmp_path: Path, clock: Clock) -> None:
    registry = tmp_path / "reg.csv"
    write_registry(generate_registry(100, 10, seed="cli"), registry)
    announcement = _commit(tmp_path, registry)
    clock.moment = ANNOUNCED + dt.timedelta(days=1)
    drawn = runner.invoke(
        app,
        [
            "draw",
            "--announcement",
            str(announcement),
            "--registry",
            str(registry),
            "--public-randomness",
            DICE,
            "-o",
            str(tmp_path / "r.json"),
        ],
    )
    assert drawn.exit_code == 2 and "exists only from" in drawn.stderr


def test_an_announcement_for_randomness_already_known_is_refused(
    tmp_path: Path, clock: Clock
) -> None:
    registry = tmp_path / "reg.csv"
    write_registry(generate_registry(60, 6, seed="cli"), registry)
    clock.moment = DRAWN
    made = runner.invoke(
        app,
        [
            "commit",
            "--policy",
            "benxi",
            "--registry",
            str(registry),
            "--year",
            "2025",
            "--quarter",
            "3",
            "--randomness-kind",
            "lottery",
            "--randomness-source",
            "双色球 第2025075期",
            "--randomness-at",
            RANDOMNESS_AT,
            "-o",
            str(tmp_path / "a.json"),
        ],
    )
    assert made.exit_code == 2 and "not after this announcement" in made.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "reg.csv",
        "reg.inspectors.csv",
        "reg.items.csv",
    ]


def test_verify_exits_1_with_the_first_difference(tmp_path: Path, clock: Clock) -> None:
    registry, receipt = _ceremony(tmp_path, clock)
    revealed = _reveal(tmp_path, registry, receipt)
    data = json.loads(revealed.read_text(encoding="utf-8"))
    tasks = data["revealed"]["tasks"]
    n = next(k for k, t in enumerate(tasks) if t["team"])  # the first on-site task
    tasks[n]["team"] = ["I000000-9999", "I000000-9998"]
    revealed.write_text(json.dumps(data), encoding="utf-8")
    checked = runner.invoke(app, ["verify", str(revealed), "--registry", str(registry)])
    assert checked.exit_code == 1
    assert f"FAIL result: tasks[{n}].team[0]" in checked.stdout


@pytest.mark.parametrize(
    ("edit", "check"),
    [
        (lambda d: d.pop("period"), "schema"),
        (lambda d: d.update(period="2025Q5"), "schema"),
        (lambda d: d["revealed"].update(secret=None), "schema"),
        (lambda d: d.update(registry_digest=12), "schema"),
        (lambda d: d["algorithm"].update(draw="randcheck-draw-v1"), "schema"),
        (lambda d: d.update(version=True), "schema"),
        (lambda d: d.update(tasks=d["tasks"] + 1), "task count"),
        (lambda d: d.update(sealed_at="yesterday"), "sealed at"),
        (lambda d: d.update(registry_digest="0" * 64), "registry digest"),
    ],
)
def test_an_edited_receipt_fails_verification_with_exit_1(
    tmp_path: Path, clock: Clock, edit: object, check: str
) -> None:
    registry, receipt = _ceremony(tmp_path, clock)
    revealed = _reveal(tmp_path, registry, receipt)
    data = json.loads(revealed.read_text(encoding="utf-8"))
    edit(data)  # type: ignore[operator]
    revealed.write_text(json.dumps(data), encoding="utf-8")
    checked = runner.invoke(app, ["verify", str(revealed), "--registry", str(registry)])
    assert checked.exit_code == 1, checked.output
    assert f"verification failed 验证未通过: {check}" in checked.stdout


def test_verify_on_another_registry_fails_on_the_digest(tmp_path: Path, clock: Clock) -> None:
    registry, receipt = _ceremony(tmp_path, clock)
    revealed = _reveal(tmp_path, registry, receipt)
    other = tmp_path / "other.csv"
    write_registry(generate_registry(5, 0, seed="tiny"), other)
    checked = runner.invoke(app, ["verify", str(revealed), "--registry", str(other)])
    assert checked.exit_code == 1, checked.output
    assert "FAIL registry digest" in checked.stdout


def test_reveal_with_the_wrong_secret_is_an_error(tmp_path: Path, clock: Clock) -> None:
    registry, receipt = _ceremony(tmp_path, clock)
    (tmp_path / "wrong.secret").write_text("ab" * 32, encoding="utf-8")
    shown = runner.invoke(
        app,
        [
            "reveal",
            str(receipt),
            "--secret-file",
            str(tmp_path / "wrong.secret"),
            "--registry",
            str(registry),
        ],
    )
    assert shown.exit_code == 2 and "does not match the receipt's commitment" in shown.stderr
    assert not (tmp_path / "receipt.revealed.json").exists()


def test_draw_and_reveal_never_overwrite_a_receipt(tmp_path: Path, clock: Clock) -> None:
    registry, receipt = _ceremony(tmp_path, clock)
    before = receipt.read_bytes()
    again = runner.invoke(
        app,
        [
            "draw",
            "--announcement",
            str(tmp_path / "announcement.json"),
            "--registry",
            str(registry),
            "--public-randomness",
            DICE,
            "-o",
            str(receipt),
        ],
    )
    assert again.exit_code == 2 and "exists" in again.stderr
    assert receipt.read_bytes() == before
    revealed = _reveal(tmp_path, registry, receipt)
    before = revealed.read_bytes()
    shown = runner.invoke(
        app,
        [
            "reveal",
            str(receipt),
            "--secret-file",
            str(tmp_path / "announcement.secret"),
            "--registry",
            str(registry),
        ],
    )
    assert shown.exit_code == 2 and revealed.read_bytes() == before


def test_a_draw_into_a_missing_folder_writes_nothing(tmp_path: Path, clock: Clock) -> None:
    registry = tmp_path / "reg.csv"
    write_registry(generate_registry(60, 6, seed="cli"), registry)
    drawn = runner.invoke(
        app,
        [
            "draw",
            "--policy",
            "huojia",
            "--registry",
            str(registry),
            "--year",
            "2025",
            "--quarter",
            "1",
            "--public-randomness",
            DICE,
            "--secret-file",
            str(tmp_path / "nodir" / "s.secret"),
            "-o",
            str(tmp_path / "o.json"),
        ],
    )
    assert drawn.exit_code == 2
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "reg.csv",
        "reg.inspectors.csv",
        "reg.items.csv",
    ]


def test_draw_rejects_weak_public_randomness(tmp_path: Path) -> None:
    registry = tmp_path / "reg.csv"
    write_registry(generate_registry(50, 6, seed="cli"), registry)
    drawn = runner.invoke(
        app,
        [
            "draw",
            "--policy",
            "huojia",
            "--registry",
            str(registry),
            "--year",
            "2025",
            "--quarter",
            "1",
            "--public-randomness",
            "1234",
            "-o",
            str(tmp_path / "r.json"),
        ],
    )
    assert drawn.exit_code == 2 and "at least 20" in drawn.stderr
    assert not (tmp_path / "r.json").exists() and not (tmp_path / "r.secret").exists()


def test_joint_expertise_capacity_and_campaign_draws_and_a_replacement_verify_from_the_cli(
    tmp_path: Path, clock: Clock
) -> None:
    base = generate_registry(400, 30, seed="joint")
    inspectors = [
        i.model_copy(update={"department": "水利局"}) if n % 2 and not i.auxiliary else i
        for n, i in enumerate(base.inspectors)
    ]
    registry_data = Registry.from_records(base.entities(), inspectors, base.items)
    registry = tmp_path / "reg.csv"
    write_registry(registry_data, registry)
    departments = ["水利局", "执法大队"]
    campaign = tmp_path / "campaign.json"
    campaign.write_text(json.dumps({"industry_prefixes": ["C", "D"]}), encoding="utf-8")
    extra = [
        "--campaign",
        str(campaign),
        "--department",
        departments[0],
        "--department",
        departments[1],
        "--capacity",
        "6",
    ]
    announcement = _commit(tmp_path, registry, *extra)
    clock.moment = DRAWN
    receipt = _draw(tmp_path, registry, announcement)
    sealed = json.loads(receipt.read_text(encoding="utf-8"))
    assert sealed["departments"] == departments and sealed["capacity"] == 6
    assert sealed["campaign"]["industry_prefixes"] == ["C", "D"]
    revealed = _reveal(tmp_path, registry, receipt)
    task = next(
        t for t in json.loads(revealed.read_text("utf-8"))["revealed"]["tasks"] if t["team"]
    )
    replaced = tmp_path / "replaced.json"
    made = runner.invoke(
        app,
        [
            "replace",
            str(revealed),
            "--registry",
            str(registry),
            "--task",
            task["task_id"],
            "--remove",
            task["team"][0],
            "--reason",
            "HEALTH",
            "--note",
            "病假 sick leave",
            "--approved-by",
            "局长",
            "-o",
            str(replaced),
        ],
    )
    assert made.exit_code == 0, made.output
    checked = runner.invoke(
        app,
        [
            "verify",
            str(replaced),
            "--registry",
            str(registry),
            "--announcement",
            str(announcement),
        ],
    )
    assert checked.exit_code == 0, checked.output
    assert "ok   replacement 1" in checked.stdout


def test_demo_writes_receipts_and_history(tmp_path: Path) -> None:
    result = runner.invoke(app, ["demo", "--policy", "benxi", "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    names = {p.name for p in tmp_path.iterdir()}
    assert "registry.csv" in names
    receipts = [n for n in names if "receipt" in n and n.endswith(".json")]
    assert len(receipts) == 2 and any("history" in n for n in names)
    assert "result digest ok" in result.stdout
