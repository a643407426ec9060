"""``randcheck site build``: the public site built from the demo quarter.

The demo writes a ledger, the sealed and revealed receipts and the registry; the
tests add what the demo lacks (a withheld result, an announcement of the next
quarter carrying a ledger head) and check each page shows what the brief asks,
in valid HTML with no external reference, and that bad inputs fail cleanly.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import shutil
from html.parser import HTMLParser
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from randcheck.cli import _Group, site_cmd
from randcheck.cli import app as main_app
from randcheck.draw.announcement import RandomnessSource, announce, draw_inputs
from randcheck.draw.receipt import installed_policy
from randcheck.io import read_registry
from randcheck.ledger.head import published_head
from randcheck.ledger.stores import open_ledger, read_verified
from randcheck.periods import Quarter
from randcheck.report.site import MANIFEST

runner = CliRunner()
cli = typer.Typer(cls=_Group, pretty_exceptions_enable=False, add_completion=False)
cli.add_typer(site_cmd.app, name="site")

VOID = {"meta", "link", "br", "input", "img", "hr", "wbr", "source", "col", "area", "base"}
AS_OF = "2025-12-15"


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo quarter 2025Q3, with one withheld result and a 2025Q4 announcement."""
    folder = tmp_path_factory.mktemp("demo") / "out"
    result = runner.invoke(main_app, ["demo", "--out", str(folder)])
    assert result.exit_code == 0, result.output
    registry = read_registry(folder / "registry.csv").registry
    revealed = json.loads((folder / "receipt-2025Q3.revealed.json").read_text("utf-8"))
    drawn = {t["uscc"] for t in revealed["revealed"]["tasks"]}
    hidden = next(e for e in registry.entities() if e.uscc not in drawn)
    with open_ledger(folder / "ledger-2025Q3.sqlite") as ledger:
        dispatched = next(e for e in ledger.events() if e.type.value == "TASK_DISPATCHED")
        payload = {**dispatched.payload, "task_id": "2025Q3-ALL-09999", "uscc": hidden.uscc}
        team = payload["inspectors"]
        task = payload["task_id"]
        start = dt.datetime(2025, 9, 10, 9, 0)
        steps = [
            ("TASK_DISPATCHED", payload),
            ("INSPECTION_STARTED", {"complaint": False, "inspectors": team,
                                    "mode": "ON_SITE", "task_id": task}),
            ("INSPECTION_COMPLETED", {"inspectors": team, "items": [], "mode": "ON_SITE",
                                      "signed_by_entity": True, "task_id": task}),
            ("RESULT_RECORDED", {"facts": None, "handling": None, "outcome": "NO_PROBLEM",
                                 "task_id": task, "withheld": "SECRET"}),
        ]  # fmt: skip
        for hours, (kind, body) in enumerate(steps):
            ledger.append(
                kind, actor=dispatched.actor, payload=body, time=start + dt.timedelta(hours=hours)
            )
    events = read_verified(folder / "ledger-2025Q3.sqlite")
    policy = installed_policy("huojia", revealed["policy"]["version"])
    inputs = draw_inputs(
        policy,
        Quarter(2025, 4),
        registry_digest=registry.digest,
        history_digest=revealed["history_digest"],
        randomness=RandomnessSource(
            kind="lottery",
            source="福彩双色球 第2025150期",
            expected_at=dt.datetime(2025, 12, 30, 21, 15, tzinfo=dt.timezone.utc),
        ),
    )
    announcement = announce(
        "ab" * 32,
        inputs,
        announced_at=dt.datetime(2025, 12, 20, 9, 0, tzinfo=dt.timezone.utc),
        ledger_head=published_head(events).to_json(),
    )
    (folder / "announcement-2025Q4.json").write_text(
        json.dumps(announcement, ensure_ascii=False), encoding="utf-8"
    )
    (folder / "hidden.txt").write_text(f"{hidden.uscc}\n{hidden.name}\n", encoding="utf-8")
    return folder


