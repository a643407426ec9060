"""The JavaScript verifier (``randcheck/data/site/verify/verify.mjs``) against ``randcheck verify``.

verify.mjs is a second implementation of draw verification, written from
docs/verification.md. Each receipt here is made by randcheck itself (several
policies, periods, a joint draw, a campaign, an announced draw, a replacement);
the JS verdict (verified, or the first failing check) must be randcheck's, also
on tampered copies, where both must fail and name the same check.
"""

from __future__ import annotations

import copy
import datetime as dt
import json
import re
import shutil
import subprocess
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import pytest

from randcheck.draw.announcement import RandomnessSource, announce, draw_inputs
from randcheck.draw.history import History, Inspection, load_history, save_history
from randcheck.draw.receipt import record_replacement, reveal, save_receipt, seal, verify
from randcheck.io import write_registry
from randcheck.io.registry_files import load_registry
from randcheck.models.vocab import Mode, ReplacementReason
from randcheck.periods import Quarter
from randcheck.policies import get_policy
from randcheck.policies.registry import BUILTINS
from randcheck.randomness import canonical_json
from randcheck.registry import EntityFilter, Registry
from randcheck.synth import generate_registry

NODE = shutil.which("node")
pytestmark = pytest.mark.skipif(NODE is None, reason="node is not on PATH (CI has Node 20)")

VERIFY_JS = Path(str(resources.files("randcheck.data").joinpath("site/verify/verify.mjs")))
DOCS = Path(__file__).resolve().parents[2] / "docs" / "verification.md"
SECRET = "0f1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c4b5a69788796a5b4c3d2e1f0"
PUBLIC = "31415926535897932384"
SEALED_AT = dt.datetime(2025, 7, 1, 12, tzinfo=dt.timezone(dt.timedelta(hours=8)))


@dataclass
class Case:
    """One draw's files: receipt, registry (CSV with sidecars), history, announcement."""

    name: str
    folder: Path
    receipt: dict[str, Any]
    registry: Registry
    history: History
    announcement: dict[str, Any] | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def registry_csv(self) -> Path:
        return self.folder / "registry.csv"


def _history(registry: Registry, year: int) -> History:
    """A few earlier inspections: this year, last year, one in the period (ignored)."""
    usccs = sorted(e.uscc for e in registry.entities())
    made = []
    for n, uscc in enumerate(usccs[:12]):
        day = dt.date(year - (n % 3), 1 + n % 6, 1 + n)
        made.append(
            Inspection(
                uscc=uscc,
                date=day,
                mode=Mode.NON_SITE if n % 4 == 0 else Mode.ON_SITE,
                items=("b", "a") if n % 5 == 0 else (),
                task_id=f"T-{n}" if n % 2 else None,
            )
        )
    made.append(Inspection(uscc=usccs[-1], date=dt.date(year, 12, 30)))
    return History(made)


def _case(
    root: Path,
    name: str,
    registry: Registry,
    history: History,
    policy_id: str,
    period: Quarter,
    *,
    version: str | None = None,
    announced: bool = False,
    replace: bool = False,
    **draw: Any,
) -> Case:
    folder = root / name
    folder.mkdir()
    policy = get_policy(policy_id, version=version) if version else get_policy(policy_id)
    announcement = None
    if announced:
        randomness = RandomnessSource(
            kind="lottery",
            source="福彩双色球 第2025123期",
            expected_at=SEALED_AT - dt.timedelta(hours=1),
        )
        inputs = draw_inputs(
            policy,
            period,
            registry_digest=registry.digest,
            history_digest=history.digest,
            randomness=randomness,
            **draw,
        )
        announcement = announce(SECRET, inputs, announced_at=SEALED_AT - dt.timedelta(days=5))
        (folder / "announcement.json").write_text(
            json.dumps(announcement, ensure_ascii=False, indent=1), encoding="utf-8"
        )
    sealed, _ = seal(
        policy,
        registry,
        period,
        secret=SECRET,
        public_randomness=PUBLIC,
        history=history,
        announcement=announcement,
        sealed_at=SEALED_AT,
        **draw,
    )
    receipt = reveal(sealed, SECRET, registry, history)
    if replace:
        task = next(t for t in receipt["revealed"]["tasks"] if t["team"])
        receipt = record_replacement(
            receipt,
            registry,
            task["task_id"],
            task["team"][0],
            ReplacementReason.HEALTH,
            history=history,
            approved_by="分管领导",
            note=" 住院 ",
        )
    write_registry(registry, folder / "registry.csv")
    save_history(history, folder / "history.json")
    save_receipt(receipt, folder / "receipt.json")
    return Case(name, folder, receipt, registry, history, announcement)


