"""The list model without a window: rows, refresh, sorting and filtering, also when they finish later."""

import os

from hypothesis import given, settings
from hypothesis import strategies as st
from PySide6.QtCore import Qt

from reviewer.core.article import Article, Identity
from reviewer.core.ordering import run
from reviewer.core.query import compile_query
from reviewer.ui.article_model import ArticleTableModel, Column


class LaterSlicer:
    """Keeps each piece of work until the test runs it, in an order the test picks."""

    def __init__(self):
        self.tasks = []

    def start(self, steps, on_done):
        self.tasks.append((steps, on_done))

    def run(self, index: int = 0) -> None:
        steps, on_done = self.tasks.pop(index)
        on_done(run(steps), None)

    def run_all(self) -> None:
        while self.tasks:
            self.run()


def sorting_tasks(runner: LaterSlicer) -> list:
    """The tasks waiting, but for working out the rank of a new order (filtering's, see core.ordering)."""
    return [steps for steps, _ in runner.tasks if steps.__name__ not in ("ranking", "until")]


def make(title: str, published, quality: int, date: str) -> Article:
    meta = {"title": title, "published": published, "quality": quality, "publishedDateTime": date}
    if published is None:
        del meta["published"]
    return Article(f"/site/{title}.md", f"{title}.md", Identity(1, 1, b""), meta)


def articles():
    return [
        make("delta", False, 10, "2024-04"),
        make("alpha", True, 40, "2024-01"),
        make("charlie", False, 30, "2024-03"),
        make("bravo", None, 20, "2024-02"),
        make("echo", False, 50, "2024-05"),
    ]


def titles(model) -> list[str]:
    return [model.article(r).title for r in range(model.rowCount())]


def test_the_model_passes_qt_model_tester_through_appends_refreshes_and_removals(qtmodeltester):
    model = ArticleTableModel()
    qtmodeltester.check(model)
    items = articles()
    model.append(items[:3])
    model.append(items[3:])
    model.sort(Column.TITLE, Qt.AscendingOrder)
    model.set_predicate(compile_query("published:false"))
    items[0].set("published", True)
    model.refresh([items[0]])
    items[1].set("published", False)
    items[3].set("published", False)
    model.refresh([items[1], items[3]])
    model.remove([items[2]])
    assert titles(model) == ["alpha", "bravo", "echo"]
    qtmodeltester.check(model)


def test_a_batch_leaving_the_view_is_one_layout_change(qtbot):
    model = ArticleTableModel()
    items = articles()
    model.append(items)
    model.set_predicate(compile_query("published:false"))
    signals = []
    model.layoutChanged.connect(lambda *a: signals.append("layout"))
    model.rowsRemoved.connect(lambda *a: signals.append("removed"))
    model.modelReset.connect(lambda *a: signals.append("reset"))
    for article in items:
        article.set("published", True)
    model.refresh(items)
    assert signals == ["layout"]
    assert model.rowCount() == 0


def test_sorting_later_lands_in_one_layout_change_and_is_kept_for_the_next_time():
    runner = LaterSlicer()
    model = ArticleTableModel(slicer=runner, at_once=0)
    model.append(articles())
    sorted_ = []
    model.sorted_.connect(lambda: sorted_.append(titles(model)))
    model.sort(Column.TITLE, Qt.AscendingOrder)
    assert titles(model) == ["delta", "alpha", "charlie", "bravo", "echo"]  # not yet
    runner.run_all()
    assert sorted_ == [["alpha", "bravo", "charlie", "delta", "echo"]]
    model.sort(Column.TITLE, Qt.DescendingOrder)  # the order and its rank are known: no task
    assert runner.tasks == []
    assert titles(model) == ["echo", "delta", "charlie", "bravo", "alpha"]


def test_an_order_computed_before_articles_came_is_dropped():
    runner = LaterSlicer()
    model = ArticleTableModel(slicer=runner, at_once=0)
    items = articles()
    model.append(items[:3])
    model.sort(Column.TITLE, Qt.AscendingOrder)
    model.append(items[3:])  # while the sort ran
    runner.run_all()
    assert titles(model) == ["delta", "alpha", "charlie", "bravo", "echo"]  # left as it was
    model.sort(Column.TITLE, Qt.AscendingOrder)
    runner.run_all()
    assert titles(model) == ["alpha", "bravo", "charlie", "delta", "echo"]


def test_an_edit_drops_the_quality_order_but_not_the_title_order():
    runner = LaterSlicer()
    model = ArticleTableModel(slicer=runner, at_once=0)
    items = articles()
    model.append(items)
    for column in (Column.QUALITY, Column.TITLE):
        model.sort(column, Qt.AscendingOrder)
        runner.run_all()
    items[0].set("quality", 99)
    model.refresh([items[0]])
    model.sort(Column.TITLE, Qt.AscendingOrder)
    assert sorting_tasks(runner) == []  # still known
    model.sort(Column.QUALITY, Qt.AscendingOrder)
    assert len(sorting_tasks(runner)) == 1  # computed again, with the new quality
    runner.run_all()
    assert titles(model)[-1] == "delta"


