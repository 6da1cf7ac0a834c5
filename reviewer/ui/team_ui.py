"""The window's git: File > Commit Decisions and File > Sync, the status bar's branch and sync
state, the list's marks of uncommitted and unpushed files, and the conflict dialog."""

from __future__ import annotations

import os
import time
from collections.abc import Sequence
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, Qt, QTimer
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QMessageBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
)

from ..app.saving import SaveReport
from ..app.team import Team, TeamStatus
from ..core.git import Commit, Disagreement, SyncConflict, outcome, resolutions
from ..words import plural

if TYPE_CHECKING:
    from .main_window import MainWindow

CHOICE_KEYS = {Qt.Key.Key_1: True, Qt.Key.Key_2: False}  # keep mine, keep theirs
STATUS_EVERY_MS = 60_000  # the status bar's "synced 5 min ago" and the list's marks, kept current
FETCH_EVERY = 5  # status refreshes between fetches (what a sync would bring), as GitHub Desktop does


class TeamControls:
    """Wires a Team to the window: menus, status bar, list marks, conflicts."""

    def __init__(self, window: MainWindow, team: Team):
        self.window = window
        self.team = team
        self.label = QLabel()
        self.label.setAccessibleName("Git status")
        self.label.hide()
        window.statusBar().addPermanentWidget(self.label)
        team.status_changed.connect(self._on_status)
        team.step.connect(lambda what: window.statusBar().showMessage(f"Sync: {what}…"))
        team.committed.connect(self._on_committed)
        team.synced.connect(self._on_synced)
        team.conflict.connect(self._on_conflict)
        team.failed.connect(lambda text: QMessageBox.warning(window, "Git", text))
        team.in_the_way.connect(self._on_in_the_way)
        self._chosen: dict | None = None  # the last sync's choices: a sync after "Put Aside" keeps them
        team.notice.connect(lambda text: window.statusBar().showMessage(f"Git: {text}", 10000))
        team.busy_changed.connect(self._on_busy)
        window.session.save_finished.connect(lambda _: self.team.refresh(self._me()))
        self.timer = QTimer(window)
        self.timer.setInterval(STATUS_EVERY_MS)
        self.timer.timeout.connect(self._tick)
        self._ticks = 0
        self.enable(False)

    def _tick(self) -> None:
        self._ticks += 1
        if self._ticks % FETCH_EVERY == 0:
            self.team.check_incoming(self._me())
        else:
            self.team.refresh(self._me())

    def _me(self) -> str:
        return self.window.session.editor

    def attach(self, root: str) -> None:
        self.timer.stop()
        self.enable(False)
        self.label.hide()
        self.window.model.set_git_state({})
        self.team.attach(root, self._me())

    def enable(self, on: bool) -> None:
        for name in ("commit", "sync"):
            self.window.action_table[name].setEnabled(on and not self.team.busy)

    def _on_status(self, status: TeamStatus | None) -> None:
        self.enable(status is not None)
        if status is None:
            self.label.hide()
            self.timer.stop()
            return
        self.label.setText(status.summary())
        self.label.setToolTip("Branch, commits ahead ↑ and behind ↓ the upstream; File > Sync brings them together")
        self.label.show()
        self.window.model.set_git_state(status.files)
        if not self.timer.isActive():  # just opened: what a sync would bring, then every few minutes
            self.timer.start()
            QTimer.singleShot(0, lambda: self.team.check_incoming(self._me()))

    def _on_busy(self, busy: bool) -> None:
        self.enable(self.team.git is not None)
        if busy:
            self.label.setText(self.label.text() + " · working…")

    # --- commit and sync -----------------------------------------------------------------------

    def commit(self) -> None:
        if self._save_first("commit"):
            self.team.commit(self.window.session.editor, self._me())

    def sync(self, chosen: dict | None = None, stash: bool = False, choices: tuple | None = None) -> None:
        if chosen is not None or stash or self._save_first("sync"):
            self._chosen = chosen
            self.team.sync(self.window.session.editor, chosen, self._me(), stash, choices)

    def _on_in_the_way(self, text: str) -> None:
        """Uncommitted changes the incoming ones would overwrite: put aside only if the editor says so."""
        box = QMessageBox(QMessageBox.Icon.Question, "Sync", text, parent=self.window)
        box.setInformativeText(
            "Put them aside, take the incoming changes, then bring them back? If they clash, they stay in "
            "git's stash and you are told which files to look at."
        )
        aside = box.addButton("Put Aside and Sync", QMessageBox.ButtonRole.AcceptRole)
        box.addButton(QMessageBox.StandardButton.Cancel)
        box.exec()
        if box.clickedButton() is aside and self.team.git is not None:
            self.sync(self._chosen, stash=True)

    def _save_first(self, verb: str) -> bool:
        """Unsaved edits are saved before a commit or a sync (asked); False while they save."""
        pending = self.window.session.modified
        if not pending:
            return True
        answer = QMessageBox.question(
            self.window,
            verb.title(),
            f"{plural(len(pending), 'article has', 'articles have')} unsaved edits. Save them and {verb}?",
            QMessageBox.StandardButton.Save | QMessageBox.StandardButton.Cancel,
            QMessageBox.StandardButton.Save,
        )
        if answer == QMessageBox.StandardButton.Save:
            self.window.workflow.save(None, then=lambda report: self._after_save(verb, report))
        return False

    def _after_save(self, verb: str, report: SaveReport) -> None:
        """The edits asked to be saved first are: commit or sync now, unless some were not."""
        if self.team.git is not None and not report.failed:
            (self.commit if verb == "commit" else self.sync)()

    def _on_committed(self, made) -> None:
        if made is None:
            self.window.statusBar().showMessage("Nothing to commit: every saved decision is committed", 6000)
        else:
            self.window.statusBar().showMessage(f"Committed: {made.message.splitlines()[0]}{_left(made)}", 8000)

    def _on_synced(self, done) -> None:
        session = self.window.session
        if done.changed:
            folders = sorted({os.path.dirname(os.path.join(session.root, p)) for p in done.changed})
            session.check_disk(folders)  # the files the sync changed: read again, conflicts for unsaved edits
            session.reload_log()
        parts = [f"{plural(done.incoming, 'commit')} in", f"{plural(done.pushed, 'commit')} out"]
        if done.changed:
            parts.append(f"{plural(len(done.changed), 'file')} updated")
        left = _left(done.committed) if done.committed is not None else ""
        self.window.statusBar().showMessage(f"Synced at {time.strftime('%H:%M')}: " + ", ".join(parts) + left, 10000)
        if done.disagreements:
            self.settle(done.disagreements)

    def settle(self, disagreements: list[Disagreement]) -> None:
        """Decisions that disagree with another editor's: the editor chooses each, and the
        choice is made as their own decision (one undo step) and saved, for the next sync."""
        dialog = DisagreementDialog(disagreements, self.window)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return
        session = self.window.session
        found = [(d, session.by_path.get(d.path)) for d in disagreements]
        articles = [a for _, a in found if a is not None and not a.edits]
        session.reload(articles)  # as the sync left them, before a decision is made on them
        chosen = [
            (d, a, outcome(d.mine if mine else d.theirs)[d.key])
            for (d, a), mine in zip(found, dialog.chosen(), strict=True)
            if a is not None
        ]
        session.undo_stack.beginMacro("Settle disagreeing decisions")
        for d, article, value in chosen:
            if d.key == "published":
                (session.approve if value else session.reject)([article], "Settle")
            else:
                session.set_quality([article], int(value), "Settle")
        session.undo_stack.endMacro()
        self.window.workflow.save([a for _, a, _ in chosen])

    def _on_conflict(self, conflict: SyncConflict) -> None:
        dialog = SyncConflictDialog(conflict, self.window)
        if dialog.exec() == QDialog.DialogCode.Accepted and self.team.git is not None:
            keep = dialog.keep_mine()
            self.sync(resolutions(conflict.conflicts, keep, self.team.prefix), choices=(conflict.conflicts, keep))


