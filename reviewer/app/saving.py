"""Saving the open folder's pending edits and decisions, off the GUI thread (core.review's rules)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, QTimer

from ..core.article import Article, SaveState
from ..core.review import Finished, Outcome, Review
from ..core.storage import SaveError, SaveKind, Written, write_many
from .tasks import Context

if TYPE_CHECKING:
    from .session import Session

SAVE_SLICE = 1000  # saved articles folded in per turn of the event loop


@dataclass
class SaveReport:
    saved: list[tuple[Article, list[tuple[str, Any, Any]]]] = field(default_factory=list)  # (article, changes)
    failed: list[tuple[Article, SaveError]] = field(default_factory=list)
    logged: int = 0  # decisions added to the review log
    log_error: str = ""  # why decisions could not be logged (the files were saved)

    @property
    def conflicts(self) -> list[tuple[Article, SaveError]]:
        return [(a, e) for a, e in self.failed if e.kind == SaveKind.CONFLICT]


class Saver(QObject):
    """One save at a time: the files written and the decisions logged on a worker, then what
    was written folded into the articles, a slice per turn of the event loop."""

    def __init__(self, session: Session):
        super().__init__(session)
        self.session = session
        self.saving = False

    def save(self, review: Review, targets: list[Article], overwrite: bool = False) -> bool:
        """Save `targets` (those that need saving) in the background; the session's
        save_finished reports. False when a save is running."""
        if self.saving:
            return False
        session = self.session
        # The articles as they are now, taken here, where they are safe to read; what to write
        # and what each decision will say are worked out from that on the saving thread.
        states = [a.save_state() for a in targets]
        root = session.root
        self.saving = True

        def work(ctx: Context) -> Finished:
            saving = review.begin(states)
            step = max(1, len(saving.jobs) // 100)  # a hundred progress reports at most, whatever the size

            def progress(done: int, total: int) -> None:
                if done % step == 0 or done == total:
                    ctx.report((done, total))

            return saving.finish(write_many(saving.jobs, root, overwrite, progress) if saving.jobs else [])

        def done(result: Finished | None, error: Exception | None) -> None:
            self._on_saved(result, error, targets, states)

        session.runner.start(work, lambda p: session.save_progress.emit(*p), done)
        return True

    def _on_saved(
        self, finished: Finished | None, error: Exception | None, targets: list[Article], states: list[SaveState]
    ) -> None:
        """Fold what was written into the articles, a slice per turn of the event loop.

        Ten thousand saved articles would otherwise hold the window for a third of a second.
        A save that failed as a whole (a bug) reports each of its files as not saved.
        """
        session = self.session
        report = SaveReport()
        pending: list[tuple[Article, dict[str, Any], Outcome]]
        if error is not None or finished is None:
            message = f"not saved: unexpected error ({type(error).__name__}: {error})"
            pending = [(a, dict(a.edits), SaveError(SaveKind.IO, a.path, message)) for a in targets]
        else:
            session.note_logged([(targets[i], d) for i, d in finished.logged])
            report.logged, report.log_error = len(finished.logged), finished.log_error
            pending = [
                (a, state.edits, outcome) for a, state, outcome in zip(targets, states, finished.outcomes, strict=True)
            ]

        def step() -> None:
            chunk = pending[:SAVE_SLICE]
            del pending[:SAVE_SLICE]
            for article, edits, outcome in chunk:
                if outcome is None:
                    report.saved.append((article, []))  # a decision only: logged, no file written
                elif isinstance(outcome, Written):
                    changes = article.written(outcome.metadata, outcome.identity, edits)
                    report.saved.append((article, changes))
                else:
                    if outcome.kind == SaveKind.CONFLICT:
                        article.mark_conflict()
                    report.failed.append((article, outcome))
            if chunk:
                session.disk.written_meanwhile([a for a, _, outcome in chunk if isinstance(outcome, Written)])
                session.notify_changed([a for a, _, _ in chunk])
            if pending:
                QTimer.singleShot(0, self, step)
            else:
                self.saving = False
                session.save_finished.emit(report)

        step()
