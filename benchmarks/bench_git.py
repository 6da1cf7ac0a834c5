"""Team review through git: status, sync of 1,000 decisions, and a scripted day.

    python benchmarks/bench_git.py [--files 100000] [--sizes 1000:250,10000:2500] [--old]
                                   [--rounds 4] [--per-round 100] [--only status|sync|day]

  status   Reviewer's status of a repository of --files articles (one uncommitted, a commit not
           pushed), against `git status --porcelain=v2` itself in the same run (goal: < 0.5 s)
  sync     for each decisions:shared size, the decisions saved in one clone while the bot pushed
           heat updates to `shared` of the same articles: commit, fetch, merge, push, end to end,
           against a plain `git pull --rebase` of as many changes to other articles, same run
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


def _decided(work: Path, name: str, decisions: int, others: int):
    """A team of decisions + others articles, and ana's clone with `decisions` saved decisions."""
    team = make_team(work / name, articles=decisions + others)
    ana = team("ana")
    rng = random.Random(1)
    values = {}
    for n in range(decisions):
        values[f"a{n}"] = rng.randint(0, 300)
        decide_named(ana, f"a{n}", "ana", "quality", values[f"a{n}"], 50)
    return team, ana, values


def _bot_heat(team, names: list[str]) -> None:
    bot = team.seed
    for name in names:
        path = bot / "_news" / f"{name}.md"
        path.write_text(set_keys(path.read_text(), {"heat": 7}))
    git_run(bot, "commit", "--quiet", "-am", "bot: heat")
    git_run(bot, "push", "--quiet", "origin", "HEAD:main")


def _plain_pull(work: Path, decisions: int, shared: int) -> tuple[float, float]:
    """The baseline: the same decisions committed by plain git, `shared` other articles changed
    upstream (nothing overlaps); git pull --rebase, then git push. Their times."""
    team, plain, _ = _decided(work, f"plain-{decisions}", decisions, shared)
    git_run(plain, "add", "-A")
    git_run(plain, "commit", "--quiet", "-m", "decisions")
    _bot_heat(team, [f"a{n}" for n in range(decisions, decisions + shared)])
    start = time.perf_counter()
    git_run(plain, "pull", "--quiet", "--rebase")
    pulled = time.perf_counter()
    git_run(plain, "push", "--quiet")
    return pulled - start, time.perf_counter() - pulled


def _reviewer_sync(work: Path, decisions: int, shared: int, old: bool = False) -> float:
    """Reviewer's sync of the decisions, `shared` of the same articles changed upstream: its time;
    checks that the upstream holds every value (the editor's quality, the bot's heat)."""
    team, ana, values = _decided(work, f"{'old' if old else 'sync'}-{decisions}", decisions, 0)
    step = max(1, decisions // shared)
    changed = [f"a{n}" for n in range(0, decisions, step)][:shared]
    _bot_heat(team, changed)
    replay_module = sys.modules["reviewer.core.git"]
    real = replay_module.replay
    if old:  # git's rebase with the merge driver per file, as sync did before

        def refuse(*args, **kwargs):
            raise replay_module.CannotReplay("measuring the rebase")

        replay_module.replay = refuse
    try:
        start = time.perf_counter()
        done = sync(Git(str(ana)), "ana")
        elapsed = time.perf_counter() - start
    finally:
        replay_module.replay = real
    assert done.pushed == 1, done
    upstream = team("check")
    for name, value in values.items():
        text = (upstream / "_news" / f"{name}.md").read_text()
        assert f"quality: {value}\n" in text, name
        assert ("heat: 7\n" in text) == (name in changed), name
    assert git_run(ana, "status", "--porcelain") == ""
    return elapsed


def bench_sync(work: Path, sizes: list[tuple[int, int]], old: bool, repeat: int) -> None:
    for decisions, shared in sizes:
        runs = []
        for n in range(repeat):  # each on fresh clones, the plain pull and the sync in turn
            pull, push = _plain_pull(work / f"{n}", decisions, shared)
            runs.append((pull, push, _reviewer_sync(work / f"{n}", decisions, shared)))
        pull, push, ours = (statistics.median(r[i] for r in runs) for i in range(3))
        print(f"sync, {decisions:,} decisions, {shared:,} of them changed upstream (medians of {repeat}): "
              f"Reviewer {ours:.2f} s (commit, fetch, merge, push); plain git pull --rebase of {shared:,} other "
              f"changes {pull:.2f} s, + push {push:.2f} s; ratio {ours / pull:.2f} to the pull (goal <= 3), "
              f"{ours / (pull + push):.2f} to pull + push; upstream holds every value; "
              f"runs: {', '.join(f'{o:.2f}/{p:.2f}' for p, _, o in runs)}")  # fmt: skip
        if old:
            before = _reviewer_sync(work / "old", decisions, shared, old=True)
            print(f"  the same with git's rebase and the merge driver per file (the earlier sync): {before:.2f} s "
                  f"(ratio {before / pull:.1f})")  # fmt: skip
            old = False


def bench_day(work: Path, rounds: int, per_round: int) -> None:
    for plain_bot in (False, True):
        team = make_team(work / f"day-{plain_bot}", articles=200)
        start = time.perf_counter()
        final, made = play_day(team, rounds=rounds, decisions=per_round, plain_bot=plain_bot)
        elapsed = time.perf_counter() - start
        check_day(team, final, made)
        bot = "the bot on plain git (setup-git), committing first, then git pull --rebase" if plain_bot else (
            "the bot pulling before it changes anything")  # fmt: skip
        print(f"day: {rounds} rounds, {made:,} decisions by two editors, {bot}: {elapsed:.1f} s; "
              f"upstream holds every value and all {made:,} log lines, no conflict")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--files", type=int, default=100_000)
    parser.add_argument(
        "--sizes", default="1000:250,10000:2500", help="decisions:shared pairs for the sync, comma separated"
    )
    parser.add_argument("--repeat", type=int, default=3, help="syncs of each size (medians)")
    parser.add_argument("--old", action="store_true", help="also time the earlier sync (rebase, a driver per file)")
    parser.add_argument("--only", choices=("status", "sync", "day"), help="run one part")
    parser.add_argument("--rounds", type=int, default=4)
    parser.add_argument("--per-round", type=int, default=100)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-git-") as tmp:
        work = Path(tmp)
        home = work / "home"
        home.mkdir()
        os.environ.update(GIT_ENV, HOME=str(home), XDG_CONFIG_HOME=str(home / ".config"))
        sizes = [(int(a), int(b)) for a, b in (pair.split(":") for pair in args.sizes.split(","))]
        if args.only in (None, "status"):
            bench_status(work, args.files)
        if args.only in (None, "sync"):
            bench_sync(work, sizes, args.old, args.repeat)
        if args.only in (None, "day"):
            bench_day(work, args.rounds, args.per_round)


if __name__ == "__main__":
    main()