class SyncConflictDialog(QDialog):
    """Values both sides set differently, one row a key: keep mine (1) or theirs (2)."""

    MINE, THEIRS = 3, 4  # the columns of the two sides

    def __init__(self, conflict: SyncConflict, parent=None):
        super().__init__(parent)
        self.setWindowTitle("Sync: Choose Values")
        self.conflicts = conflict.conflicts
        rows, tips = [], []
        for c in self.conflicts:
            base, ours, theirs = c.shown()
            rows.append((c.path, c.key, _value(base), _value(ours), _value(theirs)))
            tips.append(tuple(t or "(absent)" for t in (c.base, c.path, c.base, c.ours, c.theirs)))
        self._fill(
            f"{conflict}. Nothing has been changed yet: your commit is as it was.\n"
            "Choose for each value: 1 keeps yours, 2 keeps the other editor's. Sync then goes on.",
            ["File", "Key", "Before", "Mine", "Theirs"], rows, tips, "Sync With These Values",
        )  # fmt: skip

    def _fill(
        self, text: str, headers: list[str], rows: Sequence[tuple[str, ...]], tips: Sequence[tuple[str, ...]],
        accept: str,
    ) -> None:  # fmt: skip
        self._mine = [True] * len(rows)
        intro = QLabel(text)
        intro.setWordWrap(True)
        self.table = QTableWidget(len(rows), len(headers))
        self.table.setHorizontalHeaderLabels(headers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        self.table.setWordWrap(False)
        self.table.setTextElideMode(Qt.TextElideMode.ElideMiddle)  # a path's start and its name both show
        for row, (cells, tip) in enumerate(zip(rows, tips, strict=True)):
            for column, cell in enumerate(cells):
                item = QTableWidgetItem(cell)
                item.setToolTip(tip[column])
                self.table.setItem(row, column, item)
            self._show(row)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for column in range(1, len(headers)):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        self.table.cellClicked.connect(self._clicked)
        self.table.selectRow(0)
        self.table.installEventFilter(self)  # 1 and 2 choose: a table would take them as a search
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        buttons.addButton(accept, QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.table)
        layout.addWidget(buttons)
        self.resize(820, 180 + 30 * min(len(rows), 12))

    def eventFilter(self, watched, event) -> bool:
        if watched is self.table and event.type() == QEvent.Type.KeyPress and event.key() in CHOICE_KEYS:
            self.choose(self.table.currentRow(), CHOICE_KEYS[event.key()])
            return True
        return super().eventFilter(watched, event)

    def choose(self, row: int, mine: bool) -> None:
        if 0 <= row < len(self._mine):
            self._mine[row] = mine
            self._show(row)
            if row + 1 < len(self._mine):
                self.table.selectRow(row + 1)

    def _clicked(self, row: int, column: int) -> None:
        if column in (self.MINE, self.THEIRS):
            self.choose(row, column == self.MINE)

    def _show(self, row: int) -> None:
        for column in (self.MINE, self.THEIRS):
            item = self.table.item(row, column)
            if item is None:
                continue
            chosen = self._mine[row] == (column == self.MINE)
            font = item.font()
            font.setBold(chosen)
            item.setFont(font)
            item.setText(("✓ " if chosen else "") + item.text().removeprefix("✓ "))

    def keep_mine(self) -> dict[tuple[str, str], bool]:
        return {(c.path, c.key): mine for c, mine in zip(self.conflicts, self._mine, strict=True)}


class DisagreementDialog(SyncConflictDialog):
    """Decisions that disagree with another editor's, one row an article's key: keep mine (1)
    or theirs (2); the choice becomes the editor's decision."""

    def __init__(self, disagreements: list[Disagreement], parent=None):
        QDialog.__init__(self, parent)
        self.setWindowTitle("Sync: Decisions That Disagree")
        self.disagreements = disagreements
        rows = [
            (d.path, d.key, _word(d.now), f"{_word(outcome(d.mine)[d.key])} ({d.mine.decision})",
             f"{_word(outcome(d.theirs)[d.key])} ({d.theirs.decision}, {d.theirs.editor})")
            for d in disagreements
        ]  # fmt: skip
        count = len(disagreements)
        self._fill(
            f"{plural(count, 'decision')} of yours since you last synced {'disagrees' if count == 1 else 'disagree'} "
            "with another editor's. The files merged all the same; choose for each what stands: 1 keeps yours, "
            "2 the other editor's. Your choice is saved as your decision, to share at the next sync.",
            ["File", "Key", "Now", "Mine", "Theirs"], rows, [tuple(r) for r in rows], "Save My Choices",
        )  # fmt: skip

    def chosen(self) -> list[bool]:
        """For each disagreement, whether mine is kept."""
        return list(self._mine)


def _word(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return "(absent)" if value is None else str(value)


def _left(made: Commit) -> str:
    """What a commit of only the decided keys left: the articles with hand edits not committed."""
    if not made.left:
        return ""
    return f"; hand edits in {plural(len(made.left), 'article')} left uncommitted ({', '.join(made.left[:3])})"


def _value(lines: str) -> str:
    """A key's lines as a cell shows them: the value after the key, or the lines joined."""
    text = lines.strip()
    if not text:
        return "(absent)"
    first, _, rest = text.partition("\n")
    key, colon, value = first.partition(":")
    shown = value.strip() if colon and not rest else " ⏎ ".join(line.strip() for line in text.splitlines())
    return shown if len(shown) <= 60 else shown[:59] + "…"
