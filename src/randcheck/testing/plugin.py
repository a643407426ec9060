"""The pytest plugin (``pytest11`` entry point): collects ``*.randcheck.yaml`` cases.

Installed with randcheck, it makes a platform's own suite run conformance cases
with plain ``pytest``: each file is collected as one test per case, named after
the case. A file that is not a valid case file is a collection error naming the
file, the case and the field; a case whose verdict differs prints, per rule, the
clause and its sentence, expected against actual, and the events that decided it
(:mod:`randcheck.testing.assertions`). Items carry the ``randcheck`` marker, so
``pytest -m randcheck`` runs only the cases and ``-m "not randcheck"`` leaves them out.

Only pytest is imported here; randcheck's audit is imported when a case file is
found, so a suite without case files is not slowed down.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from _pytest._code.code import TerminalRepr, TracebackStyle

    from randcheck.testing.case import Case

SUFFIX = ".randcheck.yaml"
"""The file names collected (the same as :data:`randcheck.testing.case.SUFFIX`)."""


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "randcheck: a randcheck conformance case (a *.randcheck.yaml file's case)"
    )


def pytest_collect_file(file_path: Path, parent: pytest.Collector) -> CaseFile | None:
    if file_path.name.endswith(SUFFIX):
        return CaseFile.from_parent(parent, path=file_path)
    return None


def _line_of(lines: list[str], name: str) -> int | None:
    """The (0-based) line naming the case, for pytest's report; None when not found."""
    for number, line in enumerate(lines):
        text = line.strip().lstrip("-").strip()
        if text.startswith("name:") and name in text:
            return number
    return None


class CaseFile(pytest.File):
    """A ``*.randcheck.yaml`` file: one item per case."""

    def collect(self) -> Iterator[CaseItem]:
        from randcheck.errors import RandcheckError
        from randcheck.testing.case import load_cases

        try:
            cases = load_cases(self.path)
        except RandcheckError as exc:
            raise self.CollectError(f"randcheck case file: {exc.message}") from None
        lines = self.path.read_text(encoding="utf-8", errors="replace").splitlines()
        for case in cases:
            item = CaseItem.from_parent(self, name=case.name, case=case)
            item.line = _line_of(lines, case.name)
            item.add_marker("randcheck")
            yield item


class CaseItem(pytest.Item):
    """One case: judged when run, checked against the verdict expected."""

    def __init__(self, *, case: Case, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.case = case
        self.line: int | None = None

    def runtest(self) -> None:
        self.case.check()

    def repr_failure(
        self, excinfo: pytest.ExceptionInfo[BaseException], style: TracebackStyle | None = None
    ) -> str | TerminalRepr:
        from randcheck.errors import RandcheckError
        from randcheck.testing.assertions import VerdictMismatch

        if isinstance(excinfo.value, VerdictMismatch):
            return str(excinfo.value)
        if isinstance(excinfo.value, RandcheckError):
            return f"the case could not be judged: {excinfo.value.message}"
        return super().repr_failure(excinfo, style)

    def reportinfo(self) -> tuple[Path, int | None, str]:
        return self.path, self.line, f"{self.case.policy.id} {self.case.period}: {self.name}"
