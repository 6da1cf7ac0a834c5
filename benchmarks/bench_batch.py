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
import statistics
import sys
import tempfile
import time

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.dirname(HERE))

from generate import data_folder  # noqa: E402
from gui_timing import GapMeter, wait_for  # noqa: E402


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


def run_once(app, window, meter, counts, size):
    """Approve the first `size` rows of the Unpublished view, save them, put them back with the plain loop."""
    from PySide6.QtCore import QEventLoop, QItemSelection, QItemSelectionModel

    model = window.model
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
    assert all(a.published is True for a in chosen)
    assert window.model.row_of(chosen[0]) is None
    saved = []
    loop = QEventLoop()  # idle in the event loop, as the window is: no busy polling for the GIL
    window.session.save_finished.connect(lambda report: (saved.append(report), loop.quit()))
    meter.start()
    start = time.perf_counter()
    window.save(None)
    if not saved:
        loop.exec()
    save = time.perf_counter() - start
    save_gap = meter.stop()
    window.session.save_finished.disconnect()
    assert len(saved[0].saved) == size, saved[0].failed[:3]
    plain = plain_loop([a.path for a in chosen], b"published: true", b"published: false")
    window.session.check_disk()  # the loop changed the files back: the window reads them again
    # All of them, before the next round: one still being read would share the core with it.
    wait_for(app, lambda: not window.session.disk.checking and all(a.published is False for a in chosen))
    window.session.undo_stack.clear()
    return approve, approve_gap, save, save_gap, plain, signals, size


PLAIN_PROCESS = """
import os, sys
old, new = sys.argv[1].encode(), sys.argv[2].encode()
for folder, folders, names in os.walk(sys.argv[3]):
    folders[:] = [f for f in folders if not f.startswith(".")]  # not the review log
    for name in sorted(names):
        path = os.path.join(folder, name)
        with open(path, "rb") as fh:
            data = fh.read()
        tmp = path + ".tmp"
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
        os.write(fd, data.replace(old, new, 1))
        os.fsync(fd)
        os.close(fd)
        os.replace(tmp, path)
"""


def bench_cli(source: str, count: int, rounds: int) -> None:
    """`reviewer set --where` over a folder of `count` unpublished articles, against the plain loop as a process."""
    import shutil
    import subprocess

    folder = os.path.join(tempfile.mkdtemp(), "site")
    os.makedirs(folder)
    copied = 0
    for parent, _, names in os.walk(source):
        for name in sorted(names):
            path = os.path.join(parent, name)
            with open(path, "rb") as fh:
                if copied < count and b"published: false" in fh.read():
                    shutil.copy(path, os.path.join(folder, f"{copied:05}-{name}"))
                    copied += 1
    # Python's compiled modules are kept, as on a user's machine (an installed program, or any
    # run after the first); a first round, not counted, writes them.
    env = dict(os.environ, PYTHONPATH=os.path.dirname(HERE), PYTHONPYCACHEPREFIX=tempfile.mkdtemp())
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    ours_cmd = [sys.executable, "-m", "reviewer", "set", "--published", "true", "--where", "", folder]
    plain_cmd = [sys.executable, "-c", PLAIN_PROCESS, "published: true", "published: false", folder]
    ours, plain = [], []
    for _ in range(rounds + 1):
        start = time.perf_counter()
        subprocess.run(ours_cmd, env=env, stdout=subprocess.DEVNULL, check=True)
        ours.append(time.perf_counter() - start)
        start = time.perf_counter()
        subprocess.run(plain_cmd, env=env, check=True)
        plain.append(time.perf_counter() - start)
    o, p = statistics.median(ours[1:]), statistics.median(plain[1:])
    print(
        f"reviewer set --where over {copied:,} files: {o:.2f} s; the plain loop as a process {p:.2f} s; "
        f"ratio {o / p:.2f}   (medians of {rounds}, both including the interpreter's start)"
    )
    shutil.rmtree(os.path.dirname(folder))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=20000)
    parser.add_argument("--sizes", default="100,1000,10000")
    parser.add_argument("--rounds", type=int, default=3, help="runs of each size; medians are printed")
    parser.add_argument("--cli", type=int, default=1000, help="files for the reviewer set comparison (0: skip)")
    args = parser.parse_args()
    source = data_folder(args.n)
    if args.cli:
        bench_cli(source, args.cli, args.rounds)
    import shutil

    # A copy: the saves write files and the review log, which must not pile up in the shared
    # data (a log of the decisions of earlier runs empties the unpublished queue of the others).
    root = shutil.copytree(source, os.path.join(tempfile.mkdtemp(), "site"))

    from PySide6.QtCore import QSettings

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
    clustered: list[int] = []  # measured once the same-story clusters are found, as a day's work would be
    window.session.same_story_changed.connect(lambda: clustered.append(1))
    window.open_folder(root)
    wait_for(app, lambda: bool(loaded) and bool(clustered), 600)
    meter = GapMeter()
    model = window.model
    counts = {"layout": 0, "removed": 0, "reset": 0}
    model.layoutChanged.connect(lambda *a: counts.__setitem__("layout", counts["layout"] + 1))
    model.rowsRemoved.connect(lambda *a: counts.__setitem__("removed", counts["removed"] + 1))
    model.modelReset.connect(lambda *a: counts.__setitem__("reset", counts["reset"] + 1))
    print(f"{len(window.session.articles):,} articles; Unpublished view")

    for size in (int(s) for s in args.sizes.split(",")):
        rows = [run_once(app, window, meter, counts, size) for _ in range(args.rounds)]
        approve, approve_gap, save, save_gap, plain = (statistics.median(r[i] for r in rows) for i in range(5))
        signals, size = rows[0][5], rows[0][6]
        print(
            f"N={size:>6,}: approve {approve * 1000:7.1f} ms ({approve / size * 1e6:6.1f} us/article), "
            f"signals {signals}, gap {approve_gap * 1000:5.0f} ms | save {save:6.2f} s, plain loop {plain:6.2f} s, "
            f"ratio {save / plain:.2f}, gap {save_gap * 1000:4.0f} ms   (medians of {args.rounds})"
        )
    window.close()
    shutil.rmtree(os.path.dirname(root))


if __name__ == "__main__":
    main()
