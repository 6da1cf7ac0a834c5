"""The window's size, layout and columns, remembered between runs."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QByteArray
from PySide6.QtWidgets import QApplication

if TYPE_CHECKING:
    from .main_window import MainWindow

DEFAULT_SIZE = (1360, 860)
HEADER_KEY = "window/columns-2"  # a new key: widths saved before Status showed decisions do not apply


def restore_state(window: MainWindow) -> None:
    geometry = window.settings.value("window/geometry")
    if not (isinstance(geometry, QByteArray) and not geometry.isEmpty() and window.restoreGeometry(geometry)):
        fit_to_screen(window)
    state = window.settings.value("window/state")
    if isinstance(state, QByteArray):
        window.restoreState(state)
    splitter = window.settings.value("window/splitter")
    if isinstance(splitter, QByteArray):
        window.splitter.restoreState(splitter)
    else:
        window.splitter.setSizes(default_split(window.width()))
    header = window.settings.value(HEADER_KEY)
    window.header_restored = isinstance(header, QByteArray)
    if isinstance(header, QByteArray):
        window.table.horizontalHeader().restoreState(header)
        for column, action in window.column_actions.items():
            action.setChecked(not window.table.horizontalHeader().isSectionHidden(column))
        h = window.table.horizontalHeader()
        window.model.sort(h.sortIndicatorSection(), h.sortIndicatorOrder())


def default_split(width: int) -> list[int]:
    """The list's and the detail pane's widths: in a narrow window the detail pane keeps what its
    form needs (380 px) and the list's Title column gets the rest."""
    detail = max(380, int(width * 0.33)) if width < 1200 else int(width * 0.4)
    return [width - detail, detail]


def fit_to_screen(window: MainWindow) -> None:
    """First open: the default size, or the screen's available area when that is smaller."""
    screen = window.screen() or QApplication.primaryScreen()
    if screen is None:
        window.resize(*DEFAULT_SIZE)
        return
    area = screen.availableGeometry()
    frame = 8  # what a window manager's frame adds
    width, height = min(DEFAULT_SIZE[0], area.width() - frame), min(DEFAULT_SIZE[1], area.height() - frame - 24)
    window.resize(width, height)
    window.move(area.x() + (area.width() - width) // 2, area.y() + (area.height() - height) // 2)


def save_state(window: MainWindow) -> None:
    window.settings.set_value("window/geometry", window.saveGeometry())
    window.settings.set_value("window/state", window.saveState())
    window.settings.set_value("window/splitter", window.splitter.saveState())
    window.settings.set_value(HEADER_KEY, window.table.horizontalHeader().saveState())
    window.settings.set_value("folders/last", window.session.root)
