"""The case pages (docs/cases/<policy>.md) say what the corpus holds, and each built-in
policy's page links to its cases."""

from __future__ import annotations

from pathlib import Path

from randcheck.policies.registry import BUILTINS
from tests.conformance.make_pages import PAGES, pages

ROOT = Path(__file__).resolve().parents[2]


def test_the_case_pages_are_those_of_the_corpus() -> None:
    made = pages()
    assert set(made) == set(PAGES.glob("*.md")), "run python tests/conformance/make_pages.py"
    stale = [p.name for p, text in made.items() if p.read_text(encoding="utf-8") != text]
    assert stale == [], "run python tests/conformance/make_pages.py"


def test_each_built_in_policy_page_links_to_its_cases() -> None:
    for policy_id in BUILTINS:
        page = (ROOT / "docs" / "policies" / f"{policy_id}.md").read_text(encoding="utf-8")
        assert f"(../cases/{policy_id}.md)" in page
        assert (PAGES / f"{policy_id}.md").exists()
