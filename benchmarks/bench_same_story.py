"""Same-story detection, measured on real labelled news first.

  python benchmarks/bench_same_story.py [--n 21000] [--fit] [--truth DIR]

dev       ../shared/corpus/azure-2021q1 (767 real news items, 100 stories labelled by reading):
          pairwise precision, recall, F1 and stories recovered whole at several thresholds,
          beside the two baselines measured in the same run: every pair of titles within the
          date window scored by word overlap (Jaccard) and, when installed, datasketch MinHash
          LSH; then the held-out check: weights fitted on January, scored on February-March
--fit     the logistic model's weights fitted again on the development set (numpy), to paste
          into reviewer/core/same_story.py's WEIGHTS
generated tests/stories.py's generated news (kept as a regression set): precision and recall
scale     --n generated articles: clustering in one call and in steps (longest step), memory,
          and the same articles shuffled and added in 53 batches: identical clusters or not
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import sys
import time
from types import SimpleNamespace

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))

from reviewer.core import same_story  # noqa: E402
from reviewer.core.same_story import SameStory, evaluate, pair_features  # noqa: E402
from tests.stories import pairs_of, stories  # noqa: E402

DEV = os.path.join(os.path.dirname(HERE), "..", "shared", "corpus", "azure-2021q1")
THRESHOLDS = (0.3, 0.4, 0.45, 0.5, 0.6, 0.7)


def read(root: str) -> list:
    from reviewer.cli import _batches

    batches = _batches(root, no_index=True)
    assert batches is not None
    return [a for batch in batches for a in batch.articles]


def truth_of(root: str) -> dict:
    with open(os.path.join(root, "same-story-truth.json"), encoding="utf-8") as fh:
        return json.load(fh)


def dev(root: str) -> None:
    articles, truth = read(root), truth_of(root)
    groups, borderline = truth["groups"], truth["borderline"]
    print(f"dev: {len(articles)} articles, {len(groups)} stories, default threshold {same_story.DEFAULT_THRESHOLD}")
    for t in THRESHOLDS:
        same = SameStory(t)
        start = time.perf_counter()
        same.add(articles)
        same.clusters()
        took = time.perf_counter() - start
        print(f"  Reviewer at {t}: {evaluate(same, groups, borderline).summary()} ({took:.2f} s)")
    baseline_jaccard(articles, groups, borderline)
    baseline_minhash(articles, groups, borderline)


class Fixed:
    """Clusters made elsewhere, in the shape evaluate() reads."""

    def __init__(self, clusters: list[list[str]]):
        self._clusters = [sorted(c) for c in clusters if len(c) > 1]
        self._of = {p: c for c in self._clusters for p in c}

    def clusters(self) -> list[list[str]]:
        return self._clusters

    def cluster_of(self, path: str) -> list[str]:
        return self._of.get(path, [])

    def similarity(self, a: str, b: str) -> float:
        return 0.0


def components(paths: list[str], links: list[tuple[str, str]]) -> list[list[str]]:
    parent = {p: p for p in paths}

    def find(p: str) -> str:
        while parent[p] != p:
            parent[p] = parent[parent[p]]
            p = parent[p]
        return p

    for a, b in links:
        parent[find(a)] = find(b)
    groups: dict[str, list[str]] = {}
    for p in paths:
        groups.setdefault(find(p), []).append(p)
    return list(groups.values())


def baseline_jaccard(articles: list, groups: dict, borderline: list) -> None:
    """Every pair of titles within the date window, linked at a Jaccard overlap of words."""
    items = {a.relpath: same_story.Item.of(a) for a in articles}
    paths = sorted(items)
    for t in (0.4, 0.5, 0.6):
        links = []
        for i, a in enumerate(paths):
            for b in paths[i + 1 :]:
                x, y = items[a], items[b]
                if x.day is None or y.day is None or abs(x.day - y.day) > same_story.WINDOW:
                    continue
                one, two = set(x.title), set(y.title)
                union = len(one | two)
                if union and len(one & two) / union >= t:
                    links.append((a, b))
        found = evaluate(Fixed(components(paths, links)), groups, borderline)  # type: ignore[arg-type]
        print(f"  baseline, title word Jaccard >= {t} within {same_story.WINDOW} days: {found.summary()}")


def baseline_minhash(articles: list, groups: dict, borderline: list) -> None:
    try:
        from datasketch import MinHash, MinHashLSH
    except ImportError:
        print("  baseline, datasketch MinHash LSH: not installed (pip install datasketch)")
        return
    for t in (0.4, 0.5):
        lsh = MinHashLSH(threshold=t, num_perm=128)
        hashes = {}
        for a in articles:
            m = MinHash(num_perm=128)
            for w in same_story.Item.of(a).text:
                m.update(w.encode())
            hashes[a.relpath] = m
            lsh.insert(a.relpath, m)
        links = [(p, q) for p, m in hashes.items() for q in lsh.query(m) if p < q]
        found = evaluate(Fixed(components(sorted(hashes), links)), groups, borderline)  # type: ignore[arg-type]
        print(f"  baseline, datasketch MinHash LSH >= {t} on title and excerpt: {found.summary()}")


def fit(root: str, held_out: bool = True) -> None:
    import numpy as np

    articles, truth = read(root), truth_of(root)
    true = {tuple(sorted((a, b))) for g in truth["groups"].values() for i, a in enumerate(g) for b in g[i + 1 :]}
    skip = {tuple(sorted(p[:2])) for p in truth["borderline"]}
    rows = [(a, b, f) for a, b, f in pair_features(articles) if (a, b) not in skip]
    names = list(rows[0][2])

    def solve(selected: list) -> dict[str, float]:
        x = np.array([[f[k] for k in names] + [1.0] for _, _, f in selected])
        y = np.array([float((a, b) in true) for a, b, _ in selected])
        w = np.zeros(x.shape[1])
        ridge = np.eye(len(w))
        ridge[-1, -1] = 0
        for _ in range(60):  # Newton's method on the logistic loss, a light ridge
            p = 1 / (1 + np.exp(-x @ w))
            w -= np.linalg.solve((x * (p * (1 - p))[:, None]).T @ x + ridge, x.T @ (p - y) + ridge @ w)
        return {k: round(float(v), 2) for k, v in zip([*names, "bias"], w, strict=True)}

    weights = solve(rows)
    print("fit on every compared pair of the development set:")
    print("  WEIGHTS = " + json.dumps(weights))
    if not held_out:
        return
    month = {a.relpath: a.date[5:7] for a in articles}
    saved = dict(same_story.WEIGHTS)
    for train in (("01",), ("02", "03")):
        test = [a for a in articles if month[a.relpath] not in train]
        test_paths = {a.relpath for a in test}
        same_story.WEIGHTS.update(solve([r for r in rows if month[r[0]] in train and month[r[1]] in train]))
        groups = {k: [p for p in g if p in test_paths] for k, g in truth["groups"].items()}
        groups = {k: g for k, g in groups.items() if len(g) > 1}
        same = SameStory()
        same.add(test)
        found = evaluate(same, groups, truth["borderline"])
        print(f"  held out: fitted on {'+'.join(train)}, scored on the other months: {found.summary()}")
    same_story.WEIGHTS.update(saved)


def as_articles(items: list) -> list:
    return [
        SimpleNamespace(relpath=i.relpath, title=i.title, excerpt=i.excerpt, provider=SimpleNamespace(name=i.provider),
                        date=i.date, original_url=i.url)
        for i in items
    ]  # fmt: skip


def generated() -> None:
    for n, seed in ((5000, 3), (21000, 5)):
        items = stories(n, seed)
        truth = pairs_of(items)
        same = SameStory()
        same.add(as_articles(items))
        found = {(a, b) for c in same.clusters() for i, a in enumerate(c) for b in c[i + 1 :]}
        right = len(found & truth)
        print(f"generated, {n:,} articles: precision {right / max(1, len(found)):.3f}, recall {right / len(truth):.3f}")


def scale(n: int) -> None:
    import gc

    articles = as_articles(stories(n, 5))
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    start = time.perf_counter()
    whole = SameStory()
    whole.add(articles)
    clusters = whole.clusters()
    took = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"scale, {n:,} articles in one call: {took:.2f} s, {len(clusters):,} clusters; "
          f"peak memory +{peak - before:.0f} MB")  # fmt: skip
    gc.disable()  # as the window runs it: the collector off while work in steps runs (app.tasks.Collector)
    steps, last, longest = SameStory(), time.perf_counter(), 0.0
    start = last
    for _ in steps.adding(articles):
        now = time.perf_counter()
        longest, last = max(longest, now - last), now
    gc.enable()
    print(f"scale, in steps: {time.perf_counter() - start:.2f} s, longest step {longest * 1000:.0f} ms")
    shuffled = articles[:]
    random.Random(1).shuffle(shuffled)
    batched = SameStory()
    size = -(-n // 53)
    for k in range(0, n, size):
        batched.add(shuffled[k : k + size])
        if k % (10 * size) == 0:
            batched.clusters()  # asked for between batches, as a window would
    same = batched.clusters() == clusters
    print(f"scale, shuffled and added in 53 batches: clusters {'identical' if same else 'DIFFERENT'}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=21000)
    parser.add_argument("--fit", action="store_true")
    parser.add_argument("--truth", default=DEV, help="a folder with same-story-truth.json")
    args = parser.parse_args()
    if os.path.isfile(os.path.join(args.truth, "same-story-truth.json")):
        dev(args.truth)
        if args.fit:
            fit(args.truth)
    else:
        print(f"dev: {args.truth} is not here (the labelled real news lives in ../shared/corpus)")
    generated()
    scale(args.n)


if __name__ == "__main__":
    main()
