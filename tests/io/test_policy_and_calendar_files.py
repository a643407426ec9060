"""Policy, variant and holiday-schedule files: read bounded and strictly, YAML without
aliases, and every wrong shape a clear error (exit 2), never an internal error."""

from __future__ import annotations

import contextlib
import json
import resource
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from randcheck.calendar import YearSchedule
from randcheck.errors import CalendarError, PolicyError, RandcheckError
from randcheck.policies import get_policy, load_policy

# 1 KB of YAML that expands to 10^9 strings when its aliases are followed
BILLION_LAUGHS = (
    'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n'
    + "".join(
        f"{chr(98 + i)}: &{chr(98 + i)} [{','.join(['*' + chr(97 + i)] * 9)}]\n" for i in range(8)
    )
    + "variant_of: huojia\nname: x\nreason: r\nyear: 2035\nsource: s\nholidays: *i\n"
)


def test_the_bomb_is_small() -> None:
    assert len(BILLION_LAUGHS) < 1100


def _limited() -> None:
    limit = 2 << 30  # 2 GiB of address space: the expanded bomb needs far more
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))


@pytest.mark.parametrize(
    "args",
    [
        ["policies", "show", "{path}"],
        ["calendar", "is-working", "2035-01-02", "--schedule", "{path}"],
    ],
)
def test_a_billion_laughs_file_exits_2_in_bounded_memory(tmp_path: Path, args: list[str]) -> None:
    path = tmp_path / "bomb.yaml"
    path.write_text(BILLION_LAUGHS, encoding="utf-8")
    command = [sys.executable, "-c", "from randcheck.cli import main; main()"]
    run = subprocess.run(
        command + [a.format(path=path) for a in args],
        capture_output=True,
        text=True,
        timeout=120,
        preexec_fn=_limited,
    )
    assert run.returncode == 2, run.stderr
    assert run.stderr.startswith("error:") and "alias" in run.stderr


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("- 1\n- 2\n", "not a list"),
        ("5\n", "not a number"),
        ("", "not nothing"),
        ("null\n", "not nothing"),
        ('"text"\n', "not a text"),
        ("a: &x 1\nb: *x\n", "alias"),
        ("[" * 200 + "]" * 200, "nested deeper"),
        ("variant_of: huojia\nname: x\nreason: r\nremove: [{r}, {r}]\n", "listed twice"),
        ("variant_of: huojia\nname: x\nreason: r\nremove: 5\n", "field remove"),
        ("variant_of: huojia\nname: x\nreason: r\nchanges: [1]\n", "field changes"),
        (
            "variant_of: huojia\nname: x\nreason: r\nchanges: {{{r}: {{title: !!set {{a}}}}}}\n",
            "title",
        ),
        ("rules: !!binary aGk=\n", "field"),
        ("? [1, 2]\n: x\n", "not valid YAML"),
    ],
)
def test_a_policy_file_of_the_wrong_shape_is_a_policy_error(
    tmp_path: Path, content: str, message: str
) -> None:
    rule = get_policy("huojia").rules[0].id
    path = tmp_path / "p.yaml"
    path.write_text(content.format(r=rule), encoding="utf-8")
    with pytest.raises(PolicyError, match=message) as caught:
        load_policy(path)
    assert caught.value.where == str(path)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"\xff\xfe", "not UTF-8"),
        (b'{"rules": ' + b"1" * 5000 + b"}", "4300 digits"),
        (b"[" * 100_000 + b"]" * 100_000, "nested deeper"),
        (b'{"a": 1, "a": 2}', "appears twice"),
        (b'{"variant_of": NaN}', "NaN"),
    ],
)
def test_a_json_policy_that_breaks_parsers_is_a_policy_error(
    tmp_path: Path, content: bytes, message: str
) -> None:
    (tmp_path / "p.json").write_bytes(content)
    with pytest.raises(PolicyError, match=message):
        load_policy(tmp_path / "p.json")


@pytest.mark.parametrize("loader", [load_policy, YearSchedule.load])
@pytest.mark.parametrize("suffix", [".yaml", ".json"])
def test_a_device_or_folder_is_refused(tmp_path: Path, loader: object, suffix: str) -> None:
    load = loader  # type: ignore[assignment]
    (tmp_path / f"zero{suffix}").symlink_to("/dev/zero")
    with pytest.raises(RandcheckError, match="not a regular file"):
        load(tmp_path / f"zero{suffix}")  # type: ignore[operator]
    (tmp_path / f"dir{suffix}").mkdir()
    with pytest.raises(RandcheckError, match="is a folder"):
        load(tmp_path / f"dir{suffix}")  # type: ignore[operator]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"- 1\n", "a schedule is a mapping"),
        (b"year: &y 2035\nsource: *y\n", "alias"),
        (b"\xc3\x28", "not UTF-8"),
        (b"[" * 100 + b"]" * 100, "nested deeper"),
        (
            b"year: 2035\nsource: s\nholidays: [{name: x, start: 2035-01-01, end: 2035-01-01}]\n"
            b"colour: red\n",
            "colour",
        ),
    ],
)
def test_a_bad_schedule_is_a_calendar_error(tmp_path: Path, content: bytes, message: str) -> None:
    (tmp_path / "s.yaml").write_bytes(content)
    with pytest.raises(CalendarError, match=message):
        YearSchedule.load(tmp_path / "s.yaml")


yaml_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=10),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=10), inner, max_size=3)
    ),
    max_leaves=12,
)
rule_ids = st.sampled_from([r.id for r in get_policy("huojia").rules] + ["zzz"])


@settings(max_examples=150, deadline=None)
@given(
    st.fixed_dictionaries(
        {},
        optional={
            "variant_of": st.sampled_from(["huojia", "benxi", "nope"]) | yaml_values,
            "name": st.sampled_from(["x", "Bad Name"]) | yaml_values,
            "reason": st.just("r") | yaml_values,
            "changes": st.dictionaries(
                rule_ids, st.dictionaries(st.text(max_size=15), yaml_values, max_size=2), max_size=2
            )
            | yaml_values,
            "remove": st.lists(rule_ids, max_size=3) | yaml_values,
            "rules": yaml_values,
        },
    )
)
def test_any_variant_file_loads_or_is_a_policy_error(
    tmp_path_factory: pytest.TempPathFactory, data: dict[str, object]
) -> None:
    folder = tmp_path_factory.mktemp("p")
    (folder / "v.yaml").write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    (folder / "v.json").write_text(json.dumps(data), encoding="utf-8")
    for name in ("v.yaml", "v.json"):
        with contextlib.suppress(PolicyError):
            load_policy(folder / name)
