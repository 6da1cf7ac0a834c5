"""Background work: run a function off the GUI thread, its reports and result delivered back on it.

Everything slow that waits (scanning, saving, thumbnails) goes through a Runner. Tests swap
in SyncRunner, which runs the function at once on the calling thread. Python work over the
articles (sorting, filtering) runs in steps on the GUI thread instead: Slicer.
"""

from __future__ import annotations

import contextlib
import gc
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor, wait
from typing import Any, Protocol, TypeVar

from PySide6.QtCore import QObject, QTimer, Signal, SignalInstance

BACKLOG_WAIT_S = 0.1  # the longest a report waits for the GUI thread to take the ones before
T = TypeVar("T")


class Context:
    """Handed to a task: `report(x)` sends progress to the GUI thread; `cancelled` asks it to stop.

    With a `backlog`, a report waits while that many are not yet taken by the GUI thread.
    Reports waiting there are all delivered in one go, each needing Python's lock, which the
    task's thread takes back between two: a folder's loading, reports far ahead, held the
    window for 40 to 80 ms at a time. Waiting lets the window catch up, and the task goes on
    as soon as it has (or after BACKLOG_WAIT_S, or once cancelled: never stuck).
    """

    def __init__(self, send: Callable[[object], None], backlog: int = 0):
        self._send = send
        self.cancelled = False
        self._backlog = backlog
        self._pending = 0
        self._taken = threading.Condition()

    def report(self, value: object) -> None:
        if self._backlog:
            with self._taken:
                self._taken.wait_for(lambda: self._pending < self._backlog or self.cancelled, BACKLOG_WAIT_S)
                self._pending += 1
        self._send(value)

    def taken(self) -> None:
        """On the GUI thread: a report was handled."""
        if self._backlog:
            with self._taken:
                self._pending -= 1
                self._taken.notify()

    def hold(self) -> Callable[[], None]:
        """On the GUI thread: the task waits at its next report (BACKLOG_WAIT_S at most, as
        always) until the function returned is called; a second call does nothing. Without a
        backlog, nothing waits."""
        if not self._backlog:
            return lambda: None
        with self._taken:
            self._pending += 1
        held = [True]

        def release() -> None:
            if held:
                held.clear()
                self.taken()

        return release

    def cancel(self) -> None:
        self.cancelled = True
        with self._taken:
            self._taken.notify_all()


class _Bridge(QObject):
    reported = Signal(object)
    finished = Signal(object, object)  # result, error


class Runner(Protocol):
    """Runs `fn(context)` and hands its result, or the exception it raised, to `on_done` on
    the GUI thread; `on_report` gets what it reports meanwhile."""

    def start(
        self,
        fn: Callable[[Context], T],
        on_report: Callable[[Any], None] | None = None,
        on_done: Callable[[T | None, Exception | None], None] | None = None,
        backlog: int = 0,
    ) -> Context: ...

    def wait(self, msecs: int = 30000) -> bool: ...


class ThreadRunner:
    """Runs tasks on a pool of Python threads; callbacks run on the GUI thread.

    Python threads rather than QRunnable subclasses: auto-deleted Python QRunnables
    corrupted reference counts here (a crash at exit after a few hundred thumbnails).
    """

    def __init__(self, workers: int = 4):
        self.pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="reviewer")
        self._alive: set[_Bridge] = set()
        self._futures: set[Future[None]] = set()

    def start(
        self,
        fn: Callable[[Context], T],
        on_report: Callable[[Any], None] | None = None,
        on_done: Callable[[T | None, Exception | None], None] | None = None,
        backlog: int = 0,
    ) -> Context:
        bridge = _Bridge()
        context = Context(lambda value: _emit(bridge.reported, value), backlog)

        def report(value: object) -> None:
            try:
                if on_report:
                    on_report(value)
            finally:
                context.taken()

        bridge.reported.connect(report)

        def done(result: T | None, error: Exception | None) -> None:
            self._alive.discard(bridge)
            if on_done:
                on_done(result, error)

        bridge.finished.connect(done)
        self._alive.add(bridge)

        def job() -> None:
            _emit(bridge.finished, *_call(fn, context))

        future = self.pool.submit(job)
        self._futures.add(future)
        future.add_done_callback(self._futures.discard)
        return context

    def wait(self, msecs: int = 30000) -> bool:
        done, pending = wait(list(self._futures), timeout=msecs / 1000)
        return not pending


def _call(fn: Callable[[Context], T], context: Context) -> tuple[T | None, Exception | None]:
    """What a task gave, or the exception it raised: delivered as a value, Picard-style."""
    try:
        return fn(context), None
    except Exception as exc:
        return None, exc


def _emit(signal: SignalInstance, *args: object) -> None:
    with contextlib.suppress(RuntimeError):  # the window closed while the task ran: nobody is waiting for it
        signal.emit(*args)


PAUSE_MS = 50


