"""The editorial workflow the window follows: when a batch asks first, what it asks, when a
decision is saved at once, saves asked for while one runs, and what runs once a save is done
(a commit, a sync, closing the window). Widgets render these and ask the editor; the rules
are here, with no widget in them."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from PySide6.QtCore import QObject, Signal

from ..core.article import Article
from ..words import plural
from .saving import SaveReport
from .session import Session


@dataclass(frozen=True)
class Question:
    """A batch that asks first: the dialog's title, its text and its Yes button."""

    title: str
    text: str
    button: str
    detail: str = "This is one step you can undo."


def batch_question(
    action: str | bool,
    articles: Sequence[Article],
    threshold: int,
    changing: Sequence[Article] | None = None,
    already: str = "",
) -> Question | None:
    """The question a batch asks before it acts, or None when it is small enough to act at once.

    `action` is a verb (`Toggle published on`), or True / False for approve / reject;
    `changing` the articles whose files the action changes (all when None), and `already`
    what the others are (`are already published`). Counted: what will change.
    """
    if isinstance(action, bool):
        changing = [a for a in articles if a.published is not action]
        already = "are already published" if action else "are already unpublished"
        action = "Approve" if action else "Reject"
    if len(articles) <= threshold:
        return None
    changing = articles if changing is None else changing
    n, total = len(changing), len(articles)
    if n == 0:
        text = f"{action} {plural(total, 'article')}? (all of them {already}: only the decision is logged)"
        n = total
    elif n < total:
        text = f"{action} {plural(n, 'article')}? ({total - n:,} of the {total:,} selected {already})"
    else:
        text = f"{action} {plural(n, 'article')}?"
    return Question(f"{action} {plural(n, 'Article')}", text, f"{action} {n:,}")


def describe(verb: str, articles: Sequence[Article]) -> str:
    """An undo step's text: `Approved "Title"`, or `Approved 12 articles`."""
    if len(articles) == 1:
        return f'{verb} "{articles[0].title}"'
    return f"{verb} {plural(len(articles), 'article')}"


def save_message(report: SaveReport) -> str:
    """What the status bar says of a finished save."""
    # A decision that changes no file (approving a published article) is logged, not saved.
    saved, failed = sum(1 for _, changes in report.saved if changes), len(report.failed)
    logged = plural(report.logged, "decision")
    if report.logged and not saved:
        message = f"Logged {logged}"
    else:
        message = f"Saved {plural(saved, 'file')}" + (f", logged {logged}" if report.logged else "")
    return message + (f"; {failed} not saved" if failed else "")


class Workflow(QObject):
    """Saving as the editor asks for it, for the window and its panels alike."""

    save_started = Signal(int)  # the number of articles a save writes or logs
    save_queued = Signal()  # asked while a save runs: they go next
    nothing_to_save = Signal()
    finished = Signal(object)  # SaveReport: render it; then what waited for it runs

    def __init__(self, session: Session, save_each_decision: Callable[[], bool] = lambda: False):
        super().__init__(session)
        self.session = session
        self.save_each_decision = save_each_decision
        self.close_after_save = False  # the editor closed the window with edits: close once saved
        self._queued: list[Article] = []
        self._then: list[Callable[[SaveReport], None]] = []
        session.save_finished.connect(self._on_saved)

    def save(self, articles: Sequence[Article] | None = None, then: Callable[[SaveReport], None] | None = None) -> None:
        """Save the articles (every modified one when None); `then` runs with the report."""
        session = self.session
        targets = session.modified if articles is None else [a for a in articles if a.needs_saving]
        if not targets:
            self.nothing_to_save.emit()
            if then is not None:
                then(SaveReport())
            return
        if then is not None:
            self._then.append(then)
        if not session.save(targets):
            # Busy with an earlier save: these go next, so no decision waits for another Ctrl+S.
            self._queued.extend(a for a in targets if all(a is not q for q in self._queued))
            self.save_queued.emit()
            return
        self.save_started.emit(len(targets))

    def decided(self, articles: Sequence[Article]) -> None:
        """A decision was made: saved at once when the editor asked for that (Preferences)."""
        if self.save_each_decision() and any(a.needs_saving for a in articles):
            self.save(articles)

    def should_close(self, report: SaveReport) -> bool:
        """Whether the window, closed with unsaved edits, closes now that they are saved."""
        close = self.close_after_save and not report.failed
        self.close_after_save = False
        return close

    def _on_saved(self, report: SaveReport) -> None:
        self.finished.emit(report)
        queued, self._queued = [a for a in self._queued if a.needs_saving], []
        if queued:
            self.save(queued)
        elif self._then and not self.session.saving:
            then, self._then = self._then, []
            for step in then:
                step(report)
