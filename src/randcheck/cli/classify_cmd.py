"""``randcheck registry classify``: recorded classes the policy's criteria disagree with."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal

import typer

from randcheck.cli._output import console, new_table, print_json


def classify(
    file: Annotated[Path, typer.Argument(help="A registry file (.csv, .xlsx, .json).")],
    policy: Annotated[str, typer.Option(help="Policy id or file whose criteria to apply.")],
    output_format: Annotated[
        Literal["table", "json"], typer.Option("--format", help="table or json")
    ] = "table",
) -> None:
    """Entities whose recorded class differs from the class the policy's criteria propose."""
    from randcheck.draw.classify import classify as run
    from randcheck.io import read_registry
    from randcheck.policies import resolve_policy

    chosen = resolve_policy(policy)
    report = run(chosen, read_registry(file).registry)
    differences = report.differences
    if output_format == "json":
        print_json(
            {
                "policy": chosen.id,
                "version": chosen.version,
                "entities": len(report.proposals),
                "differences": [
                    {
                        "uscc": p.uscc,
                        "name": p.name,
                        "recorded": p.recorded.value,
                        "proposed": p.proposed.value,
                        "basis": p.basis,
                        "reason": p.reason,
                        "matches": [
                            vars(m) | {"entity_class": m.entity_class.value} for m in p.matches
                        ],
                    }
                    for p in differences
                ],
            }
        )
        return
    console.print(
        f"{len(differences)} of {len(report.proposals)} entities differ from the classes "
        f"{chosen.id} proposes 与政策分类标准不一致",
        markup=False,
    )
    if not differences:
        return
    table = new_table(
        "Class differences 分类差异",
        "USCC 统一社会信用代码",
        "name 企业名称",
        "recorded 现类别",
        "proposed 建议类别",
        "why 依据",
    )
    for p in differences:
        table.add_row(p.uscc, p.name, p.recorded.label, p.proposed.label, p.reason)
    console.print(table, markup=False)
