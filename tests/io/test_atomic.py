"""Written files: whole or absent, the umask's permissions, secrets 0600 from the first byte,
and a clear error naming the folder when it is missing or cannot be written."""

from __future__ import annotations

import os
import stat
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from randcheck.draw.history import History, save_history
from randcheck.errors import InputError
from randcheck.io import write_registry
from randcheck.io.atomic import atomic_write, write_secret, write_text
from randcheck.policies import get_policy, save_policy
from randcheck.publish.table import Table
from randcheck.registry import Registry
from randcheck.report.files import write_table

ROOT = os.geteuid() == 0


def mode(path: Path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


@pytest.fixture
def umask() -> Iterator[Callable[[int], None]]:
    old = os.umask(0o022)
    try:
        yield os.umask
    finally:
        os.umask(old)


def _table() -> Table:
    return Table("t", [("a", "A")], [{"a": 1}])


def _writers(registry: Registry) -> list[tuple[str, Callable[[Path], object]]]:
    return [
        ("text.txt", lambda p: write_text(p, "x")),
        ("reg.csv", lambda p: write_registry(registry, p)),
        ("reg.xlsx", lambda p: write_registry(registry, p)),
        ("reg.json", lambda p: write_registry(registry, p)),
        ("table.csv", lambda p: write_table(_table(), p)),
        ("table.xlsx", lambda p: write_table(_table(), p)),
        ("table.json", lambda p: write_table(_table(), p)),
        ("history.json", lambda p: save_history(History(), p)),
        ("policy.yaml", lambda p: save_policy(get_policy("huojia"), p)),
    ]


@pytest.mark.parametrize(("mask", "expected"), [(0o022, 0o644), (0o077, 0o600), (0o002, 0o664)])
def test_public_files_take_the_umask(
    small_registry: Registry,
    tmp_path: Path,
    umask: Callable[[int], None],
    mask: int,
    expected: int,
) -> None:
    umask(mask)
    for name, write in _writers(small_registry):
        write(tmp_path / name)
        assert mode(tmp_path / name) == expected, name
    assert mode(tmp_path / "reg.inspectors.csv") == expected


def test_overwriting_a_0644_file_keeps_it_readable(
    small_registry: Registry, tmp_path: Path, umask: Callable[[int], None]
) -> None:
    for name, write in _writers(small_registry):
        target = tmp_path / name
        target.write_text("old", encoding="utf-8")
        target.chmod(0o644)
        write(target)
        assert mode(target) == 0o644, name
        assert target.read_bytes() != b"old"


def test_no_temporary_file_is_left_behind(tmp_path: Path) -> None:
    with pytest.raises(RuntimeError), atomic_write(tmp_path / "out.txt") as temp:
        temp.write_text("half", encoding="utf-8")
        raise RuntimeError("stop")
    assert list(tmp_path.iterdir()) == []
    write_text(tmp_path / "out.txt", "whole")
    assert [p.name for p in tmp_path.iterdir()] == ["out.txt"]


@pytest.mark.parametrize("mask", [0o022, 0o077, 0o000])
def test_a_secret_is_0600_from_the_first_byte(
    tmp_path: Path, umask: Callable[[int], None], mask: int
) -> None:
    umask(mask)
    seen: list[int] = []
    real_open = os.open

    def watching_open(path: str, flags: int, mode: int = 0o777, **kw: object) -> int:
        fd = real_open(path, flags, mode, **kw)  # type: ignore[arg-type]
        if flags & os.O_CREAT:
            seen.append(stat.S_IMODE(os.fstat(fd).st_mode))
        return fd

    target = tmp_path / "seed.secret"
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(os, "open", watching_open)
        write_secret(target, "s3cret")
    assert seen and all(m == 0o600 for m in seen)  # created 0600, before any byte
    assert mode(target) == 0o600
    assert target.read_text(encoding="utf-8") == "s3cret"
    assert [p.name for p in tmp_path.iterdir()] == ["seed.secret"]


def test_a_secret_never_overwrites(tmp_path: Path) -> None:
    target = tmp_path / "seed.secret"
    target.write_text("first", encoding="utf-8")
    target.chmod(0o644)
    with pytest.raises(InputError, match="already exists"):
        write_secret(target, "second")
    assert target.read_text(encoding="utf-8") == "first"
    assert mode(target) == 0o644
    link = tmp_path / "dangling.secret"
    link.symlink_to(tmp_path / "nowhere")
    with pytest.raises(InputError, match="already exists"):
        write_secret(link, "x")
    assert not (tmp_path / "nowhere").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["dangling.secret", "seed.secret"]


def test_a_secret_in_a_missing_folder_writes_nothing_anywhere(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=f"folder {tmp_path / 'missing'} does not exist"):
        write_secret(tmp_path / "missing" / "seed.secret", "x")
    assert list(tmp_path.iterdir()) == []


def _unwritable_folder(tmp_path: Path) -> Path:
    """A folder no write can go to: chmod 0555, or (as root, who ignores modes) /proc."""
    if ROOT:
        return Path("/proc/self")
    folder = tmp_path / "readonly"
    folder.mkdir()
    folder.chmod(0o555)
    return folder


@pytest.mark.parametrize("kind", ["missing", "unwritable", "file"])
def test_every_writer_names_a_folder_it_cannot_use(
    small_registry: Registry, tmp_path: Path, kind: str
) -> None:
    if kind == "missing":
        folder = tmp_path / "missing"
    elif kind == "file":
        folder = tmp_path / "plain.txt"
        folder.write_text("not a folder", encoding="utf-8")
    else:
        folder = _unwritable_folder(tmp_path)
    before = sorted(p.name for p in tmp_path.iterdir())
    writers = [*_writers(small_registry), ("seed.secret", lambda p: write_secret(p, "x"))]
    try:
        for name, write in writers:
            with pytest.raises(InputError) as caught:
                write(folder / name)
            assert str(folder) in caught.value.what, name
    finally:
        if folder.name == "readonly":
            folder.chmod(0o755)
    assert sorted(p.name for p in tmp_path.iterdir()) == before
    if folder.is_dir():
        assert not any(p.name.endswith(".tmp") for p in folder.iterdir())


def test_a_writer_aimed_at_a_folder_says_so(tmp_path: Path) -> None:
    (tmp_path / "out.csv").mkdir()
    with pytest.raises(InputError, match="is a folder"):
        write_table(_table(), tmp_path / "out.csv")
    with pytest.raises(InputError, match="is a folder"):
        write_secret(tmp_path / "out.csv", "x")


def test_the_command_line_names_the_folder(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from randcheck.cli import app

    folder = _unwritable_folder(tmp_path)
    out = str(folder / "r.csv")
    try:
        result = CliRunner().invoke(
            app,
            [*("registry", "synth", "--entities", "5", "--inspectors", "2"), "--out", out],
        )
    finally:
        if folder.name == "readonly":
            folder.chmod(0o755)
    assert result.exit_code == 2, result.output
    assert str(folder) in result.output and "internal error" not in result.output


def test_a_secret_without_hard_links_is_still_0600_and_never_overwrites(
    tmp_path: Path, umask: Callable[[int], None], monkeypatch: pytest.MonkeyPatch
) -> None:
    import errno

    def no_links(*args: object, **kwargs: object) -> None:
        raise OSError(errno.EPERM, "Operation not permitted")

    monkeypatch.setattr(os, "link", no_links)
    target = tmp_path / "seed.secret"
    write_secret(target, "s")
    assert mode(target) == 0o600 and target.read_text(encoding="utf-8") == "s"
    with pytest.raises(InputError, match="already exists"):
        write_secret(target, "t")
    assert target.read_text(encoding="utf-8") == "s"
    assert [p.name for p in tmp_path.iterdir()] == ["seed.secret"]
