"""examples/conformance: a platform export of 获嘉 2025Q3 with four mistakes.

The README's commands are run as written (taken from the README, in its order, with
its ledger folder moved under a temporary one) through the command line; each mistake
is caught by the rule that should catch it, or, for the one no 获嘉 clause covers,
shown where the README says; the outputs the README shows are the outputs the commands
give; and the committed files are what ``make_example.py`` writes, cell by cell.
"""

from __future__ import annotations

import csv
import importlib.util
import json
import re
import shlex
import shutil
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from openpyxl import load_workbook
from typer.testing import CliRunner, Result

from randcheck.cli import app
from randcheck.ledger.stores import read_verified
from randcheck.policies import get_policy

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "conformance"
README = EXAMPLE / "README.md"
WORK = "/tmp/randcheck-example"
"""The README's folder for the ledger and reports; the test puts a temporary one in."""
WIDTH = "160"
"""The terminal width the README's outputs were taken at."""
ELIDED = "[…]"
"""A line of a README output block standing for lines left out."""

OTHER_COMMANDS = {
    "cd examples/conformance",  # the test runs in a copy of the folder
    f"mkdir -p {WORK}",  # the test's temporary folder exists
    "python make_example.py",  # run by test_committed_files_are_what_the_script_writes
}
"""Lines of the README's bash blocks that are not randcheck commands, and why the test
does not run them as written."""

K3 = "获嘉县同力水泥有限公司"
"""The key entity of mistake (d)."""

runner = CliRunner()


def _maker() -> ModuleType:
    spec = importlib.util.spec_from_file_location("make_example", EXAMPLE / "make_example.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


# --- the README --------------------------------------------------------------------------


@dataclass
class Block:
    lang: str
    body: str


def _blocks() -> list[Block]:
    text = README.read_text(encoding="utf-8")
    return [Block(m[1], m[2]) for m in re.finditer(r"```(\w*)\n(.*?)```", text, re.S)]


@dataclass
class Step:
    """A randcheck command of the README, and the output block shown after it (if any)."""

    command: str
    shown: str | None


def _steps() -> list[Step]:
    blocks = _blocks()
    steps: list[Step] = []
    for n, block in enumerate(blocks):
        if block.lang != "bash":
            continue
        lines = [line.strip() for line in block.body.splitlines() if line.strip()]
        commands = [line for line in lines if line.startswith("randcheck ")]
        others = [line for line in lines if not line.startswith("randcheck ")]
        assert set(others) <= OTHER_COMMANDS, f"README runs a command the test does not: {others}"
        after = blocks[n + 1] if n + 1 < len(blocks) else None
        shown = after.body if after is not None and after.lang == "text" else None
        assert len(commands) <= 1 or shown is None, "one command per block with an output"
        steps += [Step(c, shown if c == commands[-1] else None) for c in commands]
    return steps


def _table(heading: str) -> list[list[str]]:
    """The rows of the README's first table after the line starting with ``heading``."""
    lines = README.read_text(encoding="utf-8").splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith(heading))
    rows: list[list[str]] = []
    for line in lines[start:]:
        if line.startswith("|"):
            rows.append([cell.strip() for cell in line.strip("|").split("|")])
        elif rows:
            break
    return rows[2:]  # after the header and its rule


# --- running it ------------------------------------------------------------------------


@dataclass
class Run:
    folder: Path
    work: Path
    results: dict[str, Result]

    @property
    def ledger(self) -> Path:
        return self.work / "ledger.sqlite"

    def result(self, *words: str) -> Result:
        """The result of the one README command containing every word given."""
        found = [c for c in self.results if all(w in shlex.split(c) for w in words)]
        assert len(found) == 1, f"the README has {len(found)} commands with {words}"
        return self.results[found[0]]

    def verdict(self) -> dict[str, Any]:
        report: dict[str, Any] = json.loads((self.work / "verdict.json").read_text("utf-8"))
        return report

    def rule(self, rule_id: str) -> dict[str, Any]:
        return next(r for r in self.verdict()["rules"] if r["rule"] == rule_id)

    def violations(self, rule_id: str) -> list[dict[str, Any]]:
        return [v for v in self.verdict()["violations"] if v["rule"] == rule_id]


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> Run:
    """Every randcheck command of the README, in order, in a copy of the folder."""
    root = tmp_path_factory.mktemp("conformance-example")
    folder = root / "conformance"
    shutil.copytree(EXAMPLE, folder)
    work = root / "work"
    work.mkdir()
    results: dict[str, Result] = {}
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(folder)
        patch.setenv("COLUMNS", WIDTH)
        for step in _steps():
            args = [a.replace(WORK, str(work)) for a in shlex.split(step.command)[1:]]
            results[step.command] = runner.invoke(app, args)
    return Run(folder, work, results)


