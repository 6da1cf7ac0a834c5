"""Same story, many providers: near-duplicate articles grouped into clusters.

Aggregated news repeats itself in other words: "Veve Labs raises $731 million for weather
forecasting" and "Veve Labs lands $731M in funding for weather forecasting". What makes two
articles one story is mostly their names and numbers (the company, the place, the amount),
not their verbs: a story told by two providers keeps its names and changes its wording;
two stories about one company change the rest.

Each article becomes two sets of words, from its title and excerpt (the provider's own name
taken out): its names (numbers and amounts, and words the folder only ever capitalises, and
capitalises inside a sentence at least once) and all its content words. Two articles are
compared by the weighted Jaccard similarity of their names (each weighted by its rarity,
idf; halved when they share only one) and of their content words, half and half. Pairs at
or above the threshold are linked; a cluster is a connected component of links.

Only likely pairs are compared: each article is filed under each two of its three rarest
names, and compared with the articles filed beside it. Measured with
benchmarks/bench_same_story.py on generated news with known stories (tests/stories.py; its
hard negatives are harsh on purpose: one company in about ten stories, often in one city),
at the default threshold of 0.6: precision 0.78 / 0.71 / 0.66 and recall 1.00 at 5,000 /
20,000 / 100,000 articles (0.65 gives 0.90 / 0.85 at a recall of 0.998); the blocking loses
no pair that comparing every pair finds. 100,000 articles cluster in 9.3 s, 100 more in 124
ms, in 67 MB. On the same 5,000, datasketch's MinHash LSH with Jaccard reached precision
0.11 at recall 0.26 (it weighs a verb like a name), rapidfuzz's token_set_ratio on titles
0.24 at 0.28: neither is used. The real corpus (107 articles, 52 of them Amazon SageMaker
posts by one provider) has no cluster, rightly.

Incremental: articles are added, changed and removed one batch at a time; only the pairs
of those articles are compared again. Word weights are kept between small batches (a
hundred articles move them by a hair) and worked out again after a large one.
"""

from __future__ import annotations

import math
import re
import sys
from array import array
from collections import Counter
from collections.abc import Generator, Iterable
from typing import Any, NamedTuple, Protocol, TypeVar

DEFAULT_THRESHOLD = 0.6
KEYS = 3  # rarest names an article is filed under, by each two of them
CONTENT_POWER = 1  # content words weighted by idf to this power: a rare word tells more
NAMES_WEIGHT = 0.5  # of the names' similarity in an article pair's; the content words' take the rest
SMALL_FOLDER = 1000  # word weights as in a folder of at least this many: in a small one, a story's own words are common
STEP = 25  # articles between two yields of adding()
STEP_COMPARISONS = 400  # comparisons between two yields while linking (a few milliseconds)
REWEIGH = 0.05  # a batch this large a part of the folder: every word's weight worked out again
BIG_BLOCK = 60  # a pair of words more articles share is no key: too common to tell stories apart

_STOP = frozenset(
    [
        "a",
        "an",
        "the",
        "of",
        "for",
        "in",
        "on",
        "to",
        "and",
        "with",
        "by",
        "at",
        "from",
        "its",
        "it",
        "is",
        "as",
        "says",
        "said",
        "new",
        "this",
        "that",
        "be",
        "are",
        "was",
        "were",
        "has",
        "have",
        "will",
        "into",
        "over",
        "after",
        "about",
        "than",
        "more",
        "most",
        "up",
        "out",
        "not",
        "but",
        "or",
        "how",
        "why",
        "what",
        "who",
        "when",
        "where",
        "which",
        "report",
        "update",
        "breaking",
        "exclusive",
        "watch",
        "video",
        "opinion",
        "analysis",
    ]
)
_CALENDAR = frozenset(
    [
        "monday",
        "tuesday",
        "wednesday",
        "thursday",
        "friday",
        "saturday",
        "sunday",
        "january",
        "february",
        "march",
        "april",
        "may",
        "june",
        "july",
        "august",
        "september",
        "october",
        "november",
        "december",
        "today",
        "yesterday",
    ]
)
_WORD = re.compile(r"\$?\d[\d.,]*|[^\W\d_][\w'’-]*")
_MILLIONS = re.compile(r"\$(\d+(?:\.\d+)?)\s*([mM]|bn|[bB])\b")
_POSSESSIVE = re.compile(r"['’]s\b")


_SENTENCE_END = ".!?;|—"
_NUMERIC = frozenset("$0123456789")


