"""One exception hierarchy, rooted in :class:`RandcheckError`.

Every error says what was wrong, where (file, row, column, field) and what to
do about it. The command line turns any ``RandcheckError`` into a message and
a non-zero exit, never a traceback.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass


class RandcheckError(Exception):
    """Base of every error randcheck raises on purpose.

    ``what`` says what went wrong, ``where`` names the place (a file, a row, a
    field), ``hint`` says what to do.
    """

    def __init__(self, what: str, *, where: str | None = None, hint: str | None = None) -> None:
        self.what = what
        self.where = where
        self.hint = hint
        super().__init__(self.message)

    @property
    def message(self) -> str:
        parts = [f"{self.where}: {self.what}" if self.where else self.what]
        if self.hint:
            parts.append(f"What to do: {self.hint}")
        return "\n".join(parts)


@dataclass(frozen=True)
class Problem:
    """One problem found in an input file: where it is and what is wrong."""

    file: str
    row: int | None
    column: str | None
    reason: str

    def __str__(self) -> str:
        place = self.file
        if self.row is not None:
            place += f", row {self.row}"
        if self.column:
            place += f", column {self.column}"
        return f"{place}: {self.reason}"


class InputError(RandcheckError):
    """Input that cannot be used as given (a file, an argument, a value)."""


class ProblemsFound(InputError):
    """A file had one or more problems; nothing was loaded.

    ``problems`` holds every problem found in one pass over the file.
    """

    def __init__(self, file: str, problems: Sequence[Problem], *, hint: str | None = None) -> None:
        self.problems = list(problems)
        n = len(self.problems)
        shown = "\n".join(f"  {p}" for p in self.problems[:20])
        more = f"\n  … and {n - 20} more" if n > 20 else ""
        super().__init__(
            f"{n} problem{'s' if n != 1 else ''} found; nothing was loaded.\n{shown}{more}",
            where=file,
            hint=hint
            or "correct the rows listed, or load with skip_bad_rows=True (in Python) or "
            "`randcheck registry show --skip-bad-rows` to load the good rows and list the "
            "skipped ones.",
        )


class CalendarError(RandcheckError):
    """A date, a schedule file or a calendar question that cannot be answered."""


class PolicyError(RandcheckError):
    """A policy that is unknown, malformed or inconsistent."""


class DrawError(RandcheckError):
    """A draw that cannot be made as asked (too few inspectors, bad seed material)."""


class VerificationError(RandcheckError):
    """A receipt, registry or history that does not match what was sealed."""


class LedgerError(RandcheckError):
    """A ledger that is broken, or an event that may not be appended."""


def join_choices(choices: Iterable[str]) -> str:
    """``a, b, c`` for error messages that list what is allowed."""
    return ", ".join(sorted(choices))
