"""The Qt widgets: main window, list model, detail pane, dialogs."""

from __future__ import annotations

import sys
from typing import Any

import PySide6.QtCore  # noqa: F401  # PySide's import hook is in place from here on


def _feature_check_reads_bytes() -> bool:
    """Have PySide's import hook ask whether a module uses PySide by reading its file's bytes.

    The hook asks that of every module imported after PySide (for its `__feature__` switches)
    with `inspect.getsource`, which decodes the whole source into `linecache`, kept for the
    life of the process: 7 MB of the window's memory at 100,000 articles, and 30 ms of its
    start. The answer is the same: whether the text "PySide6" is in the module's source.
    Modules without a source file of their own are asked of the hook's own check. Nothing
    changes when the hook is not there (another PySide version): False then."""
    feature = sys.modules.get("shibokensupport.feature")
    own = getattr(feature, "_mod_uses_pyside", None)
    if feature is None or not callable(own) or getattr(own, "reads_bytes", False):
        return False

    def _mod_uses_pyside(module: Any) -> bool:
        path = getattr(module, "__file__", None)
        if not isinstance(path, str) or not path.endswith(".py"):
            return bool(own(module))
        try:
            with open(path, "rb") as source:
                return b"PySide6" in source.read()
        except OSError:
            return bool(own(module))

    _mod_uses_pyside.reads_bytes = True  # type: ignore[attr-defined]
    _mod_uses_pyside.own = own  # type: ignore[attr-defined]
    setattr(feature, "_mod_uses_pyside", _mod_uses_pyside)  # noqa: B010  # a private name mypy cannot see
    return True


_feature_check_reads_bytes()
