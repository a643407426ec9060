"""A small quarter's files, made once per session, for the command-line tests: a
synthetic registry of 60 entities, the quarter sealed and revealed as the demo does it,
and a ledger recording it (with the demo's planted faults).

``quarter_files`` is shared and must stay untouched: a test that may write next to
them, or change them, works on ``copy_quarter``.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from randcheck.demo import demo_public_randomness, demo_secret, record_quarter
from randcheck.draw.history import History, save_history
from randcheck.draw.receipt import reveal, save_receipt, seal
from randcheck.io import write_registry
from randcheck.ledger.stores import open_ledger
from randcheck.periods import Quarter
from randcheck.policies import get_policy
from randcheck.synth import generate_registry

PERIOD = Quarter(2025, 3)
LEDGER = f"ledger-{PERIOD.label}.sqlite"
HISTORY = f"history-{PERIOD.label}.json"
SEALED = f"receipt-{PERIOD.label}.json"
REVEALED = f"receipt-{PERIOD.label}.revealed.json"


@pytest.fixture(scope="session")
def quarter_files(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("quarter")
    registry = generate_registry(60, 10, seed="cli-tests")
    policy = get_policy("huojia")
    secret = demo_secret(PERIOD)
    history = History()
    sealed, result = seal(
        policy,
        registry,
        PERIOD,
        secret=secret,
        public_randomness=demo_public_randomness(PERIOD),
        history=history,
    )
    write_registry(registry, folder / "registry.csv")
    save_history(history, folder / HISTORY)
    save_receipt(sealed, folder / SEALED)
    save_receipt(reveal(sealed, secret, registry, history), folder / REVEALED)
    with open_ledger(folder / LEDGER) as ledger:
        record_quarter(ledger, policy, registry, PERIOD, result)
    (folder / "draw.secret").write_text(secret + "\n", encoding="utf-8")
    return folder


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file under ``folder`` and its bytes: to show that nothing changed."""
    return {str(p.relative_to(folder)): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


@pytest.fixture
def copy_quarter(quarter_files: Path, tmp_path: Path) -> Path:
    """A private copy of the quarter's files, in ``tmp_path / "quarter"``."""
    target = tmp_path / "quarter"
    shutil.copytree(quarter_files, target)
    return target
