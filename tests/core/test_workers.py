"""Worker processes (core.workers): a background pool yields to the window's own threads."""

import os

import pytest

from reviewer.core.workers import BACKGROUND_NICE, Workers


@pytest.mark.parametrize("background", [False, True])
def test_background_workers_run_below_this_process(background):
    workers = Workers(background=background)
    try:
        pool = workers.get()
        if pool is None:
            pytest.skip("no process pool can be made here (no /dev/shm)")
        theirs = pool.submit(os.nice, 0).result(timeout=60)
    finally:
        workers.close()
    mine = os.nice(0)
    assert theirs == (min(19, mine + BACKGROUND_NICE) if background else mine)


SCRIPT = """
import os, sys, threading, time
from reviewer.core.library import _Chunk, _read
threading.Thread(target=time.sleep, args=(30,), daemon=True).start()  # a window's threads
paths = sorted(os.path.join(sys.argv[1], name) for name in os.listdir(sys.argv[1]))
chunk = _Chunk(stale=[(path, None, False) for path in paths], size=len(paths))  # as check_shown reads
read = sum(1 for _, reads in _read(sys.argv[1], iter([chunk]), True) for r in reads if r.item is not None)
print(read, "yaml_rs" in sys.modules)  # read here, the fast parser would be imported here
"""


def test_workers_started_by_a_fork_server_leave_their_parser_out_of_this_process(tmp_path):
    """With threads running (the window), workers come from a fork server, which imports what
    they need itself: the fast parser imported here first only held 5 MB of the window's memory
    (the check of a folder shown from its index reads what changed so)."""
    import subprocess
    import sys

    from reviewer.core.library import PARALLEL_CHUNK
    from reviewer.core.yaml_screen import fast_path

    if not fast_path()[0]:
        pytest.skip("the fast YAML path is off here: nothing to import")
    for n in range(PARALLEL_CHUNK * 2):
        (tmp_path / f"a{n}.md").write_text(f"---\ntitle: Article {n}\nquality: {n}\n---\nText\n")
    done = subprocess.run([sys.executable, "-c", SCRIPT, str(tmp_path)], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == [str(PARALLEL_CHUNK * 2), "False"]
