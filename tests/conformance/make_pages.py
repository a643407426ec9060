"""Write ``docs/cases/<policy>.md``: each built-in policy's conformance cases, by clause,
with the sentence each file quotes and the verdict each case expects. The policy pages
link here; ``tests/testing/test_case_pages.py`` holds the pages to the corpus.

Run from the repository root: ``python tests/conformance/make_pages.py``.
"""

from __future__ import annotations

import sys
from pathlib import Path

from randcheck.policies.registry import BUILTINS, get_policy
from randcheck.testing import load_cases
from randcheck.testing.assertions import Expected

ROOT = Path(__file__).resolve().parents[2]
CORPUS = ROOT / "tests" / "conformance"
PAGES = ROOT / "docs" / "cases"


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _comment(path: Path) -> list[str]:
    """The file's opening comment: the clause line, the quoted sentence, the reading."""
    lines = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.startswith("#"):
            break
        lines.append(line.lstrip("#").strip())
    return lines


def _expected(expected: Expected) -> str:
    violations = expected.violations
    return expected.status.value + (f" {sorted(violations)}" if violations else "")


def case_page(policy_id: str) -> str:
    policy = get_policy(policy_id)
    folder = CORPUS / policy_id
    lines = [
        f"# {policy.name_zh}: conformance cases 合规测试用例",
        "",
        f"What randcheck holds `{policy_id}` ([its page](../policies/{policy_id}.md)) to "
        "require, as cases that pass and cases that fail, one file per clause in "
        f"`tests/conformance/{policy_id}/` ([the format](../conformance.md)). Each runs "
        "with plain `pytest`; a platform can run them against its own records' verdicts.",
        "",
    ]
    for path in sorted(folder.glob("*.randcheck.yaml")):
        comment = _comment(path)
        lines += [f"## {_cell(comment[0].rstrip(':'))}" if comment else f"## {path.name}", ""]
        lines += [f"`{path.name}`", ""]
        lines += [f"> {_cell(line)}" for line in comment[1:]] + ([""] if comment[1:] else [])
        lines += ["| case | rule | expected |", "|---|---|---|"]
        for case in load_cases(path):
            for rule_id, expected in case.expect.items():
                lines.append(f"| {_cell(case.name)} | `{rule_id}` | {_expected(expected)} |")
        lines.append("")
    return "\n".join(lines)


def pages() -> dict[Path, str]:
    return {PAGES / f"{pid}.md": case_page(pid) for pid in BUILTINS if (CORPUS / pid).is_dir()}


if __name__ == "__main__":
    PAGES.mkdir(exist_ok=True)
    for path, text in pages().items():
        path.write_text(text, encoding="utf-8")
        print(f"wrote {path.relative_to(ROOT)}", file=sys.stderr)