def test_the_readme_runs_import_show_and_audit() -> None:
    """The walkthrough's commands are there: the test runs what the README shows."""
    commands = [shlex.split(s.command) for s in _steps()]
    assert ["randcheck", "ledger", "import", "platform-export.xlsx", "--ledger",
            f"{WORK}/ledger.sqlite"] in commands  # fmt: skip
    assert any(c[:3] == ["randcheck", "ledger", "show"] for c in commands)
    audits = [c for c in commands if c[:2] == ["randcheck", "audit"]]
    ledger_audit = ["--ledger", f"{WORK}/ledger.sqlite", "--registry", "registry.csv",
                    "--policy", "huojia", "--year", "2025", "--quarter", "3",
                    "--as-of", "2025-10-31"]  # fmt: skip
    assert ["randcheck", "audit", *ledger_audit] in audits
    assert ["randcheck", "audit", *ledger_audit, "--format", "json", "-o",
            f"{WORK}/verdict.json"] in audits  # fmt: skip


def test_every_command_exits_as_the_readme_says(run: Run) -> None:
    for command, result in run.results.items():
        words = shlex.split(command)
        # an audit finding an obligation failed exits 1 (the README says so)
        expected = 1 if words[1] == "audit" else 0
        assert result.exit_code == expected, (command, result.output)


def _segments(shown: str) -> list[list[str]]:
    """An output block's runs of lines between the ``[…]`` lines."""
    segments: list[list[str]] = [[]]
    for line in shown.rstrip("\n").splitlines():
        if line.strip() == ELIDED:
            segments.append([])
        else:
            segments[-1].append(line.rstrip())
    return [s for s in segments if s]


def test_the_outputs_the_readme_shows_are_the_commands_outputs(run: Run) -> None:
    """Each run of lines shown appears in the output as it is, the runs in order."""
    checked = 0
    for step in _steps():
        if step.shown is None:
            continue
        output = [
            line.rstrip() for line in run.results[step.command].output.replace(
                str(run.work), WORK).splitlines()
        ]  # fmt: skip
        at = 0
        for segment in _segments(step.shown):
            found = next(
                (i for i in range(at, len(output) - len(segment) + 1)
                 if output[i : i + len(segment)] == segment),
                None,
            )  # fmt: skip
            assert found is not None, (
                f"{step.command}: the README shows lines the output does not have, in "
                f"this order:\n" + "\n".join(segment) + "\n--- output:\n" + "\n".join(output)
            )
            at = found + len(segment)
        checked += 1
    assert checked >= 6


def test_the_violations_the_readme_shows_are_in_the_report(run: Run) -> None:
    (block,) = [b for b in _blocks() if b.lang == "json"]
    shown = json.loads(block.body)
    assert shown
    assert shown == run.verdict()["violations"]  # the README shows all of them


def test_the_readme_rows_are_the_export_rows() -> None:
    """The row numbers the README gives hold the tasks it says (header: row 1)."""
    sheet = load_workbook(EXAMPLE / "platform-export.xlsx", read_only=True).active
    assert sheet is not None
    values = list(sheet.iter_rows(values_only=True))
    column = values[0].index("任务编号")
    task_of = {n: row[column] for n, row in enumerate(values[1:], start=2)}
    listed = _table("| row | 任务编号")
    assert [int(r[0]) for r in listed] == sorted(task_of)
    for row in listed:
        assert task_of[int(row[0])] == row[1]
    mistakes = _table("| mistake | rows | task")
    assert [m[0].split()[0] for m in mistakes] == ["(a)", "(b)", "(c)", "(d)"]
    for mistake in mistakes:
        rows = {int(n) for n in mistake[1].split(",")}
        assert rows == {n for n, task in task_of.items() if task == mistake[2]}


