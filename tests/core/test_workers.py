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