@pytest.fixture(scope="session")
def cases(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Case]:
    root = tmp_path_factory.mktemp("verify-js")
    out: dict[str, Case] = {}
    # the worked example of docs/verification.md, with its replacement
    page = DOCS.read_text(encoding="utf-8")

    def block(label: str) -> str:
        found = re.search(rf"<!-- check: {re.escape(label)} -->\n```\w*\n(.*?)```", page, re.S)
        assert found, label
        return found.group(1)

    example = root / "example-files"
    example.mkdir()
    (example / "example.csv").write_text(block("example-entities.csv"), encoding="utf-8")
    (example / "example.inspectors.csv").write_text(
        block("example-inspectors.csv"), encoding="utf-8"
    )
    (example / "history.csv").write_text(block("example-history.csv"), encoding="utf-8")
    doc_registry = load_registry(example / "example.csv")
    doc_history = load_history(example / "history.csv")
    out["example"] = _case(
        root,
        "example",
        doc_registry,
        doc_history,
        "huojia",
        Quarter(2025, 3),
        version="2023.2",
        jurisdiction="410724",
        replace=True,
    )
    out["joint"] = _case(
        root,
        "joint",
        doc_registry,
        doc_history,
        "huojia",
        Quarter(2025, 3),
        version="2023.2",
        jurisdiction="410724",
        departments=["监测站", "执法大队"],
        expertise=frozenset({"水"}),
        capacity=3,
    )
    synthetic = generate_registry(60, 10, seed="verify-js", jurisdictions=2)
    history = _history(synthetic, 2025)
    for n, policy_id in enumerate(sorted(BUILTINS)):
        period = Quarter(2025, 3) if n % 2 == 0 else Quarter(2026, 1)
        out[policy_id] = _case(root, policy_id, synthetic, history, policy_id, period)
    county = sorted({e.division_code for e in synthetic.entities()})[0]
    out["campaign"] = _case(
        root,
        "campaign",
        synthetic,
        history,
        "huojia",
        Quarter(2025, 4),
        jurisdiction=county,
        campaign=EntityFilter(classes=frozenset({"GENERAL", "KEY"}), division_prefixes=("41",)),
    )
    out["announced"] = _case(
        root,
        "announced",
        synthetic,
        History(),
        "suixian",
        Quarter(2025, 3),
        announced=True,
        replace=True,
    )
    return out


def run_js(
    receipt: Path, registry: Path, history: Path | None, announcement: Path | None
) -> tuple[int, list[tuple[str, str]], str]:
    """The JS verifier's exit code, its checks (status mark, name) and its output."""
    args = [str(NODE), str(VERIFY_JS), str(receipt), str(registry)]
    if history is not None:
        args += ["--history", str(history)]
    if announcement is not None:
        args += ["--announcement", str(announcement)]
    done = subprocess.run(args, capture_output=True, text=True, timeout=60, check=False)
    checks = []
    for line in done.stdout.splitlines():
        found = re.match(r"^(ok|FAIL|--)\s+(.+?)(?::\s.*)?$", line)
        if found:
            checks.append((found.group(1), found.group(2)))
    return done.returncode, checks, done.stdout + done.stderr


