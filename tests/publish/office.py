"""A real office client for the tests: LibreOffice converts a document to PDF, poppler
reads the PDF back (its text, per page, and where each word is).

Without ``soffice`` or ``pdftotext`` the tests skip, saying why, unless ``CI=true`` or
``RANDCHECK_REQUIRE_OFFICE=1`` (set where the tools are installed, as ``.ci/run``
does): then they fail.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import pytest

TOOLS = ("soffice", "pdftotext", "pdfinfo", "pdftoppm")
CONVERT_TIMEOUT = 300
PAGE_NUMBER = re.compile(r"第\s*(\d+)\s*页\s*共\s*(\d+)\s*页")


def required() -> bool:
    return os.environ.get("CI") == "true" or os.environ.get("RANDCHECK_REQUIRE_OFFICE") == "1"


def need_tools() -> None:
    """Skip (fail under CI) when a tool is missing."""
    missing = [tool for tool in TOOLS if shutil.which(tool) is None]
    if missing:
        message = f"{', '.join(missing)} not installed (LibreOffice, poppler-utils)"
        if required():
            pytest.fail(f"{message}: CI / RANDCHECK_REQUIRE_OFFICE=1 needs them")
        pytest.skip(f"{message}; install libreoffice-calc-nogui and poppler-utils to run")


def to_pdf(files: Sequence[Path], folder: Path, profile: Path) -> dict[str, Path]:
    """Every file converted to PDF in ``folder`` by one LibreOffice run, with a profile of
    its own (parallel runs do not share one): file stem -> PDF."""
    folder.mkdir(parents=True, exist_ok=True)
    command = [
        "soffice",
        f"-env:UserInstallation={profile.resolve().as_uri()}",
        "--headless",
        "--norestore",
        "--convert-to",
        "pdf",
        "--outdir",
        str(folder),
        *(str(f) for f in files),
    ]
    done = subprocess.run(command, capture_output=True, text=True, timeout=CONVERT_TIMEOUT)
    pdfs = {f.stem: folder / f"{f.stem}.pdf" for f in files}
    missing = [stem for stem, pdf in pdfs.items() if not pdf.exists()]
    assert not missing, f"LibreOffice made no PDF of {missing}: {done.stdout}{done.stderr}"
    return pdfs


def pages_text(pdf: Path) -> list[str]:
    """The text of each page, in the order the PDF draws it (a wrapped cell's lines
    stay together)."""
    out = subprocess.run(
        ["pdftotext", "-raw", "-enc", "UTF-8", str(pdf), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    pages = out.split("\f")
    return pages[:-1] if pages and not pages[-1].strip() else pages


def squeezed(text: str) -> str:
    """``text`` without whitespace: a wrapped cell's lines joined again."""
    return re.sub(r"\s+", "", text)


def page_size(pdf: Path) -> tuple[int, float, float]:
    """(pages, width, height in points) as pdfinfo reads them."""
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True)
    pages = int(re.search(r"Pages:\s+(\d+)", info.stdout).group(1))  # type: ignore[union-attr]
    size = re.search(r"Page size:\s+([\d.]+) x ([\d.]+)", info.stdout)
    assert size is not None
    return pages, float(size.group(1)), float(size.group(2))


@dataclass(frozen=True)
class Word:
    text: str
    x0: float
    y0: float
    x1: float
    y1: float

    def clashes(self, other: Word) -> bool:
        """Whether the two are drawn one over the other: side by side by more than a
        point, and sharing more than a quarter of the lower one's height. A box is the
        font's full height, so lines set at a Latin font's own spacing touch by a
        tenth of it; text drawn over text shares far more."""
        across = min(self.x1, other.x1) - max(self.x0, other.x0)
        down = min(self.y1, other.y1) - max(self.y0, other.y0)
        lower = min(self.y1 - self.y0, other.y1 - other.y0)
        return across > 1.0 and down > 0.25 * lower


def words(pdf: Path) -> list[list[Word]]:
    """Each page's words with their boxes (``pdftotext -bbox``)."""
    out = subprocess.run(
        ["pdftotext", "-bbox", "-enc", "UTF-8", str(pdf), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    body = out[out.index("<doc>") : out.index("</doc>") + len("</doc>")]
    root = ET.fromstring(body.replace("xmlns=", "x="))
    return [
        [
            Word(
                w.text or "",
                float(w.get("xMin", 0)),
                float(w.get("yMin", 0)),
                float(w.get("xMax", 0)),
                float(w.get("yMax", 0)),
            )
            for w in page.iter("word")
        ]
        for page in root.iter("page")
    ]


def overlaps(page: list[Word]) -> list[tuple[Word, Word]]:
    """Pairs of words drawn one over the other (:meth:`Word.clashes`)."""
    found = []
    ordered = sorted(page, key=lambda w: w.y0)
    for i, a in enumerate(ordered):
        for b in ordered[i + 1 :]:
            if b.y0 >= a.y1:
                break
            if a.clashes(b):
                found.append((a, b))
    return found


CJK = re.compile(r"^[\u3400-\u9fff]+$")


def smallest_cjk_size(page: list[Word]) -> float:
    """The smallest font size of the page's CJK words: a CJK character is 1 em wide."""
    sizes = [(w.x1 - w.x0) / len(w.text) for w in page if CJK.match(w.text)]
    return min(sizes, default=99.0)


def first_page_png(pdf: Path, folder: Path, resolution: int = 60) -> Path:
    """The PDF's first page as a PNG in ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    stem = folder / pdf.stem
    subprocess.run(
        ["pdftoppm", "-png", "-r", str(resolution), "-f", "1", "-l", "1", "-singlefile",
         str(pdf), str(stem)],
        check=True,
        capture_output=True,
    )  # fmt: skip
    return stem.with_suffix(".png")
