"""``randcheck commit``, ``draw``, ``reveal``, ``replace`` and ``verify``: a draw anyone can check.

The ceremony (docs/verification.md): ``commit`` writes the announcement that
binds every input and the secret before the public randomness exists; ``draw``
takes the announcement and refuses inputs that differ; ``reveal`` opens the
list when the inspections start; ``replace`` records a replaced inspector;
``verify`` recomputes everything from the published files.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from randcheck.cli._output import console, new_table
from randcheck.draw.quotas import ClassQuota
from randcheck.errors import InputError
from randcheck.models import EntityClass

if TYPE_CHECKING:
    from randcheck.draw.history import History
    from randcheck.draw.receipt import LedgerTimes, PolicyResolver
    from randcheck.policies.model import Policy
    from randcheck.registry import EntityFilter


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


# --- options shared by commit and draw ---------------------------------------------------

PolicyOpt = Annotated[str | None, typer.Option(help="Policy id or policy/variant file.")]
RegistryOpt = Annotated[Path, typer.Option(help="Registry file (.csv, .xlsx, .json).")]
HistoryOpt = Annotated[Path | None, typer.Option(help="Earlier inspections (.csv/.json).")]
YearOpt = Annotated[int | None, typer.Option(min=2000, max=2100, help="Year of the quarter.")]
QuarterOpt = Annotated[int | None, typer.Option(min=1, max=4, help="Quarter 1–4.")]
JurisdictionOpt = Annotated[
    str | None, typer.Option(help="Division code to draw for (six digits).")
]
CampaignOpt = Annotated[
    Path | None,
    typer.Option(
        help="A targeted campaign's entity filter (.json/.yaml; 获嘉 第十一条), "
        'e.g. {"industry_prefixes": ["C26"]}.'
    ),
]
DepartmentOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--department",
        help="A joint draw (联合抽查): each department that sends an inspector; repeat the option.",
    ),
]
ExpertiseOpt = Annotated[
    list[str] | None,
    typer.Option(
        help="Wanted expertise 业务专长 (inspectors holding any go first); repeat the option."
    ),
]
CapacityOpt = Annotated[
    int | None, typer.Option(min=1, help="Most tasks one inspector takes in this draw.")
]


def _history(path: Path | None) -> History:
    from randcheck.draw.history import History, load_history

    return load_history(path) if path else History()


def _read_secret(path: Path) -> str:
    from randcheck.io.safe import read_text
    from randcheck.randomness import check_secret

    return check_secret(read_text(path, "secret file", 4096))


def _campaign(path: Path | None) -> EntityFilter | None:
    if path is None:
        return None
    from pydantic import ValidationError

    from randcheck.io.safe import parse_json, parse_yaml, read_text
    from randcheck.registry import EntityFilter

    text = read_text(path, "campaign file", 1024 * 1024)
    suffix = path.suffix.lower()
    if suffix not in (".json", ".yaml", ".yml"):
        raise InputError(f"campaign file {path} must be .json, .yaml or .yml", where=str(path))
    data = parse_json(text, str(path)) if suffix == ".json" else parse_yaml(text, str(path))
    try:
        return EntityFilter.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        place = ".".join(str(p) for p in first["loc"]) or "(the filter)"
        raise InputError(
            f"{place}: {first['msg']}",
            where=str(path),
            hint="see docs/verification.md (campaign filter) for the fields",
        ) from None


def _write_new_secret(path: Path, secret: str) -> None:
    """A new secret file, readable by its owner only from the first byte; never overwrites."""
    from randcheck.io.atomic import write_secret

    write_secret(path, secret + "\n")


def _outputs(outputs: list[Path], inputs: list[Path | None], *, overwrite: bool) -> None:
    from randcheck.cli._output import check_outputs

    check_outputs(outputs, inputs, overwrite=overwrite)


def _period(year: int | None, quarter: int | None) -> Any:
    from randcheck.periods import Quarter

    if year is None or quarter is None:
        raise InputError("give --year and --quarter (or --announcement, which names the period)")
    return Quarter(year, quarter)


def _resolve(policy: str, period: Any) -> Policy:
    from randcheck.policies import resolve_policy

    return resolve_policy(policy, during=(period.start, period.end))


def _ledger_head(path: Path) -> dict[str, Any]:
    from randcheck.ledger import published_head
    from randcheck.ledger.stores import open_ledger

    with open_ledger(path) as ledger:
        head: dict[str, Any] = published_head(ledger).to_json()
    return head


def commit(
    policy: Annotated[str, typer.Option(help="Policy id or policy/variant file.")],
    registry: RegistryOpt,
    year: Annotated[int, typer.Option(min=2000, max=2100, help="Year of the quarter.")],
    quarter: Annotated[int, typer.Option(min=1, max=4, help="Quarter 1–4.")],
    randomness_kind: Annotated[
        str,
        typer.Option(
            help="Source of public randomness: dice (rolled at a ceremony), lottery "
            "(e.g. 福彩双色球), beacon (a randomness beacon round).",
        ),
    ],
    randomness_source: Annotated[
        str,
        typer.Option(
            help="Which one, as the public can check it: the ceremony's place and witnesses, "
            "the lottery draw (福彩双色球 第2025123期), the beacon and round."
        ),
    ],
    randomness_at: Annotated[
        str,
        typer.Option(
            help="When that randomness will exist, ISO 8601 with offset "
            "(2025-07-01T21:15:00+08:00); must be after now."
        ),
    ],
    history: HistoryOpt = None,
    jurisdiction: JurisdictionOpt = None,
    campaign: CampaignOpt = None,
    department: DepartmentOpt = None,
    expertise: ExpertiseOpt = None,
    capacity: CapacityOpt = None,
    ledger: Annotated[
        Path | None,
        typer.Option(help="Ledger to record the announcement in (DRAW_ANNOUNCED)."),
    ] = None,
    secret_file: Annotated[
        Path | None,
        typer.Option(help="Where to write the new secret (default: beside the announcement)."),
    ] = None,
    out: Annotated[
        Path, typer.Option("-o", "--out", help="The announcement to write and publish.")
    ] = Path("announcement.json"),
) -> None:
    """Announce a draw before its randomness exists: every input, bound to a new secret.

    Writes the announcement (publish it now, where the public sees it, before the
    randomness is known) and the secret (keep it; only `draw` and `reveal` read it).
    """
    from pydantic import ValidationError

    from randcheck.draw.announcement import RandomnessSource, announce, draw_inputs
    from randcheck.draw.announcement import now as clock
    from randcheck.io import read_registry
    from randcheck.io.atomic import write_text
    from randcheck.randomness import new_secret

    _outputs([out], [], overwrite=False)
    secret_path = secret_file or out.with_suffix(".secret")
    if secret_path.resolve() == out.resolve():
        raise InputError("the secret file and the announcement must be different files")
    _outputs(
        [out, secret_path], [registry, history, campaign, ledger, _as_path(policy)], overwrite=False
    )
    if randomness_kind not in ("dice", "lottery", "beacon"):
        raise InputError(f"--randomness-kind {randomness_kind!r}: choose dice, lottery or beacon")
    try:
        source = RandomnessSource.model_validate(
            {
                "kind": randomness_kind,
                "source": randomness_source,
                "expected_at": dt.datetime.fromisoformat(randomness_at),
            }
        )
    except (ValueError, ValidationError) as exc:
        raise InputError(
            f"the declared randomness is not valid: {_first_message(exc)}",
            hint="e.g. --randomness-at 2025-07-01T21:15:00+08:00",
        ) from None
    period = _period(year, quarter)
    chosen = _resolve(policy, period)
    snapshot = read_registry(registry).registry
    past = _history(history)
    inputs = draw_inputs(
        chosen,
        period,
        registry_digest=snapshot.digest,
        history_digest=past.digest,
        jurisdiction=jurisdiction,
        campaign=_campaign(campaign),
        departments=department or (),
        expertise=frozenset(expertise or ()),
        capacity=capacity,
        randomness=source,
    )
    secret = new_secret()
    head = _ledger_head(ledger) if ledger is not None else None
    announcement = announce(secret, inputs, announced_at=clock(), ledger_head=head)
    text = json.dumps(announcement, ensure_ascii=False, indent=1) + "\n"
    _write_new_secret(secret_path, secret)
    try:
        write_text(out, text)
        if ledger is not None:
            _record_announcement(ledger, announcement)
    except BaseException:
        secret_path.unlink(missing_ok=True)
        out.unlink(missing_ok=True)
        raise
    console.print(f"announcement 抽查公告: {out}  (publish it now, before {randomness_at})")
    console.print(f"secret 密钥: {secret_path} (keep it; `draw` and `reveal` need it)")
    console.print(f"commitment 承诺值: {announcement['commitment']}")


def _first_message(exc: Exception) -> str:
    from pydantic import ValidationError

    if isinstance(exc, ValidationError):
        first = exc.errors()[0]
        return f"{'.'.join(str(p) for p in first['loc'])}: {first['msg']}"
    return str(exc)


def _as_path(policy: str | None) -> Path | None:
    if policy and policy.lower().endswith((".json", ".yaml", ".yml")):
        return Path(policy)
    return None


def _record_announcement(path: Path, announcement: dict[str, Any]) -> None:
    from randcheck.draw.announcement import announcement_digest
    from randcheck.ledger.stores import open_ledger

    inputs = announcement["inputs"]
    with open_ledger(path) as ledger:
        ledger.append(
            "DRAW_ANNOUNCED",
            actor="randcheck commit",
            subject=f"{inputs['period']}-{inputs['jurisdiction'] or 'ALL'}-draw",
            payload={
                "period": inputs["period"],
                "commitment": announcement["commitment"],
                "announcement_digest": announcement_digest(announcement),
                "policy": f"{inputs['policy']['id']}@{inputs['policy']['version']}",
                "randomness": inputs["randomness"]["source"],
                "randomness_at": inputs["randomness"]["expected_at"],
            },
            time=dt.datetime.fromisoformat(announcement["announced_at"]),
        )


def draw(
    registry: RegistryOpt,
    public_randomness: Annotated[
        str,
        typer.Option(
            help="The announced randomness as published: dice digits, the lottery "
            "numbers, the beacon value (>= 20 digits or hex characters)."
        ),
    ],
    announcement: Annotated[
        Path | None,
        typer.Option(
            help="The announcement published before the randomness (`randcheck commit`): "
            "inputs that differ from it are refused."
        ),
    ] = None,
    policy: PolicyOpt = None,
    year: YearOpt = None,
    quarter: QuarterOpt = None,
    history: HistoryOpt = None,
    jurisdiction: JurisdictionOpt = None,
    campaign: CampaignOpt = None,
    department: DepartmentOpt = None,
    expertise: ExpertiseOpt = None,
    capacity: CapacityOpt = None,
    secret_file: Annotated[
        Path | None,
        typer.Option(
            help="The announcement's secret (default: beside the announcement). Without an "
            "announcement a new secret is written beside the receipt."
        ),
    ] = None,
    ledger: Annotated[
        Path | None, typer.Option(help="Ledger to record the sealing in (DRAW_SEALED).")
    ] = None,
    out: Annotated[
        Path, typer.Option("-o", "--out", help="Sealed receipt to write (never overwritten).")
    ] = Path("receipt.json"),
) -> None:
    """Draw a quarter and seal it: the sealed receipt names no entity.

    With --announcement every input not given is the announced one, and every input
    given must be the announced one. Without it the receipt records that the draw was
    not announced: nothing then shows its inputs were fixed before the randomness.
    """
    from randcheck.draw.announcement import load_announcement
    from randcheck.draw.announcement import now as clock
    from randcheck.draw.receipt import save_receipt, seal
    from randcheck.io import read_registry
    from randcheck.periods import Quarter
    from randcheck.randomness import new_secret, normalise_public_randomness

    _outputs([out], [], overwrite=False)
    announced = load_announcement(announcement) if announcement else None
    fresh = announced is None and secret_file is None
    secret_path = secret_file or (
        announcement.with_suffix(".secret") if announcement else out.with_suffix(".secret")
    )
    outputs = [out, secret_path] if fresh else [out]
    _outputs(
        outputs,
        [registry, history, campaign, ledger, announcement, _as_path(policy)]
        + ([] if fresh else [secret_path]),
        overwrite=False,
    )
    normalise_public_randomness(public_randomness)
    chosen_campaign = _campaign(campaign)
    if announced is not None:
        inputs = announced["inputs"]
        period = (
            Quarter.parse(inputs["period"])
            if year is None and quarter is None
            else _period(year, quarter)
        )
        if policy is None:
            from randcheck.policies import get_policy

            chosen = get_policy(inputs["policy"]["id"], version=inputs["policy"]["version"])
        else:
            chosen = _resolve(policy, period)
        jurisdiction = jurisdiction if jurisdiction is not None else inputs["jurisdiction"]
        if campaign is None and inputs["campaign"]:
            from randcheck.registry import EntityFilter

            chosen_campaign = EntityFilter.model_validate(inputs["campaign"])
        departments = department if department is not None else inputs["departments"]
        wanted = expertise if expertise is not None else inputs["expertise"]
        capacity = capacity if capacity is not None else inputs["capacity"]
    else:
        if policy is None:
            raise InputError("give --policy (or --announcement, which names it)")
        period = _period(year, quarter)
        chosen = _resolve(policy, period)
        departments, wanted = department or [], expertise or []
    secret = _read_secret(secret_path) if not fresh else new_secret()
    snapshot = read_registry(registry).registry
    receipt, result = seal(
        chosen,
        snapshot,
        period,
        secret=secret,
        public_randomness=public_randomness,
        history=_history(history),
        jurisdiction=jurisdiction,
        campaign=chosen_campaign,
        departments=departments,
        expertise=frozenset(wanted),
        capacity=capacity,
        announcement=announced,
        sealed_at=clock(),
    )
    if fresh:
        _write_new_secret(secret_path, secret)
    try:
        save_receipt(receipt, out)
        if ledger is not None:
            _record_sealing(ledger, receipt)
    except BaseException:
        if fresh:
            secret_path.unlink(missing_ok=True)
        out.unlink(missing_ok=True)
        raise
    console.print(quotas_table(result.quotas))
    console.print(f"sealed receipt 封存回执: {out}  ({len(result.tasks)} tasks, no entity named)")
    console.print(f"secret 密钥: {secret_path} (keep it until the inspections start)")
    console.print(f"commitment 承诺值: {receipt['commitment']}")
    if announced is None:
        console.print(
            "note: this draw was not announced. For a draw nobody can steer, run "
            "`randcheck commit` first, publish the announcement before the randomness "
            "exists, and draw with --announcement."
        )


def _record_sealing(path: Path, receipt: dict[str, Any]) -> None:
    from randcheck.ledger.stores import open_ledger
    from randcheck.randomness import canonical_digest

    label = f"{receipt['period']}-{receipt['jurisdiction'] or 'ALL'}-draw"
    with open_ledger(path) as ledger:
        ledger.append(
            "DRAW_SEALED",
            actor="randcheck draw",
            subject=label,
            payload={
                "draw_id": label,
                "period": receipt["period"],
                "commitment": receipt["commitment"],
                "receipt_digest": canonical_digest(receipt),
                "announcement_digest": receipt["announcement_digest"],
                "public_randomness": receipt["public_randomness"],
            },
            time=dt.datetime.fromisoformat(receipt["sealed_at"]),
        )


def _resolver(policy: str | None) -> PolicyResolver:
    """How reveal, replace and verify find the receipt's policy: a file given, an id
    given, or (default) the version the receipt names among those randcheck holds."""
    from randcheck.draw.receipt import installed_policy
    from randcheck.policies import get_policy, load_policy

    if policy is None:
        return installed_policy
    if _as_path(policy) is not None:
        loaded = load_policy(policy)
        return lambda _id, _version: loaded
    return lambda _id, version: get_policy(policy, version=version)


ReceiptPolicyOpt = Annotated[
    str | None,
    typer.Option(
        help="The policy file the draw was made with (or an id); default: the version the "
        "receipt names, among those randcheck holds."
    ),
]


def reveal(
    receipt: Annotated[Path, typer.Argument(help="The sealed receipt.")],
    registry: Annotated[Path, typer.Option(help="The registry the draw was sealed on.")],
    secret_file: Annotated[
        Path, typer.Option(help="The secret written when the draw was announced or sealed.")
    ],
    history: Annotated[Path | None, typer.Option(help="The history it was sealed on.")] = None,
    policy: ReceiptPolicyOpt = None,
    out: Annotated[
        Path | None,
        typer.Option("-o", "--out", help="Revealed receipt to write (never overwritten)."),
    ] = None,
) -> None:
    """Reveal a sealed draw: add the secret, the seed and the list with the teams."""
    from randcheck.draw.receipt import load_receipt, save_receipt
    from randcheck.draw.receipt import reveal as do_reveal
    from randcheck.io import read_registry

    target = out or receipt.with_name(receipt.stem + ".revealed.json")
    _outputs([target], [receipt, registry, history, secret_file, _as_path(policy)], overwrite=False)
    revealed = do_reveal(
        load_receipt(receipt),
        _read_secret(secret_file),
        read_registry(registry).registry,
        _history(history),
        resolve=_resolver(policy),
    )
    save_receipt(revealed, target)
    console.print(_tasks_table(revealed["revealed"]["tasks"]))
    console.print(f"revealed receipt 揭示回执: {target}")


def _tasks_table(tasks: list[dict[str, Any]]) -> Any:
    table = new_table(
        "Drawn 抽取结果",
        "task 任务",
        "USCC 统一社会信用代码",
        "class 类别",
        "mode 方式",
        "team 检查组",
    )
    for task in tasks:
        table.add_row(
            task["task_id"],
            task["uscc"],
            EntityClass.of(task["class"]).label,
            task["mode"],
            ", ".join(task["team"]),
        )
    return table


def replace(
    receipt: Annotated[Path, typer.Argument(help="The revealed receipt.")],
    registry: Annotated[Path, typer.Option(help="The registry the draw was made on.")],
    task: Annotated[str, typer.Option(help="The task whose team changes.")],
    remove: Annotated[str, typer.Option(help="The inspector leaving the team (人员编号).")],
    reason: Annotated[
        str,
        typer.Option(
            help="Why (the policy's reasons): POST_CHANGE 岗位变动, WORK_CONFLICT 工作冲突, "
            "HEALTH 身体原因, RECUSAL 回避, OTHER 其他."
        ),
    ],
    out: Annotated[
        Path, typer.Option("-o", "--out", help="The receipt with the replacement (a new file).")
    ],
    history: Annotated[Path | None, typer.Option(help="The history it was made on.")] = None,
    policy: ReceiptPolicyOpt = None,
    approved_by: Annotated[
        str | None, typer.Option(help="Who approved it, where the policy asks (青岛 七(一)).")
    ] = None,
    chosen: Annotated[
        str | None,
        typer.Option(
            help="The inspector chosen instead, where the policy lets the team be chosen; "
            "default: drawn again (获嘉 第十二条)."
        ),
    ] = None,
    note: Annotated[str | None, typer.Option(help="A note for the record.")] = None,
) -> None:
    """Replace an inspector on a revealed draw, as the policy says; verify replays it."""
    from randcheck.draw.receipt import load_receipt, record_replacement, save_receipt
    from randcheck.io import read_registry
    from randcheck.models.vocab import ReplacementReason

    _outputs([out], [receipt, registry, history, _as_path(policy)], overwrite=False)
    try:
        why = ReplacementReason.of(reason)
    except (ValueError, KeyError):
        raise InputError(
            f"--reason {reason!r} is not a replacement reason",
            hint="one of " + ", ".join(r.value for r in ReplacementReason),
        ) from None
    updated = record_replacement(
        load_receipt(receipt),
        read_registry(registry).registry,
        task,
        remove,
        why,
        history=_history(history),
        approved_by=approved_by,
        chosen=chosen,
        note=note,
        resolve=_resolver(policy),
    )
    save_receipt(updated, out)
    made = updated["revealed"]["replacements"][-1]
    console.print(
        f"replaced 替换: {made['removed']} -> {made['added']} on {made['task_id']} "
        f"({made['method']}); receipt: {out}",
        markup=False,
    )


def _ledger_times(path: Path, receipt: Any) -> LedgerTimes:
    from randcheck.draw.receipt import LedgerTimes
    from randcheck.ledger.stores import read_verified

    wanted = receipt.get("announcement_digest") if isinstance(receipt, dict) else None
    commitment = receipt.get("commitment") if isinstance(receipt, dict) else None
    announced = sealed = None
    for event in read_verified(path):
        kind = event.type.value
        payload = event.payload
        if kind == "DRAW_ANNOUNCED" and wanted and payload.get("announcement_digest") == wanted:
            announced = announced or event.time
        elif kind == "DRAW_SEALED" and commitment and payload.get("commitment") == commitment:
            sealed = sealed or event.time
    return LedgerTimes(announced, sealed)


def verify(
    receipt: Annotated[Path, typer.Argument(help="A revealed receipt.")],
    registry: Annotated[Path, typer.Option(help="The registry the draw was made on.")],
    history: Annotated[Path | None, typer.Option(help="The history it was made on.")] = None,
    announcement: Annotated[
        Path | None,
        typer.Option(
            help="The announcement published before the draw: its inputs must be the receipt's."
        ),
    ] = None,
    policy: ReceiptPolicyOpt = None,
    ledger: Annotated[
        Path | None,
        typer.Option(help="The ledger: it must show the announcement before the randomness."),
    ] = None,
) -> None:
    """Check a receipt: exit 0 when everything checked holds, 1 naming the first failure.

    Checks that could not be made (no announcement given …) are listed as not checked.
    """
    from randcheck.draw.receipt import load_receipt
    from randcheck.draw.receipt import verify as do_verify
    from randcheck.io import read_registry
    from randcheck.io.safe import load_json

    data = load_receipt(receipt)
    announced = load_json(announcement, "announcement") if announcement else None
    times = _ledger_times(ledger, data) if ledger else None
    report = do_verify(
        data,
        read_registry(registry).registry,
        _history(history),
        resolve=_resolver(policy),
        announcement=announced,
        ledger=times,
    )
    for check in report.checks:
        if check.ok is None:
            console.print(f"--   {check.name}: not checked 未检查: {check.detail}", markup=False)
            continue
        mark = "ok  " if check.ok else "FAIL"
        console.print(
            f"{mark} {check.name}" + ("" if check.ok else f": {check.detail}"), markup=False
        )
    if not report.ok:
        failure = report.first_failure
        name = failure.name if failure else "nothing could be checked"
        console.print(f"verification failed 验证未通过: {name}", style="bold red")
        raise typer.Exit(1)
    console.print("verified 验证通过: the draw follows from its published inputs")
    if report.not_checked:
        console.print(
            f"({len(report.not_checked)} check(s) not made: see the lines marked --)",
            markup=False,
        )
