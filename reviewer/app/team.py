"""The window's git: status, commit and sync of the open folder, off the GUI thread.

One writing command at a time (commit, fetch, sync): a request while one runs is refused
with a message instead of queued, so that two syncs never interleave. Status only reads,
with optional locks off, and may run meanwhile.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from typing import Any, TypeVar

from PySide6.QtCore import QObject, Signal

from ..core.git import (
    Commit,
    Git,
    GitError,
    Incoming,
    Review,
    Status,
    SyncConflict,
    Synced,
    commit,
    fetch,
    incoming,
    last_fetch,
    last_sync,
    others_reviews,
    record_choices,
    register_driver,
    status,
    sync,
)
from ..core.merge import KeyConflict
from .tasks import Context, Runner, ThreadRunner

T = TypeVar("T")


class Team(QObject):
    """The open folder's repository, for the window: each answer arrives as a signal."""

    status_changed = Signal(object)  # TeamStatus, or None when the folder is not in a repository
    step = Signal(str)  # what a sync is doing now (Fetching, Rebasing, Pushing)
    committed = Signal(object)  # core.git.Commit, or None when there was nothing to commit
    synced = Signal(object)  # core.git.Synced
    conflict = Signal(object)  # core.git.SyncConflict: choose per key, then sync again
    failed = Signal(str)  # what went wrong, in words
    in_the_way = Signal(str)  # uncommitted changes incoming ones would overwrite: put them aside? (sync(stash=True))
    notice = Signal(str)  # what went wrong in the background (a fetch): for the status bar
    busy_changed = Signal(bool)

    def __init__(self, runner: Runner | None = None, askpass: str = "", parent: QObject | None = None):
        super().__init__(parent)
        self.runner = runner or ThreadRunner(workers=2)
        self.askpass = askpass
        self.git: Git | None = None
        self.busy = False
        self.last: TeamStatus | None = None
        self.prefix = ""  # the folder's path in the repository ('' at its top)
        self._generation = 0

    def attach(self, root: str, me: str = "") -> None:
        """A folder was opened: is it the top of a repository (then register the merge driver),
        and its status."""
        self._generation += 1
        generation = self._generation
        self.git = None
        self.last = None
        git = Git(root, askpass=self.askpass)

        def work(ctx: Context) -> tuple[str, TeamStatus] | None:
            # Only a folder that is a repository's top: the sample folder inside Reviewer's own
            # clone, or any folder inside some other project, is never committed or pushed from.
            if not git.is_repository() or git.prefix():
                return None
            register_driver(git)
            return "", _read_status(git, me)

        def done(found: tuple[str, TeamStatus] | None, error: Exception | None) -> None:
            if generation != self._generation:
                return
            self.prefix, result = found if found is not None else ("", None)
            self.git = git if result is not None else None
            self.last = result
            self.status_changed.emit(result)
            if error is not None:
                self.failed.emit(_message(error))

        self.runner.start(work, on_done=done)

    def refresh(self, me: str = "") -> None:
        """Status again (after a save, a commit or a sync)."""
        git, generation = self.git, self._generation
        if git is None:
            return

        def done(result: TeamStatus | None, error: Exception | None) -> None:
            if generation == self._generation and error is None:
                self.last = result
                self.status_changed.emit(result)

        self.runner.start(lambda ctx: _read_status(git, me), on_done=done)

    def check_incoming(self, me: str = "") -> None:
        """In the background: fetch, then what a sync would bring (`N incoming, 0 conflicts` in
        the status). Skipped while another command runs; a failure is a notice, not a dialog."""
        if self.git is None or self.busy or not (self.last and self.last.state.upstream):
            return

        def work(git: Git, ctx: Context) -> TeamStatus:
            fetch(git)
            return _read_status(git, me, with_incoming=True)

        self._write(work, self._on_status, quiet=True)

    def commit(self, editor: str, me: str = "") -> None:
        # The editor asks for these two: the repository runs as it is set up (its hooks, filters).
        self._write(lambda git, ctx: (commit(git.trusting(), editor), _read_status(git, me)), self._on_committed)

    def sync(
        self, editor: str, chosen: dict[str, dict[str, str]] | None = None, me: str = "", stash: bool = False,
        choices: tuple[list[KeyConflict], dict[tuple[str, str], bool]] | None = None,
    ) -> None:  # fmt: skip
        """Sync; `choices`: the conflicts the editor just settled and how, logged first as the
        editor's decisions (record_choices); `stash`: uncommitted changes in the way may be put aside."""

        def work(git: Git, ctx: Context) -> tuple[Synced, TeamStatus]:
            if choices is not None:
                record_choices(git, choices[0], choices[1], editor)
            done = sync(git.trusting(), editor, chosen, step=ctx.report, stash=stash)
            return done, _read_status(git, me)

        self._write(work, self._on_synced, on_report=self.step.emit)

    # --- one writing command at a time ---------------------------------------------------------

    def _write(
        self,
        work: Callable[[Git, Context], T],
        on_result: Callable[[T], None],
        on_report: Callable[[Any], None] | None = None,
        quiet: bool = False,
    ) -> None:
        if self.git is None:
            self.failed.emit("The folder is not in a git repository.")
            return
        if self.busy:
            self.failed.emit("git is still working on the last command; try again when it has finished.")
            return
        git, generation = self.git, self._generation
        self._set_busy(True)

        def done(result: T | None, error: Exception | None) -> None:
            self._set_busy(False)
            if generation != self._generation:
                return
            if isinstance(error, SyncConflict):
                self.conflict.emit(error)
                self.refresh()
            elif isinstance(error, GitError) and error.kind == "uncommitted" and not quiet:
                self.in_the_way.emit(_message(error))
                self.refresh()
            elif error is not None:
                (self.notice if quiet else self.failed).emit(_message(error))
                self.refresh()
            else:
                on_result(result)  # type: ignore[arg-type]  # no error: the work's result

        self.runner.start(lambda ctx: work(git, ctx), on_report, done)

    def _set_busy(self, busy: bool) -> None:
        self.busy = busy
        self.busy_changed.emit(busy)

    def _on_status(self, result: TeamStatus) -> None:
        self.last = result
        self.status_changed.emit(result)

    def _on_committed(self, result: tuple[Commit | None, TeamStatus]) -> None:
        made, state = result
        self._on_status(state)
        self.committed.emit(made)

    def _on_synced(self, result: tuple[Synced, TeamStatus]) -> None:
        done, state = result
        self._on_status(state)
        self.synced.emit(done)


