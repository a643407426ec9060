"""The public site in a real browser: Debian's Chromium, driven by Playwright.

The demo writes its quarter's site (``randcheck demo --out DIR`` -> ``DIR/site``);
these tests open it from ``file://`` as a member of the public would:

- on the verify page, choose the revealed receipt, the registry's CSV files and
  the history through the file inputs, press 验证 Verify and see "Verified";
- do the same with a tampered receipt (or registry) and see the first failed
  check named, as ``node verify/verify.mjs`` and ``randcheck verify`` name it;
- run axe-core (the copy ``axe-playwright-python`` ships) on every page: no
  serious or critical violation; no page asks for anything but local files;
- take screenshots of every page at desktop (1280 px) and phone (375 px) widths,
  and check that no page is wider than the screen.

The screenshots go to ``$RANDCHECK_SCREENSHOTS`` when set, else to a pytest
temporary folder; the folder is printed. Without Chromium (or Playwright) the tests
skip, saying why, unless ``CI=true`` or ``RANDCHECK_REQUIRE_BROWSER=1``: then they
fail. ``RANDCHECK_CHROMIUM`` names the browser when it is not ``chromium`` on PATH.
"""

from __future__ import annotations

import csv
import json
import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from randcheck.cli import app

PERIOD = "2025Q3"
WIDTHS = {"desktop": 1280, "phone": 375}


def browser_required() -> bool:
    return os.environ.get("CI") == "true" or os.environ.get("RANDCHECK_REQUIRE_BROWSER") == "1"


def unavailable(message: str) -> None:
    """Skip, saying why; under CI (or RANDCHECK_REQUIRE_BROWSER=1) fail instead."""
    if browser_required():
        pytest.fail(f"{message} (CI=true or RANDCHECK_REQUIRE_BROWSER=1: these tests must run)")
    pytest.skip(f"{message}; install Debian's chromium (apt-get install chromium) to run them")


def chromium_path() -> str | None:
    named = os.environ.get("RANDCHECK_CHROMIUM")
    if named:
        return named if Path(named).is_file() else None
    for name in ("chromium", "chromium-browser"):
        found = shutil.which(name)
        if found:
            return found
    return None


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """Headless Chromium (the system's, never a downloaded one)."""
    executable = chromium_path()
    if executable is None:
        unavailable("Chromium is not installed (no chromium on PATH, no RANDCHECK_CHROMIUM)")
    try:
        from playwright.sync_api import Error, sync_playwright
    except ImportError:
        unavailable("playwright is not installed (pip install -e '.[test]')")
    with sync_playwright() as playwright:
        try:
            launched = playwright.chromium.launch(executable_path=executable, headless=True)
        except Error as exc:
            unavailable(f"Chromium at {executable} does not start: {exc}")
        yield launched
        launched.close()


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """``randcheck demo --out DIR``: the quarter's files, and its site in DIR/site."""
    folder = tmp_path_factory.mktemp("browser") / "demo"
    result = CliRunner().invoke(app, ["demo", "--out", str(folder)])
    assert result.exit_code == 0, result.output
    assert (folder / "site" / "verify" / "verify.mjs").is_file()
    return folder


@pytest.fixture(scope="module")
def screenshots(tmp_path_factory: pytest.TempPathFactory) -> Path:
    given = os.environ.get("RANDCHECK_SCREENSHOTS")
    folder = Path(given) if given else tmp_path_factory.mktemp("screenshots")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    """A fresh page whose every request outside file:// is recorded (and refused)."""
    context = browser.new_context(viewport={"width": WIDTHS["desktop"], "height": 900})
    outside: list[str] = []

    def refuse(route: Any) -> None:
        outside.append(route.request.url)
        route.abort()

    context.route(lambda url: not url.startswith(("file:", "data:", "blob:")), refuse)
    yield context.new_page()
    context.close()
    assert outside == [], f"the page asked for files outside the site: {outside}"


def choose_and_verify(page: Any, site: Path, files: dict[str, Path]) -> str:
    """Open verify.html, choose ``files`` (input id -> file), press Verify: the verdict."""
    page.goto((site / "verify.html").as_uri())
    for input_id, path in files.items():
        page.set_input_files(f"#{input_id}", str(path))
    page.get_by_role("button", name="验证 Verify").click()
    page.wait_for_selector("#status[data-verdict]", timeout=30_000)
    return str(page.text_content("#status"))


def demo_files(demo: Path, receipt: Path | None = None) -> dict[str, Path]:
    return {
        "receipt": receipt or demo / f"receipt-{PERIOD}.revealed.json",
        "entities": demo / "registry.csv",
        "inspectors": demo / "registry.inspectors.csv",
        "items": demo / "registry.items.csv",
        "history": demo / f"history-{PERIOD}.json",
        "policy": demo / "site" / "files" / "policy-huojia-2023.2.json",  # the site publishes it
    }


def test_the_verify_page_verifies_the_demo_draw(page: Any, demo: Path) -> None:
    status = choose_and_verify(page, demo / "site", demo_files(demo))
    assert status == "验证通过 Verified"
    assert page.get_attribute("#status", "data-verdict") == "verified"
    checks = page.locator("#checks li").all_inner_texts()
    passed = [
        c.removeprefix("通过 passed ").split(":")[0] for c in checks if c.startswith("通过 passed")
    ]
    for name in ("schema", "registry digest", "history digest", "policy", "commitment", "seed"):
        assert name in passed, checks
    assert {"quotas", "result", "result digest"} <= set(passed), checks
    assert not [c for c in checks if "FAILED" in c], checks


