"""Team review through git: status, sync of 1,000 decisions, and a scripted day.

    python benchmarks/bench_git.py [--files 100000] [--decisions 1000] [--rounds 4] [--per-round 100]

  status   Reviewer's status of a repository of --files articles (one uncommitted, a commit not
           pushed), against `git status --porcelain=v2` itself in the same run (goal: < 0.5 s)
  sync     --decisions decisions saved in one clone, while the bot pushed heat updates to the
           same articles: commit, fetch, rebase (the merge driver per file), push, end to end
  day      two editors and the bot on their own clones, --rounds rounds of --per-round decisions
           each, syncing in turn; checks that the upstream holds every decision and value

Everything runs in a temporary folder with a local bare repository as the remote.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))

from reviewer.core.frontmatter_text import set_keys  # noqa: E402
from reviewer.core.git import Git, status, sync  # noqa: E402
from tests.core.test_git import (  # noqa: E402
    GIT_ENV,
    check_day,
    decide_named,
    git_run,
    make_team,
    play_day,
)


def timed(fn, repeat: int = 5) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def bench_status(work: Path, files: int) -> None:
    team = make_team(work / "status", articles=files)
    repo = team("ana")
    news = repo / "_news"
    (news / "a1.md").write_text(set_keys((news / "a1.md").read_text(), {"quality": 1}))
    git_run(repo, "commit", "--quiet", "-am", "one")
    (news / "a2.md").write_text(set_keys((news / "a2.md").read_text(), {"quality": 2}))
    git = Git(str(repo))
    status(git)  # the index refreshed once, as any first status does
    plain = timed(
        lambda: subprocess.run(["git", "status", "--porcelain=v2"], cwd=repo, capture_output=True, check=True)
    )
    ours = timed(lambda: status(git))
    found = status(git)
    print(f"status, {files:,} files: git status {plain * 1000:.0f} ms, Reviewer {ours * 1000:.0f} ms "
          f"(ratio {ours / plain:.2f}; goal < 500 ms); {found.summary()}, {len(found.files)} files marked")  # fmt: skip


def bench_sync(work: Path, decisions: int) -> None:
    team = make_team(work / "sync", articles=decisions)
    ana = team("ana")
    rng = random.Random(1)
    for n in range(decisions):
        decide_named(ana, f"a{n}", "ana", "quality", rng.randint(0, 300), 50)
    bot = team.seed
    for n in range(0, decisions, 4):  # the bot updated a quarter of them meanwhile: merged by the driver
        path = bot / "_news" / f"a{n}.md"
        path.write_text(set_keys(path.read_text(), {"heat": 7}))
    git_run(bot, "commit", "--quiet", "-am", "bot: heat")
    git_run(bot, "push", "--quiet", "origin", "HEAD:main")
    start = time.perf_counter()
    done = sync(Git(str(ana)), "ana")
    elapsed = time.perf_counter() - start
    print(f"sync, {decisions:,} decisions ({decisions // 4:,} files also changed upstream): {elapsed:.2f} s, "
          f"{done.incoming} commit in, {done.pushed} out, {len(done.changed):,} files changed here")  # fmt: skip


def bench_day(work: Path, rounds: int, per_round: int) -> None:
    team = make_team(work / "day", articles=200)
    start = time.perf_counter()
    final, made = play_day(team, rounds=rounds, decisions=per_round)
    elapsed = time.perf_counter() - start
    check_day(team, final, made)
    print(f"day: {rounds} rounds, {made:,} decisions by two editors, the bot's updates: {elapsed:.1f} s; "
          f"upstream holds every value and all {made:,} log lines")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--files", type=int, default=100_000)
    parser.add_argument("--decisions", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=4)
    parser.add_argument("--per-round", type=int, default=100)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-git-") as tmp:
        work = Path(tmp)
        home = work / "home"
        home.mkdir()
        os.environ.update(GIT_ENV, HOME=str(home), XDG_CONFIG_HOME=str(home / ".config"))
        bench_status(work, args.files)
        bench_sync(work, args.decisions)
        bench_day(work, args.rounds, args.per_round)


if __name__ == "__main__":
    main()
