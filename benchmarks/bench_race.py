"""A write made while a save runs: how often is it lost, and what does a save cost?

    python benchmarks/bench_race.py [--races 10000] [--saves 2000] [--code PATH]

Races: a thread appends a line to the file 0-2 ms after a save of it starts (as an editor
or a `git pull` would, at the worst moment). Lost: the appended line is not in the file
afterwards. The save may instead be refused as a conflict, which loses nothing.

Cost: the median time of one save (read, check, edit, temporary file, fsync, rename),
beside a plain loop doing only the temporary file, fsync and rename on the same files.

--code measures another checkout too (an earlier commit), in the same run.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import tempfile
import threading
import time
from pathlib import Path

from checkout import use_checkout

TEXT = "---\ntitle: Race\nquality: 40\nheat: -1\npublished: false\n---\nBody\n"


def load(code: str):
    use_checkout(code)
    from reviewer.core.library import read_article
    from reviewer.core.storage import SaveError, save

    return read_article, save, SaveError


def races(code: str, count: int, folder: Path) -> tuple[int, int]:
    read_article, save, save_error = load(code)
    rng = random.Random(5)
    lost = conflicts = 0
    for i in range(count):
        path = folder / f"race-{i % 50}.md"
        path.write_text(TEXT)
        article = read_article(str(path), str(folder))
        article.set("quality", 41 + i % 7)
        marker = f"appended {i}\n"
        delay = rng.uniform(0, 0.002)

        def append(marker=marker, delay=delay, path=path):
            time.sleep(delay)
            with open(path, "a") as fh:
                fh.write(marker)

        writer = threading.Thread(target=append)
        writer.start()
        try:
            save(article)
        except save_error:
            conflicts += 1
        writer.join()
        lost += marker not in path.read_text()
    return lost, conflicts


def save_cost(code: str, count: int, folder: Path) -> float:
    read_article, save, _ = load(code)
    times = []
    for i in range(count):
        path = folder / f"cost-{i % 200}.md"
        path.write_text(TEXT)
        article = read_article(str(path), str(folder))
        article.set("quality", 50 + i)
        start = time.perf_counter()
        save(article)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def plain_cost(count: int, folder: Path) -> float:
    times = []
    data = TEXT.replace("40", "41").encode()
    for i in range(count):
        path = folder / f"plain-{i % 200}.md"
        path.write_text(TEXT)
        start = time.perf_counter()
        tmp = str(path) + ".tmp"
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
        os.write(fd, data)
        os.fsync(fd)
        os.close(fd)
        os.replace(tmp, path)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--races", type=int, default=10_000)
    parser.add_argument("--saves", type=int, default=2_000)
    parser.add_argument("--code", help="an earlier checkout to measure in the same run")
    args = parser.parse_args()
    here = str(Path(__file__).resolve().parent.parent)
    codes = [("this checkout", here)] + ([(args.code, os.path.abspath(args.code))] if args.code else [])
    with tempfile.TemporaryDirectory(dir=os.environ.get("TMPDIR")) as tmp:
        folder = Path(tmp)
        costs: dict[str, list[float]] = {label: [] for label, _ in codes}
        plains = []
        for round_ in range(3):  # alternating the order: the disk's state drifts during a run
            plains.append(plain_cost(args.saves, folder))
            for label, code in codes if round_ % 2 == 0 else codes[::-1]:
                costs[label].append(save_cost(code, args.saves, folder))
        plain = statistics.median(plains)
        print(f"plain temporary file + fsync + rename: median {plain * 1000:.3f} ms")
        for label, code in codes:
            cost = statistics.median(costs[label])
            lost, conflicts = races(code, args.races, folder)
            print(
                f"{label}: save median {cost * 1000:.3f} ms ({cost / plain:.2f}x plain); "
                f"{args.races:,} races: {lost:,} lost, {conflicts:,} refused as conflicts"
            )
        if len(codes) == 2:
            a, b = (statistics.median(costs[label]) for label, _ in codes)
            print(f"save cost, this checkout / {codes[1][0]}: {a / b:.3f}")


if __name__ == "__main__":
    main()