def _args(
    demo: Path, out: Path, *, revealed: bool = True, extra: list[str] | None = None
) -> list[str]:
    args = ["site", "build", "--ledger", str(demo / "ledger-2025Q3.sqlite"), "--out", str(out),
            "--receipt", str(demo / "receipt-2025Q3.json"),
            "--registry", str(demo / "registry.csv"),
            "--announcement", str(demo / "announcement-2025Q4.json"), "--as-of", AS_OF]  # fmt: skip
    if revealed:
        args += ["--receipt", str(demo / "receipt-2025Q3.revealed.json")]
    return args + (extra or [])


@pytest.fixture(scope="module")
def site(demo: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("site") / "public"
    result = runner.invoke(cli, _args(demo, out))
    assert result.exit_code == 0, result.output
    return out


def _text(path: Path) -> str:
    return path.read_text(encoding="utf-8")


class Structure(HTMLParser):
    """Records the html element's lang, headings, links and unbalanced tags."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.errors: list[str] = []
        self.lang: str | None = None
        self.headings: list[int] = []
        self.refs: list[str] = []
        self.labels_missing = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "html":
            self.lang = values.get("lang")
        if re.fullmatch(r"h[1-6]", tag):
            self.headings.append(int(tag[1]))
        for name in ("src", "href", "action"):
            if values.get(name):
                self.refs.append(values[name] or "")
        if tag == "td" and not values.get("data-label"):
            self.labels_missing += 1
        if tag not in VOID:
            self.stack.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if tag in VOID:
            return
        if not self.stack or self.stack[-1] != tag:
            self.errors.append(f"</{tag}> closes <{self.stack[-1] if self.stack else None}>")
            return
        self.stack.pop()


def _parse(path: Path) -> Structure:
    parser = Structure()
    parser.feed(_text(path))
    parser.close()
    return parser


def _pages(site: Path) -> list[Path]:
    return sorted(site.rglob("*.html"))


def test_the_pages_are_written(site: Path) -> None:
    names = {p.relative_to(site).as_posix() for p in site.rglob("*") if p.is_file()}
    for name in ("index.html", "period-2025Q3.html", "period-2025Q4.html", "schedule-2025.html",
                 "schedule-2025.ics", "heads.html", "verify.html", "style.css", MANIFEST,
                 "files/2025Q3-1-receipt.json", "files/2025Q3-1-receipt.revealed.json",
                 "files/2025Q4-1-announcement.json"):  # fmt: skip
        assert name in names, sorted(names)
    assert _text(site / "schedule-2025.ics").startswith("BEGIN:VCALENDAR")
    manifest = json.loads(_text(site / MANIFEST))
    assert set(manifest["files"]) == names - {MANIFEST}
    # nothing is left beside the site (no staging folder)
    assert [p.name for p in site.parent.iterdir()] == [site.name]


def test_every_page_is_valid_bilingual_html_without_external_references(site: Path) -> None:
    for page in _pages(site):
        parsed = _parse(page)
        assert parsed.lang == "zh-CN", page
        assert not parsed.errors, (page, parsed.errors[:3])
        assert not parsed.stack, (page, parsed.stack)
        assert parsed.headings.count(1) == 1 and parsed.headings[0] == 1, page
        for before, after in zip(parsed.headings, parsed.headings[1:]):
            assert after <= before + 1, (page, parsed.headings)
        assert parsed.labels_missing == 0, page
        for ref in parsed.refs:
            assert not re.match(r"[a-z][a-z0-9+.-]*:|//", ref, re.I), (page, ref)
            target = ref.split("#")[0]
            if target:
                assert (page.parent / target).resolve().is_file(), (page, ref)
        text = _text(page)
        assert re.search(r"<(link|script)[^>]+(src|href)=\"(https?:)?//", text) is None
    assert "@import" not in _text(site / "style.css")
    assert "url(" not in _text(site / "style.css")
    assert "max-width: 600px" in _text(site / "style.css")


def test_the_period_page_shows_the_draw_the_list_and_the_results(demo: Path, site: Path) -> None:
    sealed = json.loads(_text(demo / "receipt-2025Q3.json"))
    revealed = json.loads(_text(demo / "receipt-2025Q3.revealed.json"))
    page = _text(site / "period-2025Q3.html")
    assert sealed["commitment"] in page
    assert sealed["public_randomness"] in page
    task = revealed["revealed"]["tasks"][0]
    text = re.sub(r"<[^>]+>", "", page)  # the page's text, as a reader sees it
    assert task["uscc"] in page and "、".join(task["team"]) in text
    # the standard phrases, each row's deadline and whether it was met
    assert "未发现问题" in page and "公开期限" in page and "是否按期公开" in page
    assert re.search(r'data-label="公开期限">2025-\d\d-\d\d<', page)
    # the withheld result is counted, its entity never shown
    uscc, name = _text(demo / "hidden.txt").split("\n")[:2]
    assert "1 result(s) withheld" in page
    assert uscc not in page and name not in page


def test_the_list_is_shown_only_after_reveal(demo: Path, tmp_path: Path) -> None:
    out = tmp_path / "sealed-only"
    result = runner.invoke(cli, _args(demo, out, revealed=False))
    assert result.exit_code == 0, result.output
    page = _text(out / "period-2025Q3.html")
    sealed = json.loads(_text(demo / "receipt-2025Q3.json"))
    revealed = json.loads(_text(demo / "receipt-2025Q3.revealed.json"))
    assert sealed["commitment"] in page
    assert "名单尚未揭示" in page
    assert revealed["revealed"]["secret"] not in page
    drawn = [t for t in revealed["revealed"]["tasks"] if t["task_id"] not in page]
    assert len(drawn) == len(revealed["revealed"]["tasks"])


def test_the_announcement_shows_commitment_digests_and_randomness(demo: Path, site: Path) -> None:
    announcement = json.loads(_text(demo / "announcement-2025Q4.json"))
    page = _text(site / "period-2025Q4.html")
    assert announcement["commitment"] in page
    assert announcement["inputs"]["registry_digest"] in page
    assert announcement["inputs"]["history_digest"] in page
    assert "福彩双色球 第2025150期" in page
    assert "名单尚未揭示" in page


def test_every_rule_is_shown_with_its_clause(site: Path) -> None:
    page = _text(site / "period-2025Q3.html")
    policy = installed_policy("huojia", "2023.2")
    for rule in policy.rules:
        assert f"<code>{rule.id}</code>" in page, rule.id
        assert str(rule.citation).replace("'", "&#x27;") in page, rule.id
    schedule = _text(site / "schedule-2025.html")
    assert "第十六条" in schedule


def test_the_heads_page_lists_the_head_now_and_published_heads(demo: Path, site: Path) -> None:
    events = read_verified(demo / "ledger-2025Q3.sqlite")
    page = _text(site / "heads.html")
    assert events[-1].hash in page and f">{len(events)}<" in page
    announced = json.loads(_text(demo / "announcement-2025Q4.json"))["ledger_head"]
    assert announced["hash"] in page and "仍在台账中 still held" in page


def test_the_verify_page_carries_the_module(site: Path) -> None:
    page = _text(site / "verify.html")
    for field in ("receipt", "entities", "history", "announcement"):
        assert f'type="file" id="{field}"' in page
    module = site / "verify" / "verify.mjs"
    if module.exists():
        assert "verifyReceipt" in page
        assert "export async function verifyReceipt" in _text(module)


def test_record_text_is_escaped(demo: Path, tmp_path: Path) -> None:
    out = tmp_path / "escaped"
    hostile = '<script>alert("x")</script>'
    result = runner.invoke(cli, _args(demo, out, extra=["--title", hostile]))
    assert result.exit_code == 0, result.output
    for page in _pages(out):
        assert hostile not in _text(page)
        assert "&lt;script&gt;" in _text(page)


def _fails(args: list[str], *words: str) -> None:
    result = runner.invoke(cli, args)
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    for word in words:
        assert word in result.output, result.output


def test_a_missing_ledger_fails_cleanly(demo: Path, tmp_path: Path) -> None:
    out = tmp_path / "site"
    args = _args(demo, out)
    args[args.index("--ledger") + 1] = str(tmp_path / "nope.sqlite")
    _fails(args, "nope.sqlite", "does not exist")
    assert not out.exists()
    assert list(tmp_path.iterdir()) == []


def test_a_junk_receipt_fails_cleanly(demo: Path, tmp_path: Path) -> None:
    junk = tmp_path / "junk.json"
    junk.write_text('{"format": "something else"}', encoding="utf-8")
    out = tmp_path / "site"
    _fails(_args(demo, out, extra=["--receipt", str(junk)]), "junk.json", "not a randcheck receipt")
    assert not out.exists()
    binary = tmp_path / "binary.json"
    binary.write_bytes(b"\xff\xfe\x00garbage")
    _fails(_args(demo, out, extra=["--receipt", str(binary)]), "binary.json")
    assert not out.exists()


def test_a_forged_reveal_fails_cleanly(demo: Path, tmp_path: Path) -> None:
    forged = json.loads(_text(demo / "receipt-2025Q3.revealed.json"))
    forged["revealed"]["secret"] = "cd" * 32
    path = tmp_path / "forged.json"
    path.write_text(json.dumps(forged), encoding="utf-8")
    out = tmp_path / "site"
    _fails(_args(demo, out, extra=["--receipt", str(path)]), "forged.json", "commitment")
    assert not out.exists()


def test_an_output_holding_an_input_is_refused(demo: Path, tmp_path: Path) -> None:
    before = sorted(p.name for p in demo.iterdir())
    _fails(_args(demo, demo, extra=["--force"]), "is an input", "own")
    _fails(_args(demo, demo / "registry.csv"), "registry.csv")
    assert sorted(p.name for p in demo.iterdir()) == before


def test_an_existing_folder_is_replaced_only_when_it_is_a_site(demo: Path, tmp_path: Path) -> None:
    other = tmp_path / "other"
    other.mkdir()
    (other / "keep.txt").write_text("mine", encoding="utf-8")
    _fails(_args(demo, other), "not empty")
    _fails(_args(demo, other, extra=["--force"]), MANIFEST)
    assert _text(other / "keep.txt") == "mine"
    empty = tmp_path / "empty"
    empty.mkdir()
    assert runner.invoke(cli, _args(demo, empty)).exit_code == 0
    _fails(_args(demo, empty), "not empty")
    (empty / "stale.html").write_text("old", encoding="utf-8")
    result = runner.invoke(cli, _args(demo, empty, extra=["--force"]))
    assert result.exit_code == 0, result.output
    assert not (empty / "stale.html").exists() and (empty / "index.html").is_file()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["empty", "other"]


def test_inputs_are_never_written(demo: Path, tmp_path: Path) -> None:
    import hashlib

    def digests() -> dict[str, str]:
        return {
            p.name: hashlib.sha256(p.read_bytes()).hexdigest()
            for p in demo.iterdir()
            if p.is_file()  # the demo's own site/ is not an input
        }

    before = digests()
    assert runner.invoke(cli, _args(demo, tmp_path / "again")).exit_code == 0
    assert digests() == before
    shutil.rmtree(tmp_path / "again")


def test_tasks_not_yet_inspected_stay_secret(demo: Path, tmp_path: Path) -> None:
    """获嘉 第二十二条: the list is secret to the entities until the inspection; a ledger
    cut before most inspections started shows only the tasks already started."""
    from randcheck.ledger.stores import export_jsonl

    whole = tmp_path / "whole.jsonl"
    with open_ledger(demo / "ledger-2025Q3.sqlite", readonly=True) as ledger:
        export_jsonl(ledger, whole)
    lines = whole.read_text(encoding="utf-8").splitlines(keepends=True)
    first = next(i for i, line in enumerate(lines) if '"INSPECTION_STARTED"' in line)
    early = tmp_path / "early.jsonl"
    early.write_text("".join(lines[: first + 1]), encoding="utf-8")
    started = json.loads(lines[first])["payload"]["task_id"]
    out = tmp_path / "site"
    args = _args(demo, out)
    args[args.index("--ledger") + 1] = str(early)
    result = runner.invoke(cli, args)
    assert result.exit_code == 0, result.output
    page = _text(out / "period-2025Q3.html")
    tasks = json.loads(_text(demo / "receipt-2025Q3.revealed.json"))["revealed"]["tasks"]
    shown = [t["task_id"] for t in tasks if f">{t['task_id']}<" in page]
    assert shown == [started]
    assert f"{len(tasks) - 1} 项任务的检查尚未开始" in page
    assert "第二十二条" in page
