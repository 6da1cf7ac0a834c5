"""The tally: counting a batch at once gives what counting its articles one by one gives."""

import random

from reviewer.core.tally import Tally


class Counted:
    """What the tally reads of an article; hashed by identity, as Article is."""

    def __init__(self, published, decision, quality, relpath=""):
        self.published, self.decision, self.quality, self.relpath = published, decision, quality, relpath


def articles(n, seed, decided=True):
    rng = random.Random(seed)
    decisions = [None, ("approve", "ana", "2026-11-29T10:00:00Z"), ("reject", "ben", "2026-11-01T10:00:00Z")]
    decisions = decisions if decided else [None]
    return [
        Counted(
            published=rng.choice([True, False, None]),
            decision=rng.choice(decisions),
            quality=rng.choice([None, 0, 5, 80, 300]),
            relpath=f"_posts/{seed:02d}-{i:05d}.md",
        )
        for i in range(n)
    ]


def counted(tally, batch):
    return [tally.counted(a) for a in batch]


def test_a_batch_counts_as_its_articles_one_by_one():
    for seed in range(6):
        batch = articles(500, seed, decided=seed < 4)  # and batches without a decision (a folder without a log)
        views = {"high": lambda a: (a.quality or 0) >= 80, "unset": lambda a: a.published is None}
        at_once, one_by_one = Tally(), Tally()
        for tally in (at_once, one_by_one):
            tally.clear(since="2026-11-15")
            tally.set_views(views, [])
        at_once.add(batch[:250])
        at_once.add(batch[250:])
        for article in batch:
            one_by_one._count(article)
        assert at_once.states == one_by_one.states
        assert counted(at_once, batch) == counted(one_by_one, batch)  # what each was counted as, for its next change
        assert at_once.queue == one_by_one.queue
        assert at_once.decided == one_by_one.decided
        assert at_once.quality_range == one_by_one.quality_range
        assert {n: at_once.view(n) for n in views} == {n: one_by_one.view(n) for n in views}
        approved = sum(1 for a in batch if a.decision and a.decision[0] == "approve")
        assert at_once.decided == ({"approve": approved} if approved else {})


def test_a_batch_said_to_be_undecided_counts_as_one_whose_decisions_are_asked():
    batch = articles(400, 7, decided=False)
    told, asked = Tally(), Tally()
    for tally in (told, asked):
        tally.clear(since="2026-11-15")
    told.add(batch, known(batch), undecided=True)
    asked.add(batch)
    assert told.states == asked.states
    assert counted(told, batch) == counted(asked, batch)
    assert (told.queue, told.decided, told.quality_range) == (asked.queue, asked.decided, asked.quality_range)
    assert told.queue == sum(1 for a in batch if a.published is False) > 0


def known(batch):
    """A block's columns for its articles (article.column_values): relative paths, published, quality."""
    return [a.relpath for a in batch], [a.published for a in batch], [a.quality for a in batch]


def test_blocks_counted_as_runs_change_and_go_as_articles_counted_one_by_one():
    """A block's articles are kept as a run (core.runs); changing, removing and adding them
    again leaves every count where counting them one by one leaves it."""
    rng = random.Random(3)
    batch = articles(900, 5)
    views = {"high": lambda a: (a.quality or 0) >= 80}
    runs, one_by_one = Tally(), Tally()
    for tally in (runs, one_by_one):
        tally.clear(since="2026-11-15")
        tally.set_views(views, [])
    runs.add(batch[:300], known(batch[:300]))
    runs.add(batch[300:400])  # rows between two blocks: no relative paths given
    runs.add(batch[400:], known(batch[400:]))
    runs.add(batch[:10], known(batch[:10]))  # not after the runs before: counted one by one
    one_by_one.add(batch)
    one_by_one.add(batch[:10])
    assert len(runs._run_counts) == 2  # the two blocks were taken as runs
    for step in range(400):
        article = rng.choice(batch)
        if step % 3 == 0:
            article.published = rng.choice([True, False, None])
            article.decision = rng.choice([None, ("approve", "ana", "2026-11-29T10:00:00Z")])
            for tally in (runs, one_by_one):
                tally.changed([article])
        elif step % 3 == 1:
            for tally in (runs, one_by_one):
                tally.remove([article])
        else:
            for tally in (runs, one_by_one):
                tally.add([article])
        assert (runs.states, runs.queue, runs.decided) == (one_by_one.states, one_by_one.queue, one_by_one.decided)
        assert len(runs) == len(one_by_one)
        assert runs.view("high") == one_by_one.view("high")
    assert counted(runs, batch) == counted(one_by_one, batch)
    assert runs.counted(Counted(True, None, 0, batch[5].relpath)) is None  # another article at the same path