def python_verdict(
    case: Case, receipt: Any, registry: Registry, history: History, announcement: Any
) -> str | None:
    """None when randcheck verifies the receipt, else the first failing check's name."""
    report = verify(receipt, registry, history, announcement=announcement)
    failure = report.first_failure
    return None if failure is None else failure.name


def js_verdict(
    case: Case, receipt: Any, registry: Path, history: Path, announcement: Any
) -> str | None:
    folder = case.folder / "js"
    folder.mkdir(exist_ok=True)
    receipt_file = folder / "receipt.json"
    receipt_file.write_text(json.dumps(receipt, ensure_ascii=False, indent=1), encoding="utf-8")
    announcement_file = None
    if announcement is not None:
        announcement_file = folder / "announcement.json"
        announcement_file.write_text(json.dumps(announcement, ensure_ascii=False), encoding="utf-8")
    code, checks, output = run_js(receipt_file, registry, history, announcement_file)
    failed = [name for mark, name in checks if mark == "FAIL"]
    assert code == (1 if failed else 0), output
    assert checks, output
    return failed[0] if failed else None


CASES = ["example", "joint", *sorted(BUILTINS), "campaign", "announced"]


@pytest.mark.parametrize("name", CASES)
def test_js_verifies_what_randcheck_verifies(cases: dict[str, Case], name: str) -> None:
    case = cases[name]
    assert (
        python_verdict(case, case.receipt, case.registry, case.history, case.announcement) is None
    )
    code, checks, output = run_js(
        case.folder / "receipt.json",
        case.registry_csv,
        case.folder / "history.json",
        case.folder / "announcement.json" if case.announcement else None,
    )
    assert code == 0, output
    passed = {n for mark, n in checks if mark == "ok"}
    assert {
        "schema",
        "registry digest",
        "history digest",
        "seed",
        "quotas",
        "result",
        "result digest",
    } <= passed, output
    assert ("announcement" in passed) == (case.announcement is not None), output
    replacements = case.receipt["revealed"].get("replacements", [])
    assert {f"replacement {n}" for n in range(1, len(replacements) + 1)} <= passed, output


def test_the_cases_cover_replacements_and_teams(cases: dict[str, Case]) -> None:
    assert cases["example"].receipt["revealed"]["replacements"]
    assert cases["announced"].receipt["revealed"]["replacements"][0]["note"] == "住院"
    assert any(t["recusals"] for t in cases["example"].receipt["revealed"]["tasks"])
    assert cases["campaign"].receipt["campaign"] is not None


def _set(data: dict[str, Any], path: str, value: Any) -> None:
    node: Any = data
    parts = [int(p) if p.isdigit() else p for p in re.findall(r"[^.\[\]]+", path)]
    for part in parts[:-1]:
        node = node[part]
    node[parts[-1]] = value(node[parts[-1]]) if callable(value) else value


def _flip(text: str) -> str:
    return ("1" if text[0] != "1" else "2") + text[1:]


RECEIPT_TAMPERS: dict[str, tuple[str, str, Any]] = {
    # name: (case, path, new value or function of the old)
    "list entry": ("huojia", "revealed.tasks.1.uscc", lambda u: "91410724000000002M"),
    "list rank": ("suixian", "revealed.tasks.0.rank", lambda r: r + 1),
    "team": ("example", "revealed.tasks.2.team", ["HJ04", "HJ03"]),
    "seed": ("benxi", "revealed.seed", _flip),
    "secret": ("xiping", "revealed.secret", _flip),
    "quota": ("qingdao_west_coast", "quotas.2.quota", lambda q: q + 1),
    "quota explanation": ("campaign", "quotas.0.terms.0.explanation", lambda t: t + " "),
    "commitment": ("announced", "commitment", _flip),
    "result digest": ("joint", "result_digest", _flip),
    "replacement": ("example", "revealed.replacements.0.added", "HJ04"),
    "campaign order": ("campaign", "campaign.classes", ["KEY", "GENERAL"]),
    "period": ("huojia", "period", "2025Q4"),
    "public randomness": ("huojia", "public_randomness", PUBLIC + "0"),
    "integer as float": ("huojia", "tasks", lambda n: float(n)),
    "unknown key": ("huojia", "revealed.extra", 1),
    "announcement digest": ("announced", "announcement_digest", _flip),
    "sealed early": ("announced", "sealed_at", "2025-07-01T10:00:00+08:00"),
    "jurisdiction": ("joint", "jurisdiction", "410725"),
    "capacity": ("joint", "capacity", 4),
}


