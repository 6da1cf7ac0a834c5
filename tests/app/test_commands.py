"""Undo commands: a batch is one step; nudges merge; undo brings back exactly what was there."""

from reviewer.app.commands import ORIGINAL, SetValues
from reviewer.core.article import Article, Identity


class Notes:
    """Stands in for the session: records what it is told changed."""

    def __init__(self):
        self.changed = []

    def notify_changed(self, articles):
        self.changed.append(list(articles))


def article(name: str, **meta) -> Article:
    return Article(f"/s/{name}.md", f"{name}.md", Identity(1, 1, b""), {"title": name, **meta})


def test_a_batch_is_one_command_and_undo_restores_each_value():
    notes = Notes()
    a, b = article("a", published=False), article("b")  # b has no published key
    command = SetValues(notes, "published", [(a, True), (b, True)], "Approved 2")
    command.redo()
    assert (a.published, b.published) == (True, True)
    command.undo()
    assert (a.published, b.published) == (False, None)
    assert a.edits == {}
    assert b.edits == {}
    assert notes.changed == [[a, b], [a, b]]


def test_original_drops_the_edit_and_undo_brings_it_back():
    a = article("a", quality=40)
    a.set("quality", 55)
    command = SetValues(Notes(), "quality", [(a, ORIGINAL)], "Revert")
    command.redo()
    assert a.edits == {}
    assert a.quality == 40
    command.undo()
    assert a.edits == {"quality": 55}


def test_nudges_of_the_same_articles_merge_into_one_step():
    a = article("a", quality=40)
    first = SetValues(Notes(), "quality", [(a, 45)], "+5", nudge=True)
    second = SetValues(Notes(), "quality", [(a, 50)], "+5", nudge=True)
    first.redo()
    second.redo()
    assert first.mergeWith(second)
    assert first.after == [50]
    first.undo()
    assert a.quality == 40
    other = SetValues(Notes(), "quality", [(article("b", quality=1), 6)], "+5", nudge=True)
    assert not first.mergeWith(other)  # other articles: a step of its own
    assert not first.mergeWith(SetValues(Notes(), "quality", [(a, 60)], "set"))  # not a nudge
