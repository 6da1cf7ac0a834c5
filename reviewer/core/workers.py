"""Worker processes for one command's heavy steps, started on first need and shared by its steps.

`reviewer set --where` reads the files it must parse with them, and writes what matches with
the same processes: forked once, not once a step (a second pool could not even be forked
then, as the first one's thread runs).
"""

from __future__ import annotations

import contextlib
import os
import signal
import threading
from typing import Any

# How much lower than the window's own threads background workers run (os.nice). Reading a
# folder, both cores were busy with them, and the window's thread waited its turn: the
# window stopped answering for 46-88 ms at times while a folder was first read, and for
# 21-30 ms with them at this priority, the reading taking as long.
BACKGROUND_NICE = 10


class Workers:
    """A process pool made when first asked for; `close` ends it and whatever it started.

    `background` workers run at a lower priority than this process (the window's), so that
    they never keep it from answering."""

    def __init__(self, background: bool = False) -> None:
        self._background = background
        self._pool: Any = None
        self._forked = False
        self._failed = False

    def get(self, fork_only: bool = False) -> Any:
        """The pool, or None where there can be none (a sandbox without /dev/shm); with
        `fork_only`, None too when it would have to be started by a fork server (threads run:
        its start, a tenth of a second, costs more than it saves)."""
        if self._pool is None and not self._failed:
            if fork_only and threading.active_count() > 1:
                return None
            self._pool, self._forked = _start(self.count, BACKGROUND_NICE if self._background else 0)
            self._failed = self._pool is None
        return self._pool if self._forked or not fork_only else None

    @property
    def forks(self) -> bool:
        """Whether its workers are (or, started now, would be) forks of this process: what is
        imported here before they start, they have (see _start)."""
        return self._forked if self._pool is not None else threading.active_count() == 1

    @property
    def started(self) -> bool:
        return self._pool is not None

    @property
    def count(self) -> int:
        return os.cpu_count() or 1

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(cancel_futures=True)
            self._pool = None
            if threading.active_count() > 1:
                _stop_helper_processes()


def _start(count: int, nice: int = 0) -> tuple[Any, bool]:
    import multiprocessing  # here, not at the top: a small folder's `reviewer set` should not pay 10 ms for it
    from concurrent.futures import ProcessPoolExecutor

    # fork is fastest and imports nothing again, but is unsafe once threads run (the window):
    # then forkserver, which re-imports the main module in each worker.
    fork = threading.active_count() == 1  # as Workers.forks says
    context = multiprocessing.get_context("fork" if fork else "forkserver")
    # A forked worker ends with the command: killed, it must not go on writing files alone.
    parent = os.getpid() if fork else 0
    try:
        return ProcessPoolExecutor(count, context, initializer=_begin, initargs=(parent, nice)), fork
    except (OSError, ValueError):
        return None, False


def _begin(parent: int, nice: int) -> None:
    """In a worker, first: end with `parent` (if given), and lower its priority by `nice`."""
    if nice:
        with contextlib.suppress(OSError):
            os.nice(nice)
    if parent:
        _end_with(parent)


def _end_with(parent: int) -> None:
    """In a forked worker: be killed when `parent` ends (Linux's PR_SET_PDEATHSIG), or end now
    if it already has. Elsewhere the worker ends once it finds the parent gone, after its task."""
    try:
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # 1: PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        return
    if os.getppid() != parent:
        os._exit(1)


def _stop_helper_processes() -> None:
    """End the forkserver and resource-tracker processes a pool started.

    They would otherwise stay for the life of the window, holding their memory; the next
    large read starts them again (a tenth of a second). `_stop` is multiprocessing's own,
    private but present since Python 3.8.
    """
    from multiprocessing import forkserver, resource_tracker

    for helper in (forkserver._forkserver, resource_tracker._resource_tracker):
        stop = getattr(helper, "_stop", None)  # absent from the stubs, present in the library
        try:
            if stop is not None:
                stop()
        except (OSError, ValueError):
            pass
