"""``randcheck ledger copy SRC DST``: move a ledger between stores, checking as it goes."""

from __future__ import annotations

from typing import Annotated

import typer

from randcheck.cli._output import console

_FORMS = (
    "a .sqlite or .jsonl file, or a URL: postgresql://user@host:5432/db?chain=410724, "
    "sqlite:///srv/ledgers?chain=410724 (the folder's 410724.sqlite)"
)


def copy(
    src: Annotated[str, typer.Argument(help=f"The ledger to copy (read only): {_FORMS}.")],
    dst: Annotated[
        str,
        typer.Argument(
            help=f"Where to copy it: {_FORMS}. Created when missing; it must be empty or "
            "hold the start of SRC (an earlier copy), and then only the rest is appended."
        ),
    ],
) -> None:
    """Copy a ledger to another file or store (SQLite, JSON Lines, PostgreSQL).

    The copy is the same chain: each event keeps its number and hash, each is checked
    (its hash, its link, its content) as it is copied, and the whole copy is written
    in one transaction of the destination: a broken source is refused and nothing is
    written. Exit 0 when copied; 2 when nothing could be copied, saying why.
    """
    from randcheck.ledger.copy import copy_ledger

    report = copy_ledger(src, dst)
    kept = f" ({report.kept} already there)" if report.kept else ""
    console.print(
        f"copied {report.copied} events 已复制{kept} from {report.source} to "
        f"{report.destination}\n{report.head.line()}",
        markup=False,
    )
