"""Batch approval in the real window: select N rows of the Unpublished view, approve, save.

    QT_QPA_PLATFORM=offscreen python benchmarks/bench_batch.py [--n 20000] [--sizes 100,1000,10000]

For each N it prints:
  approve   from the keypress to the list, counts and detail pane updated; per article,
            so that linear growth shows as a flat figure across N
  signals   what the model emitted for the approval (layout changes, row removals, resets)
  gap       the longest time the GUI thread did not answer (a 5 ms timer's worst tick)
  save      Save All of those N files, against a plain Python loop over the same files
            (read, replace the line, temporary file, fsync, rename) in the same run; the
            loop also puts the files back, so that every run starts alike
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.dirname(HERE))

from generate import data_folder  # noqa: E402


class GapMeter:
    """The longest interval between ticks of a 5 ms timer on the GUI thread."""

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


def wait_for(app, condition, timeout=600.0) -> None:
    start = time.perf_counter()
    while not condition():
        app.processEvents()
        if time.perf_counter() - start > timeout:
            raise TimeoutError
        time.sleep(0.001)


def plain_loop(paths: list[str], old: bytes, new: bytes) -> float:
    start = time.perf_counter()
    for path in paths:
        with open(path, "rb") as fh:
            data = fh.read()
        data = data.replace(old, new, 1)
        tmp = path + ".tmp"
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
        os.write(fd, data)
        os.fsync(fd)
        os.close(fd)
        os.replace(tmp, path)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=20000)
    parser.add_argument("--sizes", default="100,1000,10000")
    args = parser.parse_args()
    root = data_folder(args.n)

    from PySide6.QtCore import QEventLoop, QItemSelection, QItemSelectionModel, QSettings

    from reviewer.app.settings import Settings
    from reviewer.ui.application import make_application
    from reviewer.ui.main_window import MainWindow

    app = make_application()
    settings = Settings(QSettings(os.path.join(tempfile.mkdtemp(), "s.ini"), QSettings.IniFormat))
    settings.remote_images = False
    settings.batch_threshold = 10**9  # no confirmation dialog in a benchmark
    window = MainWindow(settings, watch=False)
    window.resize(1400, 900)
    window.show()
    loaded = []
    window.session.loading_finished.connect(lambda: loaded.append(1))
    window.open_folder(root)
    wait_for(app, lambda: bool(loaded))
    meter = GapMeter()
    model = window.model
    counts = {"layout": 0, "removed": 0, "reset": 0}
    model.layoutChanged.connect(lambda *a: counts.__setitem__("layout", counts["layout"] + 1))
    model.rowsRemoved.connect(lambda *a: counts.__setitem__("removed", counts["removed"] + 1))
    model.modelReset.connect(lambda *a: counts.__setitem__("reset", counts["reset"] + 1))
    print(f"{len(window.session.articles):,} articles; Unpublished view")

    for size in (int(s) for s in args.sizes.split(",")):
        window.list.select_view("Unpublished")
        app.processEvents()
        size = min(size, model.rowCount())
        selection = QItemSelection(model.index(0, 0), model.index(size - 1, model.columnCount() - 1))
        window.table.selectionModel().select(selection, QItemSelectionModel.ClearAndSelect)
        chosen = [model.article(r) for r in range(size)]
        app.processEvents()
        for key in counts:
            counts[key] = 0
        meter.start()
        start = time.perf_counter()
        window.triage.decide(True)
        approve = time.perf_counter() - start
        signals = dict(counts)
        app.processEvents()
        approve_gap = meter.stop()
        assert all(a.published is True for a in chosen) and window.model.row_of(chosen[0]) is None
        saved = []
        loop = QEventLoop()  # idle in the event loop, as the window is: no busy polling for the GIL
        window.session.save_finished.connect(lambda report, saved=saved, loop=loop: (saved.append(report), loop.quit()))
        meter.start()
        start = time.perf_counter()
        window.save(None)
        if not saved:
            loop.exec()
        save = time.perf_counter() - start
        save_gap = meter.stop()
        window.session.save_finished.disconnect()
        assert len(saved[0].saved) == size, saved[0].failed[:3]
        paths = [a.path for a in chosen]
        plain = plain_loop(paths, b"published: true", b"published: false")
        window.session.check_disk()  # the loop changed the files back: the window reads them again
        wait_for(app, lambda chosen=chosen: all(a.published is False for a in chosen[:50]))
        window.session.undo_stack.clear()
        print(
            f"N={size:>6,}: approve {approve * 1000:7.1f} ms ({approve / size * 1e6:6.1f} us/article), "
            f"signals {signals}, gap {approve_gap * 1000:5.0f} ms | save {save:6.2f} s, plain loop {plain:6.2f} s, "
            f"ratio {save / plain:.2f}, gap {save_gap * 1000:4.0f} ms"
        )
    window.close()


if __name__ == "__main__":
    main()
