"""core.ordering: sorting and filtering in steps, and filtering in the order items were made."""

from unittest.mock import patch

from hypothesis import given
from hypothesis import strategies as st

from reviewer.core import ordering
from reviewer.core.ordering import filtering, filtering_ranked, ranking, run, sorting


class Item:
    """An object of its own for each value (ranking goes by identity, as with articles)."""

    def __init__(self, value: int):
        self.value = value


@given(st.lists(st.integers(0, 50), max_size=300), st.randoms(use_true_random=False), st.integers(1, 7))
def test_filtering_in_the_made_order_gives_the_sort_order_filtered(values, rng, divisor):
    made = [Item(v) for v in values]
    order = list(made)
    rng.shuffle(order)
    order = run(sorting(order, lambda item: item.value))  # ties keep their shuffled order
    keep = lambda item: item.value % divisor == 0  # noqa: E731
    rank = run(ranking(order, made))
    assert sorted(rank) == list(range(len(made)))
    assert run(filtering_ranked(order, made, rank, keep)) == run(filtering(order, keep))
    turned = order[::-1]  # the same column sorted the other way: the rank is used turned round
    assert run(filtering_ranked(turned, made, rank, keep, turned=True)) == run(filtering(turned, keep))


@given(st.lists(st.integers(0, 9), max_size=200), st.booleans())
def test_sorting_in_runs_is_sorted_and_stable(values, reverse):
    items = [Item(v) for v in values]
    with patch.object(ordering, "STEP", 7):  # many runs to merge, as at 100,000 articles
        result = run(sorting(items, lambda item: item.value, reverse=reverse))
    assert result == sorted(items, key=lambda item: item.value, reverse=reverse)  # identities: ties in order


@given(
    st.lists(st.integers(0, 50), max_size=60),
    st.randoms(use_true_random=False),
    st.lists(st.sampled_from(["a", "b", "c", "drop a", "drop b"]), max_size=80),
)
def test_rankings_noting_places_on_the_items_give_each_its_own_order_when_their_steps_interleave(values, rng, turns):
    """Rankings that note places on the articles (the model's columns one after the other, the
    view's own order beside them) run in steps that interleave, and one may be given up half
    way: each that ends gives the places in its own order, as the dict of places by id does."""
    made = [Item(v) for v in values]
    orders = {name: rng.sample(made, len(made)) for name in ("a", "b", "c")}
    expected = {name: run(ranking(order, made)) for name, order in orders.items()}
    running, results = {}, {}
    with patch.object(ordering, "STEP", 5):
        for turn in turns:
            if turn.startswith("drop"):
                steps = running.pop(turn[-1], None)
                if steps is not None:
                    steps.close()  # given up (core.ordering.until): nothing else of it runs
                continue
            steps = running.setdefault(turn, ranking(orders[turn], made, "value"))
            try:
                next(steps)
            except StopIteration as finished:
                results[turn] = finished.value
                del running[turn]
        for name, steps in running.items():  # the rest to their end
            results[name] = run(steps)
    assert {name: list(rank) for name, rank in results.items()} == {name: list(expected[name]) for name in results}
    assert ordering._noting == [None]  # none left noting: the next one starts on its own
