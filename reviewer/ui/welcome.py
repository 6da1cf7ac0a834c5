"""Shown when no folder is open: Open Folder and the recent folders."""

from __future__ import annotations

import os
from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QIcon
from PySide6.QtWidgets import QLabel, QListWidget, QPushButton, QVBoxLayout, QWidget

from ..app.settings import Settings

RESOURCES = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "resources")


def resource_icon(name: str) -> QIcon:
    return QIcon(os.path.join(RESOURCES, name + ".svg"))


class Welcome(QWidget):
    """Shown when no folder is open: Open Folder and the recent list."""

    def __init__(
        self,
        open_action: QAction,
        open_folder: Callable[[str], object],
        settings: Settings,
        parent: QWidget | None = None,
    ):
        super().__init__(parent)
        self.settings = settings
        layout = QVBoxLayout(self)
        layout.addStretch(1)
        icon = QLabel(alignment=Qt.AlignmentFlag.AlignCenter)
        icon.setPixmap(resource_icon("reviewer").pixmap(96, 96))
        layout.addWidget(icon)
        title = QLabel(
            "<h2>Reviewer</h2><p>Open a content folder (Jekyll, Hugo, …) to review its articles.</p>",
            alignment=Qt.AlignmentFlag.AlignCenter,
        )
        layout.addWidget(title)
        button = QPushButton("Open Folder…")
        button.setAccessibleName("Open Folder")
        button.clicked.connect(open_action.trigger)
        layout.addWidget(button, alignment=Qt.AlignmentFlag.AlignCenter)
        self.recent = QListWidget()
        self.recent.setAccessibleName("Recent folders")
        self.recent.setMaximumWidth(560)
        self.recent.itemActivated.connect(lambda item: open_folder(item.text()))
        self.recent_label = QLabel("Recent folders:", alignment=Qt.AlignmentFlag.AlignCenter)
        layout.addWidget(self.recent_label)
        layout.addWidget(self.recent, alignment=Qt.AlignmentFlag.AlignHCenter)
        layout.addStretch(2)
        self.refresh()

    def refresh(self) -> None:
        self.recent.clear()
        self.recent.addItems(self.settings.recent_folders)
        self.recent.setVisible(bool(self.settings.recent_folders))
        self.recent_label.setVisible(bool(self.settings.recent_folders))
