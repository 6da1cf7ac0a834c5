"""View › Statistics: a window of its own that follows the list (pyqtgraph loads when first shown)."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

from ..app.tasks import single_shot
from ..core.query import quote

if TYPE_CHECKING:
    from .main_window import MainWindow
    from .statistics import StatisticsWindow  # imported when first shown: pyqtgraph takes 200-350 ms


class StatisticsControls:
    def __init__(self, window: MainWindow):
        self.w = window
        self.window: StatisticsWindow | None = None  # made when first shown
        window.action_table["statistics"].triggered.connect(self.show)

    def show(self) -> None:
        """View › Statistics, in a window of its own that follows the list (pyqtgraph loads now)."""
        if self.window is None:
            from .statistics import StatisticsWindow

            self.window = StatisticsWindow(self.w)
            self.window.provider_chosen.connect(self.show_provider)
            timer = single_shot(self.w, 500, self._refresh)
            s = self.w.session
            for signal in (self.w.model.filtered, s.loading_finished, s.save_finished, s.articles_changed, s.log_read):
                signal.connect(lambda *_: timer.start() if self.window and self.window.isVisible() else None)
        self._refresh()
        self.window.show()
        self.window.raise_()
        self.window.activateWindow()

    def _refresh(self) -> None:
        if self.window is None:
            return
        view = self.w.list.current_view_name() or "All"
        query = self.w.list.query.currentText().strip()
        decisions = [d for logged in self.w.session.history.values() for d in logged]
        self.window.setWindowTitle(f"Statistics — {os.path.basename(self.w.session.root) or 'Reviewer'}")
        self.window.show_all(
            self.w.model.articles, f"{view}, {query}" if query else view, self.w.session.articles, decisions
        )

    def show_provider(self, name: str) -> None:
        """List the provider's articles (from the statistics table): every one of them, in All."""
        self.w.list.query.setCurrentText(f"provider.name:={quote(name)}" if name else "-has:provider.name")
        self.w.list.select_view("All", emit=False)
