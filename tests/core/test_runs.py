"""A PathMap is a dict: any sequence of blocks taken whole, keys set and deleted leaves it
holding, finding and listing exactly what a dict given the same steps holds."""

from hypothesis import given, settings
from hypothesis import strategies as st

from reviewer.core.runs import PathMap, Runs

KEYS = [f"_posts/{i:03d}.md" for i in range(60)]

steps = st.lists(
    st.one_of(
        st.tuples(st.just("block"), st.lists(st.sampled_from(KEYS), max_size=12), st.booleans()),
        st.tuples(st.just("set"), st.sampled_from(KEYS), st.integers(0, 9)),
        st.tuples(st.just("del"), st.sampled_from(KEYS), st.none()),
    ),
    max_size=40,
)


@settings(max_examples=300, deadline=None)
@given(steps)
def test_a_path_map_holds_what_a_dict_given_the_same_steps_holds(steps):
    paths, model = PathMap(), {}
    for n, (what, key, value) in enumerate(steps):
        if what == "block":  # sorted as a block gives them, or not (rows given in another order)
            keys = sorted(set(key)) if value else key
            values = [(n, i) for i in range(len(keys))]
            paths.add_sorted(keys, values)
            model.update(zip(keys, values, strict=True))
        elif what == "set":
            paths[key] = value
            model[key] = value
        elif key in model:
            del paths[key]
            del model[key]
        else:
            try:
                del paths[key]
            except KeyError:
                pass
            else:
                raise AssertionError(f"{key} deleted though not in the map")
        assert len(paths) == len(model)
    assert dict(paths) == model
    assert sorted(paths) == sorted(model)  # each key once
    for key in KEYS:
        assert paths.get(key) == model.get(key)
        assert (key in paths) == (key in model)


def test_blocks_in_order_are_kept_as_runs_and_found_by_bisection():
    paths = PathMap()
    paths.add_sorted(KEYS[:20], list(range(20)))
    paths.add_sorted(KEYS[30:40], list(range(30, 40)))
    paths.add_sorted(KEYS[25:28], [25, 26, 27])  # before the last run: set one by one
    assert len(paths._runs.values) == 2
    assert len(paths._one) == 3
    assert [paths.get(k) for k in KEYS[18:32]] == [18, 19, None, None, None, None, None, 25, 26, 27, None, None, 30, 31]
    assert [paths.get(k) for k in ("_posts/019.mdx", "", "~")] == [None, None, None]


def test_a_run_refuses_keys_out_of_order_or_repeated():
    runs = Runs()
    assert not runs.add(["b", "a"], [1, 2])
    assert not runs.add(["a", "a"], [1, 2])
    assert not runs.add(["a"], [1, 2])
    assert runs.add(["a", "c"], [1, 2])
    assert not runs.add(["c", "d"], [3, 4])  # not after the last run
    assert runs.find("c") == (0, 1)
    assert runs.find("b") is None
