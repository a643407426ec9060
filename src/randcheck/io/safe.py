"""Reading untrusted files: bounded, strict, and never a traceback.

Every file randcheck reads may come from someone else: a receipt to verify, a
registry from a platform, a policy file from a colleague. Each reader goes
through these functions, which turn every way a file can be wrong into an
:class:`~randcheck.errors.InputError` naming the file:

- the path is missing, a folder, or not a regular file (a device such as
  ``/dev/zero``, a FIFO): refused before reading;
- the file is larger than the reader's bound (``max_bytes``): refused;
- the text is not UTF-8: the byte offset is given;
- JSON: invalid syntax, ``NaN``/``Infinity``, a key given twice, an integer of
  more than 4,300 digits, or nesting deeper than :data:`MAX_DEPTH`;
- YAML: any alias (``*name``; an alias bomb expands a 1 KB file to
  gigabytes), or nesting deeper than :data:`MAX_DEPTH`.
"""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path
from typing import Any

import yaml

from randcheck.errors import InputError

MiB = 1024 * 1024
GiB = 1024 * MiB
MAX_DOCUMENT_BYTES = 64 * MiB
"""Receipts, announcements, policy and calendar files."""
MAX_REGISTRY_BYTES = 4 * GiB
"""Registry CSV and XLSX files: a national registry (1.4 M entities) is about 600 MB
of CSV; CSV is streamed, never held whole in memory."""
MAX_JSON_REGISTRY_BYTES = 1 * GiB
"""Registry JSON files, which are parsed whole in memory."""
MAX_HISTORY_BYTES = 256 * MiB
"""Inspection histories (CSV or JSON): about two million inspections, years of a
national registry's draws."""
MAX_DEPTH = 64
"""The deepest nesting of a JSON or YAML document randcheck accepts."""


def check_input_file(path: Path | str, what: str = "file", max_bytes: int | None = None) -> Path:
    """``path`` as a regular file no larger than ``max_bytes``; an error naming it otherwise."""
    path = Path(path)
    try:
        info = path.stat()
    except FileNotFoundError:
        raise InputError(
            f"{what} {path} does not exist", where=str(path), hint="check the path"
        ) from None
    except OSError as exc:
        raise InputError(f"cannot read {what} {path}: {exc.strerror}", where=str(path)) from None
    if stat.S_ISDIR(info.st_mode):
        raise InputError(
            f"{what} {path} is a folder, not a file", where=str(path), hint="give a file's path"
        )
    if not stat.S_ISREG(info.st_mode):
        raise InputError(
            f"{what} {path} is not a regular file (a device, pipe or socket)",
            where=str(path),
            hint="give a file's path",
        )
    if max_bytes is not None and info.st_size > max_bytes:
        raise InputError(
            f"{what} {path} is {info.st_size:,} bytes; randcheck reads at most {max_bytes:,}",
            where=str(path),
            hint="check that this is the right file",
        )
    if not os.access(path, os.R_OK):
        raise InputError(f"cannot read {what} {path}: permission denied", where=str(path))
    return path


def read_bytes(
    path: Path | str, what: str = "file", max_bytes: int | None = MAX_DOCUMENT_BYTES
) -> bytes:
    """The whole file, after :func:`check_input_file`; never more than ``max_bytes``."""
    path = check_input_file(path, what, max_bytes)
    try:
        with path.open("rb") as handle:
            data = handle.read() if max_bytes is None else handle.read(max_bytes + 1)
    except OSError as exc:
        raise InputError(f"cannot read {what} {path}: {exc.strerror}", where=str(path)) from None
    if max_bytes is not None and len(data) > max_bytes:  # grew while being read
        raise InputError(f"{what} {path} is larger than {max_bytes:,} bytes", where=str(path))
    return data


def decode_utf8(data: bytes, where: str) -> str:
    """UTF-8 text (a byte-order mark is dropped); the offset of the first bad byte otherwise."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(
            f"not UTF-8 text: byte {exc.start} (0x{data[exc.start]:02x}) is not valid UTF-8",
            where=where,
            hint="save the file as UTF-8",
        ) from None
    return text.removeprefix("\ufeff")


def read_text(
    path: Path | str, what: str = "file", max_bytes: int | None = MAX_DOCUMENT_BYTES
) -> str:
    """The file as UTF-8 text, bounded and checked (see :func:`read_bytes`)."""
    return decode_utf8(read_bytes(path, what, max_bytes), str(path))


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise ValueError(f"the key {key!r} appears twice in one object")
        out[key] = value
    return out


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a number JSON allows")


def depth_of(data: Any, limit: int = MAX_DEPTH) -> int:
    """How deeply ``data`` nests (a scalar is 0), counted up to ``limit + 1``."""
    deepest = 0
    stack: list[tuple[Any, int]] = [(data, 0)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict | list | tuple):
            depth += 1
            deepest = max(deepest, depth)
            if depth > limit:
                return depth
            stack.extend((v, depth) for v in (item.values() if isinstance(item, dict) else item))
    return deepest


def parse_json(text: str, where: str) -> Any:
    """Strict JSON (see the module docstring); an :class:`InputError` naming ``where``."""
    try:
        data = json.loads(text, object_pairs_hook=_no_duplicates, parse_constant=_no_constant)
    except json.JSONDecodeError as exc:
        raise InputError(
            f"not valid JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}", where=where
        ) from None
    except RecursionError:
        raise InputError(f"JSON nested deeper than {MAX_DEPTH} levels", where=where) from None
    except ValueError as exc:  # duplicate keys, NaN, integers too long to convert
        raise InputError(f"not acceptable JSON: {exc}", where=where) from None
    if depth_of(data) > MAX_DEPTH:
        raise InputError(f"JSON nested deeper than {MAX_DEPTH} levels", where=where)
    return data


def load_json(path: Path | str, what: str = "file", max_bytes: int = MAX_DOCUMENT_BYTES) -> Any:
    """A JSON file, bounded, strict UTF-8, strict JSON."""
    return parse_json(read_text(path, what, max_bytes), str(path))


class _NoAliasLoader(yaml.SafeLoader):
    """Safe YAML without aliases: ``&anchor``/``*alias`` is refused, not expanded."""

    def compose_node(self, parent: Any, index: Any) -> Any:
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()  # type: ignore[no-untyped-call]
            raise yaml.YAMLError(
                f"aliases (*{event.anchor}) are not accepted, at line {event.start_mark.line + 1}"
            )
        if self.check_event(yaml.SequenceStartEvent, yaml.MappingStartEvent):
            self._depth = getattr(self, "_depth", 0) + 1
            if self._depth > MAX_DEPTH:
                raise yaml.YAMLError(f"nested deeper than {MAX_DEPTH} levels")
            try:
                return super().compose_node(parent, index)
            finally:
                self._depth -= 1
        return super().compose_node(parent, index)


def parse_yaml(text: str, where: str) -> Any:
    """Safe YAML without aliases and bounded in depth; an :class:`InputError` naming ``where``."""
    try:
        return yaml.load(text, Loader=_NoAliasLoader)  # a SafeLoader subclass: safe
    except yaml.YAMLError as exc:
        raise InputError(f"not valid YAML: {exc}", where=where) from None
    except (RecursionError, ValueError) as exc:
        raise InputError(f"not acceptable YAML: {exc}", where=where) from None
