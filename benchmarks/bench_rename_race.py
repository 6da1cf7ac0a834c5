"""A program that saves by rename (an editor, git) races Reviewer's save: how many of its
versions does the save throw away?

    python benchmarks/bench_rename_race.py [--races 20000] [--code PATH]

Each race: the file is read, a thread renames its own version over it 0-1.2 ms later, and the
save runs meanwhile. Lost: the other program's version is not in the file afterwards (the save
may instead be refused as a conflict, which loses nothing). --code measures another checkout
(an earlier commit) too, in the same run: before renameat2's exchange, 410 of 20,000 were lost.
"""

from __future__ import annotations

import argparse
import os
import random
import tempfile
import threading
import time

from bench_race import load

TEXT = "---\ntitle: Race\nquality: 40\n---\nBody\n"


def races(code: str, count: int) -> tuple[int, int]:
    read_article, save, SaveError = load(code)
    rng = random.Random(7)
    lost = refused = 0
    with tempfile.TemporaryDirectory() as folder:
        for i in range(count):
            path = os.path.join(folder, f"r{i % 20}.md")
            with open(path, "w") as fh:
                fh.write(TEXT)
            article = read_article(path, folder)
            article.set("quality", 41)
            delay = rng.uniform(0, 0.0012)

            def other(path=path, delay=delay, i=i) -> None:
                time.sleep(delay)
                with open(path + ".other", "w") as fh:
                    fh.write(TEXT + f"theirs {i}\n")
                os.rename(path + ".other", path)

            thread = threading.Thread(target=other)
            thread.start()
            try:
                save(article)
            except SaveError:
                refused += 1
            thread.join()
            with open(path) as fh:
                lost += f"theirs {i}" not in fh.read()
    return lost, refused


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--races", type=int, default=20_000)
    parser.add_argument("--code", help="another checkout to measure in the same run")
    args = parser.parse_args()
    here = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    for code in [here] + ([os.path.abspath(args.code)] if args.code else []):
        lost, refused = races(code, args.races)
        rate = lost * 1000 / args.races
        print(f"{code}: {lost:,} of {args.races:,} lost ({rate:.2f} per 1,000), {refused:,} refused")


if __name__ == "__main__":
    main()
