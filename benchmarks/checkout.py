"""Shared by the benchmarks that measure another checkout (an earlier commit) in the same run."""

from __future__ import annotations

import sys


def use_checkout(code: str) -> None:
    """Import `reviewer` from the checkout at `code` from now on: first on the path, and the
    modules of any other checkout forgotten."""
    sys.path.insert(0, code)
    for name in [m for m in sys.modules if m == "reviewer" or m.startswith("reviewer.")]:
        del sys.modules[name]
