"""Every clause of each source document is either cited by a rule or listed as not
modelled, with a reason (Catala keeps the text and its code side by side; here the
text is read from ../shared/seeds, as the quote test reads it)."""

from __future__ import annotations

import pytest

from randcheck.policies import BUILTINS, VARIANTS, get_policy
from randcheck.policies.model import Policy
from tests.policies.source_clauses import PARTS, SEEDS, clauses

pytestmark = pytest.mark.skipif(
    not SEEDS.is_dir(), reason="../shared/seeds is not beside the repository"
)


def _covers(cited: str, clause: str) -> bool:
    """A citation of 三(二)1 or 第十条(二) covers the clause 三(二) or 第十条."""
    return cited == clause or (cited.startswith(clause) and not cited[len(clause)].isalpha())


def _cited(policy: Policy, document: str, clause: str) -> bool:
    return any(
        r.citation.document == document and _covers(r.citation.clause, clause) for r in policy.rules
    )


def test_the_parser_finds_the_documents_structure() -> None:
    """The clause list itself is right: the 细则 has 25 articles, the others their sections."""
    huojia = clauses("huojia")
    assert next(c for d, c in huojia if d == "获嘉县 细则") == "第一条"
    assert len([c for d, c in huojia if d == "获嘉县 细则"]) == 25
    assert ("获嘉县 通知", "一(一)") in huojia and ("获嘉县 通知", "三(三)") in huojia
    assert [c for _, c in clauses("benxi")][:6] == ["一", "二", "三", "四", "五", "六(一)"]
    assert ("睢县 实施细则", "三(二)") in clauses("suixian")
    assert ("青岛西海岸新区 实施方案", "五") in clauses("qingdao_west_coast")


@pytest.mark.parametrize("policy_id", list(PARTS))
def test_every_clause_is_cited_or_listed_with_a_reason(policy_id: str) -> None:
    policy = get_policy(policy_id)
    listed = {(n.document, n.clause) for n in policy.not_modelled}
    missing = [
        f"{d} {c}"
        for d, c in clauses(policy_id)
        if not _cited(policy, d, c) and (d, c) not in listed
    ]
    assert not missing, f"neither cited nor listed in not_modelled: {missing}"


@pytest.mark.parametrize("policy_id", list(PARTS))
def test_what_is_listed_is_a_clause_of_the_text_and_not_also_encoded(policy_id: str) -> None:
    policy = get_policy(policy_id)
    found = set(clauses(policy_id))
    for entry in policy.not_modelled:
        assert (entry.document, entry.clause) in found, f"{entry} is not a clause of the text"
        assert not _cited(policy, entry.document, entry.clause), f"{entry} is cited by a rule"
    keys = [(n.document, n.clause) for n in policy.not_modelled]
    assert len(keys) == len(set(keys)), "a clause is listed twice"


def test_every_builtin_has_its_source_parts_and_variants_keep_the_list() -> None:
    assert set(PARTS) == set(BUILTINS)
    for variant_id in VARIANTS:
        variant = get_policy(variant_id)
        base = get_policy(variant_id.split(".")[0], version=variant.version.split("+")[0])
        assert variant.not_modelled == base.not_modelled
