"""Every rule is cited, and every quote occurs verbatim in its source text."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from randcheck.policies import BUILTINS, VARIANTS, available_policies, get_policy
from randcheck.report.policy_pages import policy_markdown

SEEDS = Path(__file__).resolve().parents[2].parent / "shared" / "seeds"
BUILT_IN = [get_policy(i) for i in [*BUILTINS, *VARIANTS]]
RULES = [(p.id, r) for p in BUILT_IN for r in p.rules]


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


@pytest.mark.parametrize(("policy_id", "rule"), RULES, ids=[f"{p}:{r.id}" for p, r in RULES])
def test_every_rule_has_a_citation(policy_id: str, rule: object) -> None:
    citation = rule.citation  # type: ignore[attr-defined]
    assert citation.document and citation.clause and len(citation.quote) >= 4
    assert citation.source_file == get_policy(policy_id).source_file


@pytest.mark.skipif(not SEEDS.is_dir(), reason="../shared/seeds is not beside the repository")
@pytest.mark.parametrize(("policy_id", "rule"), RULES, ids=[f"{p}:{r.id}" for p, r in RULES])
def test_every_quote_is_verbatim_in_its_source(policy_id: str, rule: object) -> None:
    citation = rule.citation  # type: ignore[attr-defined]
    text = (SEEDS / citation.source_file).read_text(encoding="utf-8")
    assert _squash(citation.quote) in _squash(text)


def test_the_five_jurisdictions_are_built_in() -> None:
    assert list(BUILTINS) == ["suixian", "xiping", "huojia", "qingdao_west_coast", "benxi"]
    assert {p.id for p in available_policies()} >= set(BUILTINS) | set(VARIANTS)


@pytest.mark.parametrize("policy", BUILT_IN, ids=[p.id for p in BUILT_IN])
def test_generated_pages_are_up_to_date(policy: object) -> None:
    page = Path(__file__).resolve().parents[2] / "docs" / "policies" / f"{policy.id}.md"  # type: ignore[attr-defined]
    assert page.read_text(encoding="utf-8") == policy_markdown(policy), (  # type: ignore[arg-type]
        "run `randcheck policies docs` to regenerate docs/policies"
    )
