"""Background work: run a function off the GUI thread, its reports and result delivered back on it.

Everything slow (scanning, saving, thumbnails) goes through a Runner. Tests swap in
SyncRunner, which runs the function at once on the calling thread.
"""
from __future__ import annotations

from typing import Callable

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal


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


class _Job(QRunnable):
    def __init__(self, fn, context: Context, bridge: _Bridge):
        super().__init__()
        self.fn, self.context, self.bridge = fn, context, bridge
        self.setAutoDelete(True)

    def run(self) -> None:
        try:
            result, error = self.fn(self.context), None
        except Exception as exc:  # delivered to the GUI thread as a value, Picard-style
            result, error = None, exc
        self.bridge.finished.emit(result, error)


class ThreadRunner:
    """Runs tasks on a thread pool; callbacks run on the GUI thread."""

    def __init__(self, pool: QThreadPool | None = None):
        self.pool = pool or QThreadPool.globalInstance()
        self._alive: set[_Bridge] = set()

    def start(self, fn: Callable[[Context], object], on_report: Callable | None = None,
              on_done: Callable[[object, Exception | None], None] | None = None) -> Context:
        bridge = _Bridge()
        context = Context(bridge.reported.emit)
        if on_report:
            bridge.reported.connect(on_report)

        def done(result, error):
            self._alive.discard(bridge)
            if on_done:
                on_done(result, error)

        bridge.finished.connect(done)
        self._alive.add(bridge)
        self.pool.start(_Job(fn, context, bridge))
        return context

    def wait(self, msecs: int = 30000) -> bool:
        return self.pool.waitForDone(msecs)


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
