"""The window's menus and toolbar, made from the action table (actions.py)."""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QMenu, QToolBar

from .actions import fill_menu, fill_toolbar
from .article_model import HEADERS, Column
from .welcome import resource_icon

if TYPE_CHECKING:
    from .main_window import MainWindow


def build_menus(window: MainWindow) -> None:
    a = window.action_table
    bar = window.menuBar()
    file = bar.addMenu("&File")
    fill_menu(file, "File", a)
    window.recent_menu = QMenu("Open &Recent", file)
    file.insertMenu(file.actions()[1], window.recent_menu)  # after Open Folder
    window.recent_menu.aboutToShow.connect(lambda: fill_recent(window))
    fill_menu(bar.addMenu("&Edit"), "Edit", a)
    view = bar.addMenu("&View")
    fill_menu(view, "View", a)
    view.addSeparator()
    view.addAction(window.changes_dock.toggleViewAction())
    window.changes_dock.toggleViewAction().setText("&Changes Panel")
    window.changes_dock.toggleViewAction().setShortcut("Ctrl+Shift+C")
    columns = view.addMenu("C&olumns")
    header = window.table.horizontalHeader()
    for column in Column:
        action = columns.addAction(HEADERS[column])
        action.setCheckable(True)
        action.setChecked(not header.isSectionHidden(column))
        action.toggled.connect(lambda on, c=column: header.setSectionHidden(c, not on))
        window.column_actions[column] = action
    header.customContextMenuRequested.connect(lambda pos: columns.exec(header.mapToGlobal(pos)))
    window.remote_action = view.addAction("Load &Remote Images")
    window.remote_action.setCheckable(True)
    window.remote_action.setChecked(window.settings.remote_images)
    window.remote_action.toggled.connect(lambda on: setattr(window.settings, "remote_images", on))
    window.view_actions = [
        view.addAction("&Save Query as View…", window.list.save_query_as_view),
        view.addAction("&Remove Saved View", window.list.remove_saved_view),
    ]
    fill_menu(bar.addMenu("&Go"), "Go", a)
    fill_menu(bar.addMenu("&Help"), "Help", a)

    # Single-key actions live on the list and the detail pane, so typing elsewhere stays typing.
    for action in a.values():
        if action.shortcutContext() == Qt.ShortcutContext.WidgetWithChildrenShortcut:
            window.table.addAction(action)
            window.detail.addAction(action)
            window.list.problems.addAction(action)


def build_toolbar(window: MainWindow) -> None:
    bar = QToolBar("Main")
    bar.setObjectName("main-toolbar")
    bar.setIconSize(QSize(20, 20))
    bar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
    style = window.style()
    icons = {
        "open": style.standardIcon(style.StandardPixmap.SP_DirOpenIcon),
        "save_all": style.standardIcon(style.StandardPixmap.SP_DialogSaveButton),
        "undo": QIcon.fromTheme("edit-undo", resource_icon("undo")),
        "redo": QIcon.fromTheme("edit-redo", resource_icon("redo")),
        "approve": resource_icon("published"),
        "reject": resource_icon("unpublished"),
    }
    for name, icon in icons.items():
        window.action_table[name].setIcon(icon)
    fill_toolbar(bar, window.action_table)
    window.addToolBar(bar)


def fill_recent(window: MainWindow) -> None:
    window.recent_menu.clear()
    for folder in window.settings.recent_folders:
        window.recent_menu.addAction(folder, functools.partial(window.open_folder, folder))
    if not window.settings.recent_folders:
        window.recent_menu.addAction("(none)").setEnabled(False)
    else:
        window.recent_menu.addSeparator()
        window.recent_menu.addAction("Clear Menu", window.settings.clear_recent_folders)
