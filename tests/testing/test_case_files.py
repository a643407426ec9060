"""Case files: the schema (the same file in the package and the docs), every example
valid, and a malformed case refused before anything is judged, naming the file, the
case and the field."""

from __future__ import annotations

import json
import re
import textwrap
from pathlib import Path

import pytest

from randcheck.audit import Status
from randcheck.audit.judges import measured_by
from randcheck.errors import InputError
from randcheck.io.safe import parse_yaml
from randcheck.ledger.events import RegistrySnapshot
from randcheck.policies.registry import BUILTINS, get_policy
from randcheck.testing import CaseError, VerdictMismatch, load_cases, parse_cases, run_cases
from randcheck.testing.case import case_schema, plain, schema_problems
from tests.conftest import make_uscc

ROOT = Path(__file__).resolve().parents[2]
CORPUS = ROOT / "tests" / "conformance"
DOCS = ROOT / "docs" / "conformance.md"
USCC = "91410724000000001J"


def write(tmp_path: Path, text: str, name: str = "case.randcheck.yaml") -> Path:
    path = tmp_path / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


ONE = """\
    - name: disclosed late
      policy: huojia
      period: 2025Q3
      as_of: 2025-10-31
      events:
        - {on: 2025-07-10, do: dispatch, task: T1, entity: 91410724000000001J, who: [I1, I2]}
        - {on: 2025-07-21, do: inspect, task: T1}
        - {on: 2025-07-21, do: record, task: T1, outcome: NO_PROBLEM}
        - {on: 2025-08-19, do: disclose, task: T1}
      expect:
        disclosure.deadline: {status: FAIL, violations: [T1]}
"""


def test_the_docs_copy_of_the_schema_is_the_package_s() -> None:
    docs = json.loads((ROOT / "docs" / "conformance-case.schema.json").read_text("utf-8"))
    assert docs == case_schema()


def test_the_schema_s_snapshot_keys_are_the_snapshot_event_s_fields() -> None:
    keys = set(case_schema()["$defs"]["snapshot"]["anyOf"][1]["properties"])
    assert keys == set(RegistrySnapshot.model_fields) - {"source"} | {"on"}


def test_the_schema_s_statuses_are_the_verdict_s() -> None:
    spellings = set(case_schema()["$defs"]["status"]["enum"])
    assert spellings == {s.value for s in Status} | {s.zh for s in Status}


def corpus_files() -> list[Path]:
    return sorted(CORPUS.rglob("*.randcheck.yaml"))


@pytest.mark.parametrize("path", corpus_files(), ids=lambda p: p.name)
def test_every_corpus_file_is_valid_and_its_cases_measure(path: Path) -> None:
    """Each case is named after the clause of the rules it checks (第二十条, or 七(二) in a
    text numbered by outline), which the file's first line names and quotes; and it
    measures: PASS or FAIL, never NOT_ENOUGH_DATA (a case that cannot measure tests
    nothing)."""
    text = path.read_text(encoding="utf-8")
    assert schema_problems(plain(parse_yaml(text, str(path)))) == []
    assert text.startswith("# ")
    first = text.splitlines()[0]
    for case in load_cases(path):
        clause = case.name.split()[0]
        assert f" {clause} " in first, f"{case.name!r}: its clause is not in the first line"
        rules = {r.id: r for r in case.policy.rules}
        cited = {rules[rule_id].citation.clause for rule_id in case.expect}
        assert any(c.startswith(clause) for c in cited), f"{case.name!r} checks {cited}"
        assert {e.status for e in case.expect.values()} <= {Status.PASS, Status.FAIL}
        case.check()


def test_the_corpus_has_a_passing_and_a_failing_case_for_each_rule_it_checks() -> None:
    seen: dict[str, set[Status]] = {}
    for path in corpus_files():
        for case in load_cases(path):
            for rule_id, expected in case.expect.items():
                seen.setdefault(f"{case.policy.id}:{rule_id}", set()).add(expected.status)
    assert len(seen) >= 4
    assert {k for k, v in seen.items() if v != {Status.PASS, Status.FAIL}} == set()


