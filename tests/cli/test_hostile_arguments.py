"""Every command and subcommand, walked from the command tree, with hostile values for
each of its parameters: missing files, folders, /dev/null, empty and garbage files,
files of another kind, years 0/1900/99999, quarters 0/5, negative and huge numbers.

Whatever the value, the exit status is never 3 (an internal error, always a bug),
nothing prints a traceback, and the files given as inputs are never changed.
A new command or parameter fails :func:`test_every_parameter_is_covered` until the
tables below say how to call it.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import typer
import typer.testing
from typer.testing import CliRunner

from randcheck.cli import app
from tests.cli.conftest import HISTORY, LEDGER, REVEALED, SEALED, snapshot

runner = CliRunner()

HUGE = "1" + "0" * 30
YEARS = ["0", "-1", "1900", "99999", HUGE]
COUNTS = ["0", "-1", HUGE]
QUARTERS = ["0", "5", "-1", HUGE]
MONTHS = ["0", "13", "-1", HUGE]
FLOATS = ["nan", "inf", "-1", "2"]
TEXTS = ["", "nonexistent", "-3", "../../etc/passwd", "x" * 5000]
DATES = ["", "-3", "2025-02-30", "0000-01-01", "99999-01-01", "x" * 5000]

# Parameters by name: how each is called when it is not the one made hostile, and
# what kind of value it takes. "in": a file read; "out": a file or folder written.
KIND: dict[str, str] = {
    "policy": "text",
    "a": "text",
    "b": "text",
    "registry": "in",
    "ledger": "in",
    "receipt": "in",
    "history": "in",
    "variant": "in",
    "file": "in",
    "files": "in",
    "old": "in",
    "new": "in",
    "schedule": "in",
    "year": "year",
    "start_year": "year",
    "first": "year",
    "last": "year",
    "quarter": "quarter",
    "month": "month",
    "n": "count",
    "entities": "count",
    "inspectors": "count",
    "jurisdictions": "count",
    "replicates": "count",
    "years": "count",
    "workers": "count",
    "opening_rate": "float",
    "closing_rate": "float",
    "out": "out",
    "output": "out",
    "date": "date",
    "start": "date",
    "end": "date",
    "as_of": "date",
    "randomness_at": "date",
    "seed": "text",
    "public_randomness": "text",
    "jurisdiction": "text",
    "head": "text",
    "teams": "text",
    "kind": "choice",
    "output_format": "choice",
    "headers": "choice",
}
# Per command, parameters whose kind differs from the table above.
KIND_OF: dict[tuple[str, str], str] = {
    ("commit", "secret_file"): "out",
    ("draw", "secret_file"): "out",
}
# Commands that append to the ledger they are given (the rest never change an input).
LEDGER_WRITERS = {"commit", "draw"}


def _base(files: Path, command: str) -> dict[str, str]:
    """A valid value for each parameter a command needs."""
    values = {
        "policy": "huojia",
        "registry": str(files / "registry.csv"),
        "ledger": str(files / LEDGER),
        "year": "2025",
        "quarter": "3",
        "public_randomness": "12345678901234567890123",
        "receipt": str(files / SEALED),
        "secret_file": str(files / "draw.secret"),
        "file": str(files / "registry.csv"),
        "files": str(files / "registry.csv"),
        "old": str(files / "registry.csv"),
        "new": str(files / "registry.csv"),
        "date": "2025-01-10",
        "n": "3",
        "start": "2025-01-10",
        "end": "2025-02-10",
        "a": "huojia",
        "b": "benxi",
        "kind": "yearly",
        "randomness_kind": "dice",
        "randomness_source": "county hall, two notaries",
        "randomness_at": "2025-07-01T21:15:00+08:00",
        "task": "2025Q3-ALL-00001",
        "remove": "I0001",
        "reason": "HEALTH",
        "output": "sim.csv",
        "out": "made.json",
    }
    if command == "ledger verify":
        values["file"] = str(files / LEDGER)
    if command in ("replace", "verify"):
        values["receipt"] = str(files / REVEALED)
    if command == "registry synth":
        values["out"] = "made.csv"
    return values


# Options added to keep a command quick, unless the option is the one made hostile.
EXTRA: dict[str, list[tuple[str, str, str | None]]] = {
    "simulate": [
        ("replicates", "--replicates", "1"),
        ("years", "--years", "1"),
        ("workers", "--workers", "1"),
        ("progress", "--no-progress", None),
    ],
}


# Options a command needs that are not required one by one (audit takes --ledger or
# --records): given unless the hostile one is one of its alternatives.
ALTERNATIVES: dict[str, tuple[str, set[str]]] = {
    "audit": ("ledger", {"records", "mapping", "class_counts"}),
}


def _leaves(command: Any, path: tuple[str, ...] = ()) -> Iterator[tuple[str, Any]]:
    children = getattr(command, "commands", None)
    if children is None:
        yield " ".join(path), command
        return
    for name, child in children.items():
        yield from _leaves(child, (*path, name))


COMMANDS = dict(_leaves(typer.main.get_command(app)))


def _kind(command: str, param: Any) -> str:
    """How to make ``param`` hostile: by name, else by its type."""
    if (command, param.name) in KIND_OF:
        return KIND_OF[(command, param.name)]
    annotation = str(param.type_descriptor.annotation)
    if "bool" in annotation:
        return "flag"
    if param.name in KIND:
        return KIND[param.name]
    if "Literal" in annotation:
        return "choice"
    for marker, kind in (("Path", "in"), ("int", "count"), ("float", "float"), ("str", "text")):
        if marker in annotation:
            return kind
    return "?"


def _hostile_inputs(root: Path, files: Path, valid: str | None) -> list[str]:
    """Missing, a folder, a device, empty and garbage files with the extension the
    parameter expects, and files of every other kind the commands read."""
    suffix = Path(valid).suffix if valid else ".csv"
    others = [files / name for name in ("registry.csv", LEDGER, HISTORY, SEALED)]
    return [
        f"missing{suffix}",
        str(root / "folder"),
        "/dev/null",
        str(root / f"empty{suffix}"),
        *(str(p) for p in sorted(root.glob("junk.*"))),
        *(str(p) for p in others if str(p) != valid),
    ]


def _hostile_outputs(root: Path) -> list[str]:
    return [
        str(root / "folder"),
        str(root / "no-such-folder" / "x.json"),
        str(root / "junk.csv" / "x.json"),
        str(root / "devnull.json"),
        str(root / "fifo.csv"),
        str(root / ("x" * 300 + ".json")),
        "",
    ]


def _values(kind: str, root: Path, files: Path, valid: str | None) -> list[str]:
    return {
        "in": _hostile_inputs(root, files, valid),
        "out": _hostile_outputs(root),
        "year": YEARS,
        "quarter": QUARTERS,
        "month": MONTHS,
        "count": COUNTS,
        "float": FLOATS,
        "text": TEXTS,
        "date": DATES,
        "choice": ["bogus", ""],
        "flag": [],
    }[kind]


def _args(command: str, params: list[Any], values: dict[str, str], hostile: str) -> list[str]:
    args = command.split()
    given, instead = ALTERNATIVES.get(command, ("", set()))
    for param in params:
        needed = param.required or (param.name == given and hostile not in instead)
        if param.name not in values or (not needed and param.name != hostile):
            continue
        value = values[param.name]
        if param.param_type_name == "argument":
            args.append(value)
        else:
            args += [param.opts[0], value]
    for name, option, value in EXTRA.get(command, []):
        if name != hostile:
            args += [option] if value is None else [option, value]
    return args


@pytest.fixture(scope="module")
def hostile_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("hostile")
    (root / "folder").mkdir()
    for suffix in (".csv", ".json", ".sqlite", ".jsonl", ".xlsx", ".yaml", ".secret"):
        (root / f"empty{suffix}").write_bytes(b"")
        (root / f"junk{suffix}").write_bytes(b"\xff\xfe\x00 not this kind of file {[,;\n" * 50)
    (root / "devnull.json").symlink_to("/dev/null")
    os.mkfifo(root / "fifo.csv")
    return root


def test_every_parameter_is_covered() -> None:
    unknown = [
        f"{name}: {param.name}"
        for name, command in COMMANDS.items()
        for param in command.params
        if _kind(name, param) == "?"
    ]
    assert not unknown, f"say in KIND how to make these hostile: {unknown}"
    assert {"audit", "demo", "calendar add", "policies docs", "simulate"} <= set(COMMANDS)


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_hostile_values_never_crash(
    command: str,
    copy_quarter: Path,
    hostile_root: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    if hasattr(typer.testing, "_get_command"):  # build the command tree once, not per run
        built = typer.main.get_command(app)
        monkeypatch.setattr(typer.testing, "_get_command", lambda _: built)
    if command == "serve":  # check the settings, then return instead of serving forever
        monkeypatch.setattr("uvicorn.run", lambda *args, **kwargs: None)
        monkeypatch.setattr(os, "environ", os.environ.copy())
    files = copy_quarter
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)  # defaults such as receipt.json land here
    before = snapshot(files)
    params = list(COMMANDS[command].params)
    base = _base(files, command)
    failures = []
    for param in params:
        kind = _kind(command, param)
        for value in _values(kind, hostile_root, files, base.get(param.name)):
            args = _args(command, params, {**base, param.name: value}, param.name)
            result = runner.invoke(app, args)
            stderr = result.stderr or ""
            if result.exit_code == 3 or "Traceback" in stderr or "Traceback" in result.stdout:
                failures.append(f"{args}: exit {result.exit_code}: {stderr[-300:]}")
            elif result.exception is not None and not isinstance(result.exception, SystemExit):
                failures.append(f"{args}: {result.exception!r}")
    assert not failures, "\n".join(failures)
    after = snapshot(files)
    if command in LEDGER_WRITERS:
        before = {k: v for k, v in before.items() if not k.startswith("ledger-")}
        after = {k: v for k, v in after.items() if not k.startswith("ledger-")}
    assert after == before, "a command changed one of its inputs"