@pytest.mark.parametrize("tamper", sorted(RECEIPT_TAMPERS))
def test_a_tampered_receipt_fails_the_same_check(cases: dict[str, Case], tamper: str) -> None:
    name, path, value = RECEIPT_TAMPERS[tamper]
    case = cases[name]
    receipt = copy.deepcopy(case.receipt)
    _set(receipt, path, value)
    assert json.dumps(receipt) != json.dumps(case.receipt)
    expected = python_verdict(case, receipt, case.registry, case.history, case.announcement)
    assert expected is not None, tamper
    got = js_verdict(
        case, receipt, case.registry_csv, case.folder / "history.json", case.announcement
    )
    assert got == expected, tamper


def test_a_changed_registry_row_fails_the_registry_digest(cases: dict[str, Case]) -> None:
    case = cases["example"]
    folder = case.folder / "edited"
    folder.mkdir()
    for path in case.folder.glob("registry*.csv"):
        shutil.copy(path, folder / path.name)
    entities = (folder / "registry.csv").read_text(encoding="utf-8-sig")
    edited = entities.replace(
        "获嘉县丙制药有限公司,重点,410724,", "获嘉县丙制药有限公司,重点,410724,", 1
    )
    edited = edited.replace(",停产,", ",关闭,", 1)
    assert edited != entities
    (folder / "registry.csv").write_text(edited, encoding="utf-8")
    registry = load_registry(folder / "registry.csv")
    expected = python_verdict(case, case.receipt, registry, case.history, None)
    assert expected == "registry digest"
    got = js_verdict(
        case, case.receipt, folder / "registry.csv", case.folder / "history.json", None
    )
    assert got == expected
    # an inspector's row, in the sidecar, is part of the digest too
    inspectors = (folder / "registry.inspectors.csv").read_text(encoding="utf-8-sig")
    (folder / "registry.csv").write_text(entities, encoding="utf-8")
    (folder / "registry.inspectors.csv").write_text(inspectors.replace("HJ05", "HJ5", 1), "utf-8")
    registry = load_registry(folder / "registry.csv")
    assert python_verdict(case, case.receipt, registry, case.history, None) == "registry digest"
    assert (
        js_verdict(case, case.receipt, folder / "registry.csv", case.folder / "history.json", None)
        == "registry digest"
    )


def test_a_changed_history_entry_fails_the_history_digest(cases: dict[str, Case]) -> None:
    case = cases["huojia"]
    records = json.loads((case.folder / "history.json").read_text(encoding="utf-8"))
    inspections = records["inspections"] if isinstance(records, dict) else records
    inspections[0]["date"] = (
        "2024-01-02" if inspections[0]["date"] != "2024-01-02" else "2024-01-03"
    )
    edited = case.folder / "history-edited.json"
    edited.write_text(json.dumps(records, ensure_ascii=False), encoding="utf-8")
    expected = python_verdict(case, case.receipt, case.registry, load_history(edited), None)
    assert expected == "history digest"
    assert js_verdict(case, case.receipt, case.registry_csv, edited, None) == expected


def test_a_changed_announcement_is_caught(cases: dict[str, Case]) -> None:
    case = cases["announced"]
    assert case.announcement is not None
    for change in ("inputs.capacity", "commitment"):
        announcement = copy.deepcopy(case.announcement)
        _set(announcement, change, 2 if change.endswith("capacity") else _flip)
        expected = python_verdict(case, case.receipt, case.registry, case.history, announcement)
        assert expected == "announcement"
        got = js_verdict(
            case, case.receipt, case.registry_csv, case.folder / "history.json", announcement
        )
        assert got == expected, change


