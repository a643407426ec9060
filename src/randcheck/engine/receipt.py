"""Deprecated: moved, and re-exported here for one release (0.2); importing it warns.

New home: randcheck.draw.receipt. See CHANGELOG.md.
"""

import warnings

from randcheck.draw.receipt import (
    FORMAT,
    VERSION,
    Check,
    Verification,
    load_receipt,
    record_replacement,
    result_digest,
    reveal,
    save_receipt,
    seal,
    seed_context,
    verify,
)

MOVED_TO = "randcheck.draw.receipt"
warnings.warn(
    f"{__name__} is deprecated: import from {MOVED_TO} (see CHANGELOG.md)",
    DeprecationWarning,
    stacklevel=2,
)


__all__ = [
    "FORMAT",
    "VERSION",
    "Check",
    "Verification",
    "load_receipt",
    "record_replacement",
    "result_digest",
    "reveal",
    "save_receipt",
    "seal",
    "seed_context",
    "verify",
]
