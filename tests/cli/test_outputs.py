"""What a command writes: never one of its inputs, never a device or a folder, never in
a missing or read-only folder; refused before anything is read or written
(:func:`randcheck.cli._output.check_outputs`)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from typer.testing import CliRunner

from randcheck.cli import app
from randcheck.cli._output import check_output_folder, check_outputs, output_format
from randcheck.errors import InputError
from tests.cli.conftest import HISTORY, LEDGER, snapshot

runner = CliRunner()
ROOT = os.geteuid() == 0


# --- the helper ------------------------------------------------------------------------


def test_an_output_that_is_an_input_is_refused_however_it_is_named(tmp_path: Path) -> None:
    data = tmp_path / "r.csv"
    data.write_text("x\n", encoding="utf-8")
    (tmp_path / "sub").mkdir()
    (tmp_path / "link.csv").symlink_to(data)
    os.link(data, tmp_path / "hard.csv")
    for same in (
        data,
        tmp_path / "sub" / ".." / "r.csv",
        tmp_path / "link.csv",
        tmp_path / "hard.csv",
        tmp_path / "r.inspectors.csv",  # sidecars a CSV registry implies
        tmp_path / "r.items.csv",
    ):
        with pytest.raises(InputError, match="input"):
            check_outputs([same], [None, data])
    ledger = tmp_path / "l.sqlite"
    with pytest.raises(InputError, match="input"):
        check_outputs([tmp_path / "l.sqlite-wal"], [ledger])
    assert check_outputs([tmp_path / "other.csv"], [data, None]) == [".csv"]


def test_relative_and_absolute_spellings_of_one_file_are_the_same(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    with pytest.raises(InputError, match="input"):
        check_outputs([Path("missing.md")], [tmp_path / "missing.md"])
    with pytest.raises(InputError, match="two outputs"):
        check_outputs([Path("a.md"), tmp_path / "a.md"])


def test_overwrite_false_refuses_an_existing_file(tmp_path: Path) -> None:
    receipt = tmp_path / "receipt.json"
    check_outputs([receipt], overwrite=False)
    receipt.write_text("{}", encoding="utf-8")
    with pytest.raises(InputError, match="exists; choose another name or remove it"):
        check_outputs([receipt], overwrite=False)
    check_outputs([receipt])  # overwrite=True (the default) replaces it


@pytest.mark.parametrize("name", ["devnull", "fifo", "folder", "missing/x.md", "file/x.md", ""])
def test_what_cannot_be_written_is_refused(tmp_path: Path, name: str) -> None:
    (tmp_path / "devnull").symlink_to("/dev/null")
    os.mkfifo(tmp_path / "fifo")
    (tmp_path / "folder").mkdir()
    (tmp_path / "file").write_text("", encoding="utf-8")
    with pytest.raises(InputError):
        check_outputs([tmp_path / name if name else Path(name)])


@pytest.mark.skipif(ROOT, reason="permissions are not enforced for root")
def test_a_read_only_folder_is_refused(tmp_path: Path) -> None:
    folder = tmp_path / "ro"
    folder.mkdir()
    folder.chmod(0o555)
    try:
        with pytest.raises(InputError, match="not writable"):
            check_outputs([folder / "x.md"])
        with pytest.raises(InputError, match="not writable"):
            check_output_folder(folder / "new", ["a.md"])
    finally:
        folder.chmod(0o755)


def test_formats_are_the_extensions_given(tmp_path: Path) -> None:
    formats = {".csv": "csv", ".xlsx": "xlsx"}
    assert check_outputs([tmp_path / "a.CSV"], formats=formats) == ["csv"]
    with pytest.raises(InputError, match=r"\.csv, \.xlsx"):
        check_outputs([tmp_path / "a.pdf"], formats=formats)
    assert output_format(tmp_path / "a.xlsx", None, formats) == "xlsx"
    assert output_format(tmp_path / "a", "csv", formats) == "csv"
    with pytest.raises(InputError, match=r"--format csv disagrees with the file name \S*a\.xlsx"):
        output_format(tmp_path / "a.xlsx", "csv", formats)
    with pytest.raises(InputError, match="no extension"):
        output_format(tmp_path / "a", None, formats)


def test_a_folder_output_may_be_new_but_not_a_file(tmp_path: Path) -> None:
    assert check_output_folder(tmp_path / "new", ["a.md"]) == [tmp_path / "new" / "a.md"]
    (tmp_path / "file").write_text("", encoding="utf-8")
    with pytest.raises(InputError, match="not a folder"):
        check_output_folder(tmp_path / "file", ["a.md"])
    with pytest.raises(InputError, match="does not exist"):
        check_output_folder(tmp_path / "missing" / "new", ["a.md"])


# --- every command that writes a file ---------------------------------------------------


def _writers(q: Path) -> dict[str, list[str]]:
    """Each command that writes, with valid inputs; its output option comes last."""
    ledger, registry = str(q / LEDGER), str(q / "registry.csv")
    return {
        "audit": ["audit", "--policy", "huojia", "--ledger", ledger, "--year", "2025", "-o"],
        "audit-registry": [
            *("audit", "--policy", "huojia", "--ledger", ledger, "--year", "2025"),
            *("--registry", registry, "-o"),
        ],
        "schedule": ["schedule", "--policy", "huojia", "--year", "2025", "-o"],
        "plan": ["plan", "--policy", "huojia", "--registry", registry, "--year", "2025", "-o"],
        "plan-history": [
            *("plan", "--policy", "huojia", "--registry", registry, "--year", "2025"),
            *("--history", str(q / HISTORY), "-o"),
        ],
        "disclose": [
            *("disclose", "--policy", "huojia", "--ledger", ledger, "--year", "2025"),
            *("--registry", registry, "-o"),
        ],
        "report": ["report", "yearly", "--ledger", ledger, "--year", "2025", "-o"],
        "simulate": [
            *("simulate", "--policy", "huojia", "--registry", registry, "--replicates", "1"),
            *("--years", "1", "--workers", "1", "--no-progress", "-o"),
        ],
        "registry synth": ["registry", "synth", "--entities", "5", "-o"],
    }


INPUT_CASES = [
    ("audit", LEDGER),
    ("audit-registry", "registry.csv"),
    ("audit-registry", "registry.inspectors.csv"),
    ("plan", "registry.csv"),
    ("plan", "registry.items.csv"),
    ("plan-history", HISTORY),
    ("disclose", LEDGER),
    ("disclose", "registry.inspectors.csv"),
    ("report", LEDGER),
    ("simulate", "registry.csv"),
]


@pytest.mark.parametrize(("command", "target"), INPUT_CASES)
@pytest.mark.parametrize("spelling", ["same", "symlink", "hardlink"])
def test_no_command_writes_over_its_input(
    copy_quarter: Path, command: str, target: str, spelling: str
) -> None:
    before = snapshot(copy_quarter)
    out = copy_quarter / target
    if spelling != "same":
        out = copy_quarter.parent / f"alias{Path(target).suffix}"
        (out.symlink_to if spelling == "symlink" else out.hardlink_to)(copy_quarter / target)
    result = runner.invoke(app, [*_writers(copy_quarter)[command], str(out)])
    assert result.exit_code == 2, result.output
    assert "input" in result.stderr and "Traceback" not in result.stderr
    assert snapshot(copy_quarter) == before


def test_a_policy_file_is_an_input_too(copy_quarter: Path) -> None:
    variant = copy_quarter / "key20.yaml"
    variant.write_text(
        "variant_of: huojia\nname: key_20\nreason: scenario\n"
        "changes:\n  key.quarterly_share: {min_fraction: 0.20}\n",
        encoding="utf-8",
    )
    result = runner.invoke(
        app, ["schedule", "--policy", str(variant), "--year", "2025", "-o", str(variant)]
    )
    assert result.exit_code == 2 and "input" in result.stderr
    assert variant.read_text(encoding="utf-8").startswith("variant_of: huojia")


def _bad_places(tmp: Path) -> dict[str, Path]:
    (tmp / "a-file").write_text("", encoding="utf-8")
    (tmp / "a-folder").mkdir()
    (tmp / "devnull.json").symlink_to("/dev/null")
    return {
        "missing folder": tmp / "no-such-folder" / "out.json",
        "parent is a file": tmp / "a-file" / "out.json",
        "a folder": tmp / "a-folder",
        "a device": tmp / "devnull.json",
    }


WRITERS = ["audit", "schedule", "plan", "disclose", "report", "simulate", "registry synth"]


@pytest.mark.parametrize("command", WRITERS)
@pytest.mark.parametrize("place", ["missing folder", "parent is a file", "a folder", "a device"])
def test_every_writer_refuses_a_place_it_cannot_write(
    quarter_files: Path, tmp_path: Path, command: str, place: str
) -> None:
    out = _bad_places(tmp_path)[place]
    before = sorted(p.name for p in tmp_path.rglob("*"))
    result = runner.invoke(app, [*_writers(quarter_files)[command], str(out)])
    assert result.exit_code == 2, result.output
    assert result.stderr.startswith("error:") and "Traceback" not in result.stderr
    assert sorted(p.name for p in tmp_path.rglob("*")) == before
    assert Path("/dev/null").is_char_device()


@pytest.mark.skipif(ROOT, reason="permissions are not enforced for root")
@pytest.mark.parametrize("command", WRITERS)
def test_every_writer_refuses_a_read_only_folder(
    quarter_files: Path, tmp_path: Path, command: str
) -> None:
    folder = tmp_path / "ro"
    folder.mkdir()
    folder.chmod(0o555)
    try:
        result = runner.invoke(app, [*_writers(quarter_files)[command], str(folder / "x.json")])
        assert result.exit_code == 2 and "not writable" in result.stderr
        assert list(folder.iterdir()) == []
    finally:
        folder.chmod(0o755)


@pytest.mark.parametrize(
    "args",
    [
        ["demo", "--out"],
        ["policies", "docs", "--out"],
    ],
)
@pytest.mark.parametrize("place", ["missing parent", "a file", "parent is a file"])
def test_folder_writers_refuse_a_file_or_a_missing_parent(
    tmp_path: Path, args: list[str], place: str
) -> None:
    (tmp_path / "a-file").write_text("x", encoding="utf-8")
    out = {
        "missing parent": tmp_path / "no" / "such",
        "a file": tmp_path / "a-file",
        "parent is a file": tmp_path / "a-file" / "pages",
    }[place]
    result = runner.invoke(app, [*args, str(out)])
    assert result.exit_code == 2, result.output
    assert result.stderr.startswith("error:") and "Traceback" not in result.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a-file"]
    assert (tmp_path / "a-file").read_text(encoding="utf-8") == "x"


@pytest.mark.skipif(ROOT, reason="permissions are not enforced for root")
@pytest.mark.parametrize("args", [["demo", "--out"], ["policies", "docs", "--out"]])
def test_folder_writers_refuse_a_read_only_folder(tmp_path: Path, args: list[str]) -> None:
    folder = tmp_path / "ro"
    folder.mkdir()
    folder.chmod(0o555)
    try:
        for out in (folder, folder / "new"):
            result = runner.invoke(app, [*args, str(out)])
            assert result.exit_code == 2 and "not writable" in result.stderr
        assert list(folder.iterdir()) == []
    finally:
        folder.chmod(0o755)


def test_the_demo_ledger_records_the_receipt_it_sealed(tmp_path: Path) -> None:
    """The demo's DRAW_SEALED names the sealed receipt by its commitment and digest, so
    anyone can match the ledger to the published receipt."""
    import json

    from randcheck.ledger.stores import read_verified
    from randcheck.randomness import canonical_digest

    result = CliRunner().invoke(app, ["demo", "--out", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    receipt = json.loads((tmp_path / "out" / "receipt-2025Q3.json").read_text(encoding="utf-8"))
    sealed = [
        e for e in read_verified(tmp_path / "out" / "ledger-2025Q3.sqlite")
        if e.type.value == "DRAW_SEALED"
    ]  # fmt: skip
    assert [e.payload["commitment"] for e in sealed] == [receipt["commitment"]]
    assert sealed[0].payload["receipt_digest"] == canonical_digest(receipt)