def words(text: str) -> list[tuple[str, bool]]:
    """The words of a text as written, each with whether it starts a sentence (where a capital
    says nothing); amounts written out ($40M -> $40 million), no possessive 's.

    >>> [w for w, _ in words("Veve Labs' $731M round: Veve's biggest")]
    ['Veve', "Labs'", '$731', 'million', 'round', 'Veve', 'biggest']
    >>> [first for _, first in words("In Lisbon. Farmers too")]
    [True, False, True, False]
    """
    text = _MILLIONS.sub(lambda m: f"${m.group(1)} {'million' if m.group(2) in 'mM' else 'billion'}", text)
    text = _POSSESSIVE.sub("", text)
    found = []
    for m in _WORD.finditer(text):
        before = text[: m.start()].rstrip()
        found.append((m.group().rstrip(".,"), not before or before[-1] in _SENTENCE_END))
    return found


class Features(NamedTuple):
    """An article's words, each kept once for the whole folder (interned): a hundred thousand
    articles share a few hundred thousand distinct words."""

    content: tuple[str, ...]  # content words, lower case
    candidates: tuple[str, ...]  # numbers, and words written with a capital (names if the folder says so)

    @classmethod
    def of(cls, title: str, excerpt: str, provider: str = "") -> tuple[Features, set[str], set[str]]:
        """The features of one article; the words it writes in lower case (never names), and
        those it capitalises inside a sentence (names, unless written in lower case elsewhere)."""
        content, capitals, numbers, lower, inside = set(), set(), set(), set(), set()
        for text in (title, excerpt):
            if provider:
                text = text.replace(provider, " ")
            for word, first in words(text):
                low = sys.intern(word.lower().strip("'’-"))
                if not low or low in _STOP:
                    continue
                content.add(low)
                if word[0].isdigit() or word[0] == "$":
                    numbers.add(low)
                elif word[0].isupper():
                    if low not in _CALENDAR:
                        capitals.add(low)
                        if not first:
                            inside.add(low)
                else:
                    lower.add(low)
        return cls(tuple(content), tuple(numbers | capitals)), lower, inside


class _Words:
    """The words of the articles a batch compares, while it is linked, in a few flat lists and
    arrays: row by row, each article's content words, then its candidates, and its names and
    weight once worked out. Kept as three small objects an article, 100,000 articles' words
    left about 30 MB of Python's small-object memory held after they were freed (a few objects
    made meanwhile and kept, such as links, hold a whole arena each); a flat list is one block
    of memory, given back whole."""

    __slots__ = ("row", "words", "start", "content", "candidates", "names", "names_at", "names_len", "totals")

    def __init__(self) -> None:
        self.row: dict[str, int] = {}  # path -> its row
        self.words: list[str] = []
        self.start, self.content, self.candidates = array("q"), array("i"), array("i")  # by row
        self.names: list[str] = []
        self.names_at, self.names_len = array("q"), array("i")  # by row; -1: not worked out yet
        self.totals = array("d")  # by row; NaN: not worked out yet

    def add(self, path: str, features: Features) -> int:
        row = self.row[path] = len(self.start)
        self.start.append(len(self.words))
        self.content.append(len(features.content))
        self.candidates.append(len(features.candidates))
        self.words += features.content
        self.words += features.candidates
        self.names_at.append(-1)
        self.names_len.append(0)
        self.totals.append(math.nan)
        return row

    def content_of(self, row: int) -> list[str]:
        start = self.start[row]
        return self.words[start : start + self.content[row]]

    def candidates_of(self, row: int) -> list[str]:
        start = self.start[row] + self.content[row]
        return self.words[start : start + self.candidates[row]]

    def names_of(self, row: int) -> list[str] | None:
        at = self.names_at[row]
        return None if at < 0 else self.names[at : at + self.names_len[row]]

    def set_names(self, row: int, names: list[str]) -> None:
        self.names_at[row], self.names_len[row] = len(self.names), len(names)
        self.names += names


