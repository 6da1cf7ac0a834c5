"""The one table of actions: menu text, default keys, what each is for, and where it shows.

The menus and the toolbar are built from it (fill_menu, fill_toolbar), in its order: to
move an action, move its row.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QMenu, QToolBar


@dataclass(frozen=True)
class ActionSpec:
    id: str
    text: str
    keys: tuple[str, ...]
    tip: str
    group: str  # the menu it is in
    section: int = 0  # a separator comes between sections of a menu
    toolbar: int | None = None  # its section on the toolbar, if it is there


ACTIONS = [
    ActionSpec("open", "&Open Folder…", ("Ctrl+O",), "Open a content folder", "File", toolbar=0),
    ActionSpec("save_all", "&Save All", ("Ctrl+S",), "Save every pending edit", "File", section=1, toolbar=0),
    ActionSpec("save_article", "Save &Article", (), "Save the selected articles' edits only", "File", section=1),
    ActionSpec("revert_article", "&Revert Article", (), "Drop the selected articles' pending edits", "File", section=1),
    ActionSpec("reload", "Re&load from Disk", ("F5",), "Check the folder for files changed on disk", "File", section=1),
    ActionSpec("commit", "&Commit Decisions", ("Ctrl+K",), "Commit the saved decisions and the review log", "File", 2),
    ActionSpec("sync", "S&ync", ("Ctrl+Shift+K",), "Commit, fetch, rebase onto the upstream, push", "File", 2),
    ActionSpec("quit", "&Quit", ("Ctrl+Q",), "Close Reviewer", "File", section=3),
    ActionSpec("undo", "&Undo", ("Ctrl+Z",), "Undo the last edit", "Edit", toolbar=0),
    ActionSpec("redo", "&Redo", ("Ctrl+Shift+Z", "Ctrl+Y"), "Redo the edit undone last", "Edit", toolbar=0),
    ActionSpec("approve", "&Approve", ("A",), "Set published: true and move to the next article", "Edit", 1, toolbar=1),
    ActionSpec("reject", "Re&ject", ("X",), "Set published: false and move to the next article", "Edit", 1, toolbar=1),
    ActionSpec("toggle", "&Toggle Published", ("P", "Space"), "Switch published between true and false", "Edit", 1),
    ActionSpec("quality_up5", "Quality +5", ("+", "="), "Raise quality by 5", "Edit", section=1),
    ActionSpec("quality_down5", "Quality −5", ("-",), "Lower quality by 5", "Edit", section=1),
    ActionSpec("quality_up1", "Quality +1", ("]",), "Raise quality by 1", "Edit", section=1),
    ActionSpec("quality_down1", "Quality −1", ("[",), "Lower quality by 1", "Edit", section=1),
    ActionSpec(
        "set_quality", "Set &Quality…", ("Q",), "Type a quality for the selection", "Edit", section=1, toolbar=1
    ),
    ActionSpec(
        "keep_best",
        "&Keep the Best, Reject the Rest",
        ("B",),
        "In the article's same-story cluster: approve the best, reject the others",
        "Edit",
        section=1,
    ),  # fmt: skip
    ActionSpec("select_all", "Select &All", ("Ctrl+A",), "Select every article in the view", "Edit", section=2),
    ActionSpec("preferences", "&Preferences…", ("Ctrl+,",), "Keys, remote images, saving", "Edit", section=2),
    ActionSpec(
        "statistics", "S&tatistics", ("Ctrl+I",), "Plots of quality and decisions, a table per provider", "View"
    ),
    ActionSpec(
        "group_same",
        "&Group Same Story",
        ("Ctrl+G",),
        "Sort the list so that each story's articles sit together",
        "View",
    ),  # fmt: skip
    ActionSpec("next", "&Next Article", ("J",), "Move to the next article", "Go"),
    ActionSpec("previous", "&Previous Article", ("K",), "Move to the previous article", "Go"),
    ActionSpec("queue", "&To Review", ("U",), "Switch to the queue of articles to review, and back", "Go"),
    ActionSpec("find", "&Find…", ("/", "Ctrl+F"), "Type a query", "Go"),
    ActionSpec("details", "Article &Details", ("Return",), "Move to the detail pane (Esc comes back)", "Go"),
    ActionSpec("open_link", "Open &Link", ("O",), "Open the article's original URL in the browser", "Go"),
    ActionSpec("shortcuts", "&Keyboard Shortcuts", ("?",), "Every key at a glance", "Help"),
    ActionSpec("query_help", "&Query Language", (), "Every kind of query term, with examples", "Help"),
    ActionSpec("about", "&About Reviewer", (), "Version and what Reviewer is", "Help"),
]
BY_ID = {spec.id: spec for spec in ACTIONS}
# Single keys that type text elsewhere: active only while the list or the detail pane has focus.
LIST_KEYS = {
    "approve",
    "keep_best",
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
    "details",
    "shortcuts",
}


def fill_menu(menu: QMenu, group: str, actions: dict[str, QAction]) -> None:
    """The group's actions, in the table's order, a separator between sections."""
    section = None
    for spec in ACTIONS:
        if spec.group == group:
            if section is not None and spec.section != section:
                menu.addSeparator()
            section = spec.section
            menu.addAction(actions[spec.id])


def fill_toolbar(bar: QToolBar, actions: dict[str, QAction]) -> None:
    section = None
    for spec in ACTIONS:
        if spec.toolbar is not None:
            if section is not None and spec.toolbar != section:
                bar.addSeparator()
            section = spec.toolbar
            bar.addAction(actions[spec.id])


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
