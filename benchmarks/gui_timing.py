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
    """Run `action`, then the event loop until `signal` fires: (seconds, longest GUI gap meanwhile)."""
    fired = []
    signal.connect(lambda *args: fired.append(1))
    meter = meter or GapMeter()
    meter.start()
    start = time.perf_counter()
    action()
    wait_for(app, lambda: bool(fired))
    took = time.perf_counter() - start
    gap = meter.stop()
    signal.disconnect()
    return took, gap
