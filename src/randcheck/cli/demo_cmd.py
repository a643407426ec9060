"""``randcheck demo``: the main job on built-in demo data, a whole quarter."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path
from typing import Annotated, Any

import typer

from randcheck.cli._output import class_counts_table, console, new_table
from randcheck.errors import InputError
from randcheck.models import EntityClass
from randcheck.periods import Quarter


def demo(
    policy: Annotated[
        str, typer.Option(help="Policy id (see `randcheck policies list`).")
    ] = "huojia",
    year: Annotated[int, typer.Option(help="Year of the quarter to run (2000–2100).")] = 2025,
    quarter: Annotated[int, typer.Option(help="Quarter, 1–4.")] = 3,
    out: Annotated[
        Path | None,
        typer.Option(
            help="Folder to write the outputs to (created when missing; its parent must exist)."
        ),
    ] = None,
) -> None:
    """A quarter on the built-in demo county: quotas, sealed draw, reveal, teams, verification.

    With --out, its seven files (the registry's three, the history, the sealed and
    revealed receipts, the ledger) and the quarter's public site (site/, with the
    browser verifier site/verify/verify.mjs) are written together, or none of them.
    A site randcheck built before in site/ is replaced; any other non-empty site/ is
    refused.
    """
    from randcheck.cli._args import check_quarter, check_range
    from randcheck.cli._output import check_output_folder, output_folder, write_errors
    from randcheck.cli.draw_cmd import quotas_table
    from randcheck.demo import (
        DEMO_SEED,
        demo_history,
        demo_public_randomness,
        demo_registry,
        demo_secret,
    )
    from randcheck.draw.history import save_history
    from randcheck.draw.receipt import reveal, save_receipt, seal, verify
    from randcheck.io import atomic_group, write_registry
    from randcheck.policies import get_policy
    from randcheck.report.site import write_site
    from randcheck.report.verdict import to_rich_table

    check_range(year, 2000, 2100, "--year", "give a year")
    check_quarter(quarter)
    period = Quarter(year, quarter)
    if out is not None:
        targets = check_output_folder(out, _output_names(period))
        _check_site_folder(out / SITE)
    chosen = get_policy(policy)
    registry = demo_registry()
    console.print(f"randcheck demo: {chosen.name_zh} ({chosen.id} {chosen.version}), {period.zh}")
    console.print(f"Demo county 示范县: synthetic registry, seed {DEMO_SEED!r}")
    console.print(class_counts_table(registry))
    console.print(
        f"inspectors 检查人员: {registry.inspector_count}; "
        f"registry digest 名录库摘要: {registry.digest}"
    )

    history = demo_history(chosen, registry, period)
    console.print(
        f"history 既往检查: {len(history)} inspections before {period.label} "
        f"(digest {history.digest[:16]}…)"
    )

    secret = demo_secret(period)
    public = demo_public_randomness(period)
    sealed, result = seal(
        chosen, registry, period, secret=secret, public_randomness=public, history=history
    )
    console.print(f"\n1. Commitment 承诺值 (published before the draw): {sealed['commitment']}")
    console.print(f"2. Public randomness 公开随机数 (dice at the ceremony): {public}")
    console.print(quotas_table(result.quotas))
    console.print(
        f"3. Sealed 封存: {len(result.tasks)} tasks; result digest {sealed['result_digest']}"
    )

    revealed = reveal(sealed, secret, registry, history)
    tasks = revealed["revealed"]["tasks"]
    table = new_table(
        f"4. Revealed 揭示 (first 12 of {len(tasks)})",
        "task 任务",
        "entity 检查对象",
        "class 类别",
        "mode 方式",
        "team 检查组",
    )
    for task in tasks[:12]:
        entity = registry.entity(task["uscc"])
        table.add_row(
            task["task_id"][-5:],
            entity.name,
            EntityClass.of(task["class"]).label,
            "现场" if task["mode"] == "ON_SITE" else "非现场",
            ", ".join(task["team"]),
        )
    console.print(table)
    recusals = sum(len(t["recusals"]) for t in tasks)
    console.print(
        f"   on site 现场: {len(result.on_site)}; non-site 非现场: {len(result.non_site)}; "
        f"recusals recorded 回避: {recusals}"
    )

    report = verify(revealed, registry, history)
    console.print(
        "5. Verification 验证: "
        + ", ".join(f"{c.name} {'ok' if c.ok else 'FAILED'}" for c in report.checks)
    )
    with tempfile.TemporaryDirectory(prefix="randcheck-demo-") as scratch:
        staged = Path(scratch)
        ledger_path = staged / f"ledger-{period.label}.sqlite"
        verdict, planted = _record_and_audit(chosen, registry, period, result, sealed, ledger_path)
        console.print(to_rich_table(verdict))
        if out is not None:
            with write_errors(out), output_folder(out):
                write_registry(registry, staged / "registry.csv")
                save_history(history, staged / f"history-{period.label}.json")
                save_receipt(sealed, staged / f"receipt-{period.label}.json")
                save_receipt(revealed, staged / f"receipt-{period.label}.revealed.json")
                files = [staged / target.name for target in targets]
                missing = {f.name for f in files} - {f.name for f in staged.iterdir()}
                if missing:
                    raise InputError(f"the demo did not make {', '.join(sorted(missing))}")
                site = _render_site(staged, period)
                with atomic_group(*targets) as temps:
                    for source, temp in zip(files, temps):
                        shutil.copyfile(source, temp)
                    # last, so that only the files' renames can fail after it
                    write_site(out / SITE, site, force=True)
    caught = {(v.task_id, v.kind) for v in verdict.violations}
    wanted = {(p.task_id, p.kind) for p in planted}
    console.print(
        f"6. Planted faults 预设问题: {len(planted)}; caught 已发现: {len(wanted & caught)}; "
        f"other violations 其他: {len(caught - wanted)}"
    )
    for fault in planted:
        mark = "caught" if (fault.task_id, fault.kind) in caught else "MISSED"
        console.print(f"   {mark}: {fault.task_id} {fault.kind} ({fault.what})", markup=False)
    if out is not None:
        for target in targets:
            console.print(f"wrote {target}", markup=False)
        console.print(
            f"wrote {out / SITE} (the public site 一公开; open {out / SITE / 'index.html'})",
            markup=False,
        )
    if not report.ok or wanted != caught:
        raise typer.Exit(1)


SITE = "site"
"""The folder ``demo --out`` writes the quarter's public site to."""