def test_every_rule_the_verdict_measures_has_a_passing_and_a_failing_case() -> None:
    """The corpus is the executable statement of what randcheck thinks each text requires:
    for each built-in policy, every rule the verdict measures (``measured_by``) has a case
    that passes and one that fails, in ``tests/conformance/<policy>/``."""
    seen: dict[tuple[str, str], set[Status]] = {}
    for path in corpus_files():
        for case in load_cases(path):
            assert path.parent.name == case.policy.id, f"{path} is not in its policy's folder"
            for rule_id, expected in case.expect.items():
                seen.setdefault((case.policy.id, rule_id), set()).add(expected.status)
    both = {Status.PASS, Status.FAIL}
    missing = {
        f"{policy_id}:{rule.id}": sorted(
            s.value for s in both - seen.get((policy_id, rule.id), set())
        )
        for policy_id in BUILTINS
        for rule in get_policy(policy_id).rules
        if not measured_by(rule).startswith("not measured")
        and not both <= seen.get((policy_id, rule.id), set())
    }
    assert missing == {}, "rules with no passing or no failing case"


def doc_examples() -> list[str]:
    text = DOCS.read_text(encoding="utf-8")
    blocks = re.findall(r"```yaml\n(.*?)```", text, flags=re.S)
    return [b for b in blocks if "expect:" in b]


@pytest.mark.parametrize("n", range(len(doc_examples())))
def test_every_case_file_in_the_docs_is_valid_and_as_expected(n: int, tmp_path: Path) -> None:
    path = write(tmp_path, doc_examples()[n])
    assert run_cases(path)


def test_the_failure_shown_in_the_docs_is_the_one_randcheck_prints(tmp_path: Path) -> None:
    text = DOCS.read_text(encoding="utf-8")
    shown = re.search(r"```text\n___ .*? ___\n(case '.*?)```", text, flags=re.S)
    assert shown is not None
    path = write(
        tmp_path, doc_examples()[0].replace("2025-08-18", "2025-08-19"), "article-20.randcheck.yaml"
    )
    with pytest.raises(VerdictMismatch) as caught:
        load_cases(path)[0].check()
    assert str(caught.value).replace(str(path), path.name) + "\n" == shown.group(1)


def test_the_python_example_in_the_docs_runs() -> None:
    (code,) = re.findall(r"```python\n(.*?)```", DOCS.read_text(encoding="utf-8"), flags=re.S)
    exec(compile(code, str(DOCS), "exec"), {})


def test_a_file_may_share_settings_and_its_cases_override_them(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        """\
        policy: huojia
        period: 2025Q3
        as_of: 2025-10-31
        cases:
          - name: on time
            events:
              - {on: 2025-07-10, do: dispatch, task: T1, entity: 91410724000000001J, who: [I1, I2]}
              - {on: 2025-07-21, do: record, task: T1, outcome: NO_PROBLEM}
              - {on: 2025-07-22, do: disclose, task: T1}
            expect: {disclosure.deadline: PASS}
          - name: judged before the deadline has passed
            as_of: 2025-07-25
            events:
              - {on: 2025-07-10, do: dispatch, task: T1, entity: 91410724000000001J, who: [I1, I2]}
              - {on: 2025-07-21, do: record, task: T1, outcome: NO_PROBLEM}
            expect: {disclosure.deadline: PASS}
          - name: 一年 as a period
            period: 2025
            as_of: 2026-01-31
            events:
              - {on: 2025-07-10, do: dispatch, task: T1, entity: 91410724000000001J, who: [I1, I2]}
              - {on: 2025-07-21, do: record, task: T1, outcome: NO_PROBLEM}
            expect: {disclosure.deadline: {status: FAIL, measured: disclosure.missing}}
        """,
    )
    cases = load_cases(path)
    assert [c.period for c in cases] == ["2025Q3", "2025Q3", "2025"]
    assert [str(c.as_of) for c in cases] == ["2025-10-31", "2025-07-25", "2026-01-31"]
    assert all(c.file == path for c in cases)
    assert set(run_cases(path)) == {c.name for c in cases}


