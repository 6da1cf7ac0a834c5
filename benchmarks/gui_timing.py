"""Shared by the window benchmarks: the GUI thread's longest silence, and waiting for a condition."""

from __future__ import annotations

import time


class GapMeter:
    """The longest interval between ticks of a 5 ms timer on the GUI thread: how long the window
    did not answer. Start it, do something, stop it."""

    def __init__(self):
        from PySide6.QtCore import QTimer

        self.timer = QTimer(interval=5, timeout=self._tick)
        self.last = time.perf_counter()
        self.worst = 0.0

    def _tick(self) -> None:
        now = time.perf_counter()
        self.worst = max(self.worst, now - self.last)
        self.last = now

    def start(self) -> None:
        self.worst = 0.0
        self.last = time.perf_counter()
        self.timer.start()

    def stop(self) -> float:
        self._tick()
        self.timer.stop()
        return self.worst


def wait_for(app, condition, timeout: float = 600.0) -> float:
    """Run the event loop until `condition()`; the seconds it took."""
    start = time.perf_counter()
    while not condition():
        app.processEvents()
        if time.perf_counter() - start > timeout:
            raise TimeoutError
        time.sleep(0.001)
    return time.perf_counter() - start


def loop_until(condition, *signals, timeout: float = 600.0) -> float:
    """Run an event loop until `condition()`, checked each time one of `signals` fires; the
    seconds it took. It waits for events as the window's own loop does: wait_for's turns with
    a 1 ms sleep between them woke the window's thread a thousand times a second, and each
    time it took Python's lock from a thread loading a folder (a reopen of 100,000 articles
    measured 0.524 s that way and 0.489 s this way, medians of 8, interleaved)."""
    from PySide6.QtCore import QEventLoop, QTimer

    start = time.perf_counter()
    if condition():
        return 0.0
    loop = QEventLoop()

    def check(*_args) -> None:
        if condition():
            loop.quit()

    for signal in signals:
        signal.connect(check)
    QTimer.singleShot(int(timeout * 1000), loop.quit)
    try:
        loop.exec()
    finally:
        for signal in signals:
            signal.disconnect(check)
    if not condition():
        raise TimeoutError
    return time.perf_counter() - start


def until_signal(app, signal, action, meter: GapMeter | None = None) -> tuple[float, float]:
    """Run `action`, then the event loop until `signal` fires: (seconds, longest GUI gap meanwhile).

    A local event loop, as the window's own: it waits for events without sleeping between
    them (a 1 ms sleep after each turn added a millisecond to every step of a filter), and only
    this function's own slot is disconnected after (not the window's)."""
    from PySide6.QtCore import QEventLoop, QTimer

    fired: list[int] = []
    loop = QEventLoop()

    def slot(*args) -> None:
        fired.append(1)
        loop.quit()

    signal.connect(slot)
    meter = meter or GapMeter()
    meter.start()
    start = time.perf_counter()
    action()
    if not fired:
        QTimer.singleShot(600_000, loop.quit)
        loop.exec()
    took = time.perf_counter() - start
    gap = meter.stop()
    signal.disconnect(slot)
    return took, gap
