"""Team review on a real site, black-box: the reviewer command line and plain git, nothing else.

    python benchmarks/blackbox_team.py [SITE] [--decided 400] [--shared 250]

SITE (default ../shared/corpus/azure-2021q1) is copied into a temporary folder and pushed to a
local bare repository. Then, as a newsroom would:

1. the editor's clone runs `reviewer setup-git --tracked` and pushes the .gitattributes it
   wrote; the bot's clone is plain git with only the two `git config` lines it printed;
2. the editor approves --decided articles with `reviewer set`; meanwhile the bot rewrites
   `heat` (the line between `quality` and `published`) in --shared of the same articles and
   commits first;
3. the editor runs `reviewer sync` (timed); the bot then runs plain `git pull --rebase`
   (it must merge with no conflict) and pushes;
4. a fresh clone must hold every value: the editor's `published: true`, the bot's heat.

The baseline, in the same run on a copy of the same start: plain git commits the same
decisions and runs `git pull --rebase` of --shared heat changes to *other* articles.
"""

from __future__ import annotations

import argparse
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REVIEWER = [sys.executable, "-m", "reviewer"]
ENV = {"GIT_CONFIG_NOSYSTEM": "1", "PYTHONPATH": str(HERE.parent)}


def run(cwd: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(args, cwd=cwd, capture_output=True, text=True, env={**os.environ, **ENV})
    if check and done.returncode != 0:
        raise SystemExit(f"blackbox: {' '.join(args[:4])} failed ({done.returncode}):\n{done.stdout}{done.stderr}")
    return done


def git(cwd: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    return run(cwd, "git", *args, check=check)


def clone(origin: Path, path: Path, name: str) -> Path:
    git(origin.parent, "clone", "--quiet", str(origin), str(path))
    git(path, "config", "user.name", name)
    git(path, "config", "user.email", f"{name}@example.com")
    return path


def set_heat(folder: Path, names: list[str], rng: random.Random) -> dict[str, int]:
    """The bot's rewrite of `heat` in these articles, as a text edit; the new values."""
    values = {}
    for name in names:
        path = folder / name
        values[name] = rng.randint(1000, 9999)
        text, count = re.subn(r"^heat: .*$", f"heat: {values[name]}", path.read_text(), count=1, flags=re.M)
        assert count == 1, name
        path.write_text(text)
    git(folder, "commit", "--quiet", "-am", f"bot: heat of {len(names)} articles")
    return values


def start(work: Path, site: Path) -> Path:
    seed = work / "seed"
    shutil.copytree(site, seed, ignore=shutil.ignore_patterns("same-story-truth.json"))
    for path in seed.rglob("*"):
        path.chmod(path.stat().st_mode | 0o200)
    git(work, "init", "--quiet", "-b", "main", str(seed))
    git(seed, "add", "-A")
    git(seed, "-c", "user.name=Site", "-c", "user.email=site@example.com", "commit", "--quiet", "-m", "the site")
    origin = work / "origin.git"
    git(work, "clone", "--quiet", "--bare", str(seed), str(origin))
    return origin


def baseline(work: Path, origin: Path, decided: list[str], others: list[str], rng: random.Random) -> float:
    """Plain git: the same decisions committed, a pull --rebase of heat changes elsewhere."""
    copy = work / "plain-origin.git"
    git(work, "clone", "--quiet", "--bare", str(origin), str(copy))
    editor, bot = clone(copy, work / "plain-editor", "editor"), clone(copy, work / "plain-bot", "bot")
    run(editor, *REVIEWER, "set", "--published", "true", "--editor", "editor", *decided)
    git(editor, "add", "-A")
    git(editor, "commit", "--quiet", "-m", "decisions")
    set_heat(bot, others, rng)
    git(bot, "push", "--quiet", "origin", "HEAD:main")
    began = time.perf_counter()
    git(editor, "pull", "--quiet", "--rebase")
    return time.perf_counter() - began


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("site", nargs="?", default=str(HERE.parent.parent / "shared" / "corpus" / "azure-2021q1"))
    parser.add_argument("--decided", type=int, default=400)
    parser.add_argument("--shared", type=int, default=250)
    args = parser.parse_args()
    site = Path(args.site)
    if not (site / "_news").is_dir():
        raise SystemExit(f"blackbox: no site at {site} (its _news/ folder is missing)")
    rng = random.Random(5)
    with tempfile.TemporaryDirectory(prefix="blackbox-team-") as tmp:
        work = Path(tmp)
        home = work / "home"
        home.mkdir()
        os.environ.update(HOME=str(home), XDG_CONFIG_HOME=str(home / ".config"), XDG_DATA_HOME=str(home / ".data"))
        origin = start(work, site)
        names = sorted(p.relative_to(site).as_posix() for p in (site / "_news").glob("*.md"))
        decided = names[: args.decided]
        shared = rng.sample(decided, args.shared)
        others = rng.sample(names[args.decided :], args.shared)
        plain = baseline(work, origin, decided, others, rng)

        editor, bot = clone(origin, work / "editor", "editor"), clone(origin, work / "bot", "bot")
        said = run(editor, *REVIEWER, "setup-git", ".", "--tracked").stdout
        lines = [line.strip() for line in said.splitlines() if line.strip().startswith("git config merge.")]
        assert len(lines) == 2, said
        git(editor, "add", ".gitattributes")
        git(editor, "commit", "--quiet", "-m", "merge articles key by key")
        git(editor, "push", "--quiet")
        git(bot, "pull", "--quiet")
        for line in lines:  # what the bot's maintainer pastes: plain git config, nothing of Reviewer's
            run(bot, "sh", "-c", line)

        run(editor, *REVIEWER, "set", "--published", "true", "--editor", "editor", *decided)
        heat = set_heat(bot, shared, rng)  # the bot commits first, as a bot does
        began = time.perf_counter()
        synced = run(editor, *REVIEWER, "sync", ".", "--editor", "editor", check=False)
        ours = time.perf_counter() - began
        if synced.returncode != 0:
            raise SystemExit(f"blackbox: reviewer sync failed:\n{synced.stdout}{synced.stderr}")
        began = time.perf_counter()
        pulled = git(bot, "pull", "--rebase", check=False)
        bot_pull = time.perf_counter() - began
        conflicts = git(bot, "diff", "--name-only", "--diff-filter=U").stdout.split()
        if pulled.returncode != 0 or conflicts:
            raise SystemExit(f"blackbox: the bot's plain git pull --rebase did not merge: {conflicts[:5]}\n"
                             f"{pulled.stdout}{pulled.stderr}")  # fmt: skip
        git(bot, "push", "--quiet")

        final = clone(origin, work / "final", "check")
        wrong = []
        for name in names:
            text = (final / name).read_text()
            if name in decided and "\npublished: true\n" not in text:
                wrong.append(f"{name}: not published")
            if name in heat and f"\nheat: {heat[name]}\n" not in text:
                wrong.append(f"{name}: heat lost")
            if "<<<<<<<" in text or ">>>>>>>" in text:
                wrong.append(f"{name}: conflict markers")
        log = (final / ".reviewer" / "decisions.jsonl").read_text().splitlines()
        if len(log) != len(decided):
            wrong.append(f"the log holds {len(log)} decisions, not {len(decided)}")
        print(f"{site.name}: {len(names)} articles, {len(decided)} approved by the editor, {len(shared)} of them "
              f"changed by the bot meanwhile (heat, committed first)")  # fmt: skip
        print(f"  reviewer sync {ours:.2f} s; plain git pull --rebase of {len(others)} other changes {plain:.2f} s; "
              f"ratio {ours / plain:.2f} (goal <= 3)")  # fmt: skip
        print(f"  the bot's plain git pull --rebase after committing first: merged, 0 conflicts ({bot_pull:.2f} s, "
              f"the merge driver per shared file)")  # fmt: skip
        print(
            f"  upstream: {len(decided)} approvals, {len(heat)} heat values, {len(log)} log lines: "
            + ("all there, no conflict marker" if not wrong else f"{len(wrong)} wrong: {wrong[:5]}")
        )
        if wrong:
            raise SystemExit(1)


if __name__ == "__main__":
    main()