def test_a_registry_inline_counts_the_snapshot_and_shows_narrow_the_evidence(
    tmp_path: Path,
) -> None:
    rows = "\n".join(
        f"      - {{uscc: {make_uscc(n)}, name: 企业{n}, class: KEY, division_code: '410724', "
        f"industry_code: C2614}}"
        for n in range(1, 5)
    )
    path = write(
        tmp_path,
        f"""\
policy: huojia
period: 2025Q3
as_of: 2025-10-15
registry:
  entities:
{rows}
snapshot: registry
cases:
  - name: one of four key entities is 25 %
    events:
      - {{on: 2025-07-10, do: dispatch, task: K1, entity: {make_uscc(1)}, who: [I1, I2]}}
      - {{on: 2025-07-20, do: inspect, task: K1}}
    expect:
      key.quarterly_share: {{status: PASS, measured: "2025Q3: 1/4 = 25.0 %"}}
  - name: records that show no inspections cannot measure it
    shows: [DISPATCH, RESULTS]
    events:
      - {{on: 2025-07-10, do: dispatch, task: K1, entity: {make_uscc(1)}, who: [I1, I2]}}
      - {{on: 2025-07-20, do: inspect, task: K1}}
    expect:
      key.quarterly_share: {{status: NOT_ENOUGH_DATA, note: INSPECTIONS}}
""",
    )
    first, second = load_cases(path)
    assert first.registry is not None and first.registry.entity_count == 4
    assert first.labels[1] == "snapshot" and first.events[0].payload["class_counts"] == {"KEY": 4}
    assert second.evidence is not None and len(second.evidence) == 2
    run_cases(path)


def test_a_registry_file_is_read_relative_to_the_case(tmp_path: Path) -> None:
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "entities.csv").write_text(
        "uscc,name,entity_class,division_code,industry_code\n"
        f"{make_uscc(1)},企业1,KEY,410724,C2614\n{make_uscc(2)},企业2,KEY,410724,C2614\n",
        encoding="utf-8",
    )
    path = write(
        tmp_path,
        f"""\
        - name: 50 % of two key entities
          policy: huojia@2023.2
          period: 2025Q3
          as_of: 2025-10-15
          registry: data/entities.csv
          snapshot: {{on: 2025-07-02}}
          events:
            - {{on: 2025-07-10, do: dispatch, task: K1, entity: {make_uscc(2)}, who: [I1, I2]}}
            - {{on: 2025-07-20, do: inspect, task: K1}}
          expect:
            key.quarterly_share: {{status: PASS, measured: 1/2 = 50.0 %}}
        """,
    )
    (case,) = load_cases(path)
    assert case.policy.version == "2023.2" and case.events[0].day.isoformat() == "2025-07-02"
    assert case.events[1].payload["entity_class"] == "KEY"  # from the registry
    case.check()


def test_a_variant_file_is_read_relative_to_the_case(tmp_path: Path) -> None:
    """OpenFisca's reforms: the same events, judged under the other reading."""
    (tmp_path / "policies").mkdir()
    (tmp_path / "policies" / "key_20.yaml").write_text(
        "variant_of: huojia\nname: key_20\nreason: what if key entities were drawn at 20 %?\n"
        "changes:\n  key.quarterly_share: {min_fraction: 0.20}\n",
        encoding="utf-8",
    )
    events = (
        f"    - {{on: 2025-07-10, do: dispatch, task: K1, entity: {USCC}, class: KEY, who: [I1]}}\n"
        "    - {on: 2025-07-11, do: inspect, task: K1}"
    )
    body = f"""\
snapshot: {{class_counts: {{KEY: 5}}, registered_counts: {{KEY: 5}}}}
period: 2025Q3
as_of: 2025-10-15
cases:
  - name: one of five key entities is 20 %, enough under the variant
    policy: policies/key_20.yaml
    events:
{events}
    expect: {{key.quarterly_share: PASS}}
  - name: and not enough under the text
    policy: huojia
    events:
{events}
    expect: {{key.quarterly_share: FAIL}}
"""
    path = write(tmp_path, body)
    variant, text = load_cases(path)
    assert variant.policy.id == "huojia.key_20" and text.policy.id == "huojia"
    run_cases(path)


