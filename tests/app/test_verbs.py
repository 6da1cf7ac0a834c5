"""Every verb of the editor through the app layer alone (no window), on the runner the tests
use (SyncRunner) and on the ones the window uses (ThreadRunner, and Slicer for work in steps):
what the file says afterwards and what the review log holds."""

import json
from pathlib import Path

import pytest

from reviewer.app.session import Session
from reviewer.app.tasks import SyncRunner, ThreadRunner
from reviewer.app.workflow import Workflow, batch_question

ARTICLE = "---\ntitle: Story {n}\npublished: {published}\nquality: {quality}\n---\n\nText {n}.\n"


@pytest.fixture
def site(tmp_path) -> Path:
    root = tmp_path / "site"
    (root / "_posts").mkdir(parents=True)
    (root / "_config.yml").write_text("title: Verbs\n")
    for n in range(6):
        published = "true" if n == 5 else "false"
        (root / "_posts" / f"s{n}.md").write_text(ARTICLE.format(n=n, published=published, quality=10 + n))
    return root


@pytest.fixture(params=["sync", "threads"])
def opened(request, qtbot, site, tmp_path):
    """A session on the site, loaded and its log read, with the runner of the parameter."""
    runner = SyncRunner() if request.param == "sync" else ThreadRunner()
    session = Session(runner, watch=False, log_dir=str(tmp_path / "data"), editor="ana")
    assert (session.slicer is not None) == (request.param == "threads")  # the window's work in steps
    session.open(str(site))
    qtbot.waitUntil(lambda: not session.loading and session.review is not None and len(session.articles) == 6)
    qtbot.waitUntil(lambda: not session.clusters.busy)
    yield session
    if isinstance(runner, ThreadRunner):
        runner.wait()


def by_name(session, name):
    return next(a for a in session.articles if a.relpath.endswith(name))


def saved(qtbot, session, articles=None):
    reports = []
    session.save_finished.connect(reports.append)
    assert session.save(articles)
    qtbot.waitUntil(lambda: bool(reports))
    session.save_finished.disconnect(reports.append)
    return reports[0]


def log(site: Path) -> list[dict]:
    path = site / ".reviewer" / "decisions.jsonl"
    return [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []


def test_approve_writes_published_and_logs_the_approval(opened, site, qtbot):
    article = by_name(opened, "s0.md")
    opened.approve([article], "a")
    assert article.needs_saving
    assert opened.modified == [article]
    report = saved(qtbot, opened)
    assert "published: true\n" in (site / "_posts" / "s0.md").read_text()
    assert [(d["path"], d["decision"], d["editor"]) for d in log(site)] == [("_posts/s0.md", "approve", "ana")]
    assert report.logged == 1
    assert not article.needs_saving
    assert article.logged[0] == "approve"


def test_reject_of_an_unpublished_article_changes_no_byte_and_is_logged(opened, site, qtbot):
    article = by_name(opened, "s1.md")
    before = (site / "_posts" / "s1.md").read_bytes()
    opened.reject([article], "x")
    assert article.needs_saving
    assert not article.edits
    saved(qtbot, opened)
    assert (site / "_posts" / "s1.md").read_bytes() == before
    assert [d["decision"] for d in log(site)] == ["reject"]


def test_rate_and_nudge_write_the_quality_one_undo_step_for_repeated_nudges(opened, site, qtbot):
    first, second = by_name(opened, "s2.md"), by_name(opened, "s3.md")
    opened.set_quality([first], 70, "q")
    opened.nudge_quality([second], 5, "+5")
    opened.nudge_quality([second], 5, "+5")
    assert opened.undo_stack.count() == 2  # the nudges merged
    saved(qtbot, opened)
    assert "quality: 70\n" in (site / "_posts" / "s2.md").read_text()
    assert "quality: 23\n" in (site / "_posts" / "s3.md").read_text()
    assert sorted((d["path"], d["decision"], d["changes"]["quality"][1]) for d in log(site)) == [
        ("_posts/s2.md", "quality", 70),
        ("_posts/s3.md", "quality", 23),
    ]


def test_revert_discard_and_undo_leave_nothing_to_save_or_log(opened, site, qtbot):
    a, b, c = by_name(opened, "s0.md"), by_name(opened, "s1.md"), by_name(opened, "s2.md")
    opened.approve([a], "a")
    opened.revert([a])
    opened.reject([b], "x")
    opened.undo_stack.undo()
    opened.nudge_quality([c], 1, "+1")
    opened.discard()
    assert not any(x.needs_saving for x in (a, b, c))
    assert opened.modified == []
    report = saved(qtbot, opened)
    assert report.logged == 0
    assert report.saved == []
    assert log(site) == []
    assert "published: false\n" in (site / "_posts" / "s0.md").read_text()


def test_save_one_saves_that_article_alone(opened, site, qtbot):
    a, b = by_name(opened, "s0.md"), by_name(opened, "s1.md")
    opened.approve([a, b], "both")
    saved(qtbot, opened, [b])
    assert "published: true\n" in (site / "_posts" / "s1.md").read_text()
    assert "published: false\n" in (site / "_posts" / "s0.md").read_text()
    assert a.needs_saving
    assert [d["path"] for d in log(site)] == ["_posts/s1.md"]


def test_a_save_asked_for_while_one_runs_goes_next_and_then_runs_after_both(opened, site, qtbot):
    workflow = Workflow(opened)
    a, b = by_name(opened, "s0.md"), by_name(opened, "s1.md")
    opened.approve([a], "a")
    opened.saver.saving = True  # an earlier save is under way
    queued, after = [], []
    workflow.save_queued.connect(lambda: queued.append(1))
    workflow.save([a], then=lambda report: after.append(report.logged))
    assert queued == [1]
    assert a.needs_saving
    opened.saver.saving = False
    opened.approve([b], "b")
    workflow.save([b])
    qtbot.waitUntil(lambda: not a.needs_saving and not b.needs_saving)
    qtbot.waitUntil(lambda: bool(after))
    assert sorted(d["path"] for d in log(site)) == ["_posts/s0.md", "_posts/s1.md"]


def test_save_each_decision_saves_as_the_editor_decides(opened, site, qtbot):
    workflow = Workflow(opened, save_each_decision=lambda: True)
    article = by_name(opened, "s4.md")
    opened.approve([article], "a")
    workflow.decided([article])
    qtbot.waitUntil(lambda: not article.needs_saving)
    assert "published: true\n" in (site / "_posts" / "s4.md").read_text()


def test_a_batch_asks_first_above_the_threshold_counting_what_changes(opened):
    articles = list(opened.articles)  # five unpublished, one published
    assert batch_question(True, articles, threshold=10) is None
    question = batch_question(True, articles, threshold=3)
    assert question is not None
    assert question.button == "Approve 5"
    assert "(1 of the 6 selected are already published)" in question.text
