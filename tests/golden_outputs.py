"""The demo quarter's outputs for each built-in policy, as one JSON-able snapshot.

Used by ``tests/test_golden_outputs.py`` and by ``tests/golden/layout/make_golden.py``
(which wrote the baseline before the layout change of issue 19).
"""

from __future__ import annotations

import datetime as dt
import os
import tempfile
from pathlib import Path
from typing import Any

from typer.testing import CliRunner

from randcheck.audit.run import audit
from randcheck.cli import app
from randcheck.demo import (
    demo_history,
    demo_public_randomness,
    demo_registry,
    demo_secret,
    record_quarter,
)
from randcheck.draw.receipt import reveal, seal
from randcheck.ledger.stores import open_ledger
from randcheck.periods import Quarter
from randcheck.policies import get_policy
from randcheck.publish.tables import (
    annual_plan_table,
    credit_push_table,
    disclosure_table,
    item_list_table,
    monthly_dispatch_table,
    quarterly_plan_table,
    quarterly_report_table,
    yearly_report_table,
)
from randcheck.report.verdict import to_html, to_markdown

POLICIES = ("suixian", "xiping", "huojia", "qingdao_west_coast", "benxi")
PERIOD = Quarter(2025, 3)


def snapshot(policy_id: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """(everything the demo quarter produces, the revealed receipt as sealed)."""
    policy = get_policy(policy_id)
    registry = demo_registry()
    history = demo_history(policy, registry, PERIOD)
    secret = demo_secret(PERIOD)
    sealed, result = seal(
        policy,
        registry,
        PERIOD,
        secret=secret,
        public_randomness=demo_public_randomness(PERIOD),
        history=history,
    )
    revealed = reveal(sealed, secret, registry, history)
    stable_sealed = {k: v for k, v in sealed.items() if k != "sealed_at"}
    with tempfile.TemporaryDirectory() as folder, open_ledger(Path(folder) / "l.sqlite") as ledger:
        record_quarter(ledger, policy, registry, PERIOD, result)
        events = list(ledger.events())
        head = ledger.head
    as_of = PERIOD.end + dt.timedelta(days=75)
    verdict = audit(policy, events, 2025, quarter=3, as_of=as_of, registry=registry)
    year_verdict = audit(policy, events, 2025, as_of=dt.date(2026, 3, 1), registry=registry)
    tables = {
        "items": item_list_table(registry),
        "annual_plan": annual_plan_table(policy, registry, 2025),
        "quarterly_plan": quarterly_plan_table(policy, registry, PERIOD),
        "disclosure": disclosure_table(policy, events, 2025, 3, registry=registry),
        "credit_push": credit_push_table(policy, events, 2025, 3, registry=registry),
        "monthly": monthly_dispatch_table(events, 2025, 7),
        "quarterly": quarterly_report_table(events, PERIOD),
        "yearly": yearly_report_table(events, 2025),
    }
    old = os.environ.get("COLUMNS")
    os.environ["COLUMNS"] = "120"
    try:
        demo = CliRunner().invoke(app, ["demo", "--policy", policy_id])
    finally:
        if old is None:
            os.environ.pop("COLUMNS", None)
        else:
            os.environ["COLUMNS"] = old
    snap = {
        "sealed": stable_sealed,
        "tasks": [t.task_id for t in result.tasks],
        "ledger": {"events": len(events), "head": head},
        "verdict": verdict.to_json(),
        "verdict_md": to_markdown(verdict),
        "verdict_html": to_html(verdict),
        "year_verdict": year_verdict.to_json(),
        "tables": {name: table.to_json() for name, table in tables.items()},
        "demo": {"exit_code": demo.exit_code, "output": demo.output},
    }
    return snap, revealed
