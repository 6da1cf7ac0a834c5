"""Background tasks: results and reports arrive on the GUI thread, intact."""

import gc
import os
import subprocess
import sys
import threading
from pathlib import Path

from reviewer.app.tasks import Collector, SyncRunner, ThreadRunner

CROSS_THREAD = """
import sys, threading
from PySide6.QtCore import QCoreApplication
from reviewer.app.tasks import ThreadRunner
app = QCoreApplication([])
runner = ThreadRunner()
done = []
for i in range(2500):
    runner.start(lambda ctx: (ctx.report(None), True)[1], lambda r: None, lambda r, e: done.append(r))
while len(done) < 2500:
    app.processEvents()
print("ok", sys.getrefcount(None) > 100)
"""


def test_thread_runner_delivers_results_on_the_gui_thread(qtbot):
    runner = ThreadRunner()
    seen = []
    main = threading.get_ident()

    def work(ctx):
        ctx.report(("progress", threading.get_ident()))
        return threading.get_ident()

    runner.start(
        work,
        lambda r: seen.append(("report", threading.get_ident(), r)),
        lambda result, error: seen.append(("done", threading.get_ident(), result, error)),
    )
    qtbot.waitUntil(lambda: any(s[0] == "done" for s in seen))
    report = next(s for s in seen if s[0] == "report")
    done = next(s for s in seen if s[0] == "done")
    assert report[1] == main
    assert done[1] == main
    assert done[2] != main
    assert done[3] is None


def test_a_report_waits_while_the_gui_thread_is_behind_and_never_for_ever():
    """With a backlog of one, the second report is sent only once the first is taken; a
    cancelled task's report does not wait."""
    from reviewer.app.tasks import Context

    sent = []
    context = Context(sent.append, backlog=1)
    context.report(1)
    second = threading.Thread(target=context.report, args=(2,))
    second.start()
    second.join(0.05)  # long enough to send, were it not waiting
    assert sent == [1]
    assert second.is_alive()
    context.taken()
    second.join(5)
    assert sent == [1, 2]
    assert not second.is_alive()
    context.cancel()
    context.report(3)  # the backlog is full, but the task is cancelled: sent at once
    assert sent == [1, 2, 3]


def test_a_held_task_waits_at_its_next_report_until_released_once(monkeypatch):
    """The GUI thread holds a task (the window showing its first article): the task's next
    report waits, though every report so far was taken, and goes once released. A second
    release does not let a report through that the backlog holds."""
    from reviewer.app import tasks

    monkeypatch.setattr(tasks, "BACKLOG_WAIT_S", 60)  # only the release lets the report go
    sent = []
    context = tasks.Context(sent.append, backlog=1)
    context.report(1)
    release = context.hold()
    context.taken()  # the first report handled; the hold stays
    second = threading.Thread(target=context.report, args=(2,))
    second.start()
    second.join(0.05)
    assert sent == [1]
    assert second.is_alive()
    release()
    second.join(5)
    assert sent == [1, 2]
    release()  # once only: the second report is not taken yet, so a third still waits
    third = threading.Thread(target=context.report, args=(3,))
    third.start()
    third.join(0.05)
    assert sent == [1, 2]
    context.taken()
    third.join(5)
    assert sent == [1, 2, 3]
    unbounded = tasks.Context(sent.append)  # without a backlog nothing waits
    unbounded.hold()
    unbounded.report(4)
    assert sent[-1] == 4


def test_a_thread_runner_takes_each_report_it_delivers(qtbot):
    runner = ThreadRunner()
    seen = []
    context = runner.start(lambda ctx: [ctx.report(n) for n in range(20)], seen.append, backlog=1)
    qtbot.waitUntil(lambda: len(seen) == 20)
    assert seen == list(range(20))
    assert context._pending == 0  # every one taken: none waited out its time


def test_errors_come_back_as_values():
    seen = []
    SyncRunner().start(lambda ctx: 1 / 0, on_done=lambda r, e: seen.append((r, type(e))))
    assert seen == [(None, ZeroDivisionError)]


def test_cross_thread_signals_keep_reference_counts():
    """PySide6 6.12.0 crashed here (a reference count of None or True dropping to zero)."""
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", PYTHONPATH=str(Path(__file__).resolve().parents[2]))
    out = subprocess.run([sys.executable, "-c", CROSS_THREAD], capture_output=True, text=True, env=env, timeout=120)
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.strip() == "ok True"


def test_a_slicer_runs_no_step_while_paused_and_all_of_them_after(qtbot):
    from reviewer.app.tasks import Slicer

    ran, results = [], []
    hold = [True]

    def steps():
        for n in range(5):
            ran.append(n)
            yield
        return "done"

    from PySide6.QtCore import QObject

    owner = QObject()  # as in the window: the slicer and its timer live as long as their owner
    slicer = Slicer(budget_ms=1, parent=owner)
    slicer.start(steps(), lambda result, error: results.append((result, error)), paused=lambda: hold[0])
    qtbot.wait(120)  # two looks at least, 50 ms apart
    assert ran == []
    assert results == []
    hold[0] = False
    qtbot.waitUntil(lambda: results == [("done", None)])
    assert ran == [0, 1, 2, 3, 4]
    qtbot.wait(10)  # the finished timer's deferred deletion, while its owner is alive


def test_the_collector_is_off_while_anything_holds_it_and_on_after_the_last():
    assert gc.isenabled()
    collector = Collector()
    collector.hold("loading")
    collector.hold("loading")  # a second folder opened while the first loaded: still one holder
    collector.hold("a sort")
    assert not gc.isenabled()
    collector.release("loading")
    assert not gc.isenabled()  # the sort still runs
    collector.release("a sort")
    collector.release("a sort")  # let go twice: nothing more
    assert gc.isenabled()
    assert gc.get_freeze_count() > 0
    gc.disable()  # off for a reason of its own: the holders leave it so
    collector.hold("loading")
    collector.release("loading")
    assert not gc.isenabled()
    gc.enable()
