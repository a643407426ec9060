"""Markdown pages generated from the policy plugins (docs/policies/<id>.md)."""

from __future__ import annotations

from pathlib import Path

from randcheck.audit.judges import measured_by
from randcheck.errors import InputError
from randcheck.io.atomic import atomic_group
from randcheck.policies.describe import describe
from randcheck.policies.model import Policy
from randcheck.policies.registry import BUILTINS


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def policy_markdown(policy: Policy) -> str:
    """One page: the document, then every rule with its value, clause, quote and reading."""
    lines = [
        f"# {policy.name_zh}",
        "",
        f"{policy.name_en}. Policy id `{policy.id}`, version {policy.version}"
        + (f" (revises {policy.revises}, which stays available)." if policy.revises else "."),
        "",
        "| | |",
        "|---|---|",
        f"| document | {_cell(policy.document_title)} |",
        f"| number | {policy.document_number or '—'} |",
        f"| issued | {policy.issued or '—'} |",
        f"| effective from | {policy.effective_from} |",
        f"| effective until | {policy.effective_until or 'in force (no later version known)'} |",
        f"| level | {policy.level.label} |",
        f"| source text | `shared/seeds/{policy.source_file}` |",
        f"| calendar | {policy.calendar} (official working days, 调休 included) |",
        "",
        "## Fidelity: each requirement, its clause, how it is encoded and measured",
        "",
        "In the order the document states them. Every quote is verbatim from the source "
        "text; the strength is what its words say (力争 target, 原则上 in principle, 优先 "
        "preference).",
        "",
        "| requirement (rule) | clause and quote (原文) | encoded as | strength | measured by "
        "| reading taken |",
        "|---|---|---|---|---|---|",
    ]
    for rule in policy.rules:
        lines.append(
            f"| `{rule.id}` {_cell(rule.title)} | {_cell(str(rule.citation))}: "
            f"{_cell(rule.citation.quote)} | {_cell(describe(rule))} | "
            f"{rule.strength.label} | {_cell(measured_by(rule))} | "
            f"{_cell(rule.interpretation or '')} |"
        )
    if policy.id in BUILTINS:
        lines += [
            "",
            "Conformance cases 合规测试用例: what randcheck holds each measured requirement "
            "above to demand, as cases that pass and cases that fail, clause by clause: "
            f"[the cases for {policy.id}](../cases/{policy.id}.md).",
        ]
    if policy.not_modelled:
        lines += [
            "",
            "## Clauses not modelled",
            "",
            "Every clause of the document is either cited by a rule above or listed here "
            "with the reason no rule encodes it (a test reads the source text to hold this).",
            "",
            "| clause | why it is not a rule |",
            "|---|---|",
        ]
        lines += [f"| {_cell(str(n))} | {_cell(n.reason)} |" for n in policy.not_modelled]
    if policy.notes:
        lines += ["", "## Notes", ""]
        lines += [f"- {_cell(note)}" for note in policy.notes]
    if policy.changes:
        heading = (
            f"Changes from version {policy.revises}"
            if policy.revises
            else "Changes from the base policy"
        )
        lines += ["", f"## {heading}", ""]
        lines += [
            f"- `{c.rule}` {c.field}: {c.old} → {c.new} ({_cell(c.reason)})" for c in policy.changes
        ]
    lines.append("")
    return "\n".join(lines)


def page_name(policy: Policy) -> str:
    """The file name of a policy's page: ``<id>.md``."""
    return f"{policy.id}.md"


def write_policy_pages(folder: Path, policies: list[Policy]) -> list[Path]:
    """Write one page per policy into ``folder`` (created when missing); the paths written.

    The pages appear together or not at all: on any error none is written or changed.
    """
    folder = Path(folder)
    pages = [folder / page_name(policy) for policy in policies]
    if len(set(pages)) != len(pages):
        raise InputError("two policies have the same id: their pages would collide")
    texts = [policy_markdown(policy) for policy in policies]
    if folder.exists() and not folder.is_dir():
        raise InputError(f"{folder} is a file, not a folder", where=str(folder))
    folder.mkdir(parents=True, exist_ok=True)
    with atomic_group(*pages) as temps:
        for temp, text in zip(temps, texts):
            temp.write_text(text, encoding="utf-8")
    return pages
