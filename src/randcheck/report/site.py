"""The public site (一公开): static, bilingual pages a bureau uploads as they are.

:func:`build_site` reads a ledger (a file or a store URL), the receipts,
announcements and registry snapshots of its draws, and writes a folder of static
HTML pages: no server code, no external font, script or style sheet, readable
from ``file://`` and without JavaScript (the verify page excepted). Per period:
the announcement, the sealed receipt, the list with its teams once revealed, the
disclosure of results (:func:`randcheck.publish.tables.disclosure_table`), the
verdict (:func:`randcheck.audit.run.audit`); per year the schedule and its
``.ics`` (:mod:`randcheck.publish.schedule`); the history of published ledger
heads; a page that verifies a draw in the browser (``verify/verify.mjs``).

Everything is read and rendered in memory first; only then is the folder written,
beside the target, and moved into place whole (:func:`write_site`). Every value
taken from a record is HTML-escaped.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import html
import json
import os
import re
import secrets
import shutil
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from string import Template
from typing import Any

from randcheck.audit.run import audit
from randcheck.audit.verdict import Status, Verdict
from randcheck.draw.announcement import announcement_digest, load_announcement
from randcheck.draw.receipt import installed_policy, load_receipt, receipt_inputs, receipt_problems
from randcheck.errors import InputError, RandcheckError
from randcheck.io import read_registry
from randcheck.ledger.chain import GENESIS, LedgerEvent, PublishedHead
from randcheck.ledger.events import EventType
from randcheck.ledger.head import head_from_file
from randcheck.ledger.stores import read_verified
from randcheck.ledger.stores.urls import ledger_path
from randcheck.models import EntityClass
from randcheck.periods import Quarter
from randcheck.policies.files import dump_policy
from randcheck.policies.model import Confidential, Policy
from randcheck.publish.schedule import schedule_table, to_ics
from randcheck.publish.table import Table, plain
from randcheck.publish.tables import disclosure_table
from randcheck.randomness import bound_commitment, commitment
from randcheck.registry import Registry

MANIFEST = "randcheck-site.json"
"""The file that marks a folder as a site randcheck built (``--force`` replaces only those)."""
VERIFY_MODULE = "verify/verify.mjs"

_STATUS_CLASS = {Status.PASS: "ok", Status.FAIL: "bad"}


@dataclass
class SiteInputs:
    """What a site is built from. Files are only read, never written."""

    ledger: str | Path
    receipts: Sequence[Path] = ()
    announcements: Sequence[Path] = ()
    registries: Sequence[Path] = ()
    head_files: Sequence[Path] = ()
    policy: Policy | None = None
    as_of: dt.date | None = None
    title: str | None = None

    def files(self) -> list[Path]:
        """Every input file (a ledger URL's file when it names one)."""
        found = [*self.receipts, *self.announcements, *self.registries, *self.head_files]
        ledger = ledger_path(self.ledger)
        return [ledger, *found] if ledger is not None else list(found)


# --- reading -------------------------------------------------------------------------


@dataclass
class Draw:
    """One draw: its sealed receipt (or the revealed one), its announcement, its files."""

    commitment: str
    period: Quarter
    receipt: dict[str, Any] | None = None
    receipt_file: Path | None = None
    receipt_files: list[Path] = field(default_factory=list)
    read: dict[Path, dict[str, Any]] = field(default_factory=dict)
    """Each file given for this draw, as it was read and checked."""
    announcement: dict[str, Any] | None = None
    announcement_file: Path | None = None

    @property
    def revealed(self) -> dict[str, Any] | None:
        return self.receipt.get("revealed") if self.receipt else None


@dataclass
class Site:
    """Everything the pages show, read and checked."""

    events: list[LedgerEvent]
    head: PublishedHead
    draws: list[Draw]
    registries: list[tuple[Path, Registry]]
    policies: dict[Quarter, Policy]
    heads: list[tuple[str, PublishedHead]] = field(default_factory=list)
    as_of: dt.date = field(default_factory=dt.date.today)
    title: str = ""
    jurisdiction: str | None = None


def _revealed_ok(receipt: Mapping[str, Any], where: Path) -> None:
    secret = receipt["revealed"]["secret"]
    if receipt["version"] == 1:
        expected = commitment(secret)
    else:
        expected = bound_commitment(secret, receipt_inputs(receipt))
    if expected != receipt["commitment"]:
        raise InputError(
            "the revealed secret does not open this receipt's commitment",
            where=str(where),
            hint="publish only the revealed receipt `randcheck reveal` wrote, unedited",
        )


def _receipt(path: Path) -> dict[str, Any]:
    data = load_receipt(path)
    found = receipt_problems(data)
    if found:
        raise InputError(
            "not a randcheck receipt: " + "; ".join(found[:3]),
            where=str(path),
            hint="give the receipt file `randcheck draw` or `randcheck reveal` wrote",
        )
    assert isinstance(data, dict)
    if data.get("revealed"):
        _revealed_ok(data, path)
    return data


def _draws(inputs: SiteInputs) -> list[Draw]:
    draws: dict[str, Draw] = {}
    for path in inputs.receipts:
        data = _receipt(path)
        draw = draws.setdefault(
            data["commitment"], Draw(data["commitment"], Quarter.parse(data["period"]))
        )
        if draw.receipt is not None:
            same = {k: v for k, v in draw.receipt.items() if k != "revealed"} == {
                k: v for k, v in data.items() if k != "revealed"
            }
            if not same:
                raise InputError(
                    f"{path} and {draw.receipt_file} have one commitment but differ",
                    where=str(path),
                    hint="give the sealed receipt and the revealed one of the same draw",
                )
        draw.receipt_files.append(path)
        draw.read[path] = data
        if draw.receipt is not None and draw.revealed and not data.get("revealed"):
            continue
        draw.receipt, draw.receipt_file = data, path
    for path in inputs.announcements:
        data = load_announcement(path)
        key = data["commitment"]
        draw = draws.setdefault(key, Draw(key, Quarter.parse(data["inputs"]["period"])))
        if draw.announcement is not None and draw.announcement != data:
            raise InputError(
                f"{path} and {draw.announcement_file} announce one commitment differently",
                where=str(path),
            )
        draw.announcement, draw.announcement_file = data, path
        draw.read[path] = data
    for draw in draws.values():
        if draw.receipt is None or draw.announcement is None:
            continue
        named = draw.receipt.get("announcement_digest")
        if named is not None and named != announcement_digest(draw.announcement):
            raise InputError(
                f"the receipt names announcement {named[:16]}…, not {draw.announcement_file}",
                where=str(draw.receipt_file),
                hint="give the announcement this receipt was drawn under",
            )
        if draw.announcement["inputs"]["period"] != draw.receipt["period"]:
            raise InputError(
                "the receipt's period differs from its announcement's",
                where=str(draw.receipt_file),
            )
    return sorted(draws.values(), key=lambda d: (d.period.label, d.commitment))


def _policy_of(draw: Draw) -> dict[str, Any] | None:
    if draw.receipt is not None:
        policy = draw.receipt["policy"]
        return policy if isinstance(policy, dict) else None
    if draw.announcement is not None:
        policy = draw.announcement["inputs"]["policy"]
        return policy if isinstance(policy, dict) else None
    return None


def _policies(
    draws: Sequence[Draw], periods: Iterable[Quarter], given: Policy | None
) -> dict[Quarter, Policy]:
    chosen: dict[Quarter, Policy] = {}
    for draw in draws:
        named = _policy_of(draw)
        if named is None:
            continue
        where = str(draw.receipt_file or draw.announcement_file)
        if given is not None:
            if named["id"] != given.id or named.get("digest", given.digest) != given.digest:
                raise InputError(
                    f"this draw was made under {named['id']} {named['version']}, not the "
                    f"policy given ({given.id} {given.version})",
                    where=where,
                    hint="leave out --policy: each draw names its own",
                )
            policy = given
        else:
            policy = installed_policy(named["id"], named["version"])
            if named.get("digest", policy.digest) != policy.digest:
                raise InputError(
                    f"the policy {named['id']} {named['version']} installed here differs "
                    "from the one this draw was made under (its digest)",
                    where=where,
                    hint="give the policy file the draw used as --policy",
                )
        earlier = chosen.get(draw.period)
        if earlier is not None and earlier.digest != policy.digest:
            raise InputError(f"two draws of {draw.period.label} name different policies")
        chosen[draw.period] = policy
    for period in periods:
        if period in chosen:
            continue
        if given is None:
            raise InputError(
                f"the ledger records tasks of {period.label} but no receipt or announcement "
                "of that period names its policy",
                hint="give --policy, or the period's receipt",
            )
        chosen[period] = given
    return chosen


def _ledger_periods(events: Sequence[LedgerEvent]) -> set[Quarter]:
    found = set()
    for event in events:
        if event.type is EventType.TASK_DISPATCHED and event.payload.get("period"):
            with contextlib.suppress(RandcheckError, ValueError):
                found.add(Quarter.parse(event.payload["period"]))
    return found


def _head_of(events: Sequence[LedgerEvent]) -> PublishedHead:
    return PublishedHead(events[-1].hash, len(events)) if events else PublishedHead(GENESIS, 0)


def read_site(inputs: SiteInputs) -> Site:
    """Read and check every input; an :class:`InputError` (or other
    :class:`RandcheckError`) naming the file and what to do otherwise."""
    events = read_verified(inputs.ledger)
    draws = _draws(inputs)
    registries = [(path, read_registry(path).registry) for path in inputs.registries]
    periods = {d.period for d in draws} | _ledger_periods(events)
    if not periods:
        raise InputError(
            "nothing to publish: no receipt, no announcement, and the ledger records no task",
            where=str(inputs.ledger),
            hint="give the period's receipts (--receipt) and announcements (--announcement)",
        )
    policies = _policies(draws, periods, inputs.policy)
    heads: list[tuple[str, PublishedHead]] = []
    for draw in draws:
        if draw.announcement and draw.announcement.get("ledger_head"):
            head = draw.announcement["ledger_head"]
            heads.append(
                (
                    f"抽查公告 announcement {draw.period.label}",
                    PublishedHead.of(head["hash"], head["events"], str(draw.announcement_file)),
                )
            )
    for path in inputs.head_files:
        heads.append((path.name, head_from_file(path)))
    jurisdictions = {
        j
        for d in draws
        for j in (
            (d.receipt or {}).get("jurisdiction"),
            ((d.announcement or {}).get("inputs") or {}).get("jurisdiction"),
        )
        if j
    }
    if len(jurisdictions) > 1:
        raise InputError(
            f"these draws are of several jurisdictions ({', '.join(sorted(jurisdictions))}); "
            "a ledger is one jurisdiction's chain",
            hint="build one site per jurisdiction, each from its own ledger and draws",
        )
    jurisdiction = next(iter(jurisdictions), None)
    first = policies[min(policies)]
    subject = "信息公开" if "双随机" in first.name_zh else "“双随机、一公开”信息公开"
    title = inputs.title or (
        f"{first.name_zh} {subject}" + (f"（{jurisdiction}）" if jurisdiction else "")
    )
    return Site(
        events=events,
        head=_head_of(events),
        draws=draws,
        registries=registries,
        policies=policies,
        heads=heads,
        as_of=inputs.as_of or dt.date.today(),
        title=title,
        jurisdiction=jurisdiction,
    )


# --- rendering -----------------------------------------------------------------------


def esc(value: Any) -> str:
    """A value as HTML text, escaped (quotes too)."""
    return html.escape(str(plain(value)), quote=True)


def _template(name: str) -> str:
    return (resources.files("randcheck.data") / "site" / "templates" / name).read_text(
        encoding="utf-8"
    )


def _dl(pairs: Iterable[tuple[str, Any]]) -> str:
    rows = "".join(f"<dt>{esc(k)}</dt><dd>{v}</dd>" for k, v in pairs)
    return f"<dl>{rows}</dl>"


def _code(value: Any) -> str:
    return f'<code class="digest">{esc(value)}</code>' if value not in (None, "") else "—"


def html_table(caption: str, headers: Sequence[str], rows: Iterable[Sequence[str]]) -> str:
    """A table whose cells are already HTML; each cell carries its header as data-label
    (shown beside the cell on narrow screens)."""
    head = "".join(f'<th scope="col">{esc(h)}</th>' for h in headers)
    body = "".join(
        "<tr>"
        + "".join(f'<td data-label="{esc(h)}">{cell}</td>' for h, cell in zip(headers, row))
        + "</tr>"
        for row in rows
    )
    return (
        f"<table><caption>{esc(caption)}</caption><thead><tr>{head}</tr></thead>"
        f"<tbody>{body}</tbody></table>"
    )


def _yes_no(value: Any) -> str:
    if value is True:
        return '<span class="ok">是 yes</span>'
    if value is False:
        return '<span class="bad">否 no</span>'
    return esc(value)


def table_html(table: Table) -> str:
    """A published :class:`Table` as HTML, with its notes below it."""
    rows = [[_yes_no(row.get(key)) for key, _ in table.columns] for row in table.rows]
    notes = "".join(f'<p class="note">{esc(n)}</p>' for n in table.notes)
    return html_table(table.title, table.headers, rows) + notes


def _registry_for(site: Site, digest: str | None) -> Registry | None:
    for _, registry in site.registries:
        if registry.digest == digest:
            return registry
    return site.registries[-1][1] if site.registries and digest is None else None


def _announcement_html(draw: Draw, files: Mapping[Path, str]) -> str:
    if draw.announcement is None:
        return (
            '<p class="note">未提供抽查公告。No announcement was given for this draw: its '
            "inputs were not published before the randomness existed"
            + (
                " (the receipt names none)."
                if draw.receipt and not draw.receipt.get("announcement_digest")
                else "."
            )
            + "</p>"
        )
    a = draw.announcement
    inputs = a["inputs"]
    randomness = inputs.get("randomness") or {}
    policy = inputs["policy"]
    link = files.get(draw.announcement_file) if draw.announcement_file else None
    return _dl(
        [
            ("承诺值 commitment", _code(a["commitment"])),
            ("公告时间 announced at", esc(a["announced_at"])),
            (
                "随机数来源 declared randomness",
                f"{esc(randomness.get('kind'))}: {esc(randomness.get('source'))}; "
                f"预计产生 expected at {esc(randomness.get('expected_at'))}",
            ),
            (
                "政策 policy",
                f"{esc(policy['id'])} {esc(policy['version'])} {_code(policy['digest'])}",
            ),
            ("名录库摘要 registry digest", _code(inputs["registry_digest"])),
            ("既往检查摘要 history digest", _code(inputs["history_digest"])),
            ("行政区划 jurisdiction", esc(inputs.get("jurisdiction") or "—")),
            (
                "专项 campaign",
                esc(json.dumps(inputs.get("campaign"), ensure_ascii=False))
                if inputs.get("campaign")
                else "无 none (routine draw)",
            ),
            ("联合部门 departments", esc("、".join(inputs.get("departments") or []) or "—")),
            ("公告摘要 announcement digest", _code(announcement_digest(a))),
            ("文件 file", f'<a href="{esc(link)}">{esc(link)}</a>' if link else "—"),
        ]
    )


def _receipt_html(draw: Draw, files: Mapping[Path, str]) -> str:
    r = draw.receipt
    if r is None:
        return '<p class="note">封存回执尚未公布。The sealed receipt is not published yet.</p>'
    links = ", ".join(
        f'<a href="{esc(files[p])}">{esc(files[p])}</a>' for p in draw.receipt_files if p in files
    )
    quotas = html_table(
        "各类抽取数量 Quotas by class",
        ["类别 class", "抽取数 quota", "要求 required", "基数 base", "可抽 eligible"],
        [
            [
                esc(EntityClass.of(q["class"]).label),
                esc(q["quota"]),
                esc(q["required"]),
                esc(q["base"]),
                esc(q["eligible"]),
            ]
            for q in r["quotas"]
        ],
    )
    return (
        _dl(
            [
                ("承诺值 commitment", _code(r["commitment"])),
                ("封存时间 sealed at", esc(r["sealed_at"])),
                ("公开随机数 public randomness", _code(r["public_randomness"])),
                ("任务数 tasks", esc(r["tasks"])),
                ("结果摘要 result digest", _code(r["result_digest"])),
                ("名录库摘要 registry digest", _code(r["registry_digest"])),
                ("既往检查摘要 history digest", _code(r["history_digest"])),
                ("公告摘要 announcement digest", _code(r.get("announcement_digest"))),
                ("文件 files", links or "—"),
            ]
        )
        + quotas
    )


def _nowrap(value: Any) -> str:
    """An identifier kept on one line (a task id, an inspector id)."""
    return f'<span class="nowrap">{esc(value)}</span>'


def _list_html(site: Site, draw: Draw) -> str:
    revealed = draw.revealed
    if not revealed:
        return (
            '<p class="note">名单尚未揭示。The list is not revealed yet: only its commitment '
            "is public, so nobody (the bureau included) can show it early.</p>"
        )
    assert draw.receipt is not None
    registry = _registry_for(site, draw.receipt["registry_digest"])
    secret = site.policies[draw.period].rules_of(Confidential)
    started = {
        e.payload.get("task_id")
        for e in site.events
        if e.type in (EventType.INSPECTION_STARTED, EventType.INSPECTION_COMPLETED)
    }
    rows = []
    held = 0
    for task in revealed["tasks"]:
        if secret and task["task_id"] not in started:
            held += 1
            continue
        entity = registry.get_entity(task["uscc"]) if registry else None
        rows.append(
            [
                _nowrap(task["task_id"]),
                esc(entity.name if entity else "—"),
                f"<code>{esc(task['uscc'])}</code>",
                esc(EntityClass.of(task["class"]).label),
                "现场 on site" if task["mode"] == "ON_SITE" else "非现场 non-site",
                "、".join(_nowrap(i) for i in task["team"]) or "—",
            ]
        )
    out = ""
    if held:
        clause = "; ".join(f"{r.citation}: {r.citation.quote}" for r in secret)
        out += (
            f'<p class="note">{held} 项任务的检查尚未开始，名单暂不公开（保密）。The inspection '
            f"of {held} task(s) has not started in the ledger: they are counted, not shown, "
            f"until it starts ({esc(clause)}).</p>"
        )
    out += html_table(
        f"抽查名单 List drawn ({len(rows)} of {len(revealed['tasks'])})",
        [
            "任务 task",
            "企业名称 name",
            "统一社会信用代码 USCC",
            "类别 class",
            "方式 mode",
            "检查人员 team",
        ],
        rows,
    )
    if registry is None:
        out += (
            '<p class="note">未提供与回执摘要一致的名录库，未显示企业名称。No registry snapshot '
            "with the receipt's digest was given: names are not shown.</p>"
        )
    replacements = revealed.get("replacements") or []
    if replacements:
        out += html_table(
            "检查人员调整 Replacements",
            ["任务 task", "调出 removed", "调入 added", "原因 reason", "方式 method"],
            [
                [
                    esc(x["task_id"]),
                    esc(x["removed"]),
                    esc(x["added"]),
                    esc(x["reason"]),
                    esc(x["method"]),
                ]
                for x in replacements
            ],
        )
    return out


def verdict_html(verdict: Verdict) -> str:
    """Each rule with its status, what was measured and required, its clause and words."""
    rows = []
    for r in verdict.rules:
        shade = "bad" if r.failed else ("note" if r.missed else _STATUS_CLASS.get(r.status, ""))
        rows.append(
            [
                f"<code>{esc(r.rule.id)}</code> {esc(r.rule.title)}",
                f'<span class="{shade}">{esc(r.status_text)}</span>',
                esc(r.measured or r.note),
                esc(r.required),
                esc(r.rule.citation),
                f"<q>{esc(r.rule.citation.quote)}</q>",
            ]
        )
    counts = "; ".join(f"{k}: {v}" for k, v in verdict.counts().items())
    summary = (
        '<p><span class="ok">通过 passed</span>: no binding rule failed.</p>'
        if verdict.passed
        else '<p><span class="bad">未通过 failed</span>: a binding rule failed.</p>'
    )
    return (
        summary
        + f"<p>{esc(counts)}; 判定日期 as of {esc(verdict.as_of)}</p>"
        + html_table(
            verdict.title(),
            [
                "规则 rule",
                "结论 status",
                "实测 measured",
                "要求 required",
                "条款 clause",
                "原文 source",
            ],
            rows,
        )
    )


@dataclass
class Page:
    path: str
    title: str
    body: str
    script: str = ""


class Renderer:
    def __init__(self, site: Site, version: str) -> None:
        self.site = site
        self.version = version
        self.layout = Template(_template("page.html"))

    def page(self, page: Page) -> str:
        root = "../" * page.path.count("/")
        return self.layout.substitute(
            version=esc(self.version),
            root=root,
            title=esc(page.title),
            site_title=esc(self.site.title),
            body=page.body,
            head_line=esc(self.site.head.line()),
            script=page.script,
        )


def _policy_file(policy: Policy) -> str:
    """Where the site publishes a policy's JSON export (``randcheck policies export``):
    the file a receipt's ``policy.digest`` covers, for the verifier's policy check."""
    name = re.sub(r"[^A-Za-z0-9._-]", "_", f"{policy.id}-{policy.version}")
    return f"files/policy-{name}.json"


def _file_name(kind: str, draw: Draw, number: int) -> str:
    return f"files/{draw.period.label}-{number}-{kind}.json"


def _published_copy(path: Path, read: Any) -> bytes:
    """The bytes of an input file to publish: the file as it was read and checked (a
    file changed meanwhile is refused rather than published unchecked)."""
    from randcheck.io.safe import decode_utf8, parse_json, read_bytes

    data = read_bytes(path, "file")
    if parse_json(decode_utf8(data, str(path)), str(path)) != read:
        raise InputError(
            f"{path} changed while the site was being built", where=str(path), hint="build again"
        )
    return data


def render_site(site: Site, version: str, verify_module: str | None) -> dict[str, bytes]:
    """Every file of the site: relative path -> bytes."""
    out: dict[str, bytes] = {}
    files: dict[Path, str] = {}
    numbers: dict[Quarter, int] = {}
    for draw in site.draws:
        number = numbers[draw.period] = numbers.get(draw.period, 0) + 1
        for path, read in draw.read.items():
            if path in files:
                continue
            if read.get("format") == "randcheck-announcement":
                kind = "announcement"
            else:
                kind = "receipt.revealed" if read.get("revealed") else "receipt"
            files[path] = _file_name(kind, draw, number)
            out[files[path]] = _published_copy(path, read)
    renderer = Renderer(site, version)
    pages: list[Page] = []
    periods = sorted(site.policies)
    for period in periods:
        policy = site.policies[period]
        out.setdefault(_policy_file(policy), dump_policy(policy, "json").encode("utf-8"))
        pages.append(_period_page(site, period, files))
    years = sorted({p.year for p in periods})
    for year in years:
        policy = site.policies[max(p for p in periods if p.year == year)]
        table = schedule_table(policy, year)
        ics = f"schedule-{year}.ics"
        out[ics] = to_ics(policy, year).encode("utf-8")
        body = (
            f'<p>日历文件 Calendar file: <a href="{ics}">{ics}</a> '
            "（可导入日历 import it into a calendar）。</p>" + table_html(table)
        )
        pages.append(Page(f"schedule-{year}.html", f"{year}年 工作时间表 Schedule {year}", body))
    pages.append(_heads_page(site))
    pages.append(_verify_page(verify_module))
    pages.insert(0, _index_page(site, periods, years))
    for page in pages:
        out[page.path] = renderer.page(page).encode("utf-8")
    out["style.css"] = _template("style.css").encode("utf-8")
    if verify_module is not None:
        out[VERIFY_MODULE] = verify_module.encode("utf-8")
    manifest = {
        "format": "randcheck-site",
        "version": 1,
        "generator": f"randcheck {version}",
        "ledger_head": site.head.to_json(),
        "files": {name: hashlib.sha256(data).hexdigest() for name, data in sorted(out.items())},
    }
    out[MANIFEST] = (json.dumps(manifest, ensure_ascii=False, indent=1) + "\n").encode("utf-8")
    return out


def _index_page(site: Site, periods: Sequence[Quarter], years: Sequence[int]) -> Page:
    items = "".join(
        f'<li><a href="period-{p.label}.html">{esc(p.zh)} {esc(p.label)}</a>: '
        f"{esc(site.policies[p].name_zh)} {esc(site.policies[p].version)}</li>"
        for p in periods
    )
    schedules = "".join(
        f'<li><a href="schedule-{y}.html">{y}年 工作时间表 schedule {y}</a> '
        f'(<a href="schedule-{y}.ics">.ics</a>)</li>'
        for y in years
    )
    body = (
        "<p>本站公开随机抽查的公告、封存回执、抽查名单、检查结果和合规判定。"
        "This site publishes the random inspections: announcements, sealed receipts, the "
        "lists drawn, the results and the verdict on each rule.</p>"
        f"<h2>各期 Periods</h2><ul>{items}</ul>"
        f"<h2>年度工作时间表 Schedules</h2><ul>{schedules}</ul>"
        "<h2>台账 Ledger</h2>"
        + _dl(
            [
                ("当前台账头 head now", _code(site.head.hash)),
                ("事件数 events", esc(site.head.count)),
                ("历次公布 published heads", '<a href="heads.html">heads.html</a>'),
            ]
        )
        + '<p><a href="verify.html">自行验证抽查 Verify a draw yourself</a></p>'
    )
    return Page("index.html", site.title, body)


def _period_page(site: Site, period: Quarter, files: Mapping[Path, str]) -> Page:
    policy = site.policies[period]
    draws = [d for d in site.draws if d.period == period]
    parts = [
        f"<p>政策 Policy: {esc(policy.name_zh)} ({esc(policy.id)} {esc(policy.version)}), "
        f"{esc(policy.document_title)}. 政策全文 The policy whole (JSON, for verifying): "
        f'<a href="{esc(_policy_file(policy))}">{esc(_policy_file(policy))}</a>, SHA-256 of its '
        f"canonical form {_code(policy.digest)}</p>"
    ]
    if not draws:
        parts.append(
            '<p class="note">本期没有提供抽取回执或公告。No receipt or announcement of this '
            "period was given; the results below come from the ledger.</p>"
        )
    for number, draw in enumerate(draws, start=1):
        label = f"抽取 Draw {number}" if len(draws) > 1 else "抽取 Draw"
        parts.append(f"<section><h2>{label}: <code>{esc(draw.commitment[:16])}…</code></h2>")
        parts.append("<h3>抽查公告 Announcement</h3>" + _announcement_html(draw, files))
        parts.append("<h3>封存回执 Sealed receipt</h3>" + _receipt_html(draw, files))
        parts.append("<h3>抽查名单 List and teams</h3>" + _list_html(site, draw))
        parts.append("</section>")
    digest = next((d.receipt["registry_digest"] for d in draws if d.receipt), None)
    registry = _registry_for(site, digest)
    table = disclosure_table(policy, site.events, period.year, period.quarter, registry)
    parts.append(
        "<section><h2>抽查结果公开 Results</h2>"
        "<p>标准用语、检查日期、公开期限及是否按期公开；依法不予公开的结果只计数、不列出。"
        "Standard phrases, dates, each row's deadline and whether it was met; results "
        "withheld by law are counted, not shown.</p>" + table_html(table) + "</section>"
    )
    verdict = audit(
        policy,
        site.events,
        period.year,
        quarter=period.quarter,
        as_of=site.as_of,
        registry=registry,
    )
    parts.append("<section><h2>合规判定 Verdict</h2>" + verdict_html(verdict) + "</section>")
    title = f"{period.zh} {period.label} 抽查公开 Inspections"
    return Page(f"period-{period.label}.html", title, "".join(parts))


def _heads_page(site: Site) -> Page:
    events = site.events
    rows = [["当前 now (ledger)", _code(site.head.hash), esc(site.head.count), "—"]]
    for source, head in site.heads:
        n = head.count
        if n > len(events):
            state = '<span class="bad">台账现比公布时短 the ledger is now shorter</span>'
        elif (events[n - 1].hash if n else GENESIS) == head.hash:
            state = '<span class="ok">仍在台账中 still held</span>'
        else:
            state = '<span class="bad">不符 differs: the ledger was changed</span>'
        rows.append([esc(source), _code(head.hash), esc(n), state])
    body = (
        "<p>台账头是最后一个事件的哈希和事件数。每次公布都带台账头；此后台账只能增加，"
        "不能改写。A head is the hash of the ledger's last event and their count; every "
        "publication carries one. A later ledger must still hold each head published "
        "earlier (<code>randcheck ledger verify --head</code>).</p>"
        + html_table(
            "台账头 Ledger heads",
            ["来源 source", "哈希 hash", "事件数 events", "现台账 ledger now"],
            rows,
        )
    )
    return Page("heads.html", "台账头历史 Ledger heads", body)


VERIFY_SCRIPT = """
const form = document.getElementById("verify-form");
const out = document.getElementById("checks");
const status = document.getElementById("status");
async function bytes(id) {
  const input = document.getElementById(id);
  return input.files.length ? new Uint8Array(await input.files[0].arrayBuffer()) : null;
}
form.addEventListener("submit", async (event) => {
  event.preventDefault();
  const started = performance.now();
  out.replaceChildren();
  status.className = "";
  delete status.dataset.verdict;
  status.textContent = "验证中 checking…";
  try {
    const [receipt, entities, inspectors, items, history, announcement, policy] =
      await Promise.all(
        ["receipt", "entities", "inspectors", "items", "history", "announcement", "policy"]
          .map(bytes),
      );
    const checks = await verifyReceipt({
      receipt,
      registry: { entities, inspectors, items },
      history,
      announcement,
      policy,
    });
    for (const check of checks) {
      const item = document.createElement("li");
      const mark = document.createElement("strong");
      mark.textContent = check.status === "passed" ? "通过 passed"
        : check.status === "failed" ? "未通过 FAILED" : "未检查 not checked";
      mark.className = check.status === "passed" ? "ok" : check.status === "failed" ? "bad" : "";
      item.append(mark, " " + check.name + (check.detail ? ": " + check.detail : ""));
      out.append(item);
    }
    const failed = checks.find((c) => c.status === "failed");
    status.textContent = failed
      ? "验证未通过 Not verified: " + failed.name + (failed.detail ? ": " + failed.detail : "")
      : "验证通过 Verified";
    status.className = failed ? "bad" : "ok";
    status.dataset.verdict = failed ? "failed" : "verified";
  } catch (error) {
    status.textContent = "无法读取 Cannot read the files: " + error.message;
    status.className = "bad";
    status.dataset.verdict = "error";
  }
  // the time from the press to the verdict shown (benchmarks/verify_browser.py)
  status.dataset.elapsedMs = (performance.now() - started).toFixed(1);
});
"""


def _verify_page(module: str | None) -> Page:
    fields = [
        ("receipt", "揭示回执 revealed receipt (.json)", True),
        ("entities", "名录库 registry (.csv)", True),
        ("inspectors", "检查人员名录 registry.inspectors.csv", False),
        ("items", "抽查事项 registry.items.csv", False),
        ("history", "既往检查 history (.json/.csv)", False),
        ("announcement", "抽查公告 announcement (.json)", False),
        ("policy", "政策全文 policy (.json, files/policy-….json)", False),
    ]
    inputs = "".join(
        f'<p><label for="{name}">{esc(label)}{" （必需 required）" if needed else ""}</label><br>'
        f'<input type="file" id="{name}" name="{name}"{" required" if needed else ""}></p>'
        for name, label, needed in fields
    )
    body = (
        "<p>在本机浏览器中重新计算抽取结果，文件不会上传。Recompute the draw in this browser: "
        "the files never leave your computer. Choose the revealed receipt, the registry "
        "snapshot (CSV files as published) and, when published, the history, the "
        "announcement and the policy (from a period page); each check is listed below.</p>"
        '<noscript><p class="note">此页需要 JavaScript。This page needs JavaScript; without '
        "it, run <code>node verify/verify.mjs RECEIPT.json REGISTRY.csv</code> or "
        "<code>randcheck verify</code>.</p></noscript>"
        f'<form id="verify-form">{inputs}<p><button type="submit">验证 Verify</button></p></form>'
        '<p id="status" role="status" aria-live="polite"></p><ol id="checks"></ol>'
    )
    if module is None:
        body += (
            '<p class="note">验证模块未随本站发布。The verification module was not '
            "installed with randcheck when this site was built.</p>"
        )
        return Page("verify.html", "验证抽查 Verify a draw", body)
    digest = hashlib.sha256(module.encode("utf-8")).hexdigest()
    body += (
        f'<p>验证模块 Module: <a href="{VERIFY_MODULE}">{VERIFY_MODULE}</a>, SHA-256 '
        f"{_code(digest)}. 为能从本地文件 (file://) 打开，页面内嵌了同一模块。The page "
        "embeds the same module, so that it also works opened from a file.</p>"
    )
    inline = module.replace("</script", "<\\/script")
    script = (
        f'<script type="module" data-source="{VERIFY_MODULE}">\n{inline}\n'
        # a block of its own: the page's names never clash with the module's
        f"// --- the page ---\n{{{VERIFY_SCRIPT}}}</script>"
    )
    return Page("verify.html", "验证抽查 Verify a draw", body, script)


def verify_module() -> str | None:
    """The browser verifier shipped with randcheck, or None when not installed."""
    node = resources.files("randcheck.data") / "site" / "verify" / "verify.mjs"
    try:
        return node.read_text(encoding="utf-8")
    except (FileNotFoundError, OSError):
        return None


# --- writing -------------------------------------------------------------------------


def _inside(path: Path, folder: Path) -> bool:
    try:
        path.resolve().relative_to(folder.resolve())
    except (ValueError, OSError, RuntimeError):
        return False
    return True


def check_site_target(out: Path, inputs: Sequence[Path], *, force: bool = False) -> None:
    """Refuse, before anything is read, a site folder that must not be written:

    - one that is, or holds, an input (writing there would replace it);
    - a file; a folder whose parent is missing or read-only;
    - an existing non-empty folder, unless ``force`` and it holds a site randcheck
      built (its ``randcheck-site.json``): only such a folder is ever replaced.
    """
    out = Path(out)
    for path in inputs:
        if _inside(path, out):
            raise InputError(
                f"{path} is an input and lies in the site folder {out}: building the site "
                "there would replace it",
                where=str(out),
                hint="build the site in a folder of its own",
            )
    from randcheck.io.atomic import check_target

    try:
        exists = out.exists()
        is_dir = out.is_dir()
    except OSError as exc:
        raise InputError(f"cannot use {out}: {exc.strerror or exc}", where=str(out)) from None
    if os.path.islink(out):
        raise InputError(f"{out} is a symbolic link", where=str(out), hint="give a real folder")
    if exists and not is_dir:
        raise InputError(f"{out} is a file, not a folder", where=str(out), hint="give a folder")
    parent = out.parent / "x"
    check_target(parent)  # the parent exists, is a folder, is writable
    if exists and any(out.iterdir()):
        if not force:
            raise InputError(
                f"{out} exists and is not empty",
                where=str(out),
                hint="give a new folder, or --force to replace a site randcheck built there",
            )
        if not (out / MANIFEST).is_file():
            raise InputError(
                f"{out} is not a site randcheck built (no {MANIFEST}): --force replaces "
                "only such a folder",
                where=str(out),
                hint="give a new or empty folder",
            )


def write_site(out: Path, files: Mapping[str, bytes], *, force: bool = False) -> None:
    """Write ``files`` as the folder ``out``, whole or not at all: built in a temporary
    folder beside it, then renamed into place (an old site, with ``force``, is moved
    aside first and removed once the new one is in place)."""
    out = Path(out)
    staging = _new_folder(out, "tmp")
    old: Path | None = None
    try:
        for name, data in files.items():
            target = staging / name
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
        if out.exists():
            if any(out.iterdir()):
                if not force:
                    raise InputError(f"{out} is no longer empty", where=str(out))
                old = _new_folder(out, "old")
                os.rename(out, old / "site")
            else:
                out.rmdir()
        os.rename(staging, out)
    except OSError as exc:
        if old is not None and not out.exists():
            with contextlib.suppress(OSError):
                os.rename(old / "site", out)
        raise InputError(f"cannot write the site {out}: {exc.strerror or exc}") from None
    finally:
        if staging.exists():
            shutil.rmtree(staging, ignore_errors=True)
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)


def _new_folder(out: Path, kind: str) -> Path:
    """A new, empty folder beside ``out``; mode 0777 less the umask (applied by the
    kernel), as any program's output folder gets."""
    for _ in range(100):
        path = out.parent / f".{out.name[:200]}.{secrets.token_hex(4)}.{kind}"
        try:
            os.mkdir(path, 0o777)
        except FileExistsError:
            continue
        except OSError as exc:
            raise InputError(
                f"cannot create a folder beside {out}: {exc.strerror or exc}", where=str(out)
            ) from None
        return path
    raise InputError(f"cannot create a folder beside {out}", where=str(out))


def build_site(inputs: SiteInputs, out: Path, *, force: bool = False) -> list[str]:
    """Build the site in ``out`` from ``inputs``; the paths written, relative to ``out``.

    Nothing is written when any input is bad (an :class:`InputError` naming it).
    """
    from randcheck import __version__

    check_site_target(out, inputs.files(), force=force)
    site = read_site(inputs)
    files = render_site(site, __version__, verify_module())
    write_site(out, files, force=force)
    return sorted(files)
