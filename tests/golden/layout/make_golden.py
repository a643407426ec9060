"""Write the outputs that the layout change (issue 19) must keep byte for byte.

Run once, before the change, from the repository root:
``python tests/golden/layout/make_golden.py``. The files it writes are the
baseline; ``tests/test_golden_outputs.py`` recomputes the same outputs with
the current code and compares. Do not re-run it to make a failing test pass:
a difference is a behaviour change, to be explained or undone.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

HERE = Path(__file__).parent
sys.path.insert(0, str(HERE.parents[2]))

from tests.golden_outputs import POLICIES, snapshot  # noqa: E402


def main() -> None:
    for policy_id in POLICIES:
        snap, revealed = snapshot(policy_id)
        (HERE / f"{policy_id}.json").write_text(
            json.dumps(snap, ensure_ascii=False, indent=1, sort_keys=True) + "\n", encoding="utf-8"
        )
        (HERE / f"{policy_id}.revealed-receipt.json").write_text(
            json.dumps(revealed, ensure_ascii=False, indent=1) + "\n", encoding="utf-8"
        )
        print("wrote", policy_id)


if __name__ == "__main__":
    main()
