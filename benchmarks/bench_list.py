"""Time `reviewer list --json` against a plain python-frontmatter load loop, same folder, same run.

    python benchmarks/bench_list.py [--n 20000] [--repeat 3] [--busy] [--cold-cache]

Prints each median and the ratio ours / baseline (goal: at most 0.25 at 20,000, 100,000 and 300,000),
and the same list with the fast YAML path off (REVIEWER_NO_FAST_YAML=1), in the same run. First it
says how busy the cores were before it began (from /proc/stat, over two seconds: what other processes
and other machines on the host took), and again at the end over the whole run. With --busy, one
more process spins on one core all along (the ratio a user sees with a build or a browser running).
Both commands run with Python's compiled modules kept (in a cache folder of their own, written by a
first run of each that is not timed), as an installed program's are. With --cold-cache, the folder's
files are put out of the page cache before each run (posix_fadvise DONTNEED, which needs no root):
every file is read from the disk, as on a first open after the machine started.
"""

from __future__ import annotations

import argparse
import contextlib
import multiprocessing
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator

HERE = os.path.dirname(os.path.abspath(__file__))
PYCACHE = os.path.join(tempfile.gettempdir(), "reviewer-bench-pycache")
sys.path.insert(0, HERE)
from generate import data_folder  # noqa: E402

BASELINE = """
import json, os, sys, frontmatter
for folder, _, files in os.walk(sys.argv[1]):
    for name in files:
        if name.endswith('.md'):
            post = frontmatter.load(os.path.join(folder, name))
            sys.stdout.write(json.dumps({'path': name, 'title': post.get('title')}, default=str) + '\\n')
"""


def evict(root: str) -> None:
    """Put the folder's files out of the page cache (what is clean of them; ours are)."""
    for folder, _, files in os.walk(root):
        for name in files:
            fd = os.open(os.path.join(folder, name), os.O_RDONLY)
            try:
                os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
            finally:
                os.close(fd)


def timed(
    cmd: list[str], code: str | None = None, extra: dict[str, str] | None = None, cold: str | None = None
) -> float:
    env = dict(os.environ, **(extra or {}), **({"PYTHONPATH": code} if code else {}))
    # Python's compiled modules are kept, as on a user's machine (an installed program, and the
    # python-frontmatter loop's own packages): with PYTHONDONTWRITEBYTECODE set and no
    # __pycache__ in a fresh clone, each `reviewer list` compiled its modules again.
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env["PYTHONPYCACHEPREFIX"] = PYCACHE
    if cold:
        evict(cold)
    start = time.perf_counter()
    subprocess.run(cmd, stdout=subprocess.DEVNULL, check=True, env=env)
    return time.perf_counter() - start


def cpu_times() -> tuple[int, int, int]:
    """Busy, idle and stolen time of all cores so far, in clock ticks (zeros where there is no /proc/stat)."""
    try:
        with open("/proc/stat") as fh:
            fields = [int(x) for x in fh.readline().split()[1:]]
    except OSError:
        return 0, 0, 0
    idle = fields[3] + fields[4]  # idle, iowait
    steal = fields[7] if len(fields) > 7 else 0
    return sum(fields[:8]) - idle - steal, idle, steal


def describe(before: tuple[int, int, int], after: tuple[int, int, int]) -> str:
    busy, idle, steal = (b - a for a, b in zip(before, after, strict=True))
    total = busy + idle + steal
    if total <= 0:
        return "unknown (no /proc/stat)"
    return f"{100 * busy / total:.0f}% busy, {100 * steal / total:.0f}% taken by the host (steal)"


def _spin() -> None:
    while True:
        pass


@contextlib.contextmanager
def one_core_busy(on: bool) -> Iterator[None]:
    if not on:
        yield
        return
    spinner = multiprocessing.get_context("spawn").Process(target=_spin, daemon=True)
    spinner.start()
    try:
        yield
    finally:
        spinner.terminate()
        spinner.join()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=20000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--code", help="also time the reviewer/ of another checkout (an earlier commit)")
    parser.add_argument("--busy", action="store_true", help="with one more process spinning on one core all along")
    parser.add_argument("--cold-cache", action="store_true", help="every file read from the disk in every run")
    args = parser.parse_args()
    if args.cold_cache and not hasattr(os, "posix_fadvise"):
        parser.error("--cold-cache puts files out of the page cache with posix_fadvise, which this system lacks")
    root = data_folder(args.n)
    ours_cmd = [sys.executable, "-m", "reviewer", "list", root, "--json", "--no-index"]  # the cold scan
    base_cmd = [sys.executable, "-c", BASELINE, root]
    timed(base_cmd)  # warm the page cache for both
    timed(ours_cmd)  # and write the compiled modules (as an installed program has them)
    if args.code:
        timed(ours_cmd, args.code)
    quiet = cpu_times()
    time.sleep(2)
    start = cpu_times()
    print(f"before the run, over 2 s: {describe(quiet, start)}")
    ours, base, other, plain = [], [], [], []
    cold = root if args.cold_cache else None
    with one_core_busy(args.busy):
        for _ in range(args.repeat):
            base.append(timed(base_cmd, cold=cold))
            ours.append(timed(ours_cmd, cold=cold))
            plain.append(timed(ours_cmd, extra={"REVIEWER_NO_FAST_YAML": "1"}, cold=cold))
            if args.code:
                other.append(timed(ours_cmd, args.code, cold=cold))
    print(f"during the run (these processes included): {describe(start, cpu_times())}")
    o, b = statistics.median(ours), statistics.median(base)
    busy = "  one core kept busy by another process" if args.busy else ""
    busy += "  every file read from the disk (page cache emptied before each run)" if cold else ""
    print(f"articles: {args.n}  cores: {os.cpu_count()}{busy}")
    print(f"python-frontmatter load loop: {b:.2f} s (median of {args.repeat})")
    print(f"reviewer list --json:         {o:.2f} s (median of {args.repeat})")
    p = statistics.median(plain)
    print(f"  the same, PyYAML only:      {p:.2f} s (REVIEWER_NO_FAST_YAML=1: no fast YAML path)")
    print(f"ratio ours/baseline: {o / b:.2f}  (goal <= 0.25); PyYAML only {p / b:.2f}")
    if other:
        x = statistics.median(other)
        print(f"reviewer list --json, {args.code}: {x:.2f} s, ratio to baseline {x / b:.2f}; this / that {o / x:.2f}")


if __name__ == "__main__":
    main()
