"""The clauses of each source document, read from ``../shared/seeds/``.

A clause is the finest heading the document numbers a provision by: an article
(第十八条), or a section (五、信息公开) where it has no subsections, else each
subsection (七(一)). Numbered points below that (三(二)1) belong to their
subsection: a rule citing 三(二)1 covers 三(二).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

SEEDS = Path(__file__).resolve().parents[3] / "shared" / "seeds"

NUMERALS = "一二三四五六七八九十"
_SECTION = re.compile(rf"^\s*([{NUMERALS}]+)、")
_SUBSECTION = re.compile(rf"^\s*[（(]([{NUMERALS}]+)[)）]")
_ARTICLE = re.compile(rf"^\s*第([{NUMERALS}]+)条")


@dataclass(frozen=True)
class Part:
    """One document inside a source file: its citation name and the lines it spans."""

    document: str
    starts: str | None = None  # the line the part starts at (None: the top of the file)
    ends: str | None = None  # the line after its last (None: the end of the file)
    headings_lost: tuple[str, ...] = ()  # clauses the text shows without their numbers


# The parts of each policy's source file, as the policy modules cite them.
PARTS: dict[str, tuple[str, tuple[Part, ...]]] = {
    "suixian": ("000_455e1a041ffaddf1.txt", (Part("睢县 实施细则"),)),
    "xiping": ("001_f166962c744db354.txt", (Part("西平县 随机抽查制度"),)),
    "huojia": (
        "002_768c4a83a957913c.txt",
        (
            # The notice's first heading and its first subsection lost their numbers in
            # the text ("完善本部门随机抽查机制", "积极推进…"); 一(二) to 一(四) follow them.
            Part("获嘉县 通知", None, "附件1", headings_lost=("一(一)",)),
            Part("获嘉县 细则", "附件2"),
        ),
    ),
    "qingdao_west_coast": ("003_acc1b6dfbda5c8de.txt", (Part("青岛西海岸新区 实施方案"),)),
    "benxi": ("004_e931121260d324b8.txt", (Part("本溪市 实施方案"),)),
}


def _lines(text: str, part: Part) -> list[str]:
    lines = text.splitlines()
    if part.starts is not None:
        lines = lines[next(i for i, line in enumerate(lines) if line.strip() == part.starts) :]
    if part.ends is not None:
        lines = lines[: next(i for i, line in enumerate(lines) if line.strip() == part.ends)]
    return lines


def clauses(policy_id: str) -> list[tuple[str, str]]:
    """(document, clause) for every clause of the policy's source, in the text's order."""
    source, parts = PARTS[policy_id]
    text = (SEEDS / source).read_text(encoding="utf-8")
    found: list[tuple[str, str]] = []
    for part in parts:
        sections: dict[str, list[str]] = {}
        articles: list[str] = []
        section = "一" if part.headings_lost else None
        if section:
            sections[section] = []
        for line in _lines(text, part):
            if m := _ARTICLE.match(line):
                articles.append(f"第{m.group(1)}条")
            elif m := _SECTION.match(line):
                section = m.group(1)
                sections.setdefault(section, [])
            elif (m := _SUBSECTION.match(line)) and section is not None and not articles:
                sections[section].append(f"{section}({m.group(1)})")
        units = list(part.headings_lost)
        for name, subs in sections.items():
            units += subs or [name]
        found += [(part.document, u) for u in dict.fromkeys(units + articles)]
    return found
