"""The files a draw rests on, kept by the service beside the ledger.

The ledger records that things happened; a draw also needs its inputs kept whole so
it can be sealed, revealed and verified later, exactly as ``randcheck commit``,
``draw`` and ``reveal`` keep them as files. Per jurisdiction, under the setting
``data_dir``::

    <jurisdiction>/registries/<digest>.json     every registry uploaded, by its digest
    <jurisdiction>/draws/<draw id>/announcement.json   published at commit
                                   secret             0600, never served
                                   history.json       the history the draw rests on
                                   receipt.json       the sealed receipt, published
                                   list.json          0600: the drawn list with the secret
                                                      and replacements, served only
                                                      under the rules (never whole)
                                   revealed.json      the revealed receipt, published

Every file is written atomically; the secret and the list are readable by the
service's own user only.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import threading
from collections import OrderedDict
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from randcheck.draw.history import History, load_history, save_history
from randcheck.errors import InputError
from randcheck.io.atomic import atomic_write, write_secret
from randcheck.io.safe import load_json
from randcheck.registry import Registry

DRAW_ID = r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,79}$"
PENDING = ".pending"
"""The suffix of a file written before its ledger event is stored."""
DIGEST = r"^[0-9a-f]{64}$"


class NotFound(InputError):
    """Something named in the request that the service does not hold (404)."""

    status = 404


_registries: OrderedDict[str, Registry] = OrderedDict()
_cache_lock = threading.Lock()
CACHED_REGISTRIES = 8
"""Registries held in memory, most recently used (a national registry parses slowly)."""


class Files:
    """The service's files for one jurisdiction."""

    def __init__(self, root: Path, jurisdiction: str) -> None:
        self.root = root / jurisdiction

    # --- registries -----------------------------------------------------------------

    def registry_path(self, digest: str) -> Path:
        if not re.fullmatch(DIGEST, digest):
            raise InputError(f"{digest!r} is not a registry digest (64 hexadecimal digits)")
        return self.root / "registries" / f"{digest}.json"

    def save_registry(self, registry: Registry) -> bool:
        """Keep ``registry`` under its digest; False when it was already kept."""
        from randcheck.io import write_registry

        path = self.registry_path(registry.digest)
        if path.exists():
            return False
        path.parent.mkdir(parents=True, exist_ok=True)
        write_registry(registry, path)
        return True

    def registry(self, digest: str) -> Registry:
        """A kept registry (a few recent ones are held in memory: big ones parse slowly)."""
        from randcheck.io import read_registry

        path = self.registry_path(digest)
        key = str(path)
        with _cache_lock:
            if key in _registries:
                _registries.move_to_end(key)
                return _registries[key]
        if not path.exists():
            raise NotFound(
                f"no registry {digest} in this jurisdiction",
                hint="upload it first (POST …/registries); GET …/registries lists those kept",
            )
        registry = read_registry(path).registry
        with _cache_lock:
            _registries[key] = registry
            while len(_registries) > CACHED_REGISTRIES:
                _registries.popitem(last=False)
        return registry

    def registries(self) -> list[str]:
        folder = self.root / "registries"
        if not folder.is_dir():
            return []
        return sorted(p.stem for p in folder.glob("*.json") if re.fullmatch(DIGEST, p.stem))

    # --- draws ------------------------------------------------------------------------

    def draw_dir(self, draw_id: str) -> Path:
        if not re.fullmatch(DRAW_ID, draw_id):
            raise InputError(f"{draw_id!r} is not a draw id ({DRAW_ID})", where="draw_id")
        return self.root / "draws" / draw_id

    def claim_draw(self, draw_id: str) -> Path:
        """A new draw's folder; a draw id is used once (an :class:`InputError` otherwise)."""
        folder = self.draw_dir(draw_id)
        folder.parent.mkdir(parents=True, exist_ok=True)
        try:
            folder.mkdir()
        except FileExistsError:
            raise DrawExists(
                f"draw {draw_id} was already announced", hint="give another draw_id"
            ) from None
        return folder

    def release_draw(self, draw_id: str) -> None:
        """Undo :meth:`claim_draw` after a failed commit (the folder and what is in it)."""
        folder = self.draw_dir(draw_id)
        for child in folder.iterdir() if folder.is_dir() else []:
            child.unlink()  # the draw's own files: announcement, secret, history
        with contextlib.suppress(OSError):
            folder.rmdir()

    @contextlib.contextmanager
    def step(self, draw_id: str, name: str) -> Iterator[None]:
        """Take a draw's one-time step ``name`` (sealed, dispatched, revealed) exclusively:
        a second taker, in any worker, gets a :class:`DrawExists` (409). The step is kept
        when the block succeeds and released when it fails."""
        marker = self.draw_dir(draw_id) / f".{name}"
        try:
            fd = os.open(marker, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
        except FileExistsError:
            raise DrawExists(f"draw {draw_id} is already {name}") from None
        os.close(fd)
        try:
            yield
        except BaseException:
            marker.unlink(missing_ok=True)
            raise

    def draws(self) -> list[str]:
        folder = self.root / "draws"
        if not folder.is_dir():
            return []
        return sorted(
            p.name
            for p in folder.iterdir()
            if re.fullmatch(DRAW_ID, p.name) and (p / "announcement.json").exists()
        )

    def has(self, draw_id: str, name: str) -> bool:
        return (self.draw_dir(draw_id) / name).exists()

    def document(self, draw_id: str, name: str) -> Any:
        """A draw's JSON file; :class:`NotFound` when the draw has none (yet)."""
        path = self.draw_dir(draw_id) / name
        if not path.exists():
            if not (self.draw_dir(draw_id) / "announcement.json").exists():
                raise NotFound(f"no draw {draw_id} in this jurisdiction")
            raise NotFound(f"draw {draw_id} has no {name.removesuffix('.json')} yet")
        return load_json(path, name)

    def write(
        self, draw_id: str, name: str, data: Any, *, private: bool = False, pending: bool = False
    ) -> None:
        """Write a draw's file atomically; ``pending``: as ``NAME.pending``, made the file
        itself by :meth:`promote` once its ledger event is stored."""
        path = self.draw_dir(draw_id) / (name + PENDING if pending else name)
        text = json.dumps(data, ensure_ascii=False, indent=1) + "\n"
        with atomic_write(path) as temp:
            temp.write_text(text, encoding="utf-8")
            if private:
                os.chmod(temp, 0o600)

    # --- files waiting for their ledger event ------------------------------------------
    #
    # A file that goes with a ledger event (a sealed receipt and list, a list with a
    # replacement) is written as NAME.pending first, the event appended, and the file
    # then renamed into place. When the append fails without saying whether it was
    # stored (a connection lost during COMMIT), the ledger is asked; when even that
    # cannot be told, the pending file stays, and the next request for the draw settles
    # it by what the ledger holds: promoted if the event is there, discarded if not.

    def pending(self, draw_id: str, name: str) -> Any | None:
        """The pending version of a draw's file (None: there is none)."""
        path = self.draw_dir(draw_id) / (name + PENDING)
        return load_json(path, name) if path.exists() else None

    def promote(self, draw_id: str, *names: str) -> None:
        """The pending files made the files themselves (each an atomic rename), in order."""
        folder = self.draw_dir(draw_id)
        for name in names:
            pending = folder / (name + PENDING)
            if pending.exists():
                os.replace(pending, folder / name)

    def discard(self, draw_id: str, *names: str) -> None:
        """The pending files removed (their event was not stored)."""
        folder = self.draw_dir(draw_id)
        for name in names:
            (folder / (name + PENDING)).unlink(missing_ok=True)

    @contextlib.contextmanager
    def locked(self, draw_id: str) -> Iterator[None]:
        """The draw's files held exclusively (an advisory lock, across worker processes)
        while a request reads, writes and records them."""
        import fcntl

        fd = os.open(self.draw_dir(draw_id) / ".lock", os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            yield
        finally:
            os.close(fd)  # and the lock with it

    def write_secret(self, draw_id: str, secret: str) -> None:
        write_secret(self.draw_dir(draw_id) / "secret", secret + "\n")

    def secret(self, draw_id: str) -> str:
        from randcheck.io.safe import read_text
        from randcheck.randomness import check_secret

        return check_secret(read_text(self.draw_dir(draw_id) / "secret", "secret file", 4096))

    def save_history(self, draw_id: str, history: History) -> None:
        save_history(history, self.draw_dir(draw_id) / "history.json")

    def history(self, draw_id: str) -> History:
        return load_history(self.draw_dir(draw_id) / "history.json")


class DrawExists(InputError):
    """A draw id used again (409)."""

    status = 409
