"""Reading and writing: registries (CSV, XLSX, JSON), atomic file writes, secret files."""

from randcheck.io.atomic import atomic_group, atomic_write, write_secret, write_text
from randcheck.io.registry_files import (
    LoadReport,
    format_cell,
    load_registry,
    read_registry,
    write_registry,
)

__all__ = [
    "LoadReport",
    "atomic_group",
    "atomic_write",
    "format_cell",
    "load_registry",
    "read_registry",
    "write_registry",
    "write_secret",
    "write_text",
]
