"""The Changes panel: every pending edit as original → new, per file; save or revert any of them."""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QTreeWidget, QTreeWidgetItem, QVBoxLayout, QWidget

from ..core.article import shown


class ChangesPanel(QWidget):
    save_requested = Signal(list)
    revert_requested = Signal(list)
    article_activated = Signal(object)

    def __init__(self, session, parent=None):
        super().__init__(parent)
        self.session = session
        self.tree = QTreeWidget()
        self.tree.setHeaderLabels(["File", "Original", "New"])
        self.tree.setSelectionMode(QTreeWidget.ExtendedSelection)
        self.tree.setAccessibleName("Pending changes")
        self.tree.itemActivated.connect(self._activated)
        self.summary = QLabel()
        save = QPushButton("Save Selected")
        save.setToolTip("Save the selected files' edits")
        save.clicked.connect(lambda: self.save_requested.emit(self.selected()))
        revert = QPushButton("Revert Selected")
        revert.setToolTip("Drop the selected files' edits (undoable)")
        revert.clicked.connect(lambda: self.revert_requested.emit(self.selected()))
        buttons = QHBoxLayout()
        buttons.addWidget(self.summary, 1)
        buttons.addWidget(revert)
        buttons.addWidget(save)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.tree)
        layout.addLayout(buttons)
        self._timer = QTimer(self, singleShot=True, interval=120, timeout=self.rebuild)
        session.articles_changed.connect(lambda _: self._timer.start())
        session.loading_started.connect(self.rebuild)
        self.rebuild()

    def rebuild(self) -> None:
        self.tree.clear()
        modified = self.session.modified
        for article in modified:
            top = QTreeWidgetItem([article.relpath + ("  (changed on disk)" if article.conflict else "")])
            top.setData(0, Qt.UserRole, article)
            for key, old, new in article.changes():
                child = QTreeWidgetItem([key, shown(old, "(absent)"), shown(new, "(absent)")])
                child.setData(0, Qt.UserRole, article)
                top.addChild(child)
            self.tree.addTopLevelItem(top)
            top.setExpanded(True)
        self.tree.resizeColumnToContents(0)
        n = len(modified)
        self.summary.setText(f"{n} file{'s' if n != 1 else ''} with unsaved edits" if n else "No unsaved edits")

    def selected(self) -> list:
        seen, result = set(), []
        for item in self.tree.selectedItems():
            article = item.data(0, Qt.UserRole)
            if article is not None and id(article) not in seen:
                seen.add(id(article))
                result.append(article)
        return result

    def _activated(self, item, _column) -> None:
        article = item.data(0, Qt.UserRole)
        if article is not None:
            self.article_activated.emit(article)