def _tampered_receipt(demo: Path, folder: Path, how: str) -> Path:
    receipt = json.loads((demo / f"receipt-{PERIOD}.revealed.json").read_text("utf-8"))
    tasks = receipt["revealed"]["tasks"]
    if how == "uscc":  # one drawn entity swapped for one not drawn
        with open(demo / "registry.csv", encoding="utf-8-sig", newline="") as handle:
            codes = [row["统一社会信用代码"] for row in csv.DictReader(handle)]
        drawn = {t["uscc"] for t in tasks}
        tasks[3]["uscc"] = next(c for c in codes if c not in drawn)
    elif how == "seed":
        receipt["revealed"]["seed"] = "0" * 64
    elif how == "team":
        tasks[0]["team"] = list(reversed(tasks[0]["team"]))
    path = folder / f"receipt-{how}.json"
    path.write_text(json.dumps(receipt, ensure_ascii=False), encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("how", "first_failure"),
    [
        ("uscc", "result: tasks[3].uscc: expected"),
        ("seed", "seed: the seed does not follow from the secret and inputs"),
        ("team", "result: tasks[0].team[0]: expected"),
    ],
)
def test_a_tampered_receipt_is_refused_naming_the_first_failed_check(
    page: Any, demo: Path, tmp_path: Path, screenshots: Path, how: str, first_failure: str
) -> None:
    tampered = _tampered_receipt(demo, tmp_path, how)
    status = choose_and_verify(page, demo / "site", demo_files(demo, tampered))
    assert status.startswith("验证未通过 Not verified: " + first_failure), status
    assert page.get_attribute("#status", "data-verdict") == "failed"
    failed = [c for c in page.locator("#checks li").all_inner_texts() if "FAILED" in c]
    assert failed and failed[0].startswith("未通过 FAILED " + first_failure.split(":")[0])
    page.set_viewport_size({"width": WIDTHS["phone"], "height": 900})
    page.screenshot(path=str(screenshots / f"verify-failed-{how}-phone-375.png"), full_page=True)


def test_a_tampered_registry_is_refused(page: Any, demo: Path, tmp_path: Path) -> None:
    """The registry the public was given is not the one the draw was made from."""
    folder = tmp_path / "registry"
    folder.mkdir()
    for name in ("registry.csv", "registry.inspectors.csv", "registry.items.csv"):
        shutil.copyfile(demo / name, folder / name)
    text = (folder / "registry.csv").read_text("utf-8-sig")
    lines = text.splitlines(keepends=True)
    lines[1] = lines[1].replace(",一般,", ",重点,", 1).replace(",特殊,", ",重点,", 1)
    assert "".join(lines) != text
    (folder / "registry.csv").write_text("\ufeff" + "".join(lines), encoding="utf-8")
    files = {**demo_files(demo), "entities": folder / "registry.csv"}
    status = choose_and_verify(page, demo / "site", files)
    assert status.startswith("验证未通过 Not verified: registry digest"), status


def _pages(site: Path) -> list[Path]:
    pages = sorted(site.glob("*.html"))
    kinds = {p.name.split("-")[0].removesuffix(".html") for p in pages}
    assert kinds == {"index", "period", "schedule", "heads", "verify"}, kinds
    return pages


def test_every_page_has_no_serious_accessibility_violation(page: Any, demo: Path) -> None:
    from axe_playwright_python.sync_playwright import Axe

    axe = Axe()
    found: list[str] = []
    for html in _pages(demo / "site"):
        page.goto(html.as_uri())
        results = axe.run(page).response
        assert results["testEngine"]["name"] == "axe-core"
        for violation in results["violations"]:
            if violation["impact"] in ("serious", "critical"):
                targets = [n["target"] for n in violation["nodes"][:3]]
                found.append(f"{html.name}: {violation['id']} ({violation['help']}) at {targets}")
    # the verify page once it shows a verdict, its list of checks filled in
    choose_and_verify(page, demo / "site", demo_files(demo))
    for violation in axe.run(page).response["violations"]:
        if violation["impact"] in ("serious", "critical"):
            found.append(f"verify.html (verified): {violation['id']} ({violation['help']})")
    assert found == []


@pytest.mark.parametrize("width", sorted(WIDTHS))
def test_screenshots_and_no_page_wider_than_the_screen(
    browser: Any, demo: Path, screenshots: Path, capsys: pytest.CaptureFixture[str], width: str
) -> None:
    pixels = WIDTHS[width]
    context = browser.new_context(viewport={"width": pixels, "height": 900})
    try:
        page = context.new_page()
        for html in _pages(demo / "site"):
            page.goto(html.as_uri())
            if html.name == "verify.html":  # the page as it looks with a verdict
                choose_and_verify(page, demo / "site", demo_files(demo))
            wide = page.evaluate("document.documentElement.scrollWidth")
            assert wide <= pixels, f"{html.name} is {wide} px wide on a {pixels} px screen"
            shot = screenshots / f"{html.stem}-{width}-{pixels}.png"
            page.screenshot(path=str(shot), full_page=True)
            assert shot.stat().st_size > 1000
    finally:
        context.close()
    with capsys.disabled():
        print(f"\nscreenshots ({width}, {pixels} px): {screenshots}")


def test_the_pages_read_without_javascript(browser: Any, demo: Path) -> None:
    """Every page but the verifier is whole without JavaScript; the verifier says what
    to do instead."""
    context = browser.new_context(java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto((demo / "site" / f"period-{PERIOD}.html").as_uri())
        assert page.locator("table").count() >= 3
        assert "抽查名单" in page.inner_text("main")
        page.goto((demo / "site" / "verify.html").as_uri())
        assert "This page needs JavaScript" in page.inner_text("main")
    finally:
        context.close()
