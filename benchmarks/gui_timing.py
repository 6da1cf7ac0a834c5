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
