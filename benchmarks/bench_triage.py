"""Keyboard triage of 1,000 articles in a 20,000-article folder, with real key events.

    QT_QPA_PLATFORM=offscreen python benchmarks/bench_triage.py [--n 20000] [--decisions 1000]

Switches to the unpublished queue, then approves and rejects alternately, saving every
50 decisions (Ctrl+S). Measures, per key, the time from the key press to the next
article shown in the detail pane. Baseline in the same run: the same number of `j`
presses (move to the next article, no edit).
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.dirname(HERE))

from bench_window import folder, make_window, wait_for  # noqa: E402


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * p))]


def press(app, table, key) -> float:
    """A key press until the window has handled it and repainted (list and detail pane)."""
    from PySide6.QtCore import Qt
    from PySide6.QtTest import QTest

    start = time.perf_counter()
    QTest.keyClick(table, key, Qt.NoModifier)
    app.processEvents()
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=20000)
    parser.add_argument("--decisions", type=int, default=1000)
    args = parser.parse_args()
    from PySide6.QtCore import Qt
    from PySide6.QtTest import QTest

    from reviewer.ui.application import make_application

    app = make_application()
    work = tempfile.mkdtemp()
    root = shutil.copytree(folder(args.n), os.path.join(work, "site"))  # the run writes to it
    window = make_window(os.path.join(work, "settings.ini"))
    loaded = []
    window.session.loading_finished.connect(lambda: loaded.append(1))
    window.open_folder(root)
    wait_for(app, lambda: bool(loaded))
    table = window.table
    shown = []
    window.model.filtered.connect(lambda: shown.append(1))
    QTest.keyClick(table, Qt.Key_U)
    wait_for(app, lambda: bool(shown))  # the queue of a large folder is filtered in steps
    queue = window.model.rowCount()
    print(f"{len(window.session.articles):,} articles, {queue:,} in the unpublished queue")

    baseline = []
    for _ in range(args.decisions):
        baseline.append(press(app, table, Qt.Key_J))
    QTest.keyClick(table, Qt.Key_Home)
    app.processEvents()

    latencies, saves = [], []
    start_all = time.perf_counter()
    for i in range(args.decisions):
        before = window.detail.article
        latencies.append(press(app, table, Qt.Key_A if i % 2 == 0 else Qt.Key_X))
        assert window.detail.article is not before or window.model.rowCount() <= 1
        if (i + 1) % 50 == 0:
            t = time.perf_counter()
            QTest.keyClick(table, Qt.Key_S, Qt.ControlModifier)
            wait_for(app, lambda: not window.session.saving)
            saves.append(time.perf_counter() - t)
    total = time.perf_counter() - start_all
    approved = sum(1 for a in window.session.articles if a.published is True)
    left = sum(1 for a in window.session.articles if a.published is False)

    med, p99 = statistics.median(latencies), percentile(latencies, 0.99)
    base_med, base_p99 = statistics.median(baseline), percentile(baseline, 0.99)
    print(
        f"key -> next article shown ({args.decisions} decisions): median {med * 1000:.1f} ms, "
        f"p99 {p99 * 1000:.1f} ms (goals: 30 ms, 100 ms)"
    )
    print(
        f"baseline, j (next article, no edit): median {base_med * 1000:.1f} ms, p99 {base_p99 * 1000:.1f} ms; "
        f"ratio of medians {med / base_med:.2f}"
    )
    print(f"saves of 50 files: median {statistics.median(saves) * 1000:.0f} ms, max {max(saves) * 1000:.0f} ms")
    print(f"total for {args.decisions} decisions with {len(saves)} saves: {total:.1f} s")
    print(f"unsaved edits left: {len(window.session.modified)}; now published {approved:,}, unpublished {left:,}")
    window.close()
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