def test_an_article_changed_while_the_filter_ran_is_looked_at_again():
    runner = LaterSlicer()
    model = ArticleTableModel(slicer=runner, at_once=0)
    items = articles()
    model.append(items)
    landed = []
    model.filtered.connect(lambda: landed.append(titles(model)))
    model.set_predicate(compile_query("published:false"))
    items[0].set("published", True)  # approved while the filter ran
    model.refresh([items[0]])
    runner.run_all()
    assert landed == [["charlie", "echo"]]


def test_only_the_last_filter_asked_for_lands_and_callbacks_wait_for_it():
    runner = LaterSlicer()
    model = ArticleTableModel(slicer=runner, at_once=0)
    model.append(articles())
    model.set_predicate(compile_query("published:false"))
    model.set_predicate(compile_query("published:true"))
    after = []
    model.when_filtered(lambda: after.append(titles(model)))
    runner.run(1)  # the later one finishes first
    runner.run(0)
    assert titles(model) == ["alpha"]
    assert after == [["alpha"]]


def test_a_large_folder_is_filtered_in_the_order_it_was_read_and_shown_in_the_sort_order():
    items = [make(f"t{n:03}", n % 3 == 0, n * 7 % 101, f"2024-{n % 12 + 1:02}") for n in range(120)]
    runner = LaterSlicer()
    model = ArticleTableModel(slicer=runner, at_once=10)  # 120 is "large" here
    model.append(items[:100])
    model.sort(Column.QUALITY, Qt.DescendingOrder)
    runner.run_all()  # the sort, then the rank of its order

    def shown(query: str) -> list[str]:
        model.set_predicate(compile_query(query))
        runner.run_all()
        return titles(model)

    def expected(query: str) -> list[str]:
        """The whole view, in its order, filtered here."""
        everything = shown("")
        predicate, by_title = compile_query(query), {a.title: a for a in items}
        return [t for t in everything if predicate(by_title[t])]

    assert model._current_rank() is not None
    assert shown("published:true") == expected("published:true")
    assert 0 < len(shown("published:true")) < 100
    model.append(items[100:])  # the rank is out of date: the next filter works it out again
    model.resort()
    runner.run(0)  # the sort only: the filter below must not use the old rank
    assert shown("quality:>=50") == expected("quality:>=50")
    model.sort(Column.TITLE, Qt.AscendingOrder)
    runner.run_all()
    assert shown("quality:>=50") == sorted(a.title for a in items if a.quality >= 50)
    model.sort(Column.TITLE, Qt.DescendingOrder)  # the order known: the rank turned round at once
    rank = model._current_rank()
    assert rank is not None
    assert rank[1] is True
    assert shown("quality:>=50") == sorted((a.title for a in items if a.quality >= 50), reverse=True)
    model.remove(items[:50])
    assert shown("-published:true") == sorted((a.title for a in items[50:] if not a.published), reverse=True)


def test_orders_worked_out_ahead_go_in_steps_even_in_a_small_folder_and_a_click_sorts_at_once():
    """Five sorts at once held a 20,000-article window for 90 ms after loading."""
    runner = LaterSlicer()
    model = ArticleTableModel(slicer=runner, at_once=1000)  # five articles: a small folder
    model.append(articles())
    model.prepare_orders()
    assert len(sorting_tasks(runner)) == 1  # waiting for turns of the event loop
    model.sort(Column.TITLE, Qt.AscendingOrder)  # a click meanwhile: at once
    assert titles(model) == ["alpha", "bravo", "charlie", "delta", "echo"]
    runner.run_all()
    model.sort(Column.PROVIDER, Qt.AscendingOrder)  # worked out ahead: no new task
    assert sorting_tasks(runner) == []


class Counted(list):
    """A view's rows that count the searches made in them."""

    searches = 0

    def index(self, *args):
        Counted.searches += 1
        return super().index(*args)


