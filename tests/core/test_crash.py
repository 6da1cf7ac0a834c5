"""kill -9 in the middle of `reviewer set --where`: every file is the old one or the new one, and the
next run leaves no temporary file behind.

Two trials over 200 files run with the suite; `make fuzz` runs 50 over 3,000
(REVIEWER_CRASH_TRIALS, REVIEWER_CRASH_FILES).
"""

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

from reviewer.core.frontmatter_text import set_keys

ROOT = Path(__file__).resolve().parents[2]
TRIALS = int(os.environ.get("REVIEWER_CRASH_TRIALS", "2"))
FILES = int(os.environ.get("REVIEWER_CRASH_FILES", "200"))
QUALITY = 777


def article(i: int) -> bytes:
    newline = "\r\n" if i % 7 == 0 else "\n"
    lines = ["---", f"title: Story number {i}", f"excerpt: Something happened, part {i}."]
    if i % 3:
        lines.append(f"quality: {i % 150}")
    lines += ["heat: -1", "published: false", "---", "Body " * (i % 50)]
    return newline.join(lines).encode()


def reviewer(*args: str) -> list[str]:
    return [sys.executable, "-m", "reviewer", *args]


def temporary_files(root: Path) -> list[str]:
    return [n for n in os.listdir(root) if n.endswith(".reviewer-tmp")]


def running_in_group(group: int) -> list[int]:
    """The processes of process group `group` that have not ended: a thread of one still runs.

    A killed process shows as a zombie as soon as its first thread has ended, while its other
    threads may still finish the system call they are in (creating a temporary file, say)."""
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
            if int(fields[2]) != group:
                continue
            states = []
            for task in os.listdir(f"/proc/{entry}/task"):
                with open(f"/proc/{entry}/task/{task}/stat") as f:
                    states.append(f.read().rsplit(")", 1)[1].split()[0])
        except OSError:
            continue  # ended while we looked
        if any(state != "Z" for state in states):
            found.append(int(entry))
    return found


def wait_for_group_to_end(group: int, limit: float = 30.0) -> list[int]:
    """Wait until every process of `group` has ended; those still running after `limit` s."""
    deadline = time.monotonic() + limit
    while (left := running_in_group(group)) and time.monotonic() < deadline:
        time.sleep(0.01)
    return left


def test_kill_9_during_set_leaves_each_file_old_or_new(tmp_path):
    root = tmp_path / "site"
    root.mkdir()
    originals = {f"{i:05}.md": article(i) for i in range(FILES)}
    expected = {name: set_keys(data.decode(), {"quality": QUALITY}).encode() for name, data in originals.items()}
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    command = reviewer("set", "--quality", str(QUALITY), "--where", "", str(root))

    def reset():
        for name, data in originals.items():
            (root / name).write_bytes(data)

    runs = []
    for _ in range(3):  # the first run can be slower (files and code not yet in memory)
        reset()
        start = time.perf_counter()
        subprocess.run(command, env=env, capture_output=True, check=True)
        runs.append(time.perf_counter() - start)
    full = sorted(runs)[1]
    rng = random.Random(11)
    damaged, mid_write, trials = [], 0, 0
    # TRIALS kills at least, and more (up to five times as many) until one has come in the
    # middle of writing: the case this test is about.
    while trials < TRIALS or (mid_write == 0 and trials < 5 * TRIALS):
        trials += 1
        reset()
        process = subprocess.Popen(
            command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True
        )
        time.sleep(rng.uniform(0.3, 0.95) * full)
        process.send_signal(signal.SIGKILL)  # the command alone: its worker processes must end with it
        process.wait()
        # A worker killed with it finishes the system call it is in first: on a slow disk, a
        # temporary file can appear after the command has ended. Look once all have ended.
        assert wait_for_group_to_end(process.pid) == [], "a worker process outlived the killed command"
        changed = 0
        for name in originals:
            data = (root / name).read_bytes()
            if data == expected[name]:
                changed += 1
            elif data != originals[name]:
                damaged.append(name)
        mid_write += 0 < changed < FILES
        # On a machine busy elsewhere a run's length moves: aim the next kill where writing was.
        full *= 0.8 if changed == FILES else 1.15 if changed == 0 else 1.0
        for name in temporary_files(root):  # the next run comes later: what a kill left is then old
            then = time.time() - 120
            os.utime(root / name, (then, then))
        subprocess.run(command, env=env, capture_output=True)
        assert temporary_files(root) == []
        assert all((root / name).read_bytes() == expected[name] for name in originals)
    assert damaged == []
    assert mid_write >= 1, f"none of {trials} kills came in the middle of writing"
    print(f"{trials} kills, {mid_write} in the middle of writing, {FILES} files each: 0 damaged")
