"""PySide's import hook asks of every module whether it uses PySide: the window's answer is
PySide's own, without keeping every module's source in memory (reviewer.ui)."""

import json  # noqa: F401  # a module that does not use PySide
import linecache
import sys

import pytest

import reviewer.ui


def hook():
    feature = sys.modules.get("shibokensupport.feature")
    check = getattr(feature, "_mod_uses_pyside", None)
    if check is None:
        pytest.skip("this PySide has no import hook of that name: nothing is changed")
    return check


def test_the_check_answers_as_pyside_s_own_for_every_module_loaded():
    check = hook()
    assert getattr(check, "reads_bytes", False)
    modules = [m for m in list(sys.modules.values()) if m is not None]
    with_files = [m for m in modules if str(getattr(m, "__file__", "")).endswith(".py")]
    assert len(with_files) > 100
    answers = [(m.__name__, check(m), check.own(m)) for m in modules]
    assert [a for a in answers if a[1] != a[2]] == []
    assert check(reviewer.ui) is True
    assert check(sys.modules["json"]) is False
    linecache.clearcache()  # PySide's own check fills it


def test_a_module_imported_now_leaves_no_source_in_memory(tmp_path, monkeypatch):
    hook()
    (tmp_path / "uses_qt_here.py").write_text("from PySide6.QtCore import QObject\nVALUE = 1\n" + "# padding\n" * 2000)
    (tmp_path / "plain_module_here.py").write_text("VALUE = 2\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    linecache.clearcache()
    feature = sys.modules["shibokensupport.feature"]
    for name, uses in (("uses_qt_here", 0), ("plain_module_here", -1)):
        exec(f"import {name}", {})  # through builtins.__import__, as a module's import is
        assert feature.pyside_feature_dict.get(name) == uses
        sys.modules.pop(name)
    assert not any("uses_qt_here" in path or "plain_module_here" in path for path in linecache.cache)


def test_the_hook_is_changed_once():
    assert reviewer.ui._feature_check_reads_bytes() is False  # done at import; not again
