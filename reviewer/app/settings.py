"""Preferences and remembered state, kept with QSettings; caches under the user cache folder."""

from __future__ import annotations

import json
import os
from typing import Any, Generic, TypeVar, overload

import platformdirs
from PySide6.QtCore import QSettings

from ..core.preferences import BY_KEY, PREFERENCES, Preferences

APP = "Reviewer"
ORG = "Reviewer"
MAX_RECENT = 10
MAX_HISTORY = 30


def cache_dir(kind: str) -> str:
    return os.path.join(platformdirs.user_cache_dir(APP.lower(), appauthor=False), kind)


def data_dir() -> str:
    """Where Reviewer keeps what must last: the review logs of folders it cannot write to."""
    return platformdirs.user_data_dir(APP.lower(), appauthor=False)


T = TypeVar("T")


class _Pref(Generic[T]):
    """A Settings attribute that reads and writes one declared preference."""

    def __init__(self, key: str):
        self.key = key
        assert key in BY_KEY, key

    @overload
    def __get__(self, settings: None, owner: type) -> _Pref[T]: ...
    @overload
    def __get__(self, settings: Settings, owner: type) -> T: ...
    def __get__(self, settings: Settings | None, owner: type) -> T | _Pref[T]:
        return self if settings is None else settings.prefs.get(self.key)

    def __set__(self, settings: Settings, value: T) -> None:
        settings.prefs.set(self.key, value)


class Settings:
    """Typed access to what Reviewer remembers between runs: the preferences (core.preferences,
    in their own file beside Qt's) and the window's state (QSettings)."""

    def __init__(self, qsettings: QSettings | None = None):
        self.q = qsettings or QSettings(ORG, APP)
        self.prefs = Preferences(os.path.dirname(self.q.fileName()))
        self._take_old_preferences()

    def _list(self, key: str) -> list[Any]:
        raw = self.q.value(key, "[]")
        try:
            value = json.loads(raw) if isinstance(raw, str) else list(raw) if isinstance(raw, (list, tuple)) else []
        except ValueError:
            return []
        return value if isinstance(value, list) else []

    def _set_list(self, key: str, value: list[Any]) -> None:
        self.q.setValue(key, json.dumps(value))

    # folders
    @property
    def recent_folders(self) -> list[str]:
        return [p for p in self._list("folders/recent") if isinstance(p, str)]

    def add_recent_folder(self, path: str) -> None:
        path = os.path.abspath(path)
        recent = [path] + [p for p in self.recent_folders if p != path]
        self._set_list("folders/recent", recent[:MAX_RECENT])

    def clear_recent_folders(self) -> None:
        self._set_list("folders/recent", [])

    # queries
    @property
    def query_history(self) -> list[str]:
        return [q for q in self._list("queries/history") if isinstance(q, str)]

    def add_query(self, query: str) -> None:
        if query.strip():
            history = [query] + [q for q in self.query_history if q != query]
            self._set_list("queries/history", history[:MAX_HISTORY])

    @property
    def saved_queries(self) -> list[tuple[str, str]]:
        return [(n, q) for n, q in self._list("queries/saved") if isinstance(n, str) and isinstance(q, str)]

    def set_saved_queries(self, items: list[tuple[str, str]]) -> None:
        self._set_list("queries/saved", [list(i) for i in items])

    # preferences: declared in core.preferences, read by the window and the command line alike
    appearance = _Pref[str]("appearance")
    save_each_decision = _Pref[bool]("save_each_decision")
    remote_images = _Pref[bool]("remote_images")
    batch_threshold = _Pref[int]("batch_threshold")
    editor_name = _Pref[str]("editor_name")  # '' : the folder's git user.name, else the login
    keep_folder_clean = _Pref[bool]("keep_folder_clean")  # the review log in the data folder, not .reviewer/
    use_index = _Pref[bool]("use_index")  # reopening a folder reads only the files that changed
    same_story_threshold = _Pref[float]("same_story_threshold")

    def _take_old_preferences(self) -> None:
        """Preferences an earlier version kept with Qt (`prefs/KEY`), moved to the file once."""
        if self.prefs.exists:
            return
        old = {p.key: self.q.value(f"prefs/{p.key}") for p in PREFERENCES}
        found = {key: value for key, value in old.items() if value is not None}
        if found:
            try:
                self.prefs.update(found)
            except OSError:
                return
            for key in found:
                self.q.remove(f"prefs/{key}")

    @property
    def log_dir(self) -> str:
        """Where logs kept out of their folder go (a setting only so that tests can move it)."""
        value = self.q.value("paths/data", "")
        return value if isinstance(value, str) and value else data_dir()

    def shortcuts(self, action_id: str) -> list[str] | None:
        raw = self.q.value(f"shortcuts/{action_id}")
        if raw is None:
            return None
        try:
            value = json.loads(raw)
        except (TypeError, ValueError):
            return None
        return [s for s in value if isinstance(s, str)] if isinstance(value, list) else None

    def set_shortcuts(self, action_id: str, keys: list[str] | None) -> None:
        if keys is None:
            self.q.remove(f"shortcuts/{action_id}")
        else:
            self.q.setValue(f"shortcuts/{action_id}", json.dumps(keys))

    # window state
    def value(self, key: str, default: Any = None) -> Any:
        return self.q.value(key, default)

    def set_value(self, key: str, value: Any) -> None:
        self.q.setValue(key, value)
