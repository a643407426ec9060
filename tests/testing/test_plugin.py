"""The pytest plugin, run as a platform's suite would run it: plain pytest collects
``*.randcheck.yaml`` files, one test per case; a failure explains itself; a malformed
file is a collection error naming the file, the case and the field."""

from __future__ import annotations

import textwrap

import pytest

pytest_plugins = ["pytester"]

CASES = """\
# 获嘉 细则 第二十条
policy: huojia
period: 2025Q3
as_of: 2025-10-31
cases:
  - name: on time
    events:
      - {on: 2025-07-10, do: dispatch, task: T1, entity: 91410724000000001J, who: [I1, I2]}
      - {on: 2025-07-21, do: inspect, task: T1}
      - {on: 2025-07-21, do: record, task: T1, outcome: NO_PROBLEM}
      - {on: 2025-08-18, do: disclose, task: T1}
    expect:
      disclosure.deadline: PASS
  - name: late, expected on time
    events:
      - {on: 2025-07-10, do: dispatch, task: T1, entity: 91410724000000001J, who: [I1, I2]}
      - {on: 2025-07-21, do: inspect, task: T1}
      - {on: 2025-07-21, do: record, task: T1, outcome: NO_PROBLEM}
      - {on: 2025-08-19, do: disclose, task: T1}
    expect:
      disclosure.deadline: PASS
"""


def test_plain_pytest_collects_one_test_per_case(pytester: pytest.Pytester) -> None:
    pytester.makefile(".randcheck.yaml", article_20=CASES)
    pytester.makefile(".yaml", other="not: a case file\n")  # not collected
    result = pytester.runpytest("-v", "-p", "no:cacheprovider")
    result.assert_outcomes(passed=1, failed=1)
    result.stdout.fnmatch_lines(
        [
            "*article_20.randcheck.yaml::on time PASSED*",
            "*article_20.randcheck.yaml::late, expected on time FAILED*",
        ]
    )


def test_a_failing_case_prints_the_rule_the_clause_expected_actual_and_the_events(
    pytester: pytest.Pytester,
) -> None:
    pytester.makefile(".randcheck.yaml", article_20=CASES)
    result = pytester.runpytest("-p", "no:cacheprovider", "-k", "late")
    result.assert_outcomes(failed=1, deselected=1)
    result.stdout.fnmatch_lines(
        [
            "*_ huojia 2025Q3: late, expected on time _*",
            "case 'late, expected on time' (*article_20.randcheck.yaml): 1 of 1 expected "
            "verdict(s) differ (huojia 2023.2, 2025Q3, as of 2025-10-31)",
            "disclosure.deadline — 获嘉县 细则 第二十条 (OBLIGATION): *",
            "  「在抽查任务完成后的 20 个工作日内*」",
            "  expected: PASS",
            "  actual:   FAIL; measured '1 violation(s): disclosure.late'; violations [T1]",
            "  differs in: status",
            "  violations found:",
            '    T1: disclosure.late {"day":"2025-08-19","due":"2025-08-18"}',
            "  events that decided it (those of T1):",
            "    events[[]0[]]  2025-07-10 09:00  TASK_DISPATCHED 检查任务派发  T1 by 执法大队: *",
            "    events[[]1[]]  2025-07-21 09:00  INSPECTION_COMPLETED 检查结束  T1 *",
            "    events[[]2[]]  2025-07-21 09:01  RESULT_RECORDED 检查结果录入  T1 *=NO_PROBLEM",
            "    events[[]3[]]  2025-08-19 09:00  DISCLOSURE_PUBLISHED 检查结果公开  T1 *",
            "FAILED *::late, expected on time*",
        ]
    )
    assert "Traceback" not in result.stdout.str()


def test_a_malformed_case_is_a_collection_error_naming_the_file_case_and_field(
    pytester: pytest.Pytester,
) -> None:
    pytester.makefile(
        ".randcheck.yaml", bad=CASES.replace("disclosure.deadline: PASS", "disclosure.late: PASS")
    )
    result = pytester.runpytest("-p", "no:cacheprovider")
    assert result.ret == pytest.ExitCode.INTERRUPTED
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(
        [
            "*ERROR collecting bad.randcheck.yaml*",
            "randcheck case file: *bad.randcheck.yaml, case 'on time'.expect.disclosure.late: "
            "huojia 2023.2 has no rule 'disclosure.late'",
            "What to do: its rules: plan.covers_all_items, *disclosure.deadline*",
        ]
    )
    assert "Traceback" not in result.stdout.str()


def test_a_file_that_breaks_the_schema_lists_every_problem(pytester: pytest.Pytester) -> None:
    pytester.makefile(
        ".randcheck.yaml",
        bad=textwrap.dedent(
            """\
            - name: x
              policy: huojia
              period: 2025Q3
              events:
                - {do: seal, draw: D}
              expect: {draw.random: MAYBE}
            """
        ),
    )
    result = pytester.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(
        [
            "*not a valid conformance case file:",
            "  [[]0[]]: 'as_of' is a required property*",
            "  [[]0[]].events[[]0[]]: fits none of its forms: 'at' is a required property; or "
            "'on' is a required property*",
            "  [[]0[]].expect.draw.random: fits none of its forms: *",
        ]
    )


def test_a_case_that_cannot_be_judged_fails_with_randcheck_s_message(
    pytester: pytest.Pytester,
) -> None:
    # a valid case, of a policy version that was not in force in the period it judges
    early = CASES.replace("policy: huojia", "policy: huojia@2023.2").replace("2025Q3", "2019Q3")
    pytester.makefile(".randcheck.yaml", early=early)
    result = pytester.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(failed=2)
    result.stdout.fnmatch_lines(
        ["the case could not be judged: huojia 2023.2 is not in force in 2019Q3*"]
    )
    assert "Traceback" not in result.stdout.str()


def test_cases_carry_the_randcheck_marker(pytester: pytest.Pytester) -> None:
    pytester.makefile(".randcheck.yaml", article_20=CASES)
    pytester.makepyfile(test_other="def test_other():\n    pass\n")
    result = pytester.runpytest("-p", "no:cacheprovider", "-m", "randcheck")
    result.assert_outcomes(passed=1, failed=1, deselected=1)
    result = pytester.runpytest("-p", "no:cacheprovider", "-m", "not randcheck")
    result.assert_outcomes(passed=1, deselected=2)


def test_the_plugin_can_be_turned_off(pytester: pytest.Pytester) -> None:
    pytester.makefile(".randcheck.yaml", article_20=CASES)
    result = pytester.runpytest("-p", "no:randcheck", "-p", "no:cacheprovider")
    assert result.ret == pytest.ExitCode.NO_TESTS_COLLECTED
