"""The Changes panel: every pending edit as original → new, per file; save or revert any of them."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QTreeWidget, QTreeWidgetItem, QVBoxLayout, QWidget

from ..app.tasks import single_shot
from ..words import plural, shown

MAX_LISTED = 2000  # a tree of more files takes longer to build than an editor waits


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
        self._timer = single_shot(self, 120, self.rebuild)
        self._stale = True
        session.articles_changed.connect(lambda _: self._changed())
        session.loading_started.connect(self._changed)
        self.rebuild()

    def _changed(self) -> None:
        self._stale = True
        if self.isVisible():
            self._timer.start()

    def showEvent(self, event) -> None:
        super().showEvent(event)
        if self._stale:
            self.rebuild()

    def rebuild(self) -> None:
        """List the pending edits: only while the panel is shown, and the first MAX_LISTED files."""
        self._stale = False
        self.tree.clear()
        modified = self.session.modified
        for article in modified[:MAX_LISTED]:
            decision = f"  — {article.pending[0].title()}" if article.pending is not None else ""
            top = QTreeWidgetItem([article.relpath + decision + ("  (changed on disk)" if article.conflict else "")])
            top.setData(0, Qt.ItemDataRole.UserRole, article)
            if article.pending is not None and not article.edits:  # a reject of an unpublished article, say
                top.addChild(QTreeWidgetItem(["decision", "", f"{article.pending[0]} (changes no byte; logged)"]))
            for key, old, new in article.changes():
                child = QTreeWidgetItem([key, shown(old, "(absent)"), shown(new, "(absent)")])
                child.setData(0, Qt.ItemDataRole.UserRole, article)
                top.addChild(child)
            self.tree.addTopLevelItem(top)
            top.setExpanded(True)
        self.tree.resizeColumnToContents(0)
        n = len(modified)
        text = f"{plural(n, 'file')} with unsaved edits" if n else "No unsaved edits"
        if n > MAX_LISTED:
            text += f" (the first {MAX_LISTED:,} listed; Save All saves them all)"
        self.summary.setText(text)

    def selected(self) -> list:
        seen, result = set(), []
        for item in self.tree.selectedItems():
            article = item.data(0, Qt.ItemDataRole.UserRole)
            if article is not None and id(article) not in seen:
                seen.add(id(article))
                result.append(article)
        return result

    def _activated(self, item, _column) -> None:
        article = item.data(0, Qt.ItemDataRole.UserRole)
        if article is not None:
            self.article_activated.emit(article)
