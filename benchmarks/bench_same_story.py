"""Same-story detection: quality against known stories, speed, and what it finds in the corpus.

  python benchmarks/bench_same_story.py [--n 100000] [--naive 5000] [--no-alternatives]

quality   precision and recall of the linked pairs on generated news with known stories
          (tests/stories.py), at several thresholds, 5,000 and 20,000 articles
naive     every pair compared with the same similarity, on --naive articles (and a fifth
          and two fifths of it, to show how its cost grows), against the blocked clustering
methods   the alternatives measured on the same 5,000: datasketch MinHash LSH with Jaccard,
          rapidfuzz token_set_ratio on titles (when installed)
scale     clustering --n articles, then 100 more added incrementally; memory added
corpus    the clusters found in ../shared/corpus, when it is there
"""

from __future__ import annotations

import argparse
import gc
import os
import sys
import time
from types import SimpleNamespace

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))

from reviewer.core.same_story import DEFAULT_THRESHOLD, Features, SameStory  # noqa: E402
from tests.stories import pairs_of, stories  # noqa: E402


def as_articles(items):
    return [
        SimpleNamespace(relpath=i.relpath, title=i.title, excerpt=i.excerpt, provider=SimpleNamespace(name=i.provider))
        for i in items
    ]


def links(same: SameStory, threshold: float) -> set[tuple[str, str]]:
    return {(a, b) for a, linked in same._links.items() for b, s in linked.items() if a < b and s >= threshold}


def precision_recall(found: set, truth: set) -> str:
    tp = len(found & truth)
    p, r = tp / len(found) if found else 1.0, tp / len(truth)
    return f"P={p:.3f} R={r:.3f}"


def quality() -> None:
    for n, seed in ((5000, 3), (20000, 5)):
        items = stories(n, seed)
        truth = pairs_of(items)
        same = SameStory(threshold=0.5)
        same.add(as_articles(items))
        row = "  ".join(f"{t}: {precision_recall(links(same, t), truth)}" for t in (0.6, 0.65, 0.7, 0.75, 0.8))
        print(f"quality, {n:,} articles, {len(truth):,} same-story pairs:  {row}")


def naive(n: int) -> None:
    """Every pair with the same similarity, against the blocked clustering on the same articles."""
    for size in (n // 5, 2 * n // 5, n):
        items = stories(size, 3)
        truth = pairs_of(items)
        same = SameStory()
        start = time.perf_counter()
        same.add(as_articles(items))
        blocked = time.perf_counter() - start
        paths = [i.relpath for i in items]
        start = time.perf_counter()
        found = set()
        for i, a in enumerate(paths):
            for b in paths[i + 1 :]:
                if same.similarity(a, b) >= DEFAULT_THRESHOLD:
                    found.add((a, b) if a < b else (b, a))
        every = time.perf_counter() - start
        print(f"naive, {size:,} articles: every pair {every:6.2f} s {precision_recall(found, truth)}; "
              f"blocked {blocked:.2f} s {precision_recall(links(same, DEFAULT_THRESHOLD), truth)} "
              f"(ratio {blocked / every:.3f})")  # fmt: skip


def methods() -> None:
    items = stories(5000, 3)
    truth = pairs_of(items)
    try:
        from datasketch import MinHash, MinHashLSH
    except ImportError:
        print("methods: datasketch not installed")
    else:
        content = [set(Features.of(i.title, i.excerpt, i.provider)[0].content) for i in items]
        start = time.perf_counter()
        lsh = MinHashLSH(threshold=0.5, num_perm=64)
        hashes = []
        for k, words in enumerate(content):
            m = MinHash(num_perm=64)
            m.update_batch([w.encode() for w in words])
            hashes.append(m)
            lsh.insert(k, m)
        candidates = {(k, j) for k in range(len(items)) for j in lsh.query(hashes[k]) if j > k}
        elapsed = time.perf_counter() - start
        for t in (0.5, 0.6, 0.7):
            found = {tuple(sorted((items[a].relpath, items[b].relpath))) for a, b in candidates
                     if len(content[a] & content[b]) / len(content[a] | content[b]) >= t}  # fmt: skip
            print(
                f"methods, datasketch MinHash LSH + Jaccard >= {t}: {precision_recall(found, truth)} ({elapsed:.2f} s)"
            )
    try:
        import numpy as np
        from rapidfuzz import fuzz, process
    except ImportError:
        print("methods: rapidfuzz not installed")
        return
    titles = [i.title.replace(i.provider, "") for i in items]
    start = time.perf_counter()
    matrix = process.cdist(titles, titles, scorer=fuzz.token_set_ratio, workers=-1, dtype=np.uint8)
    elapsed = time.perf_counter() - start
    for t in (80, 90, 95):
        rows, cols = np.where(np.triu(matrix >= t, 1))
        found = {tuple(sorted((items[a].relpath, items[b].relpath))) for a, b in zip(rows, cols, strict=True)}
        print(f"methods, rapidfuzz token_set_ratio(title) >= {t}, every pair: {precision_recall(found, truth)} "
              f"({elapsed:.2f} s)")  # fmt: skip


def rss_mb() -> float:
    with open("/proc/self/statm") as fh:
        return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def scale(n: int) -> None:
    items = stories(n + 100, 9)
    articles = as_articles(items)
    first, more = articles[:n], articles[n:]
    gc.collect()
    before = rss_mb()
    same = SameStory()
    start = time.perf_counter()
    same.add(first)
    clusters = same.clusters()
    elapsed = time.perf_counter() - start
    gc.collect()
    added = rss_mb() - before
    start = time.perf_counter()
    same.add(more)
    same.clusters()
    incremental = time.perf_counter() - start
    truth = pairs_of(items)
    print(f"scale, {n:,} articles: {elapsed:.2f} s (goal < 10 s), {len(clusters):,} clusters, "
          f"{precision_recall(links(same, DEFAULT_THRESHOLD), truth)}; 100 more: {incremental * 1000:.0f} ms "
          f"(goal < 1 s); memory added {added:.0f} MB (goal < 100 MB)")  # fmt: skip


def corpus() -> None:
    root = os.path.join(os.path.dirname(os.path.dirname(HERE)), "shared", "corpus")
    if not os.path.isdir(root):
        print(f"corpus: not at {root}")
        return
    from reviewer.core.article import Article
    from reviewer.core.library import scan

    articles = [a for a in scan(root).articles if isinstance(a, Article)]
    same = SameStory()
    same.add(articles)
    by_path = {a.relpath: a for a in articles}
    found = same.clusters()
    print(f"corpus: {len(articles)} articles, {len(found)} clusters")
    for cluster in found:
        print("  " + " || ".join(f"{by_path[p].provider.name}: {by_path[p].title[:60]}" for p in cluster))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=100_000)
    parser.add_argument("--naive", type=int, default=5000)
    parser.add_argument("--no-alternatives", action="store_true")
    args = parser.parse_args()
    quality()
    naive(args.naive)
    if not args.no_alternatives:
        methods()
    scale(args.n)
    corpus()


if __name__ == "__main__":
    main()
