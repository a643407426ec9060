"""``randcheck policies …``: list, show and compare jurisdiction policies."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal

import typer

from randcheck.cli._output import console, err_console, new_table, print_json
from randcheck.policies import available_policies, plugin_problems, resolve_policy
from randcheck.policies.describe import describe, policy_summary, rule_json

app = typer.Typer(help="Jurisdiction policies: list, show, diff.", no_args_is_help=True)
FormatOption = Annotated[Literal["table", "json"], typer.Option("--format", help="table or json")]


@app.command("list")
def list_policies(output_format: FormatOption = "table") -> None:
    """Every policy: the five built-ins, their named variants and installed plugins."""
    policies = available_policies()
    for problem in plugin_problems():
        err_console.print(f"warning: {problem}", markup=False)
    if output_format == "json":
        print_json([policy_summary(p) for p in policies])
        return
    table = new_table(
        "Policies 政策",
        "id",
        "name 名称",
        "level 层级",
        "document 文号",
        "from 施行",
        "version 版本",
    )
    for p in policies:
        table.add_row(
            p.id,
            p.name_zh,
            p.level.label,
            p.document_number or "—",
            p.effective_from.isoformat(),
            p.version,
        )
    console.print(table)


@app.command()
def show(
    policy: Annotated[str, typer.Argument(help="A policy id, or a policy/variant file.")],
    output_format: FormatOption = "table",
) -> None:
    """Every rule of a policy with its value, clause and quoted source sentence."""
    chosen = resolve_policy(policy)
    if output_format == "json":
        print_json(
            {
                **policy_summary(chosen),
                "rules": [rule_json(r) for r in chosen.rules],
                "changes": [c.model_dump(mode="json") for c in chosen.changes],
                "notes": list(chosen.notes),
            }
        )
        return
    console.print(f"{chosen.name_zh}\n{chosen.name_en}", markup=False)
    console.print(
        f"id {chosen.id}  version {chosen.version}  effective {chosen.effective_from}  "
        f"{chosen.document_number or ''}",
        markup=False,
    )
    table = new_table("Rules 规则", "rule 规则", "value 取值", "clause 条款", "source 原文")
    for rule in chosen.rules:
        mark = " *" if chosen.changed(rule.id) else ""
        quote = rule.citation.quote + (
            f"\n[reading] {rule.interpretation}" if rule.interpretation else ""
        )
        table.add_row(f"{rule.id}{mark}", describe(rule), str(rule.citation), quote)
    console.print(table, markup=False)
    for change in chosen.changes:
        console.print(
            f"* changed: {change.rule} {change.field}: {change.old} -> {change.new} "
            f"({change.reason})",
            markup=False,
        )
    for note in chosen.notes:
        console.print(f"note: {note}", markup=False)


@app.command()
def export(
    policy: Annotated[str, typer.Argument(help="A policy id, or a policy/variant file.")],
    out: Annotated[
        Path, typer.Option("-o", "--out", help="The file to write: .json, .yaml or .yml.")
    ],
) -> None:
    """Write a policy whole (every rule with its clause), as receipts name it by digest.

    The JSON's canonical form is what a receipt's ``policy.digest`` covers; the file
    loads back (``--policy FILE``) as the same policy.
    """
    from randcheck.cli._output import check_outputs
    from randcheck.policies import save_policy

    source = Path(policy) if policy.lower().endswith((".json", ".yaml", ".yml")) else None
    check_outputs([out], [source], formats={".json": "json", ".yaml": "yaml", ".yml": "yaml"})
    chosen = resolve_policy(policy)
    save_policy(chosen, out)
    console.print(f"{chosen.label}: {out}  (digest {chosen.digest})", markup=False)


@app.command()
def docs(
    out: Annotated[
        Path,
        typer.Option(help="Folder for the pages (created when missing; its parent must exist)."),
    ] = Path("docs/policies"),
) -> None:
    """Write a Markdown page per built-in policy and variant (rules with citations).

    The pages are written together or not at all.
    """
    from randcheck.cli._output import check_output_folder, output_folder, write_errors
    from randcheck.policies import BUILTINS, VARIANTS, get_policy
    from randcheck.report.policy_pages import page_name, write_policy_pages

    chosen = [get_policy(i) for i in [*BUILTINS, *VARIANTS]]
    check_output_folder(out, [page_name(p) for p in chosen])
    with write_errors(out), output_folder(out):
        pages = write_policy_pages(out, chosen)
    for page in pages:
        console.print(f"wrote {page}", markup=False)


@app.command()
def diff(
    a: Annotated[str, typer.Argument(help="A policy id or file.")],
    b: Annotated[str, typer.Argument(help="Another policy id or file.")],
    output_format: FormatOption = "table",
) -> None:
    """Rule by rule: what differs between two policies (or a policy and a variant file)."""
    left, right = resolve_policy(a), resolve_policy(b)
    left_rules = {r.id: r for r in left.rules}
    right_rules = {r.id: r for r in right.rules}
    rows: list[dict[str, str]] = []
    for rule_id in [*left_rules, *(i for i in right_rules if i not in left_rules)]:
        old, new = left_rules.get(rule_id), right_rules.get(rule_id)
        if old is not None and new is not None:
            if describe(old) == describe(new) and old.model_dump() == new.model_dump():
                continue
            rows.append(
                {"rule": rule_id, "change": "changed", "a": describe(old), "b": describe(new)}
            )
        elif old is not None:
            rows.append({"rule": rule_id, "change": "only in a", "a": describe(old), "b": ""})
        elif new is not None:
            rows.append({"rule": rule_id, "change": "only in b", "a": "", "b": describe(new)})
    if output_format == "json":
        print_json(
            {
                "a": left.id,
                "a_version": left.version,
                "b": right.id,
                "b_version": right.version,
                "differences": rows,
            }
        )
        return
    if not rows:
        console.print(f"No differences between {left.label} and {right.label}.", markup=False)
        return
    table = new_table(
        f"{left.id} {left.version}  vs  {right.id} {right.version}",
        "rule 规则",
        "change 变化",
        "a",
        "b",
    )
    for row in rows:
        table.add_row(row["rule"], row["change"], row["a"], row["b"])
    console.print(table, markup=False)
