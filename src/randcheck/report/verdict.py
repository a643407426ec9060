"""The verdict rendered: JSON, Markdown, a self-contained HTML page, a terminal table.

One place for every renderer of a verdict, shared by the command line (and the
service and public site that build on it). The verdict itself is data
(:class:`randcheck.audit.verdict.Verdict`).
"""

from __future__ import annotations

import html
import json
from collections.abc import Callable
from typing import TYPE_CHECKING

from rich.table import Table as RichTable

from randcheck.audit.verdict import Verdict

if TYPE_CHECKING:
    from randcheck.report.published import LedgerHead


def to_json_text(verdict: Verdict) -> str:
    """The verdict's JSON (:meth:`Verdict.to_json`), indented, non-ASCII as itself."""
    return json.dumps(verdict.to_json(), ensure_ascii=False, indent=1) + "\n"


def to_markdown(verdict: Verdict) -> str:
    """The verdict as a Markdown table, one row per rule with its clause and source words."""
    lines = [
        f"# {verdict.title()}",
        "",
        f"Policy `{verdict.policy.id}` {verdict.policy.version}. "
        + ", ".join(f"{k}: {v}" for k, v in verdict.counts().items()),
        "",
        "| rule | status | measured | required | at fault | clause | source |",
        "|---|---|---|---|---|---|---|",
    ]
    for r in verdict.rules:
        cells = [
            f"`{r.rule.id}` {r.rule.title}",
            r.status_text,
            r.measured or r.note,
            r.required,
            ", ".join(r.subjects[:10]) + (" …" if len(r.subjects) > 10 else ""),
            str(r.rule.citation),
            r.rule.citation.quote,
        ]
        lines.append(
            "| " + " | ".join(c.replace("|", "\\|").replace("\n", " ") for c in cells) + " |"
        )
    return "\n".join(lines) + "\n"


def to_html(verdict: Verdict) -> str:
    """The verdict as a self-contained HTML page (no external files)."""
    colour = {
        "PASS": "#1a7f37",
        "FAIL": "#cf222e",
        "NOT_APPLICABLE": "#6e7781",
        "NOT_ENOUGH_DATA": "#9a6700",
        "NOT_MEASURED": "#6e7781",
        "MISSED": "#9a6700",
    }
    headers = (
        "rule 规则",
        "status 结论",
        "measured 实测",
        "required 要求",
        "at fault 涉及",
        "clause 条款",
        "source 原文",
    )
    rows = []
    for r in verdict.rules:
        cells = [
            f"{r.rule.id} {r.rule.title}",
            r.status_text,
            r.measured or r.note,
            r.required,
            ", ".join(r.subjects[:20]),
            str(r.rule.citation),
            r.rule.citation.quote,
        ]
        tds = [f"<td>{html.escape(c)}</td>" for c in cells]
        shade = colour["MISSED" if r.missed else r.status.value]
        tds[1] = f'<td style="color:{shade}"><b>{html.escape(cells[1])}</b></td>'
        rows.append("<tr>" + "".join(tds) + "</tr>")
    counts = html.escape(", ".join(f"{k}: {v}" for k, v in verdict.counts().items()))
    style = (
        "body{font-family:sans-serif;margin:2em}table{border-collapse:collapse}"
        "td,th{border:1px solid #d0d7de;padding:4px 8px;vertical-align:top}"
    )
    title = html.escape(verdict.title())
    return (
        f'<!DOCTYPE html>\n<html lang="zh-CN"><head><meta charset="utf-8"><title>{title}'
        f"</title><style>{style}</style></head><body><h1>{title}</h1>"
        f"<p>{html.escape(verdict.policy.id)} {html.escape(verdict.policy.version)}; {counts}</p>"
        "<table><tr>"
        + "".join(f"<th>{h}</th>" for h in headers)
        + "</tr>"
        + "".join(rows)
        + "</table></body></html>\n"
    )


def to_rich_table(verdict: Verdict) -> RichTable:
    """The verdict as a terminal table (rich), long cells folded rather than cut."""
    table = RichTable(title=verdict.title(), title_justify="left")
    for header in ("rule 规则", "status 结论", "measured 实测", "required 要求", "clause 条款"):
        table.add_column(header, overflow="fold")
    for r in verdict.rules:
        subjects = (
            f"\n{', '.join(r.subjects[:4])}{' …' if len(r.subjects) > 4 else ''}"
            if r.subjects
            else ""
        )
        table.add_row(
            r.rule.id,
            r.status_text,
            (r.measured or r.note) + subjects,
            r.required,
            str(r.rule.citation),
        )
    return table


RENDERERS: dict[str, Callable[[Verdict], str]] = {
    "json": to_json_text,
    "md": to_markdown,
    "html": to_html,
}
"""Text format -> renderer."""


def render(verdict: Verdict, fmt: str, head: LedgerHead | None = None) -> str:
    """The verdict as text in ``fmt`` (json, md or html).

    ``head``: the head of the ledger judged, carried as the documents published from a
    ledger carry it (:mod:`randcheck.report.published`): a ``"ledger_head"`` object in
    JSON, a last line in Markdown and HTML.
    """
    if fmt not in RENDERERS:
        raise ValueError(f"no verdict renderer for {fmt!r}: {', '.join(RENDERERS)}")
    if head is None:
        return RENDERERS[fmt](verdict)
    if fmt == "json":
        data = verdict.to_json()
        data["ledger_head"] = head.to_json()
        return json.dumps(data, ensure_ascii=False, indent=1) + "\n"
    if fmt == "html":
        page = to_html(verdict)
        footer = f"<p>{html.escape(head.line())}</p>"
        return page.replace("</body></html>", f"{footer}</body></html>", 1)
    from randcheck.report.published import with_head

    return with_head(RENDERERS[fmt](verdict), head)
