"""Who may do what: the roles, and the table of role × endpoint the service enforces.

The roles follow the texts:

- **operator** 操作员 (the bureau's draw and dispatch desk): registries, commits,
  draws, dispatch, reveals, disclosures, plans;
- **inspector** 检查人员: only their own tasks, and only once dispatched to them
  (checked per task, beside this table): read, start, end, record results,
  ask for corrections, rectification;
- **approver** 分管负责同志: corrections approved, inspectors replaced, exceptions
  (the changes to the list and the record that need approval); reads the sealed list;
- **auditor** 审计/监督: reads everything, runs the audit (the sealed list's entities
  only once each inspection has started);
- **public** 公众: no token needed: announcements, receipts, disclosures, ledger heads,
  schedules.

:data:`TABLE` is the one place the rule is written: every route names its operation
and :func:`randcheck.service.auth.authorize` refuses a role the table does not list
for it. docs/service.md prints the same table (:func:`markdown_table`), and a test
holds the two equal.
"""

from __future__ import annotations

from randcheck.models.fields import LabelledEnum


class Role(LabelledEnum):
    """A principal's role, as tokens and JWT claims carry it."""

    OPERATOR = ("operator", "操作员")
    INSPECTOR = ("inspector", "检查人员")
    APPROVER = ("approver", "分管负责同志")
    AUDITOR = ("auditor", "审计监督")
    PUBLIC = ("public", "公众")


ROLES = (Role.OPERATOR, Role.INSPECTOR, Role.APPROVER, Role.AUDITOR, Role.PUBLIC)
"""The columns of the table, in order."""
SIGNED_IN = frozenset({Role.OPERATOR, Role.INSPECTOR, Role.APPROVER, Role.AUDITOR})
"""Roles a token can carry (public is whoever comes without one)."""

OP, INS, APP, AUD = Role.OPERATOR, Role.INSPECTOR, Role.APPROVER, Role.AUDITOR
EVERYONE = frozenset(ROLES)
READERS = frozenset({OP, APP, AUD})

TABLE: dict[str, frozenset[Role]] = {
    # service
    "health": EVERYONE,
    # registries 名录库
    "upload_registry": frozenset({OP}),
    "validate_registry": READERS,
    "list_registries": READERS,
    "get_registry": READERS,
    "diff_registries": READERS,
    # draws: announcement, seal, dispatch, reveal
    "list_draws": EVERYONE,
    "commit_draw": frozenset({OP}),
    "get_announcement": EVERYONE,
    "seal_draw": frozenset({OP}),
    "get_receipt": EVERYONE,
    "dispatch_draw": frozenset({OP}),
    "reveal_draw": frozenset({OP}),
    "read_list": frozenset({OP, APP, AUD}),
    # tasks 检查任务
    "list_tasks": frozenset({OP, INS, APP, AUD}),
    "read_task": frozenset({OP, INS, APP, AUD}),
    "start_inspection": frozenset({INS}),
    "complete_inspection": frozenset({INS}),
    "record_result": frozenset({INS}),
    "request_correction": frozenset({INS}),
    "approve_correction": frozenset({APP}),
    "replace_inspector": frozenset({APP}),
    "record_rectification": frozenset({INS}),
    # records of the bureau
    "publish_disclosure": frozenset({OP}),
    "list_disclosures": EVERYONE,
    "record_exception": frozenset({APP}),
    "publish_plan": frozenset({OP}),
    # ledger 台账
    "ledger_head": EVERYONE,
    "ledger_events": frozenset({AUD}),
    "verify_ledger": frozenset({OP, AUD}),
    # published documents and the verdict
    "schedule": EVERYONE,
    "plan_file": READERS,
    "disclosure_file": EVERYONE,
    "audit": frozenset({AUD}),
}
"""operation id -> the roles allowed. An operation not listed is refused to everyone."""

PUBLIC_OPERATIONS = frozenset(op for op, roles in TABLE.items() if Role.PUBLIC in roles)


def allowed(operation: str, role: Role) -> bool:
    """Whether ``role`` may call ``operation`` (public operations: everyone)."""
    roles = TABLE.get(operation, frozenset())
    return Role.PUBLIC in roles or role in roles


def markdown_table(routes: dict[str, tuple[str, str]]) -> str:
    """The role table as Markdown: one row per operation (``routes``: operation id ->
    (method, path)), a column per role, ✓ allowed, · refused."""
    head = "| endpoint | operation | " + " | ".join(r.value for r in ROLES) + " |"
    rule = "|---|---|" + "---|" * len(ROLES)
    lines = [head, rule]
    for operation, roles in TABLE.items():
        method, path = routes.get(operation, ("?", "?"))
        marks = ["✓" if (Role.PUBLIC in roles or r in roles) else "·" for r in ROLES]
        lines.append(f"| `{method} {path}` | {operation} | " + " | ".join(marks) + " |")
    return "\n".join(lines) + "\n"
