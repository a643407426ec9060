"""The example notebooks run as tests (nbmake) at their small size."""

import os

os.environ["RANDCHECK_EXAMPLE_SIZE"] = "small"
os.environ.setdefault("MPLBACKEND", "Agg")