class TeamStatus:
    """What the status bar shows: the branch and its distance from the upstream, what a sync would
    bring, when the folder last synced, and who else pushed decisions lately."""

    def __init__(
        self, state: Status, fetched: float | None, others: list[Review], incoming: Incoming | None = None,
        synced: float | None = None,
    ):  # fmt: skip
        self.state = state
        self.fetched = fetched
        self.synced = synced
        self.others = others
        self.incoming = incoming

    @property
    def files(self) -> dict[str, str]:
        return self.state.files

    def summary(self, now: float | None = None) -> str:
        from ..core.git import ago

        now = time.time() if now is None else now
        parts = [self.state.summary()]
        if self.incoming is not None:
            parts.append(self.incoming.summary())
        if self.synced:
            parts.append(f"synced {ago(now - self.synced)}")
        elif self.fetched:  # fetched by hand or by a sync that did not finish: not a sync
            parts.append(f"fetched {ago(now - self.fetched)}, never synced")
        else:
            parts.append("never synced")
        if self.others:
            parts.append(self.others[0].summary(now))
        return " · ".join(parts)


def _read_status(git: Git, me: str, with_incoming: bool = False) -> TeamStatus:
    state = status(git)
    return TeamStatus(
        state, last_fetch(git), others_reviews(git, me) if state.upstream else [],
        incoming(git) if with_incoming else None, last_sync(git),
    )  # fmt: skip


def _message(error: BaseException) -> str:
    if isinstance(error, GitError):
        return error.message[:1].upper() + error.message[1:] + "."
    return f"git failed: {type(error).__name__}: {error}"


def askpass_program(folder: str) -> str:
    """A small executable that git and ssh run to ask for a password: Reviewer's own dialog."""
    import shlex
    import sys

    os.makedirs(folder, exist_ok=True)
    path = os.path.join(folder, "askpass")
    script = f'#!/bin/sh\nexec {shlex.quote(sys.executable)} -m reviewer askpass "$@"\n'
    try:
        with open(path, encoding="utf-8") as fh:
            if fh.read() == script:
                return path
    except OSError:
        pass
    with open(path, "w", encoding="utf-8") as fh:
        fh.write(script)
    os.chmod(path, 0o700)
    return path
