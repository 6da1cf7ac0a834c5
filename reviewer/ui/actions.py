"""The one table of actions: menu text, default keys and what each is for."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence


@dataclass(frozen=True)
class ActionSpec:
    id: str
    text: str
    keys: tuple[str, ...]
    tip: str
    group: str


ACTIONS = [
    ActionSpec("open", "&Open Folder…", ("Ctrl+O",), "Open a content folder", "File"),
    ActionSpec("save_all", "&Save All", ("Ctrl+S",), "Save every pending edit", "File"),
    ActionSpec("save_article", "Save &Article", (), "Save the selected articles' edits only", "File"),
    ActionSpec("revert_article", "&Revert Article", (), "Drop the selected articles' pending edits", "File"),
    ActionSpec("reload", "Re&load from Disk", ("F5",), "Check the folder for files changed on disk", "File"),
    ActionSpec("quit", "&Quit", ("Ctrl+Q",), "Close Reviewer", "File"),
    ActionSpec("undo", "&Undo", ("Ctrl+Z",), "Undo the last edit", "Edit"),
    ActionSpec("redo", "&Redo", ("Ctrl+Shift+Z", "Ctrl+Y"), "Redo the edit undone last", "Edit"),
    ActionSpec("approve", "&Approve", ("A",), "Set published: true and move to the next article", "Edit"),
    ActionSpec("reject", "Re&ject", ("X",), "Set published: false and move to the next article", "Edit"),
    ActionSpec("toggle", "&Toggle Published", ("P", "Space"), "Switch published between true and false", "Edit"),
    ActionSpec("quality_up5", "Quality +5", ("+", "="), "Raise quality by 5", "Edit"),
    ActionSpec("quality_down5", "Quality −5", ("-",), "Lower quality by 5", "Edit"),
    ActionSpec("quality_up1", "Quality +1", ("]",), "Raise quality by 1", "Edit"),
    ActionSpec("quality_down1", "Quality −1", ("[",), "Lower quality by 1", "Edit"),
    ActionSpec("set_quality", "Set &Quality…", ("Q",), "Type a quality for the selection", "Edit"),
    ActionSpec("select_all", "Select &All", ("Ctrl+A",), "Select every article in the view", "Edit"),
    ActionSpec("preferences", "&Preferences…", ("Ctrl+,",), "Keys, remote images, saving", "Edit"),
    ActionSpec("next", "&Next Article", ("J",), "Move to the next article", "Go"),
    ActionSpec("previous", "&Previous Article", ("K",), "Move to the previous article", "Go"),
    ActionSpec("queue", "&Unpublished Queue", ("U",), "Switch to the unpublished queue and back", "Go"),
    ActionSpec("find", "&Find…", ("/", "Ctrl+F"), "Type a query", "Go"),
    ActionSpec("open_link", "Open &Link", ("O", "Return"), "Open the article's original URL in the browser", "Go"),
    ActionSpec("shortcuts", "&Keyboard Shortcuts", ("?",), "Every key at a glance", "Help"),
    ActionSpec("about", "&About Reviewer", (), "Version and licence", "Help"),
]
BY_ID = {spec.id: spec for spec in ACTIONS}
# Single keys that type text elsewhere: active only while the list or the detail pane has focus.
LIST_KEYS = {
    "approve",
    "reject",
    "toggle",
    "quality_up5",
    "quality_down5",
    "quality_up1",
    "quality_down1",
    "set_quality",
    "next",
    "previous",
    "queue",
    "find",
    "open_link",
    "shortcuts",
}


def make_actions(parent, settings) -> dict[str, QAction]:
    actions = {}
    for spec in ACTIONS:
        action = QAction(spec.text, parent)
        action.setToolTip(f"{spec.tip}")
        action.setStatusTip(spec.tip)
        action.setObjectName(spec.id)
        apply_keys(action, spec, settings.shortcuts(spec.id))
        if spec.id in LIST_KEYS:
            action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        actions[spec.id] = action
    return actions


def apply_keys(action: QAction, spec: ActionSpec, custom: list[str] | None) -> None:
    keys = custom if custom is not None else list(spec.keys)
    action.setShortcuts([QKeySequence(k) for k in keys if k])
    shown = ", ".join(QKeySequence(k).toString(QKeySequence.SequenceFormat.NativeText) for k in keys if k)
    action.setToolTip(f"{spec.tip} ({shown})" if shown else spec.tip)
