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
