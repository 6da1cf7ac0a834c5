"""Kill `reviewer set --where` at random moments; count the changed files left out of the log.

    python benchmarks/kill_set.py [--files 3000] [--kills 100] [--code DIR]

Each trial flips `published` on every file of a folder (approve where published:false, then
reject where published:true), kills the run with SIGKILL at a random moment of it, then runs
`reviewer log` on the folder: the next run. A file whose bytes the killed run changed must
have that run's decision in the log by then. Counted over all trials: such files missing
from the log, torn (unreadable) lines in the log, and lines logged twice.

`--code DIR` runs the `reviewer` of another checkout (an earlier commit) in the same way,
for a before-and-after in one run.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent.parent


def make_site(root: Path, files: int) -> None:
    (root / "_config.yml").write_text("title: Killed\n")
    for n in range(files):
        folder = root / "_posts" / f"{n // 500:02d}"
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"2026-01-01-story-{n}.md").write_text(
            f"---\ntitle: Story {n}\nprovider:\n  name: Wire {n % 7}\npublished: false\n"
            f"quality: {n % 90}\n---\n\nText {n}.\n"
        )


def digests(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): hashlib.sha1(p.read_bytes()).digest() for p in root.glob("_posts/*/*.md")}


def read_log(root: Path) -> tuple[list[dict], int]:
    path = root / ".reviewer" / "decisions.jsonl"
    if not path.exists():
        return [], 0
    records, torn = [], 0
    for line in path.read_text(encoding="utf-8", errors="replace").split("\n"):
        if not line:
            continue
        try:
            records.append(json.loads(line))
        except ValueError:
            torn += 1
    return records, torn


def run(code: Path, env: dict[str, str], *args: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "reviewer", *args],
        cwd=code,
        env={**env, "PYTHONPATH": str(code)},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def trials(code: Path, files: int, kills: int, seed: int) -> dict[str, int]:
    rng = random.Random(seed)
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "site"
        root.mkdir()
        make_site(root, files)
        env = {**os.environ, **{k: f"{tmp}/{k}" for k in ("XDG_DATA_HOME", "XDG_CONFIG_HOME", "XDG_CACHE_HOME")}}
        env["REVIEWER_NO_INDEX"] = "1"
        start = time.perf_counter()
        run(code, env, "list", str(root)).wait()  # imports compiled, page cache warm
        # One whole run each way: how long a run takes, so the kills fall anywhere in one.
        start = time.perf_counter()
        run(code, env, "set", "--published", "true", "--where", "published:false", str(root)).wait()
        run(code, env, "set", "--published", "false", "--where", "published:true", str(root)).wait()
        span = (time.perf_counter() - start) / 2
        found = {"kills": 0, "changed": 0, "unlogged": 0, "torn": 0, "twice": 0, "span_ms": round(span * 1000)}
        for trial in range(kills):
            approve = trial % 2 == 0
            before = digests(root)
            since = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(time.time() - 1))
            flag, query = ("true", "published:false") if approve else ("false", "published:true")
            process = run(code, env, "set", "--published", flag, "--where", query, str(root), "--editor", f"t{trial}")
            time.sleep(rng.uniform(0, span))
            process.send_signal(signal.SIGKILL)
            process.wait()
            found["kills"] += 1
            run(code, env, "log", str(root)).wait()  # the next run
            after = digests(root)
            changed = [path for path, digest in after.items() if before.get(path) != digest]
            records, torn = read_log(root)
            logged = {r.get("path") for r in records if r.get("editor") == f"t{trial}" and r.get("time", "") >= since}
            found["changed"] += len(changed)
            found["unlogged"] += sum(path not in logged for path in changed)
            found["torn"] = torn
            lines = [(r.get("time"), r.get("editor"), r.get("path")) for r in records]
            found["twice"] = len(lines) - len(set(lines))
            # Whatever the kill left undone is finished, so that each trial starts from one state.
            run(code, env, "set", "--published", flag, "--where", query, str(root), "--editor", "finish").wait()
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=3000)
    parser.add_argument("--kills", type=int, default=100)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--code", type=Path, action="append", default=[], help="another checkout to run too")
    args = parser.parse_args()
    for code in [HERE, *args.code]:
        found = trials(code, args.files, args.kills, args.seed)
        print(f"{code}: " + ", ".join(f"{k} {v:,}" for k, v in found.items()), flush=True)


if __name__ == "__main__":
    main()