def test_the_row_of_an_article_that_just_left_is_none_without_a_search_until_the_view_changes():
    model = ArticleTableModel()
    items = articles()
    model.append(items)
    model.sort(Column.TITLE, Qt.AscendingOrder)
    model.set_predicate(compile_query("published:false"))
    delta, echo = items[0], items[4]
    model._rows = Counted(model._rows)
    delta.set("published", True)
    model.refresh([delta])  # a triage decision: it leaves the view
    Counted.searches = 0
    assert model.row_of(delta) is None
    assert Counted.searches == 0
    assert model.row_of(echo) == 1
    assert Counted.searches == 1
    delta.set("published", False)
    model.refresh([delta])  # back (an undo)
    assert titles(model) == ["charlie", "delta", "echo"]
    assert model.row_of(delta) == 1
    echo.set("published", True)
    model.refresh([echo])
    assert model.row_of(echo) is None
    assert model.row_of(delta) == 1
    model.set_predicate(compile_query(""))  # the view changes: echo is in it again
    assert model.row_of(echo) == titles(model).index("echo")


def test_new_articles_come_in_the_sort_order_and_filter_in_force_and_the_old_rows_are_not_sorted(monkeypatch):
    model = ArticleTableModel()
    model.append(articles())
    model.sort(Column.QUALITY, Qt.DescendingOrder)
    model.set_predicate(compile_query("-published:true"))
    old = [model.article(r) for r in range(model.rowCount())]
    keyed = []
    real_key = Article.__dict__["quality"].fget
    monkeypatch.setattr(Article, "quality", property(lambda a: (keyed.append(a), real_key(a))[1]))
    fresh = [
        make("foxtrot", False, 5, "2024-06"),
        make("golf", True, 90, "2024-07"),
        make("hotel", None, 60, "2024-08"),
    ]
    model.set_articles(fresh)
    assert titles(model) == ["hotel", "foxtrot"]  # quality down, the published one filtered out
    assert not any(a in old for a in keyed)  # the folder before is not sorted on its way out


def test_new_articles_drop_the_clusters_of_the_articles_before():
    """A cluster lookup kept from the folder before kept every one of its articles alive."""
    model = ArticleTableModel()
    model.append(articles())
    model.same_story_changed(lambda a: "alpha.md")
    model.set_articles([make("foxtrot", False, 5, "2024-06")])
    assert model._cluster_of is None


OPERATIONS = ("remove", "back", "refresh", "filter", "sort", "steps")


@settings(max_examples=int(os.environ.get("REVIEWER_MODEL_RUNS", "60")), deadline=None)  # `make fuzz` 600
@given(st.lists(st.tuples(st.sampled_from(OPERATIONS), st.randoms(use_true_random=False)), max_size=30))
def test_many_articles_changing_or_going_at_once_leave_the_view_the_articles_that_match(operations):
    """What a check of the folder brings (hundreds of articles changed, gone, back) against a
    small model: the view holds the articles in the model that match, each once, and the order
    they came in is theirs; a refresh marks the cells of every changed article that stays in
    the view at its row after the refresh, though others left or entered, or their rows were
    not worked out."""
    pool = [make(f"t{n:03}", n % 3 == 0, n * 7 % 101, f"2024-{n % 12 + 1:02}") for n in range(200)]
    runner = LaterSlicer()
    model = ArticleTableModel(slicer=runner, at_once=10)
    model.append(pool[:150])
    present = list(pool[:150])  # the model's articles, in the order they came
    predicate = compile_query("")
    cells: list[tuple[int, int]] = []
    model.dataChanged.connect(lambda first, last, *_: cells.append((first.row(), last.row())))
    for what, rng in operations:
        if what == "remove" and present:
            gone = rng.sample(present, rng.choice([1, 2, min(len(present), 40)]))
            model.remove(gone)
            present = [a for a in present if a not in gone]
        elif what == "back":
            absent = [a for a in pool if a not in present]
            back = rng.sample(absent, min(len(absent), rng.choice([1, 45])))
            model.append(back)
            present += back
        elif what == "refresh" and present:
            changed = rng.sample(present, min(len(present), rng.choice([1, 3, 80])))
            for article in changed:
                article.set("published", rng.random() < 0.5)
            cells.clear()
            shown_before = set(model.articles)
            model.refresh(changed)
            stayed = [a for a in changed if a in shown_before and model.row_of(a) is not None]
            rows = [model.row_of(a) for a in stayed]  # those entering come with the layout change
            assert all(any(first <= row <= last for first, last in cells) for row in rows)
        elif what == "filter":
            predicate = compile_query(rng.choice(["", "published:true", "-published:true", "quality:>=50"]))
            model.set_predicate(predicate)
        elif what == "sort":
            model.sort(rng.choice([Column.TITLE, Column.QUALITY, Column.DATE]), Qt.DescendingOrder)
        elif runner.tasks:
            runner.run(rng.randrange(len(runner.tasks)))
        if not model.filtering:
            shown = model.articles
            assert len(shown) == len(set(shown))
            assert set(shown) == {a for a in present if predicate(a)}
    assert model.made() == present  # not asked for before: removals are settled when it is
    runner.run_all()
    assert set(model.articles) == {a for a in present if predicate(a)}