# --- the four mistakes -----------------------------------------------------------------


def test_a_the_late_disclosure_fails_article_20(run: Run) -> None:
    rule = run.rule("disclosure.deadline")
    assert rule["status"] == "FAIL"
    assert rule["subjects"] == ["HJ2025Q3-004"]  # and no correct row
    assert run.violations("disclosure.deadline") == [
        {"rule": "disclosure.deadline", "kind": "disclosure.late", "task_id": "HJ2025Q3-004",
         "detail": {"due": "2025-09-03", "day": "2025-09-12"}},
    ]  # fmt: skip


def test_b_the_task_with_no_draw_fails_article_5(run: Run) -> None:
    rule = run.rule("draw.random")
    assert rule["status"] == "FAIL"
    assert "HJ2025Q3-009" in rule["subjects"]
    undrawn = [
        v["task_id"]
        for v in run.violations("draw.random")
        if v["kind"] == "task.not_drawn" and v["detail"]["why"] == "dispatched without a draw"
    ]
    assert undrawn == ["HJ2025Q3-009"]


def test_b_tasks_drawn_in_a_platform_batch_count_as_drawn(run: Run) -> None:
    """Each 抽查批次 the rows name is imported as the reveal of its list, taken on the
    platform's word; draw.random names only the task with no batch (mistake b) and the
    drawn task never inspected (mistake d), each for its own reason."""
    batches: dict[str, list[str]] = {}
    for task in _maker().TASKS:
        if task["batch"] is not None:
            batches.setdefault(task["batch"], []).append(task["task"])
    revealed = {
        e.payload["draw_id"]: e.payload["tasks"]
        for e in read_verified(str(run.ledger))
        if e.type.value == "DRAW_REVEALED"
    }
    assert revealed == {draw: sorted(tasks) for draw, tasks in batches.items()}
    rule = run.rule("draw.random")
    assert sorted(rule["subjects"]) == ["HJ2025Q3-006", "HJ2025Q3-009"]
    assert sorted((v["task_id"], v["kind"]) for v in run.violations("draw.random")) == [
        ("HJ2025Q3-006", "task.uninspected"),
        ("HJ2025Q3-009", "task.not_drawn"),
    ]


def test_c_the_unapproved_change_is_noted_and_kept_but_no_huojia_rule_judges_it(
    run: Run,
) -> None:
    """获嘉's documents state no rule on changing an entered result: the import notes the
    change, the ledger keeps it with its rows, and no line of the verdict names it."""
    output = run.result("ledger", "import").output
    assert (
        "task HJ2025Q3-007: the result changed to NO_PROBLEM (platform-export.xlsx "
        "[抽查任务及结果] row 10) without an approved correction" in output
    )
    assert output.count("without an approved correction") == 1  # not the approved one
    events = read_verified(str(run.ledger))
    kinds = [
        (e.type.value, e.payload.get("source", {}).get("row"))
        for e in events
        if e.subject == "HJ2025Q3-007"
        and (e.type.value == "RESULT_RECORDED" or "CORRECTION" in e.type.value)
    ]
    assert kinds == [("RESULT_RECORDED", 9), ("RESULT_RECORDED", 10)]
    approved = [e for e in events if e.subject == "HJ2025Q3-003"
                and e.type.value == "CORRECTION_APPROVED"]  # fmt: skip
    assert len(approved) == 1
    assert "results.immutable" not in {r.id for r in get_policy("huojia").rules}
    verdict = run.verdict()
    assert not [r["rule"] for r in verdict["rules"] if "HJ2025Q3-007" in r["subjects"]]
    assert not [v for v in verdict["violations"] if v["task_id"] == "HJ2025Q3-007"]