def _check_site_folder(folder: Path) -> None:
    """Refuse, before the quarter is run, a site folder the demo must not write: a file,
    a link, or a non-empty folder that is not a site randcheck built."""
    from randcheck.report.site import check_site_target

    if folder.parent.is_dir():  # else the demo creates the parent, and the site is new
        check_site_target(folder, [], force=True)


def _render_site(staged: Path, period: Quarter) -> dict[str, bytes]:
    """The quarter's public site, rendered in memory from the files staged in ``staged``
    (judged as of the day the demo's audit is, 75 days after the quarter)."""
    import datetime as dt

    from randcheck import __version__
    from randcheck.report.site import SiteInputs, read_site, render_site, verify_module

    inputs = SiteInputs(
        ledger=staged / f"ledger-{period.label}.sqlite",
        receipts=[
            staged / f"receipt-{period.label}.json",
            staged / f"receipt-{period.label}.revealed.json",
        ],
        registries=[staged / "registry.csv"],
        as_of=period.end + dt.timedelta(days=75),
    )
    return render_site(read_site(inputs), __version__, verify_module())


def _output_names(period: Quarter) -> list[str]:
    """The files ``demo --out`` writes, in the order they are listed."""
    return [
        "registry.csv",
        "registry.inspectors.csv",
        "registry.items.csv",
        f"ledger-{period.label}.sqlite",
        f"history-{period.label}.json",
        f"receipt-{period.label}.json",
        f"receipt-{period.label}.revealed.json",
    ]


def _record_and_audit(
    policy: Any, registry: Any, period: Any, result: Any, sealed: Any, path: Path
) -> Any:
    """Record the quarter in a new ledger at ``path`` and audit it: (verdict, planted)."""
    import datetime as dt

    from randcheck.audit.run import audit
    from randcheck.demo import record_quarter
    from randcheck.ledger.stores import open_ledger

    with open_ledger(path) as ledger:
        planted = record_quarter(ledger, policy, registry, period, result, sealed)
        as_of = period.end + dt.timedelta(days=75)
        verdict = audit(
            policy,
            ledger.events(),
            period.year,
            quarter=period.quarter,
            as_of=as_of,
            registry=registry,
        )
    return verdict, planted