def test_a_difference_explains_the_rule_and_the_events(tmp_path: Path) -> None:
    path = write(tmp_path, ONE.replace("status: FAIL", "status: PASS"))
    (case,) = load_cases(path)
    with pytest.raises(VerdictMismatch) as caught:
        case.check()
    text = str(caught.value)
    assert f"case 'disclosed late' ({path})" in text
    assert "disclosure.deadline — 获嘉县 细则 第二十条" in text
    assert "在抽查任务完成后的 20 个工作日内" in text
    assert "expected: PASS; violations [T1]" in text
    assert "actual:   FAIL; measured '1 violation(s): disclosure.late'; violations [T1]" in text
    assert 'T1: disclosure.late {"day":"2025-08-19","due":"2025-08-18"}' in text
    assert "events[3]  2025-08-19 09:00  DISCLOSURE_PUBLISHED 检查结果公开  T1" in text


@pytest.mark.parametrize(
    ("change", "where", "message"),
    [
        (("disclosure.deadline:", "disclosure.late:"), "case 'disclosed late'.expect."
         "disclosure.late", "huojia 2023.2 has no rule 'disclosure.late'"),
        (("status: FAIL", "status: FALSE"), "", "expect.disclosure.deadline"),
        (("policy: huojia", "policy: hojia"), "case 'disclosed late'.policy",
         "unknown policy 'hojia'"),
        (("period: 2025Q3", "period: 2025Q5"), "case 'disclosed late'.period",
         "not a year or a quarter"),
        (("period: 2025Q3", "period: 2019Q3"), "case 'disclosed late'.policy",
         "no version of huojia is in force"),
        (("as_of: 2025-10-31", "as_of: 31.10.2025"), "", "as_of"),
        (("do: inspect", "do: look"), "case 'disclosed late', events[1].do", "unknown event"),
        (("outcome: NO_PROBLEM", "outcome: FINE"), "case 'disclosed late', events[2] "
         "(RESULT_RECORDED)", "outcome"),
        (("who: [I1, I2]", "who: [I1, I2], colour: red"), "case 'disclosed late', "
         "events[0].colour", "unknown key 'colour'"),
        (("  expect:\n", "  expects:\n"), "", "expects"),
    ],
)  # fmt: skip
def test_a_malformed_case_is_refused_naming_the_file_the_case_and_the_field(
    tmp_path: Path, change: tuple[str, str], where: str, message: str
) -> None:
    path = write(tmp_path, ONE.replace(*change))
    with pytest.raises(CaseError, match=re.escape(message)) as caught:
        load_cases(path)
    assert caught.value.where == f"{path}" + (f", {where}" if where else "")


def test_two_cases_of_one_name_are_refused(tmp_path: Path) -> None:
    with pytest.raises(CaseError, match="two cases are named 'disclosed late'"):
        parse_cases(parse_yaml(textwrap.dedent(ONE) * 2, "x"), "x")


@pytest.mark.parametrize(
    "text",
    ["[]", "name: x", "- 5", "- {name: x, policy: huojia, period: 2025, as_of: 2025-01-01}",
     "a: &a [1]\nb: *a"],
)  # fmt: skip
def test_what_is_not_a_case_file_is_refused_by_the_schema_or_the_reader(
    tmp_path: Path, text: str
) -> None:
    with pytest.raises(InputError) as caught:
        load_cases(write(tmp_path, text))
    assert str(tmp_path) in str(caught.value)
