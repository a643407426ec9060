"""``randcheck site build``: the public site (一公开), static pages a bureau uploads as is.

See :mod:`randcheck.report.site` and docs/public-site.md.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated

import typer

from randcheck.cli._output import LEDGER_HELP, console
from randcheck.errors import InputError

app = typer.Typer(
    help="The public site 一公开: static, bilingual pages built from a ledger and its draws.",
    no_args_is_help=True,
)


@app.command()
def build(
    ledger: Annotated[str, typer.Option(help=f"The ledger: {LEDGER_HELP}.")],
    out: Annotated[
        Path,
        typer.Option(
            "--out",
            "-o",
            help="The site folder: new or empty (its parent must exist); written whole or "
            "not at all.",
        ),
    ],
    receipt: Annotated[
        list[Path] | None,
        typer.Option(help="A draw's receipt, sealed or revealed (repeat for several)."),
    ] = None,
    announcement: Annotated[
        list[Path] | None, typer.Option(help="A draw's announcement (repeat for several).")
    ] = None,
    registry: Annotated[
        list[Path] | None,
        typer.Option(help="A registry snapshot, for entity names (repeat for several)."),
    ] = None,
    head_file: Annotated[
        list[Path] | None,
        typer.Option(
            help="A published file carrying a ledger head (disclosure, report …); repeat."
        ),
    ] = None,
    policy: Annotated[
        str | None,
        typer.Option(help="Policy id or file; by default each draw's receipt names its own."),
    ] = None,
    as_of: Annotated[
        str | None,
        typer.Option(help="Judge the rules as of this date (YYYY-MM-DD); default today."),
    ] = None,
    title: Annotated[str | None, typer.Option(help="The site's title.")] = None,
    force: Annotated[
        bool,
        typer.Option(
            "--force",
            help="Replace the folder when it holds a site randcheck built before (and only then).",
        ),
    ] = False,
) -> None:
    """Build the public site: per period the announcement, sealed receipt, list after
    reveal, results and verdict; the year's schedule (.ics); the ledger heads; a page
    to verify a draw in the browser."""
    from randcheck.cli._output import policy_file
    from randcheck.policies import resolve_policy
    from randcheck.report.site import SiteInputs, build_site, check_site_target

    day = None
    if as_of is not None:
        try:
            day = dt.date.fromisoformat(as_of)
        except ValueError:
            raise InputError(
                f"--as-of {as_of!r} is not a date", hint="give it as YYYY-MM-DD"
            ) from None
    inputs = SiteInputs(
        ledger=ledger,
        receipts=receipt or [],
        announcements=announcement or [],
        registries=registry or [],
        head_files=head_file or [],
        as_of=day,
        title=title,
    )
    given = policy_file(policy)
    check_site_target(out, [*inputs.files(), *([given] if given else [])], force=force)
    if policy is not None:
        inputs.policy = resolve_policy(policy)
    written = build_site(inputs, out, force=force)
    pages = sum(1 for name in written if name.endswith(".html"))
    console.print(f"wrote {out} ({pages} pages, {len(written)} files)", markup=False)
