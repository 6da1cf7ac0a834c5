"""The editor's preferences, declared once: key, type, default, label, and who reads them.

The declarations drive the window's Edit > Preferences, the window itself and the command
line. They are kept in `preferences.json` in the user's configuration folder (beside the
window's remembered state), written whole and renamed into place, and read without Qt: the
command line reads the editor's name and where the log goes from there.
"""

from __future__ import annotations

import json
import math
import os
from dataclasses import dataclass
from typing import Any

from .files import replace_whole
from .same_story import DEFAULT_THRESHOLD

FILE_NAME = "preferences.json"
WINDOW = "window"
COMMAND_LINE = "command line"


@dataclass(frozen=True)
class Preference:
    key: str
    default: bool | int | float | str
    label: str
    tip: str = ""
    readers: tuple[str, ...] = (WINDOW,)
    low: float | None = None  # numbers: the range kept to
    high: float | None = None
    choices: tuple[tuple[str, str], ...] = ()  # text from a list: (value, label)
    suffix: str = ""  # shown after a number: " articles"
    placeholder: str = ""  # shown in an empty text field

    @property
    def kind(self) -> type:
        return type(self.default)

    def coerce(self, value: Any) -> Any:
        """`value` as this preference's type and range; the default when it cannot be."""
        kind = self.kind
        if kind is bool:
            if isinstance(value, str):
                value = {"true": True, "false": False, "1": True, "0": False}.get(value.strip().lower())
            return value if isinstance(value, bool) else self.default
        if kind in (int, float):
            try:
                number = kind(value) if not isinstance(value, bool) else None
            except (TypeError, ValueError, OverflowError):
                number = None
            if number is None or (kind is float and not math.isfinite(number)):
                return self.default
            if self.low is not None:
                number = max(kind(self.low), number)
            if self.high is not None:
                number = min(kind(self.high), number)
            return number
        if not isinstance(value, str):
            return self.default
        value = value.strip()
        if self.choices and value not in {v for v, _ in self.choices}:
            return self.default
        return value


PREFERENCES: tuple[Preference, ...] = (
    Preference(
        "appearance",
        "system",
        "Appearance",
        choices=(("system", "Follow the system"), ("light", "Light"), ("dark", "Dark")),
    ),
    Preference("save_each_decision", False, "Save each triage decision at once"),
    Preference("remote_images", True, "Load remote images (fetched into a local cache)"),
    Preference("batch_threshold", 50, "Confirm batch edits of more than", low=1, high=1_000_000, suffix=" articles"),
    Preference(
        "editor_name",
        "",
        "Editor name",
        "The name decisions are logged under",
        readers=(WINDOW, COMMAND_LINE),
        placeholder="the folder's git user.name, else the login name",
    ),
    Preference(
        "keep_folder_clean",
        False,
        "Keep the review log out of the content folder (in the user data folder)",
        readers=(WINDOW, COMMAND_LINE),
    ),
    Preference("use_index", True, "Keep an index of each folder, so that reopening reads only the files that changed"),
    Preference(
        "same_story_threshold",
        DEFAULT_THRESHOLD,
        "Same story at score",
        "How sure a link must be for two articles to count as one story: lower finds more, and more wrongly",
        low=0.3,
        high=0.95,
    ),
)
BY_KEY = {p.key: p for p in PREFERENCES}


def default_folder() -> str:
    """The user's configuration folder for Reviewer (where Qt keeps the window's state too)."""
    import platformdirs

    return platformdirs.user_config_dir("Reviewer", appauthor=False)


class Preferences:
    """The preferences file: read once, written whole on each change."""

    def __init__(self, folder: str = ""):
        self.path = os.path.join(folder or default_folder(), FILE_NAME)
        self._values = self._read()

    @property
    def exists(self) -> bool:
        return os.path.exists(self.path)

    def _read(self) -> dict[str, Any]:
        try:
            with open(self.path, encoding="utf-8") as fh:
                found = json.load(fh)
        except (OSError, ValueError):
            return {}
        return found if isinstance(found, dict) else {}

    def get(self, key: str) -> Any:
        preference = BY_KEY[key]
        return preference.coerce(self._values[key]) if key in self._values else preference.default

    def set(self, key: str, value: Any) -> None:
        self.update({key: value})

    def update(self, values: dict[str, Any]) -> None:
        """Set several at once, in one write. OSError when the file cannot be written."""
        for key, value in values.items():
            self._values[key] = BY_KEY[key].coerce(value)
        text = json.dumps(self._values, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
        replace_whole(self.path, text.encode("utf-8"))