def test_digests_match_the_worked_example(cases: dict[str, Case]) -> None:
    """The example's CSV files as the docs give them (not as randcheck rewrites them)."""
    case = cases["example"]
    folder = case.folder.parent / "example-files"
    code, checks, output = run_js(
        case.folder / "receipt.json", folder / "example.csv", folder / "history.csv", None
    )
    assert code == 0, output
    assert ("ok", "registry digest") in checks and ("ok", "history digest") in checks


def test_unreadable_input_exits_2(tmp_path: Path, cases: dict[str, Case]) -> None:
    bad = tmp_path / "receipt.json"
    bad.write_text("{not json", encoding="utf-8")
    code, _, _ = run_js(bad, cases["example"].registry_csv, None, None)
    assert code == 2
    twice = tmp_path / "twice.json"
    twice.write_text('{"format": 1, "format": 2}', encoding="utf-8")
    code, _, _ = run_js(twice, cases["example"].registry_csv, None, None)
    assert code == 2


def test_the_embedded_schemas_are_the_published_ones() -> None:
    text = VERIFY_JS.read_text(encoding="utf-8")
    found = re.search(r"/\* SCHEMAS-BEGIN \*/ (.*) /\* SCHEMAS-END \*/", text)
    assert found
    embedded = json.loads(found.group(1))
    data = resources.files("randcheck.data")
    for name in ("receipt", "receipt-v1", "announcement"):
        published = json.loads(data.joinpath(f"{name}.schema.json").read_text("utf-8"))
        assert embedded[name] == published, name


def test_the_policy_digest_is_checked_when_the_policy_is_given(
    cases: dict[str, Case], tmp_path: Path
) -> None:
    case = cases["example"]
    policy = get_policy("huojia", version="2023.2")
    exported = tmp_path / "policy.json"
    exported.write_text(
        json.dumps(
            json.loads(canonical_json(policy.model_dump(mode="json"))), indent=2, ensure_ascii=False
        ),
        encoding="utf-8",
    )
    args = [
        str(NODE),
        str(VERIFY_JS),
        str(case.folder / "receipt.json"),
        str(case.registry_csv),
        "--history",
        str(case.folder / "history.json"),
        "--policy",
        str(exported),
    ]
    done = subprocess.run(args, capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 0 and "ok   policy" in done.stdout, done.stdout
    other = policy.model_dump(mode="json")
    other["rules"][0]["citation"]["clause"] = "第一条"
    exported.write_text(json.dumps(other, ensure_ascii=False), encoding="utf-8")
    done = subprocess.run(args, capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 1 and "FAIL policy" in done.stdout, done.stdout


def test_the_ranking_sha256_is_sha256() -> None:
    """The module's synchronous SHA-256 (the ranking's tickets) against hashlib, on every
    length to 300 bytes (each padding boundary), a long text and non-ASCII text, and its
    own check against Web Crypto, which a verification runs before the first ticket."""
    import hashlib

    texts = ["a" * n for n in range(301)] + ["z" * 100_000, "名录库 I410724-0013 ü ∑ 𝒳" * 7]
    script = (
        f"import({json.dumps(VERIFY_JS.as_uri())}).then(async (m) => {{"
        "await m.checkSyncSha256();"
        "const texts = JSON.parse(require('fs').readFileSync(0, 'utf8'));"
        "console.log(JSON.stringify(texts.map((t) => m.sha256HexSync(t))));"
        "});"
    )
    assert NODE is not None
    done = subprocess.run(
        [NODE, "-e", script], input=json.dumps(texts), capture_output=True, text=True, check=True
    )
    got = json.loads(done.stdout)
    assert got == [hashlib.sha256(t.encode("utf-8")).hexdigest() for t in texts]
