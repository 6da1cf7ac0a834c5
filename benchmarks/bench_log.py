"""The review log's cost: on a batch save, and when a folder is opened.

  QT_QPA_PLATFORM=offscreen python benchmarks/bench_log.py [--n 1000] [--rounds 7] [--lines 100000]

save   approve N articles and save them through the session, with their N decisions
       logged, against the same save with the decisions taken away (no log line
       written); rounds alternate, each on a fresh copy of the folder. Goal: under 10% more.
open   read a log of L lines as opening a folder does (every decision, grouped by
       article, each article's last), against json.loads of every line in the same run.
       Goal: under 0.3 s.
"""

from __future__ import annotations

import argparse
import json
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

from generate import write_folder  # noqa: E402


def one_save(source: str, logged: bool, n: int) -> tuple[float, int, int]:
    """Seconds for Session.save of every article approved that was not published, how many
    there were, and the log lines the save wrote."""
    from PySide6.QtWidgets import QApplication

    from reviewer.app.session import Session
    from reviewer.app.tasks import SyncRunner

    folder = tempfile.mkdtemp(prefix="bench-log-")
    root = os.path.join(folder, "site")
    shutil.copytree(source, root)
    app = QApplication.instance() or QApplication([])
    session = Session(SyncRunner(), watch=False, log_dir=os.path.join(folder, "data"), editor="bench")
    session.open(root)
    while session.loading:
        app.processEvents()
    articles = [a for a in session.articles if a.published is not True][:n]  # each one a file to write
    session.approve(articles, "Approve")
    if not logged:
        for article in articles:
            article.pending = None  # the same files written; no decision to log
    done = []
    session.save_finished.connect(done.append)
    start = time.perf_counter()
    session.save(None)
    while not done:
        app.processEvents()
    elapsed = time.perf_counter() - start
    report = done[0]
    assert not report.failed, report.failed[:3]
    log = os.path.join(root, ".reviewer", "decisions.jsonl")
    lines = 0
    if os.path.exists(log):
        with open(log, encoding="utf-8") as fh:
            lines = sum(1 for _ in fh)
    session.deleteLater()
    shutil.rmtree(folder)
    return elapsed, len(articles), lines


def bench_save(n: int, rounds: int) -> None:
    source = os.path.join(tempfile.mkdtemp(prefix="bench-log-src-"), "site")
    write_folder(source, n * 2, seed=11)  # about half are not published: n files to approve
    with_log, without = [], []
    for _ in range(rounds):
        for logged, times in ((True, with_log), (False, without)):
            elapsed, count, lines = one_save(source, logged, n)
            assert lines == (count if logged else 0), (logged, lines)
            times.append(elapsed)
    w, b = statistics.median(with_log), statistics.median(without)
    print(
        f"save of {count:,} approved files: with {count:,} decisions logged {w * 1000:.0f} ms; "
        f"without {b * 1000:.0f} ms; ratio {w / b:.3f}   (medians of {rounds}, alternating; goal under 1.10)"
    )
    shutil.rmtree(os.path.dirname(source))


def bench_open(lines: int, rounds: int) -> None:
    from reviewer.app.loading import latest_of, read_log
    from reviewer.core.review_log import Decision, LogFile

    folder = tempfile.mkdtemp(prefix="bench-log-open-")
    root = os.path.join(folder, "site")
    os.makedirs(root)
    log = LogFile.inside(root)
    editors = ("ana", "bo", "chen", "dee")
    kinds = ("approve", "reject", "quality")
    batch = []
    for i in range(lines):
        changes = {"quality": [i % 90, i % 90 + 5]} if i % 3 == 2 else {"published": [None, i % 3 == 0]}
        when = f"2026-{1 + i * 11 // lines:02}-{1 + i % 28:02}T{i % 24:02}:{i % 60:02}:00.000Z"
        path = f"_posts/2026-01-01-article-{i % (lines // 2):06}.md"
        batch.append(Decision(when, editors[i % 4], path, f"https://example.test/{i}", kinds[i % 3], changes))
    log.append(batch)
    ours, plain = [], []
    for _ in range(rounds):
        start = time.perf_counter()
        info = read_log(root, os.path.join(folder, "data"), "bench", False)
        latest_of(info.history)
        ours.append(time.perf_counter() - start)
        start = time.perf_counter()
        with open(log.path, encoding="utf-8") as fh:
            [json.loads(line) for line in fh]
        plain.append(time.perf_counter() - start)
    assert sum(len(v) for v in info.history.values()) == lines
    assert not info.warnings
    o, p = statistics.median(ours), statistics.median(plain)
    size = os.path.getsize(log.path) / 1e6
    print(
        f"open with a log of {lines:,} lines ({size:.1f} MB): {o * 1000:.0f} ms; json.loads of every line "
        f"{p * 1000:.0f} ms; ratio {o / p:.2f}   (medians of {rounds}; goal under 300 ms)"
    )
    shutil.rmtree(folder)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--lines", type=int, default=100_000)
    args = parser.parse_args()
    bench_save(args.n, args.rounds)
    bench_open(args.lines, args.rounds)


if __name__ == "__main__":
    main()