class SameStory:
    """The clusters of a folder, kept up as articles come, change and go (keyed by path)."""

    def __init__(self, threshold: float = DEFAULT_THRESHOLD):
        self.threshold = threshold
        self._articles: dict[str, Any] = {}  # path -> the article (its words are read from it as needed)
        # While a batch is linked: each article's words, names and weight, worked out once. Not
        # kept after it: a hundred thousand articles' words would cost more than the clusters.
        self._words = _Words()
        self._df: Counter[str] = Counter()  # articles each content word is in
        self._lower: Counter[str] = Counter()  # articles that write each word in lower case
        self._inside: Counter[str] = Counter()  # articles that capitalise it inside a sentence
        # hash of two of those names -> the path filed under both, or the paths when several are
        # (most pairs of names are one article's own: a string, not a list, keeps them small)
        self._blocks: dict[int, str | list[str]] = {}
        self._links: dict[str, dict[str, float]] = {}  # path -> linked path -> similarity
        self._clusters: dict[str, list[str]] | None = None
        self._idf_of: dict[str, float] = {}  # idf by word, for the current frequencies

    def __len__(self) -> int:
        return len(self._articles)

    # --- articles in and out -------------------------------------------------------------------

    def add(self, articles: Iterable[Any]) -> None:
        """Articles (anything with relpath, title, excerpt and provider.name), new or changed."""
        for _ in self.adding(articles):
            pass

    def adding(self, articles: Iterable[Any]) -> Generator[None, None, None]:
        """add() in steps: it yields every STEP articles, so that a window can run it between
        events (on a worker thread, each of the window's calls into Python would wait for it)."""
        batch = []
        for n, article in enumerate(articles, 1):
            if n % STEP == 0:
                yield
            path = article.relpath
            if path in self._articles:
                self._drop(path)
            features, lower, inside = Features.of(
                article.title or "", article.excerpt or "", article.provider.name or ""
            )
            self._articles[path] = article
            self._words.add(path, features)
            self._df.update(features.content)
            self._lower.update(lower)
            self._inside.update(inside)
            batch.append(path)
        if len(batch) > REWEIGH * len(self._articles):
            # a large part of the folder: every article's weights, names and keys worked out again
            self._idf_of.clear()
            self._blocks.clear()
            self._links.clear()
            batch = list(self._articles)
        try:
            for n, path in enumerate(batch, 1):
                self._file(path)
                if n % STEP == 0:
                    yield
            done: set[str] = set()
            compared = 0
            for path in batch:
                compared += self._link(path, done)
                done.add(path)
                if compared >= STEP_COMPARISONS:  # an article in large blocks is compared hundreds of times
                    compared = 0
                    yield
        finally:
            self._words = _Words()
        self._clusters = None
        yield from self._clustering()

    def remove(self, paths: Iterable[str]) -> None:
        for path in paths:
            if path in self._articles:
                self._drop(path)
        self._clusters = None

    def _drop(self, path: str) -> None:
        """Forget an article; its words leave the frequencies as it reads now (one read again
        after a change on disk takes its old words' counts with it: a drift of one)."""
        article = self._articles.pop(path)
        self._words.row.pop(path, None)  # its row is left unused
        content = Features.of(article.title or "", article.excerpt or "", article.provider.name or "")[0].content
        self._df.subtract(content)
        for other in self._links.pop(path, {}):
            self._links.get(other, {}).pop(path, None)

    def _top(self, row: int) -> list[str]:
        """The article's rarest names (topped up with its rarest words when it has fewer than two)."""
        top = self._rarest(self._names(row))[:KEYS]
        if len(top) < 2:
            top += [w for w in self._rarest(self._words.content_of(row)) if w not in top][: KEYS - len(top)]
        return top

    def _file(self, path: str) -> None:
        """File the article under each two of its rarest names: copies of one story share at
        least two of company, place, amount.

        The keys are not kept: an article removed or changed stays in its old blocks, where
        it is passed over (removed) or compared once more than needed (changed)."""
        blocks = self._blocks
        for key in _pairs(self._top(self._row(path))):
            block = blocks.get(key)
            if block is None:
                blocks[key] = path
            elif isinstance(block, str):
                blocks[key] = [block, path]
            elif len(block) <= BIG_BLOCK and path not in block:
                block.append(path)  # a block past BIG_BLOCK is never read: it grows no more

    def _rarest(self, words: Iterable[str]) -> list[str]:
        return sorted(words, key=lambda w: (self._df[w], w))

    def _link(self, path: str, done: set[str]) -> int:
        """Compare the article with those filed beside it (not with those of its batch already
        done); how many comparisons that took (at least 1)."""
        row = self._row(path)
        others: set[str] = set()
        # the rarest names again, as _file worked them out: kept between the two, a list an
        # article held Python's small-object memory after the batch (see _Words)
        for key in _pairs(self._top(row)):
            block = self._blocks[key]
            if isinstance(block, list) and len(block) <= BIG_BLOCK:
                others.update(block)
        others.discard(path)
        articles = self._articles
        others = {o for o in others if o in articles}  # removed ones stay in their old blocks
        names, content = frozenset(self._names(row)), frozenset(self._words.content_of(row))
        others -= done
        for other in others:
            score = self._similarity(row, self._row(other), names, content)
            if score >= self.threshold:
                self._links.setdefault(path, {})[other] = score
                self._links.setdefault(other, {})[path] = score
        return len(others) + 1

    # --- similarity ------------------------------------------------------------------------------

    def _idf(self, word: str) -> float:
        found = self._idf_of.get(word)
        if found is None:
            found = self._idf_of[word] = math.log((max(len(self._articles), SMALL_FOLDER) + 1) / (self._df[word] + 0.5))
        return found

    def _row(self, path: str) -> int:
        """The article's row in the batch's words, made the first time it is compared."""
        row = self._words.row.get(path)
        if row is None:
            a = self._articles[path]
            row = self._words.add(path, Features.of(a.title or "", a.excerpt or "", a.provider.name or "")[0])
        return row

    def _names(self, row: int) -> list[str]:
        found = self._words.names_of(row)
        if found is None:
            lower, inside = self._lower, self._inside
            candidates = self._words.candidates_of(row)
            found = [w for w in candidates if w[0] in _NUMERIC or (not lower[w] and inside[w])]
            self._words.set_names(row, found)
        return found

    def similarity(self, a: str, b: str) -> float:
        """0 to 1: the names' and the content words' weighted overlaps, weighed together (only the
        names' part as soon as it shows the threshold cannot be reached)."""
        try:
            row = self._row(a)
            names, content = frozenset(self._names(row)), frozenset(self._words.content_of(row))
            return self._similarity(row, self._row(b), names, content)
        finally:
            self._words = _Words()

    def _similarity(self, a: int, b: int, names_a: frozenset[str], content_a: frozenset[str]) -> float:
        """Of the articles in rows a and b (a's names and content words given as sets)."""
        idf = self._idf
        names_b = self._names(b)
        shared = names_a.intersection(names_b)
        union = sum(idf(w) for w in names_a) + sum(idf(w) for w in names_b) - sum(idf(w) for w in shared)
        names = sum(idf(w) for w in shared) / union if union > 0 else 0.0
        if len(shared) < 2:
            names /= 2  # one name in common (a city) is thin evidence of one story
        if NAMES_WEIGHT * names + (1 - NAMES_WEIGHT) < self.threshold:
            return NAMES_WEIGHT * names
        inter = sum(idf(w) ** CONTENT_POWER for w in content_a.intersection(self._words.content_of(b)))
        union = self._weight(a) + self._weight(b) - inter
        return NAMES_WEIGHT * names + (1 - NAMES_WEIGHT) * (inter / union if union > 0 else 0.0)

    def _weight(self, row: int) -> float:
        found = self._words.totals[row]
        if math.isnan(found):
            idf = self._idf
            found = self._words.totals[row] = sum(idf(w) ** CONTENT_POWER for w in self._words.content_of(row))
        return found

    # --- clusters --------------------------------------------------------------------------------

    def clusters(self) -> list[list[str]]:
        """Clusters of two or more paths, each sorted; the largest first."""
        return sorted({id(c): c for c in self._by_path().values()}.values(), key=lambda c: (-len(c), c[0]))

    def cluster_of(self, path: str) -> list[str]:
        """The paths of the article's cluster (itself included), or [] when it has none."""
        return self._by_path().get(path, [])

    def score(self, a: str, b: str) -> float | None:
        return self._links.get(a, {}).get(b)

    def clustered(self) -> dict[str, list[str]]:
        """The path of every article in a cluster, with its cluster (sorted paths)."""
        return self._by_path()

    def _by_path(self) -> dict[str, list[str]]:
        if self._clusters is None:
            for _ in self._clustering():
                pass
        assert self._clusters is not None
        return self._clusters

    def _clustering(self) -> Generator[None, None, None]:
        """The clusters worked out from the links, in steps (300,000 articles' took 50 ms)."""
        clusters: dict[str, list[str]] = {}
        for n, start in enumerate(list(self._links), 1):
            if n % STEP == 0:
                yield
            if start in clusters or not self._links.get(start):
                continue
            members, todo = {start}, [start]
            while todo:
                for other in self._links.get(todo.pop(), {}):
                    if other not in members:
                        members.add(other)
                        todo.append(other)
            cluster = sorted(members)
            for member in cluster:
                clusters[member] = cluster
        self._clusters = clusters


def _pairs(top: Iterable[str]) -> list[int]:
    """The block keys of an article's rarest names: each two of them, hashed (a collision only
    compares a few more articles)."""
    top = list(top)
    return [hash((a, b)) for i, a in enumerate(top) for b in top[i + 1 :]]


class Ranked(Protocol):
    @property
    def quality(self) -> int | None: ...
    @property
    def date(self) -> str: ...
    @property
    def relpath(self) -> str: ...


A = TypeVar("A", bound=Ranked)


def best_of(articles: list[A]) -> A:
    """The one to keep (of articles or anything with their quality, date and relpath):
    highest quality, ties to the earliest date, then path."""
    return min(articles, key=lambda a: (-(a.quality if a.quality is not None else -1), a.date or "~", a.relpath))
