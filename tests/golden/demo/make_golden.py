"""Write the demo quarter's outputs for each built-in policy: the snapshot that
``tests/test_golden_outputs.py`` holds the code to.

Written before the layout change of issue 19 (which kept every byte), and again
when issue 13 changed behaviour on purpose (draw v2's ranking levels). Run from
the repository root: ``python tests/golden/demo/make_golden.py``. Do not re-run
it to make a failing test pass: a difference is a behaviour change, to be
explained in the commit that rewrites these files, or undone.
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
        snap, _ = snapshot(policy_id)
        (HERE / f"{policy_id}.json").write_text(
            json.dumps(snap, ensure_ascii=False, indent=1, sort_keys=True) + "\n", encoding="utf-8"
        )
        print("wrote", policy_id)


if __name__ == "__main__":
    main()