def test_d_the_key_entity_never_inspected_fails_article_14(run: Run) -> None:
    share = run.rule("key.quarterly_share")
    assert share["status"] == "FAIL"
    assert share["subjects"] == ["2025Q3"]
    assert share["measured"] == "2025Q3: 1/8 = 12.5 %"
    uninspected = [v for v in run.violations("draw.random") if v["kind"] == "task.uninspected"]
    assert [v["task_id"] for v in uninspected] == ["HJ2025Q3-006"]
    registry = _maker().entities()
    (k3,) = [e["uscc"] for e in registry if e["name"] == K3]
    coverage = run.rule("key.coverage")
    assert coverage["status"] == "NOT_ENOUGH_DATA"  # the cycle runs to the year's end
    assert k3 in coverage["subjects"]


def test_the_correct_rows_pass(run: Run) -> None:
    statuses = {r["rule"]: r["status"] for r in run.verdict()["rules"]}
    for rule in ("general.quarterly_share", "special.quarterly_share", "flow.order",
                 "rectification.ordered", "inspectors.yearly_count"):  # fmt: skip
        assert statuses[rule] == "PASS", rule
    failing = sorted(r for r, s in statuses.items() if s == "FAIL")
    assert failing == ["disclosure.deadline", "draw.random", "key.quarterly_share"]


def test_what_the_export_cannot_show_is_not_enough_data(run: Run) -> None:
    """The README's table of what the export cannot show: each rule NOT_ENOUGH_DATA, for
    the reason it gives."""
    notes = {
        "joint.share": "no draw sealed (DRAW_SEALED)",
        "key.coverage": "the cycle runs to 2025-12-31",
        "special.coverage": "the cycle runs to 2025-12-31",
        "general.coverage": "15 entities not inspected in the ledger",
        "team.replacement": "the imported records do not show 人员调整记录 (REPLACEMENTS)",
        "draw.confidential": "no record of who read the sealed list (LIST_ACCESSED)",
    }
    rules = {r["rule"]: r for r in run.verdict()["rules"]}
    assert {r for r, v in rules.items() if v["status"] == "NOT_ENOUGH_DATA"} == set(notes)
    for rule, note in notes.items():
        assert note in rules[rule]["note"], rule
        assert f"`{rule}`" in README.read_text(encoding="utf-8")


def test_the_auditor_reading_the_export_alone_gets_the_same_verdict(run: Run) -> None:
    ledger = run.verdict()
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(run.folder)
        result = runner.invoke(app, ["audit", "--records", "platform-export.xlsx",
                                     "--registry", "registry.csv", "--policy", "huojia",
                                     "--year", "2025", "--quarter", "3",
                                     "--as-of", "2025-10-31", "--format", "json"])  # fmt: skip
    records = json.loads(result.output)
    assert {r["rule"]: r["status"] for r in records["rules"]} == {
        r["rule"]: r["status"] for r in ledger["rules"]
    }
    assert records["violations"] == ledger["violations"]


# --- the committed files -----------------------------------------------------------------


def _cells(path: Path) -> dict[str, list[tuple[Any, ...]]]:
    book = load_workbook(path, read_only=True)
    return {sheet.title: list(sheet.iter_rows(values_only=True)) for sheet in book.worksheets}


def test_committed_files_are_what_the_script_writes(tmp_path: Path) -> None:
    written = _maker().write_all(tmp_path)
    assert {p.name for p in written} == {
        "platform-export.xlsx", "registry.csv", "registry.inspectors.csv",
        "registry-snapshot.json",
    }  # fmt: skip
    for path in written:
        committed = EXAMPLE / path.name
        if path.suffix == ".xlsx":
            assert _cells(path) == _cells(committed), path.name
        elif path.suffix == ".csv":
            with path.open(encoding="utf-8") as new, committed.open(encoding="utf-8") as old:
                assert list(csv.reader(new)) == list(csv.reader(old)), path.name
        else:
            assert json.loads(path.read_text("utf-8")) == json.loads(
                committed.read_text("utf-8")
            ), path.name
