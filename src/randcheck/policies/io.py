"""Deprecated: moved, and re-exported here for one release (0.2); importing it warns.

New home: randcheck.policies.files. See CHANGELOG.md.
"""

import warnings

from randcheck.policies.files import (
    VariantFile,
    dump_policy,
    load_policy,
    save_policy,
)

MOVED_TO = "randcheck.policies.files"
warnings.warn(
    f"{__name__} is deprecated: import from {MOVED_TO} (see CHANGELOG.md)",
    DeprecationWarning,
    stacklevel=2,
)


__all__ = [
    "VariantFile",
    "dump_policy",
    "load_policy",
    "save_policy",
]
