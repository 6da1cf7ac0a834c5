"""The tally: counting a batch at once gives what counting its articles one by one gives."""

import random

from reviewer.core.tally import Tally


class Counted:
    """What the tally reads of an article; hashed by identity, as Article is."""

    def __init__(self, published, decision, quality):
        self.published, self.decision, self.quality = published, decision, quality


def articles(n, seed, decided=True):
    rng = random.Random(seed)
    decisions = [None, ("approve", "ana", "2026-11-29T10:00:00Z"), ("reject", "ben", "2026-11-01T10:00:00Z")]
    decisions = decisions if decided else [None]
    return [
        Counted(
            published=rng.choice([True, False, None]),
            decision=rng.choice(decisions),
            quality=rng.choice([None, 0, 5, 80, 300]),
        )
        for _ in range(n)
    ]


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
        assert at_once._state == one_by_one._state  # what each article was counted as, for its next change
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
    told.add(batch, ([a.published for a in batch], [a.quality for a in batch]), undecided=True)
    asked.add(batch)
    assert told.states == asked.states
    assert told._state == asked._state
    assert (told.queue, told.decided, told.quality_range) == (asked.queue, asked.decided, asked.quality_range)
    assert told.queue == sum(1 for a in batch if a.published is False) > 0
