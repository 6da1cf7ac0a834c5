"""Background work: run a function off the GUI thread, its reports and result delivered back on it.

Everything slow that waits (scanning, saving, thumbnails) goes through a Runner. Tests swap
in SyncRunner, which runs the function at once on the calling thread. Python work over the
articles (sorting, filtering) runs in steps on the GUI thread instead: Slicer.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor, wait

from PySide6.QtCore import QObject, QTimer, Signal


class Context:
    """Handed to a task: `report(x)` sends progress to the GUI thread; `cancelled` asks it to stop."""

    def __init__(self, report: Callable[[object], None]):
        self.report = report
        self.cancelled = False

    def cancel(self) -> None:
        self.cancelled = True


class _Bridge(QObject):
    reported = Signal(object)
    finished = Signal(object, object)  # result, error


class ThreadRunner:
    """Runs tasks on a pool of Python threads; callbacks run on the GUI thread.

    Python threads rather than QRunnable subclasses: auto-deleted Python QRunnables
    corrupted reference counts here (a crash at exit after a few hundred thumbnails).
    """

    def __init__(self, workers: int = 4):
        self.pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="reviewer")
        self._alive: set[_Bridge] = set()
        self._futures: set[Future] = set()

    def start(
        self,
        fn: Callable[[Context], object],
        on_report: Callable | None = None,
        on_done: Callable[[object, Exception | None], None] | None = None,
    ) -> Context:
        bridge = _Bridge()
        context = Context(lambda value: _emit(bridge.reported, value))
        if on_report:
            bridge.reported.connect(on_report)

        def done(result, error):
            self._alive.discard(bridge)
            if on_done:
                on_done(result, error)

        bridge.finished.connect(done)
        self._alive.add(bridge)

        def job():
            try:
                result, error = fn(context), None
            except Exception as exc:  # delivered to the GUI thread as a value, Picard-style
                result, error = None, exc
            _emit(bridge.finished, result, error)

        future = self.pool.submit(job)
        self._futures.add(future)
        future.add_done_callback(self._futures.discard)
        return context

    def wait(self, msecs: int = 30000) -> bool:
        done, pending = wait(list(self._futures), timeout=msecs / 1000)
        return not pending


def _emit(signal, *args) -> None:
    try:
        signal.emit(*args)
    except RuntimeError:
        pass  # the window closed while the task ran: nobody is waiting for it


PAUSE_MS = 50


class Slicer(QObject):
    """Runs work in steps on the GUI thread, a few milliseconds at a time, between events.

    For Python work on the articles: on a worker thread it would make every repaint wait for
    Python's lock (see core.ordering). `work` is a generator (core.ordering.Steps); its return
    value goes to `on_done(result, error)`.
    """

    def __init__(self, budget_ms: float = 6.0, parent=None):
        super().__init__(parent)
        self.budget = budget_ms / 1000

    def start(
        self, steps, on_done: Callable[[object, Exception | None], None], paused: Callable[[], bool] | None = None
    ) -> None:
        """Run `steps`; while `paused()` says so, run none and look again every PAUSE_MS (work
        that can wait leaves Python's lock to a thread that is saving)."""
        timer = QTimer(self)
        timer.setInterval(0)

        def step() -> None:
            if paused is not None:
                hold = paused()
                timer.setInterval(PAUSE_MS if hold else 0)
                if hold:
                    return
            deadline = time.perf_counter() + self.budget
            try:
                while time.perf_counter() < deadline:
                    next(steps)
            except StopIteration as done:
                timer.stop()
                timer.deleteLater()
                on_done(done.value, None)
            except Exception as exc:  # delivered as a value, as the runners do
                timer.stop()
                timer.deleteLater()
                on_done(None, exc)

        timer.timeout.connect(step)
        timer.start()


class SyncRunner:
    """Runs each task at once on the calling thread; for tests and scripted use."""

    def start(self, fn, on_report=None, on_done=None) -> Context:
        context = Context(on_report or (lambda _: None))
        try:
            result, error = fn(context), None
        except Exception as exc:
            result, error = None, exc
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
