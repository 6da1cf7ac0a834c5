"""The window's part of saving: progress, what a save did, what it could not do, conflicts,
and the question before edits would be lost. The rules are app.workflow's."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QMessageBox

from ..app.disk import disk_metadata
from ..app.saving import SaveReport
from ..app.workflow import Workflow, save_message
from ..core.article import Article
from ..core.storage import SaveKind
from ..words import plural
from .dialogs import ConflictDialog

if TYPE_CHECKING:
    from .main_window import MainWindow


class SaveControls:
    def __init__(self, window: MainWindow, workflow: Workflow):
        self.window = window
        self.workflow = workflow
        status = window.statusBar()
        workflow.nothing_to_save.connect(lambda: status.showMessage("Nothing to save", 3000))
        workflow.save_queued.connect(lambda: status.showMessage("Saving… these edits are saved next", 3000))
        workflow.save_started.connect(self._started)
        workflow.finished.connect(self._finished)
        window.session.save_progress.connect(self.show_progress)

    def _started(self, count: int) -> None:
        progress = self.window.progress
        progress.setRange(0, count)
        progress.setValue(0)
        progress.setFormat("Saving %v / %m")
        progress.show()

    def show_progress(self, done: int, total: int) -> None:
        if not self.window.loading.progress_due(done, total):
            return
        self.window.progress.setRange(0, total)
        self.window.progress.setValue(done)

    def _finished(self, report: SaveReport) -> None:
        window = self.window
        window.progress.hide()
        window.statusBar().showMessage(save_message(report), 8000)
        if report.log_error:
            QMessageBox.warning(
                window,
                "Decisions Not Logged",
                f"The files were saved, but the decisions could not be added to the review log:\n\n"
                f"{report.log_error}\n\nThey stay pending and are logged with the next save.",
            )
        others = [(a, e) for a, e in report.failed if e.kind != SaveKind.CONFLICT]
        if others:
            lines = "\n".join(f"{a.relpath}: {e.message}" for a, e in others[:30])
            more = f"\n… and {len(others) - 30} more" if len(others) > 30 else ""
            QMessageBox.warning(
                window, "Not Saved", f"These files were not saved; their edits are still pending:\n\n{lines}{more}"
            )
        conflicts = report.conflicts
        if conflicts:
            self.workflow.close_after_save = False
            self._resolve_conflicts([a for a, _ in conflicts])
        elif self.workflow.should_close(report):
            QTimer.singleShot(0, window.close)

    def _resolve_conflicts(self, articles: list[Article]) -> None:
        window = self.window
        dialog = ConflictDialog(articles, disk_metadata, window)
        if not dialog.exec():
            window.statusBar().showMessage("Not saved: the edits to files changed on disk are still pending", 8000)
            return
        choices = dialog.choices()
        theirs = [a for a, choice in choices if choice == ConflictDialog.THEIRS]
        mine = [a for a, choice in choices if choice == ConflictDialog.MINE]
        if theirs:
            window.session.reload(theirs)
            window.statusBar().showMessage(
                f"Reloaded {plural(len(theirs), 'file')} from disk; your edits to them were dropped", 8000
            )
        if mine:
            window.session.save(mine, overwrite=True)

    def confirm_discard(self, doing: str) -> bool:
        """Unsaved edits: ask to save them first (then False: the save runs), discard them, or cancel."""
        session = self.window.session
        if not session.modified:
            return True
        n = len(session.modified)
        box = QMessageBox(
            QMessageBox.Icon.Warning,
            "Unsaved Edits",
            f"{n} article{'s have' if n != 1 else ' has'} unsaved edits.",
            QMessageBox.StandardButton.Save | QMessageBox.StandardButton.Discard | QMessageBox.StandardButton.Cancel,
            self.window,
        )
        box.setInformativeText(f"Save them before you {doing}?")
        box.button(QMessageBox.StandardButton.Save).setText("Save All")
        box.setDefaultButton(QMessageBox.StandardButton.Save)
        answer = box.exec()
        if answer == QMessageBox.StandardButton.Save:
            self.workflow.close_after_save = doing == "close"
            self.workflow.save(None)
            return False
        return answer == QMessageBox.StandardButton.Discard