class Collector:
    """The cyclic garbage collector, off while work over all the articles runs (a folder
    loading, work in steps), on again when the last of it ends.

    Every collection walks what is alive and young: while 100,000 articles load, each full one
    held the window for 40 to 210 ms, and work in steps holds lists of every article (the
    snapshot it works on, the order it makes), which collections of the youngest objects walk,
    35-70 ms at 300,000 articles, several times a sort. They find nothing: articles and these
    lists form no cycles. When the last holder lets go, what is alive is set aside
    (gc.freeze, no collection first: one full collection at 100,000 articles is a 200 ms pause)
    and the collector goes on. Holding is by name, so holding again what is held is harmless.
    """

    def __init__(self) -> None:
        self.holders: set[object] = set()
        self.owned = False  # whether it was on when the first holder came

    def hold(self, holder: object) -> None:
        if not self.holders:
            self.owned = gc.isenabled()
            gc.disable()
        self.holders.add(holder)

    def release(self, holder: object) -> None:
        if holder not in self.holders:
            return
        self.holders.discard(holder)
        if not self.holders and self.owned:
            gc.freeze()
            gc.enable()


collector = Collector()


def release_memory() -> None:
    """Hand the C library's free memory back to the system (glibc's malloc_trim): loading and
    clustering leave tens of megabytes freed but held, 34 MB at 300,000 articles. Elsewhere,
    nothing."""
    try:
        import ctypes

        trim = ctypes.CDLL("libc.so.6").malloc_trim
    except (OSError, AttributeError):
        return
    trim(0)


class Slicer(QObject):
    """Runs work in steps on the GUI thread, a few milliseconds at a time, between events.

    For Python work on the articles: on a worker thread it would make every repaint wait for
    Python's lock (see core.ordering). `work` is a generator (core.ordering.Steps); its return
    value goes to `on_done(result, error)`. Pieces of work running at once take turns, a step
    each, within one budget a turn of the event loop: each with a budget of its own, four of
    them (clustering, orders, ranks, a filter) held the window for 40 ms and more at a time.
    """

    def __init__(self, budget_ms: float = 6.0, parent: QObject | None = None):
        super().__init__(parent)
        self.budget = budget_ms / 1000
        held: set[object] = set()
        self._held = held  # the work holding the collector (see Collector)

        def let_go(*_: object) -> None:  # a window closed with work still running
            for holder in list(held):
                collector.release(holder)

        self.destroyed.connect(let_go)
        self._jobs: list[tuple[Iterator[Any], Callable[[Any, Exception | None], None], Callable[[], bool] | None]] = []
        self._timer = QTimer(self)
        self._timer.setInterval(0)
        self._timer.timeout.connect(self._turn)

    def start(
        self,
        steps: Iterator[Any],  # a generator: what it returns goes to on_done
        on_done: Callable[[Any, Exception | None], None],
        paused: Callable[[], bool] | None = None,
    ) -> None:
        """Run `steps`; while `paused()` says so, run none and look again every PAUSE_MS (work
        that can wait leaves Python's lock to a thread that is saving)."""
        collector.hold(steps)
        self._held.add(steps)
        self._jobs.append((steps, on_done, paused))
        if not self._timer.isActive():
            self._timer.start()

    def _turn(self) -> None:
        deadline = time.perf_counter() + self.budget
        ready = [job for job in self._jobs if job[2] is None or not job[2]()]
        self._timer.setInterval(0 if ready else PAUSE_MS)
        while ready and time.perf_counter() < deadline:
            for job in list(ready):
                steps, on_done = job[0], job[1]
                result: Any
                error: Exception | None
                try:
                    next(steps)
                    continue
                except StopIteration as done:
                    result, error = done.value, None
                except Exception as exc:  # delivered as a value, as the runners do
                    result, error = None, exc
                ready.remove(job)
                self._jobs.remove(job)
                try:
                    on_done(result, error)
                finally:  # after on_done: what it keeps (an order put in place) is set aside too
                    self._held.discard(steps)
                    collector.release(steps)
                if time.perf_counter() >= deadline:
                    break
        if not self._jobs:
            self._timer.stop()


class SyncRunner:
    """Runs each task at once on the calling thread; for tests and scripted use."""

    def start(
        self,
        fn: Callable[[Context], T],
        on_report: Callable[[Any], None] | None = None,
        on_done: Callable[[T | None, Exception | None], None] | None = None,
        backlog: int = 0,
    ) -> Context:
        context = Context(on_report or (lambda _: None))
        result, error = _call(fn, context)
        if on_done:
            on_done(result, error)
        return context

    def wait(self, msecs: int = 0) -> bool:
        return True


def single_shot(parent: QObject, interval_ms: int, slot: Callable[[], object]) -> QTimer:
    """A timer that calls `slot` once, `interval_ms` after each start()."""
    timer = QTimer(parent)
    timer.setSingleShot(True)
    timer.setInterval(interval_ms)
    timer.timeout.connect(slot)
    return timer
