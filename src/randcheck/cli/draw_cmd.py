"""``randcheck draw``, ``reveal`` and ``verify``: a sealed draw anyone can check."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated, Any

import typer

from randcheck.cli._output import console, new_table
from randcheck.draw.quotas import ClassQuota
from randcheck.errors import InputError
from randcheck.models import EntityClass


def quotas_table(quotas: list[dict[str, Any]] | list[ClassQuota]) -> Any:
    table = new_table(
        "Quotas 抽查数量", "class 类别", "quota 数量", "eligible 可抽", "rule and clause 依据"
    )
    for q in quotas:
        data = q.to_json() if isinstance(q, ClassQuota) else q
        cls = EntityClass.of(data["class"])
        reasons = [f"{t['count']}: {t['explanation']} ({t['clause']})" for t in data["terms"]]
        reasons += data["notes"]
        flag = " (capped 受限)" if data["capped"] else ""
        table.add_row(
            cls.label, f"{data['quota']}{flag}", str(data["eligible"]), "\n".join(reasons)
        )
    return table


def _history(path: Path | None) -> Any:
    from randcheck.draw.history import History, load_history

    return load_history(path) if path else History()


def _read_secret(path: Path) -> str:
    if not path.is_file():
        raise InputError(f"secret file {path} does not exist", where=str(path))
    return path.read_text(encoding="utf-8").strip()


def commit(
    secret_file: Annotated[Path, typer.Option(help="Where to write the new secret.")] = Path(
        "draw.secret"
    ),
) -> None:
    """Make the operator's secret and print its commitment: publish it before the draw."""
    from randcheck.randomness import commitment, new_secret

    if secret_file.exists():
        raise InputError(f"{secret_file} exists", hint="a secret is made once; choose a new file")
    secret = new_secret()
    secret_file.write_text(secret + "\n", encoding="utf-8")
    os.chmod(secret_file, 0o600)
    console.print(f"secret 密钥: {secret_file}")
    console.print(f"commitment 承诺值 (publish this now): {commitment(secret)}")


def draw(
    policy: Annotated[str, typer.Option(help="Policy id or policy/variant file.")],
    registry: Annotated[Path, typer.Option(help="Registry file (.csv, .xlsx, .json).")],
    year: Annotated[int, typer.Option(help="Year of the quarter.")],
    quarter: Annotated[int, typer.Option(min=1, max=4, help="Quarter 1–4.")],
    public_randomness: Annotated[
        str, typer.Option(help="Dice digits or a beacon value, entered at the draw (>= 20 chars).")
    ],
    history: Annotated[Path | None, typer.Option(help="Earlier inspections (.csv/.json).")] = None,
    jurisdiction: Annotated[str | None, typer.Option(help="Division code to draw for.")] = None,
    secret_file: Annotated[
        Path | None,
        typer.Option(help="Secret committed to before the draw; a new one is made if absent."),
    ] = None,
    out: Annotated[Path, typer.Option("-o", "--out", help="Sealed receipt to write.")] = Path(
        "receipt.json"
    ),
) -> None:
    """Draw a quarter and seal it: writes the sealed receipt and secret, prints the commitment."""
    from randcheck.draw.receipt import save_receipt, seal
    from randcheck.io import read_registry
    from randcheck.periods import Quarter
    from randcheck.policies import resolve_policy
    from randcheck.randomness import new_secret

    period_ = Quarter(year, quarter)
    chosen = resolve_policy(policy, during=(period_.start, period_.end))
    snapshot = read_registry(registry).registry
    past = _history(history)
    secret_path = secret_file or out.with_suffix(".secret")
    fresh = not secret_path.exists()
    secret = new_secret() if fresh else _read_secret(secret_path)
    receipt, result = seal(
        chosen,
        snapshot,
        Quarter(year, quarter),
        secret=secret,
        public_randomness=public_randomness,
        history=past,
        jurisdiction=jurisdiction,
    )
    save_receipt(receipt, out)
    if fresh:
        secret_path.write_text(secret + "\n", encoding="utf-8")
        os.chmod(secret_path, 0o600)
    console.print(quotas_table(result.quotas))
    console.print(f"sealed receipt 封存回执: {out}  ({len(result.tasks)} tasks, no entity named)")
    console.print(f"secret 密钥: {secret_path} (keep it until the inspections start)")
    console.print(f"commitment 承诺值: {receipt['commitment']}")
    if fresh:
        console.print(
            "note: for a ceremony nobody can steer, publish the commitment before the public "
            "randomness is known (make the secret first and pass --secret-file)."
        )


def reveal(
    receipt: Annotated[Path, typer.Argument(help="The sealed receipt.")],
    secret_file: Annotated[Path, typer.Option(help="The secret written when the draw was sealed.")],
    registry: Annotated[Path, typer.Option(help="The registry the draw was sealed on.")],
    history: Annotated[Path | None, typer.Option(help="The history it was sealed on.")] = None,
    out: Annotated[
        Path | None, typer.Option("-o", "--out", help="Revealed receipt to write.")
    ] = None,
) -> None:
    """Reveal a sealed draw: add the secret, the seed and the list with the teams."""
    from randcheck.draw.receipt import load_receipt, save_receipt
    from randcheck.draw.receipt import reveal as do_reveal
    from randcheck.io import read_registry

    sealed = load_receipt(receipt)
    revealed = do_reveal(
        sealed, _read_secret(secret_file), read_registry(registry).registry, _history(history)
    )
    target = out or receipt.with_name(receipt.stem + ".revealed.json")
    save_receipt(revealed, target)
    table = new_table(
        "Drawn 抽取结果",
        "task 任务",
        "USCC 统一社会信用代码",
        "class 类别",
        "mode 方式",
        "team 检查组",
    )
    for task in revealed["revealed"]["tasks"]:
        table.add_row(
            task["task_id"],
            task["uscc"],
            EntityClass.of(task["class"]).label,
            task["mode"],
            ", ".join(task["team"]),
        )
    console.print(table)
    console.print(f"revealed receipt 揭示回执: {target}")


def verify(
    receipt: Annotated[Path, typer.Argument(help="A revealed receipt.")],
    registry: Annotated[Path, typer.Option(help="The registry the draw was made on.")],
    history: Annotated[Path | None, typer.Option(help="The history it was made on.")] = None,
) -> None:
    """Recompute a draw; exit 0 when everything matches, 1 with the first difference."""
    from randcheck.draw.receipt import load_receipt
    from randcheck.draw.receipt import verify as do_verify
    from randcheck.io import read_registry

    report = do_verify(load_receipt(receipt), read_registry(registry).registry, _history(history))
    for check in report.checks:
        mark = "ok  " if check.ok else "FAIL"
        console.print(
            f"{mark} {check.name}" + ("" if check.ok else f": {check.detail}"), markup=False
        )
    if not report.ok:
        failure = report.first_failure
        assert failure is not None
        console.print(f"verification failed 验证未通过: {failure.name}", style="bold red")
        raise typer.Exit(1)
    console.print("verified 验证通过: the draw follows from its published inputs")
