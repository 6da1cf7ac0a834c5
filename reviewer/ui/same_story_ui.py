"""The window's same-story controls: grouping, the clusters shown, and keep the best (`b`)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtWidgets import QDialog

from ..core.article import Article
from ..core.same_story import best_of
from ..words import plural, shorten
from .dialogs import KeepBestDialog

if TYPE_CHECKING:
    from .main_window import MainWindow


class SameStoryControls:
    def __init__(self, window: MainWindow):
        self.w = w = window
        a, s = w.action_table, w.session
        a["group_same"].setCheckable(True)
        a["group_same"].toggled.connect(w.model.group_same)
        w.model.grouping_changed.connect(lambda on: a["group_same"].setChecked(on))
        # The article under the cursor, as every key's: the pane follows a selection a turn of
        # the event loop later, and shows none for several rows (B then did nothing, or acted on
        # the article shown before the selection grew: seeds 221, 241 and 376 of the key sessions).
        a["keep_best"].triggered.connect(lambda: self.keep_best(w.triage.current()))
        w.detail.keep_best.connect(self.keep_best)
        s.same_story_changed.connect(self._on_same_story_changed)

    def _on_same_story_changed(self) -> None:
        same = self.w.session.same_story
        self.w.model.same_story_changed(lambda a: (same.cluster_of(a.relpath) or [""])[0])
        if self.w.detail.article is not None:
            self.w.detail.show_same()
        if "same:" in self.w.list.query.currentText() or "same:" in self.w.list.view_query:
            self.w.list.apply_query()

    def keep_best(self, article: Article | None) -> None:
        """Keep the best of the article's same-story cluster, reject the rest (one undo step),
        once the editor has seen the cluster and said yes (KeepBestDialog)."""
        if article is None or self.w.list.in_problems():
            return
        others = self.w.session.same_as(article)
        if not others:
            self.w.statusBar().showMessage("This article has no same-story cluster", 4000)
            return
        cluster = sorted([article, *others], key=lambda a: a.relpath)
        dialog = KeepBestDialog(cluster, best_of(cluster), self.w)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            self.w.statusBar().showMessage("Nothing decided: the story's articles are as they were", 4000)
            return
        kept = self.w.session.keep_best(article, best=dialog.kept)
        if kept is not None:
            rejected = plural(len(cluster) - 1, "copy", "copies")
            self.w.statusBar().showMessage(f"Kept “{shorten(kept.title, 60)}”; rejected {rejected}", 6000)
            self.w.reveal(kept)
