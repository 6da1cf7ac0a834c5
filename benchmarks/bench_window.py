"""The window on generated folders: loading, sorting, querying, the detail pane, memory.

    QT_QPA_PLATFORM=offscreen python benchmarks/bench_window.py [--small 20000] [--large 100000]

Each figure is printed beside a baseline measured in the same run:
  loading      the core scan alone (what `reviewer list` does)
  sort, query  QSortFilterProxyModel over the same model (what we chose not to use)
  detail pane  python-frontmatter loading the same file (a naive pane's first step)
  memory       the same process with the window open and no folder
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import statistics
import sys
import time

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.dirname(HERE))

from generate import data_folder as folder  # noqa: E402
from gui_timing import GapMeter, until_signal, wait_for  # noqa: E402


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def current_rss_mb() -> float:
    with open("/proc/self/statm") as fh:
        return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 1048576


def make_window(tmp_settings: str):
    from PySide6.QtCore import QSettings

    from reviewer.app.settings import Settings
    from reviewer.ui.main_window import MainWindow

    settings = Settings(QSettings(tmp_settings, QSettings.IniFormat))
    settings.remote_images = False
    window = MainWindow(settings, watch=False)
    window.show()
    return window


def bench_loading(app, root: str, settings_path: str) -> None:
    from reviewer.core.library import scan

    start = time.perf_counter()
    scanned = scan(root)
    baseline = time.perf_counter() - start
    window = make_window(settings_path)
    loaded = []
    window.session.loading_finished.connect(lambda: loaded.append(time.perf_counter()))
    meter = GapMeter()
    meter.start()
    start = time.perf_counter()
    window.open_folder(root)
    first = wait_for(app, lambda: window.model.rowCount() > 0)
    wait_for(app, lambda: bool(loaded))
    full = loaded[0] - start
    app.processEvents()
    gap = meter.stop()
    n = len(scanned.articles)
    print(
        f"loading {n:,} articles: first rows shown {first * 1000:.0f} ms; fully loaded {full:.2f} s; "
        f"core scan alone {baseline:.2f} s; ratio window/scan {full / baseline:.2f}; "
        f"longest GUI gap {gap * 1000:.0f} ms (goal under 50 ms)"
    )
    window.session.undo_stack.clear()
    window.close()


def child_processes() -> int:
    """How many processes this one started are still alive (loading's worker processes)."""
    me, count = str(os.getpid()), 0
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as fh:
                    count += fh.read().rsplit(")", 1)[1].split()[1] == me
            except OSError:
                pass
    return count


def bench_large(app, root: str, settings_path: str, rounds: int = 3) -> None:
    from PySide6.QtCore import QEvent, QSortFilterProxyModel, Qt

    from reviewer.core.query import compile_query
    from reviewer.ui.article_model import Column

    window = make_window(settings_path)
    before = current_rss_mb()
    loaded = []
    window.session.loading_finished.connect(lambda: loaded.append(time.perf_counter()))
    meter = GapMeter()
    meter.start()
    start = time.perf_counter()
    window.open_folder(root)
    first = wait_for(app, lambda: window.model.rowCount() > 0)
    wait_for(app, lambda: bool(loaded))
    app.processEvents()
    gap = meter.stop()
    n = len(window.session.articles)
    print(
        f"loading {n:,} articles: first rows {first * 1000:.0f} ms, fully loaded {loaded[0] - start:.2f} s; "
        f"longest GUI gap {gap * 1000:.0f} ms (goal under 50 ms); worker processes left: {child_processes()}; "
        f"memory now {current_rss_mb():.0f} MB"
    )
    clustered = []
    window.session.same_story_changed.connect(lambda: clustered.append(time.perf_counter()))
    meter.start()
    wait_for(app, lambda: bool(clustered), 600)
    gap = meter.stop()
    print(
        f"same-story clusters found {clustered[0] - loaded[0]:.2f} s after loading, in steps between events; "
        f"longest GUI gap meanwhile {gap * 1000:.0f} ms; memory now {current_rss_mb():.0f} MB"
    )
    for row in range(0, n, max(1, n // 200)):  # show some articles, as an editor would
        window.table.select_row(row)
        app.processEvents()
        # The widgets the detail pane let go of, deleted as the application's event loop does
        # between two events: processEvents() alone never does (200 articles kept 14 MB more).
        app.sendPostedEvents(None, QEvent.Type.DeferredDelete.value)
    print(
        f"memory with {n:,} articles, after showing 200 of them: now {current_rss_mb():.0f} MB, "
        f"peak {rss_mb():.0f} MB; window with no folder {before:.0f} MB (goal: under 300 MB)"
    )

    model = window.model
    sorts: dict[str, list[float]] = {}
    queries: dict[str, list[float]] = {}
    gaps: list[float] = []
    texts = (
        "published:false",
        "quality:>=60 -published:true",
        "robots lisbon",
        'topic:"Computer Vision"',
        "date:>=2020-01-01 has:related",
        "provider.domain:northwind",
    )
    for _ in range(rounds):
        for column in (Column.TITLE, Column.QUALITY, Column.DATE, Column.STATUS, Column.PROVIDER):
            for order in (Qt.AscendingOrder, Qt.DescendingOrder):
                name = f"{column.name.lower()} {'up' if order == Qt.AscendingOrder else 'down'}"
                took, gap = until_signal(app, model.sorted_, lambda c=column, o=order: window.table.sortByColumn(c, o))
                sorts.setdefault(name, []).append(took)
                gaps.append(gap)
        for text in texts:
            took, gap = until_signal(app, model.filtered, lambda t=text: model.set_predicate(compile_query(t)))
            queries.setdefault(text, []).append(took)
            gaps.append(gap)
        until_signal(app, model.filtered, lambda: model.set_predicate(compile_query("")))

    proxy = QSortFilterProxyModel()
    proxy.setSourceModel(model)
    start = time.perf_counter()
    proxy.sort(Column.TITLE, Qt.AscendingOrder)
    proxy_sort = time.perf_counter() - start
    proxy.setFilterKeyColumn(Column.TITLE)
    start = time.perf_counter()
    proxy.setFilterFixedString("robots")
    proxy.rowCount()
    proxy_filter = time.perf_counter() - start

    print(f"longest GUI gap while sorting and querying: {max(gaps) * 1000:.0f} ms (goal under 50 ms)")
    print(f"sort at {n:,} rows, until shown, median of {rounds} (goal under 100 ms each):")
    for name, seconds in sorts.items():
        print(f"  {name:<14} {statistics.median(seconds) * 1000:7.0f} ms")
    title = statistics.median(sorts["title up"])
    print(f"  baseline QSortFilterProxyModel by title: {proxy_sort * 1000:.0f} ms; ratio {title / proxy_sort:.3f}")
    print(f"query at {n:,} rows, until shown, median of {rounds} (goal under 100 ms each):")
    for text, seconds in queries.items():
        print(f"  {text:<32} {statistics.median(seconds) * 1000:7.0f} ms")
    robots = statistics.median(queries["robots lisbon"])
    print(f"  baseline QSortFilterProxyModel title filter 'robots': {proxy_filter * 1000:.0f} ms", end="")
    print(f"; ratio {robots / proxy_filter:.3f}")
    window.session.undo_stack.clear()
    window.close()


def bench_detail(app, root: str, settings_path: str, samples: int = 300) -> None:
    import frontmatter

    window = make_window(settings_path)
    loaded = []
    window.session.loading_finished.connect(lambda: loaded.append(1))
    window.open_folder(root)
    wait_for(app, lambda: bool(loaded))
    rng = random.Random(3)
    rows = [rng.randrange(window.model.rowCount()) for _ in range(samples)]
    ours, naive = [], []
    for row in rows:
        start = time.perf_counter()
        window.table.select_row(row)
        ours.append(time.perf_counter() - start)
        assert window.detail.article is window.model.article(row)
        app.processEvents()
        start = time.perf_counter()
        frontmatter.load(window.model.article(row).path)
        naive.append(time.perf_counter() - start)
    med, p99 = statistics.median(ours), sorted(ours)[int(len(ours) * 0.99) - 1]
    base = statistics.median(naive)
    print(
        f"select a row -> filled detail pane ({samples} rows, no remote images): median {med * 1000:.1f} ms, "
        f"p99 {p99 * 1000:.1f} ms (goal under 30 ms); python-frontmatter load of the same file "
        f"{base * 1000:.2f} ms; ratio {med / base:.1f}"
    )
    window.close()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--small", type=int, default=20000)
    parser.add_argument("--large", type=int, default=100000)
    parser.add_argument("--skip-large", action="store_true")
    parser.add_argument("--large-only", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    from reviewer.ui.application import make_application

    app = make_application()
    import subprocess
    import tempfile

    settings_path = os.path.join(tempfile.mkdtemp(), "settings.ini")
    if args.large_only:
        bench_large(app, folder(args.large), settings_path)
        return
    small = folder(args.small)
    bench_loading(app, small, settings_path)
    bench_detail(app, small, settings_path)
    if not args.skip_large:
        # A process of its own, so that its peak memory is the large folder's alone.
        subprocess.run([sys.executable, __file__, "--large-only", "--large", str(args.large)], check=True)


if __name__ == "__main__":
    main()
