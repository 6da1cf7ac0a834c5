"""Undo commands: every edit is one; a batch is one; repeated quality nudges merge into one."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from PySide6.QtGui import QUndoCommand

from ..core.article import Article, Verdict
from ..core.review import pending_after

if TYPE_CHECKING:
    from .session import Session

_ABSENT = object()
ORIGINAL = object()  # as a new value: drop the pending edit, back to what the file says
NUDGE_ID = 1001


class SetValues(QUndoCommand):
    """Set `key` on each article to its value; undo restores what each had before.

    With `verdict` (kind, editor, time) the articles get that decision, pending until their
    save logs it; undo restores the decision each had pending before.
    """

    def __init__(
        self,
        session: Session,
        key: str,
        values: Sequence[tuple[Article, Any]],
        text: str,
        nudge: bool = False,
        verdict: Verdict | None = None,
    ):
        super().__init__(text)
        self.session = session
        self.key = key
        self.articles = [a for a, _ in values]
        self.after = [v for _, v in values]
        self.before = [a.edits.get(key, a.stored(key, _ABSENT)) for a in self.articles]
        self.nudge = nudge
        self.verdict = verdict
        self.pending_before = [a.pending for a in self.articles]

    def redo(self) -> None:
        for article, value in zip(self.articles, self.after, strict=True):
            if value is ORIGINAL:
                article.drop_edit(self.key)
            else:
                article.set(self.key, value)
            if self.verdict is not None:
                article.pending = pending_after(article.pending, self.verdict)
        self.session.notify_changed(self.articles)

    def undo(self) -> None:
        for article, value, pending in zip(self.articles, self.before, self.pending_before, strict=True):
            if value is _ABSENT:
                # The key was not in the file; if it still is not, dropping the edit restores that.
                if not article.has_stored(self.key):
                    article.drop_edit(self.key)
            else:
                article.set(self.key, value)
            if self.verdict is not None:
                article.pending = pending
        self.session.notify_changed(self.articles)

    def id(self) -> int:
        return NUDGE_ID if self.nudge else -1

    def mergeWith(self, other: QUndoCommand) -> bool:
        if not (
            isinstance(other, SetValues)
            and other.nudge
            and other.key == self.key
            and len(other.articles) == len(self.articles)
            and all(a is b for a, b in zip(other.articles, self.articles, strict=True))
        ):
            return False
        self.after = other.after
        self.setText(other.text())
        return True


class ClearPending(QUndoCommand):
    """Forget the decisions the articles have pending (a revert); undo gives them back."""

    def __init__(self, session: Session, articles: Sequence[Article]):
        super().__init__("")
        self.session = session
        self.articles = list(articles)
        self.before = [a.pending for a in self.articles]

    def redo(self) -> None:
        for article in self.articles:
            article.pending = None
        self.session.notify_changed(self.articles)

    def undo(self) -> None:
        for article, pending in zip(self.articles, self.before, strict=True):
            article.pending = pending
        self.session.notify_changed(self.articles)
