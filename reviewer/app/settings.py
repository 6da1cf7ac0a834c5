"""Preferences and remembered state, kept with QSettings; caches under the user cache folder."""

from __future__ import annotations

import json
import os

import platformdirs
from PySide6.QtCore import QSettings

from ..core.same_story import DEFAULT_THRESHOLD

APP = "Reviewer"
ORG = "Reviewer"
MAX_RECENT = 10
MAX_HISTORY = 30


def cache_dir(kind: str) -> str:
    return os.path.join(platformdirs.user_cache_dir(APP.lower(), appauthor=False), kind)


def data_dir() -> str:
    """Where Reviewer keeps what must last: the review logs of folders it cannot write to."""
    return platformdirs.user_data_dir(APP.lower(), appauthor=False)


class Settings:
    """Typed access to what Reviewer remembers between runs."""

    def __init__(self, qsettings: QSettings | None = None):
        self.q = qsettings or QSettings(ORG, APP)

    def _list(self, key: str) -> list:
        raw = self.q.value(key, "[]")
        try:
            value = json.loads(raw) if isinstance(raw, str) else list(raw) if isinstance(raw, (list, tuple)) else []
        except ValueError:
            return []
        return value if isinstance(value, list) else []

    def _set_list(self, key: str, value: list) -> None:
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

    # preferences
    def _bool(self, key: str, default: bool) -> bool:
        value = self.q.value(key, default)
        return value in (True, "true", "1", 1) if not isinstance(value, bool) else value

    @property
    def remote_images(self) -> bool:
        return self._bool("prefs/remote_images", True)

    @remote_images.setter
    def remote_images(self, value: bool) -> None:
        self.q.setValue("prefs/remote_images", bool(value))

    @property
    def save_each_decision(self) -> bool:
        return self._bool("prefs/save_each_decision", False)

    @save_each_decision.setter
    def save_each_decision(self, value: bool) -> None:
        self.q.setValue("prefs/save_each_decision", bool(value))

    @property
    def batch_threshold(self) -> int:
        try:
            value = self.q.value("prefs/batch_threshold", 50)
            return max(1, int(value if isinstance(value, (int, str)) else 50))
        except (TypeError, ValueError):
            return 50

    @batch_threshold.setter
    def batch_threshold(self, value: int) -> None:
        self.q.setValue("prefs/batch_threshold", int(value))

    @property
    def editor_name(self) -> str:
        """The name decisions are logged under; empty: the folder's git user.name, else the login."""
        value = self.q.value("prefs/editor_name", "")
        return value.strip() if isinstance(value, str) else ""

    @editor_name.setter
    def editor_name(self, value: str) -> None:
        self.q.setValue("prefs/editor_name", value.strip())

    @property
    def keep_folder_clean(self) -> bool:
        """Keep review logs in the data folder rather than in `.reviewer/` of the content folder."""
        return self._bool("prefs/keep_folder_clean", False)

    @keep_folder_clean.setter
    def keep_folder_clean(self, value: bool) -> None:
        self.q.setValue("prefs/keep_folder_clean", bool(value))

    @property
    def use_index(self) -> bool:
        """Keep an index of each folder in the cache, so that reopening reads only what changed."""
        return self._bool("prefs/use_index", True)

    @use_index.setter
    def use_index(self, value: bool) -> None:
        self.q.setValue("prefs/use_index", bool(value))

    @property
    def same_story_threshold(self) -> float:
        """How alike two articles must be to count as one story (core.same_story), 0.5 to 0.95."""
        try:
            value = float(str(self.q.value("prefs/same_story_threshold", DEFAULT_THRESHOLD)))
        except (TypeError, ValueError):
            return DEFAULT_THRESHOLD
        return min(0.95, max(0.5, value))

    @same_story_threshold.setter
    def same_story_threshold(self, value: float) -> None:
        self.q.setValue("prefs/same_story_threshold", float(value))

    @property
    def appearance(self) -> str:
        """system, light or dark."""
        value = self.q.value("prefs/appearance", "system")
        return value if value in ("system", "light", "dark") else "system"

    @appearance.setter
    def appearance(self, value: str) -> None:
        self.q.setValue("prefs/appearance", value)

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
    def value(self, key: str, default=None):
        return self.q.value(key, default)

    def set_value(self, key: str, value) -> None:
        self.q.setValue(key, value)
