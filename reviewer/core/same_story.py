"""Same story, many outlets: articles that report one event grouped into clusters.

What the labelled real news of `../shared/corpus/azure-2021q1` (767 items, 100 stories read
by a person) taught, and what this does about it:

- One story is told within days: only articles at most WINDOW days apart are compared.
- Its own words are rare in the folder, whatever their case ("Percept", "Verily", "Terra"):
  words are weighted by their rarity (idf) over the whole folder, in lower case. Two articles
  are compared when they share a word that at most a twentieth of the folder has (an
  inverted index, walked within the date window).
- Evidence for one story: the titles' and the whole texts' weighted cosine similarity, the
  weight of the rare words they share, the same link once tracking, `-2` and AMP are taken
  off. Evidence against: one outlet's two posts (a series, two products), the rare title
  words each has that the other never mentions (another company in the same press-release
  frame), preview against general availability, and days apart.
- These are weighed by a logistic model whose weights were fitted once on the labelled set
  (`benchmarks/bench_same_story.py --fit`) and are constants here: a pair's score is the
  probability that it is one story.
- Clusters are made by average linkage (two groups merge while the mean score of their
  pairs reaches the threshold; pairs never compared count 0): a chain of single links, such
  as the monthly update posts of one product, no longer joins stories that do not belong
  together.

Results depend only on the set of articles: word weights are worked out over all of them
each time, pairs are compared in path order, scores rounded, so one batch, many batches and
any reading order give the same clusters, and an incremental update equals a full one.
"""

from __future__ import annotations

import bisect
import contextlib
import hashlib
import heapq
import json
import math
import os
import re
import subprocess
import sys
from array import array
from collections import Counter, defaultdict
from collections.abc import Callable, Generator, Iterable, Iterator
from datetime import date
from typing import IO, Any, NamedTuple, Protocol, TypeVar
from urllib.parse import urlsplit

DEFAULT_THRESHOLD = 0.45  # the highest on the development set that keeps recall at 0.7
WINDOW = 10  # days: two articles further apart are two stories
RARE_SHARE = 0.05  # a word in at most this share of the folder (and at least 30 articles) files a pair
RARE_IDF = 4.0  # a word this rare weighs as a name: shared it is evidence for, unmatched against
EXCERPT_WEIGHT = 0.3  # an excerpt word against a title word
STEP = 200  # articles (or pairs, times ten) between two yields of adding()
KEEP = 0.05  # pair scores below this are not kept: they count as never compared in the linkage
UNCOMPARED = 0.5  # a pair never compared weighs this much of a pair scored 0 in a group's mean

# The logistic model's weights (benchmarks/bench_same_story.py --fit on azure-2021q1).
WEIGHTS = {
    "phrases": -1.04,  # the rarity of two-word title phrases both have, / 20 (with title: overlap counted once)
    "repost": -2.65,  # one outlet's two titles alike: a series ("updates for January"), unless their link is one
    "title": 4.87,  # cosine of the titles' weighted words
    "text": 3.85,  # cosine of title and excerpt
    "unmatched": -0.73,  # the lesser weight of rare title words the other never mentions, / 10
    "shared": 4.63,  # the weight of the rare words both mention, / 20
    "same_provider": -2.92,
    "days": -2.72,  # days apart / 7
    "stage": -1.0,  # preview against general availability
    "same_link": 0.86,
    "bias": -3.12,
}

_STOP_WORDS = (
    "a an the of for in on to and with by at from its it is as says said new this that be are was were has "
    "have will into over after about than more most up out not but or how why what who when where which "
    "your you our we can now via"
)
_STOP = frozenset(_STOP_WORDS.split())
_WORD = re.compile(r"[a-z0-9][a-z0-9'’.+#&-]*")
_PREVIEW = re.compile(r"\b(preview|beta)\b", re.IGNORECASE)
_GA = re.compile(r"general(ly)? availab|\bGA\b", re.IGNORECASE)


_POSSESSIVE = re.compile(r"['’]s\b")
Interned = dict[str, str]  # one string a word for a whole clustering (what sys.intern does, faster, and let go)


def _words(text: str, interned: Interned | None = None) -> list[str]:
    """The words of a text in lower case, in order, without stop words or a possessive 's.

    >>> _words("Verily's Terra platform, now on Azure")
    ['verily', 'terra', 'platform', 'azure']
    """
    found = []
    interned = {} if interned is None else interned
    for word in _WORD.findall(_POSSESSIVE.sub("", text.lower())):
        if word[-1] in ".'’-&":
            word = word.strip(".'’-&")
        if word and word not in _STOP:
            found.append(interned.setdefault(word, word))
    return found


def _phrases(found: list[str], interned: Interned | None = None) -> set[str]:
    """Each two words that follow each other (stop words left out): "cloud retail" of
    "Cloud for Retail".

    >>> sorted(_phrases(_words("Microsoft Cloud for Retail")))
    ['cloud retail', 'microsoft cloud']
    """
    interned = {} if interned is None else interned
    return {interned.setdefault(p, p) for p in (f"{a} {b}" for a, b in zip(found, found[1:], strict=False))}


_MONTH = "january|february|march|april|may|june|july|august|september|october|november|december"
_MARK = re.compile(
    r"\b(?:part|pt|episode|ep|chapter|session|day|week|vol|volume|issue|no|season|round)\.?\s*#?(\d+)\b"
    r"|#(\d+)\b|\((\d+)\s*/\s*\d+\)|\b(\d{4}-\d{2}-\d{2}|\d{1,2}/\d{1,2}/\d{2,4})\b"
    rf"|\b({_MONTH})\b(?:,?\s+(\d{{4}}))?|\b(q[1-4])\b",
    re.IGNORECASE,
)


_MAYBE_MARK = re.compile(r"[\d#]|jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec")  # of the lower-case title


def marks(title: str) -> frozenset[str]:
    """What tells one post of a series from the next: a part, an episode, a date, a month, a
    quarter. Two titles with different marks are two stories, however alike the rest.

    >>> sorted(marks("Secure Studio URLs Part 2: Private API"))
    ['2']
    >>> sorted(marks("Azure Security Center—News and updates for December 2020"))
    ['december 2020']
    """
    found: set[str] = set()
    if not _MAYBE_MARK.search(title.lower()):  # most titles have no mark: the full pattern is slow
        return frozenset()
    for m in _MARK.finditer(title):
        if m.group(5):
            found.add(f"{m.group(5).lower()} {m.group(6)}" if m.group(6) else m.group(5).lower())
        else:
            found.add(next(g for g in m.groups() if g).lower())
    return frozenset(found)


def stage(title: str) -> str:
    """'preview', 'ga' or '' for a title that says neither or both."""
    low = title.lower()
    preview = ("preview" in low or "beta" in low) and bool(_PREVIEW.search(title))
    ga = ("availab" in low or "GA" in title) and bool(_GA.search(title))
    return "preview" if preview and not ga else "ga" if ga and not preview else ""


def link_key(url: str) -> str:
    """The last part of a link's path, without tracking, a `-2` suffix or AMP: one page's
    reposts share it."""
    if not url:
        return ""
    try:
        path = urlsplit(url.strip().lower()).path
    except ValueError:
        return ""
    path = re.sub(r"/amp/?$|^/amp/", "/", path).rstrip("/")
    path = re.sub(r"-\d{1,2}$", "", path)
    last = path.rsplit("/", 1)[-1]
    return last if len(last) >= 12 else ""  # "index.php" or an id tells nothing


def day_of(text: str) -> int | None:
    try:
        return date.fromisoformat((text or "")[:10]).toordinal()
    except ValueError:
        return None


class Item(NamedTuple):
    """What the comparison reads of an article: made from it alone."""

    # Tuples, each word once: a set of 40 words is 2 KB, and 100,000 articles' sets were 200 MB
    # (sets are made per compared pair instead)
    title: tuple[str, ...]
    text: tuple[str, ...]  # title and excerpt
    phrases: tuple[str, ...]  # the title's two-word phrases
    marks: frozenset[str]  # the title's part, episode, date, month (see marks)
    day: int | None
    provider: str
    stage: str
    link: str

    @classmethod
    def of(cls, article: Any) -> Item:
        return cls.of_fields(fields_of(article))

    @classmethod
    def of_fields(cls, fields: Fields, interned: Interned | None = None) -> Item:
        title, excerpt, provider, when, url = fields
        interned = {} if interned is None else interned
        ordered = _words(title, interned)
        words = dict.fromkeys(ordered)
        text = dict.fromkeys(_words(excerpt, interned))
        text.update(words)
        name = provider.strip().lower()
        return cls(
            tuple(words), tuple(text), tuple(_phrases(ordered, interned)),
            marks(title), day_of(when), interned.setdefault(name, name), stage(title), link_key(url),
        )  # fmt: skip


Fields = tuple[str, str, str, str, str]  # title, excerpt, provider, date, link: all an Item is made of


def fields_of(article: Any) -> Fields:
    url = getattr(article, "original_url", "") or getattr(article, "url", "") or ""
    return (
        article.title or "", article.excerpt or "", getattr(article.provider, "name", "") or "",
        getattr(article, "date", "") or "", url,
    )  # fmt: skip


class SameStory:
    """The clusters of a folder, kept up as articles come, change and go (keyed by path)."""

    def __init__(self, threshold: float = DEFAULT_THRESHOLD):
        self._threshold = threshold
        self._fields: dict[str, Fields] = {}  # what each article's Item is made of
        # Each article's Item is made from its fields while the scores are worked out, and not
        # kept: 100,000 articles' words held 300 MB.
        self._scores: _Kept | None = None
        self._apart: dict[str, set[str]] = {}  # path -> paths it is never one story with (see _apart)
        self._clusters: dict[str, list[str]] | None = None
        self._elsewhere = 0  # the number of articles, when scored elsewhere (see scored_elsewhere)

    def __len__(self) -> int:
        return self._elsewhere or len(self._fields)

    @property
    def growable(self) -> bool:
        """Whether articles can be added and removed (not one scored elsewhere)."""
        return not self._elsewhere

    def _not_elsewhere(self) -> None:
        if self._elsewhere:
            raise ValueError("scored elsewhere: its articles' words are not here to add to (cluster them again)")

    # --- a saved result --------------------------------------------------------------------------

    def fingerprint(self) -> str:
        """What the scores depend on: every article's fields and the model. Equal fingerprints,
        equal scores."""
        self._not_elsewhere()
        digest = hashlib.sha256(MODEL.encode())
        for path in sorted(self._fields):
            digest.update("\x1f".join((path, *self._fields[path])).encode("utf-8", "surrogatepass") + b"\x1e")
        return digest.hexdigest()

    def saved(self) -> dict[str, Any]:
        """The scores, to be written where a next run finds them (see restore)."""
        scores = self._scored()
        return {
            "fingerprint": self.fingerprint(),
            "scores": [[a, b, s] for (a, b), s in scores.items()],
            "apart": {p: sorted(others) for p, others in self._apart.items()},
        }

    def restore(self, data: Any) -> bool:
        """Takes scores saved by a run on the very same articles; False (and nothing taken)
        for any others, or anything unreadable."""
        try:
            if data["fingerprint"] != self.fingerprint():
                return False
            paths = sorted(self._fields)
            row = {p: i for i, p in enumerate(paths)}
            scores = _Kept(paths)
            for a, b, score in data["scores"]:
                scores.add(row[a], row[b], float(score))
            apart = {str(p): {str(o) for o in others} for p, others in data["apart"].items()}
        except (KeyError, TypeError, ValueError, AttributeError):
            return False
        self._scores, self._apart, self._clusters = scores, apart, None
        return True

    @property
    def threshold(self) -> float:
        return self._threshold

    @threshold.setter
    def threshold(self, value: float) -> None:
        if value != self._threshold:
            self._threshold = value
            self._clusters = None  # the scores stay: only the linkage is done again

    # --- articles in and out -------------------------------------------------------------------

    def add(self, articles: Iterable[Any]) -> None:
        """Articles (with relpath, title, excerpt, provider.name, date), new or changed. The
        clusters are worked out when next asked for: adding a folder batch by batch costs one
        clustering, not one a batch."""
        self._not_elsewhere()
        for article in articles:
            self._fields[article.relpath] = fields_of(article)
        self._scores = self._clusters = None

    def adding(self, articles: Iterable[Any]) -> Generator[None, None, None]:
        """add() in steps, then the clusters worked out again, in steps: it yields every few
        milliseconds, so that a window can run it between events."""
        yield from self.taking(articles)
        yield from self._scoring()
        yield from self.linking()

    def taking(self, articles: Iterable[Any]) -> Generator[None, None, None]:
        """add() in steps; the scores are worked out when next asked for."""
        self._not_elsewhere()
        for n, article in enumerate(articles, 1):
            self._fields[article.relpath] = fields_of(article)
            if n % (STEP * 5) == 0:
                yield
        self._scores = self._clusters = None

    @classmethod
    def scored_elsewhere(cls, paths: list[str], data: bytes, threshold: float = DEFAULT_THRESHOLD) -> SameStory | None:
        """The clusters of the articles write_fields wrote (`paths`, in the order written)
        from the scores score_file worked out for them (`data`); None for anything else. It
        keeps no article's words: it can be linked at another threshold, not added to."""
        try:
            head, body = data.split(b"\n", 1)
            sizes = json.loads(head)
            if sizes["model"] != MODEL or sizes["articles"] != len(paths):
                return None
            pairs, held_apart = int(sizes["pairs"]), int(sizes["apart"])
            first, second, apart_first, apart_second = array("i"), array("i"), array("i"), array("i")
            score = array("d")
            at = 0
            parts: list[tuple[array[Any], int]] = [
                (first, pairs), (second, pairs), (score, pairs), (apart_first, held_apart), (apart_second, held_apart)
            ]  # fmt: skip
            for found, size in parts:
                end = at + size * found.itemsize
                found.frombytes(body[at:end])
                at = end
            rows = (first, second, apart_first, apart_second)
            if at != len(body) or any(found and (min(found) < 0 or max(found) >= len(paths)) for found in rows):
                return None
        except (ValueError, KeyError, TypeError):
            return None
        same = cls(threshold)
        same._scores = _Kept(paths)
        same._scores.first, same._scores.second, same._scores.score = first, second, score
        apart: dict[str, set[str]] = defaultdict(set)
        for i, j in zip(apart_first, apart_second, strict=True):
            apart[paths[i]].add(paths[j])
            apart[paths[j]].add(paths[i])
        same._apart, same._elsewhere = dict(apart), len(paths)
        return same

    def remove(self, paths: Iterable[str]) -> None:
        self._not_elsewhere()
        for path in paths:
            if self._fields.pop(path, None) is not None:
                self._scores = self._clusters = None

    # --- scores ----------------------------------------------------------------------------------

    def _scoring(self) -> Generator[None, None, None]:
        paths = sorted(self._fields)
        interned: Interned = {}
        items, idf, pairs, title_norm, text_norm = yield from _prepare([self._fields[p] for p in paths], interned)
        scores = _Kept(paths)
        apart: dict[str, set[str]] = defaultdict(set)
        for k, (i, j) in enumerate((i, j) for i, others in enumerate(pairs) for j in others):
            if _apart(items[i], items[j]):
                apart[paths[i]].add(paths[j])
                apart[paths[j]].add(paths[i])
                continue
            score = _score(items[i], items[j], idf, title_norm[i] * title_norm[j], text_norm[i] * text_norm[j])
            if score >= KEEP:
                scores.add(i, j, score)
            if k % (STEP * 5) == 0:
                yield
        self._scores, self._apart = scores, dict(apart)
        # let go of the words a few thousand at a time: freed at once, 100,000 articles' held
        # the window for a tenth of a second
        for held in (items, pairs, title_norm, text_norm):
            while held:
                del held[-STEP * 10 :]
                yield
        while interned:
            for _ in range(min(len(interned), STEP * 50)):
                interned.popitem()
            yield

    def score(self, a: str, b: str) -> float | None:
        """The pair's score (0 to 1, the chance it is one story), or None when it was not kept."""
        scores = self._scored()
        return scores.get((a, b) if a < b else (b, a))

    def similarity(self, a: str, b: str) -> float:
        found = self.score(a, b)
        return 0.0 if found is None else found

    def _scored(self) -> _Kept:
        if self._scores is None:
            for _ in self._scoring():
                pass
        assert self._scores is not None
        return self._scores

    # --- clusters --------------------------------------------------------------------------------

    def cohesion(self, cluster: list[str]) -> float:
        """The mean score of a cluster's pairs (pairs never compared count 0): what joined it."""
        pairs = [(a, b) for i, a in enumerate(cluster) for b in cluster[i + 1 :]]
        return sum(self.similarity(a, b) for a, b in pairs) / len(pairs) if pairs else 0.0

    def linking(self) -> Generator[None, None, None]:
        """The clusters worked out from the scores, in steps: average linkage over the kept
        scores, in path order (so in any reading order the same)."""
        scores = self._scored()
        threshold = self._threshold
        # only an article with a pair at the threshold can ever join a group (a group's mean is
        # at most its best pair): the others' pairs are left out of the sums, which are then a
        # fraction of the scores
        active = {p for (a, b), score in scores.items() if score >= threshold for p in (a, b)}
        sums = yield from _sums(scores, active)
        members: dict[str, list[str]] = {p: [p] for p in sums}
        apart = {p: set(self._apart.get(p, ())) for p in sums}  # each group: the paths it must not take
        heap = [(-s, a, b) for (a, b), s in scores.items() if s >= threshold]
        heapq.heapify(heap)
        merged = 0
        while heap:
            negative, a, b = heapq.heappop(heap)
            if a not in members or b not in members:
                continue
            mean = _mean(sums[a].get(b), len(members[a]) * len(members[b]))
            if mean != round(-negative, 9):
                continue  # a stale entry: the groups changed since
            if mean < threshold:
                break
            if apart[a].intersection(members[b]):
                continue  # a part 1 and a part 2, a preview and its release: never one story
            _join(a, b, members, sums, apart)
            for c, total in sums[a].items():
                mean = _mean(total, len(members[a]) * len(members[c]))
                if mean >= threshold:
                    heapq.heappush(heap, (-mean, min(a, c), max(a, c)))
            merged += 1
            if merged % STEP == 0:
                yield
        # the work's structures go before the clusters are made, so that these fill the room
        # they leave instead of holding it (memory the heap could not give back otherwise)
        heap.clear()
        sums.clear()
        apart.clear()
        yield
        clusters: dict[str, list[str]] = {}
        for group in members.values():
            if len(group) > 1:
                cluster = sorted(group)
                for path in cluster:
                    clusters[path] = cluster
        self._clusters = clusters

    def clusters(self) -> list[list[str]]:
        """Clusters of two or more paths, each sorted; the largest first."""
        return sorted({id(c): c for c in self._by_path().values()}.values(), key=lambda c: (-len(c), c[0]))

    def cluster_of(self, path: str) -> list[str]:
        """The paths of the article's cluster (itself included), or [] when it has none."""
        return self._by_path().get(path, [])

    def clustered(self) -> dict[str, list[str]]:
        """The path of every article in a cluster, with its cluster (sorted paths)."""
        return self._by_path()

    def _by_path(self) -> dict[str, list[str]]:
        if self._clusters is None:
            if self._scores is None:
                _run(self._scoring())
            _run(self.linking())
        assert self._clusters is not None
        return self._clusters


# In the window's process, scoring 100,000 articles left it 75 MB larger for good (the words'
# small objects, freed among the window's own, could not be given back); a process of its own
# gives all of it back when it ends, and takes no turn from the window's thread.


def write_fields(articles: Iterable[Any], out: IO[str]) -> Generator[None, None, list[str]]:
    """The articles' fields for score_file, a JSON line each, in steps; their paths in the
    order written."""
    listed = list(articles)
    out.write(json.dumps({"model": MODEL, "articles": len(listed)}) + "\n")
    paths = []
    for n, article in enumerate(listed, 1):
        paths.append(article.relpath)
        out.write(json.dumps([article.relpath, *fields_of(article)]) + "\n")
        if n % (STEP * 5) == 0:
            yield
    return paths


def score_file(source: str, target: str) -> None:
    """Scores the articles write_fields wrote to `source` and writes the result to `target`
    for SameStory.scored_elsewhere: a line of sizes, then the kept pairs' rows and scores and
    the pairs kept apart's rows (rows in the order written; in each pair the lesser path first)."""
    same = SameStory()
    written: dict[str, int] = {}
    with open(source, encoding="utf-8") as fh:
        head = json.loads(fh.readline())
        if head.get("model") != MODEL:
            raise ValueError(f"{source}: written for another model")
        for line in fh:
            path, *fields = json.loads(line)
            written[path] = len(written)
            same._fields[path] = (fields[0], fields[1], fields[2], fields[3], fields[4])
    scores = same._scored()
    row = [written[p] for p in scores.paths]  # sorted: the lesser row is the lesser path
    first, second = array("i", (row[i] for i in scores.first)), array("i", (row[j] for j in scores.second))
    apart_first, apart_second = array("i"), array("i")
    for path, others in same._apart.items():
        for other in others:
            if path < other:
                apart_first.append(written[path])
                apart_second.append(written[other])
    sizes = {"model": MODEL, "articles": len(written), "pairs": len(scores), "apart": len(apart_first)}
    with open(target, "wb") as out:
        out.write(json.dumps(sizes).encode() + b"\n")
        for found in (first, second, scores.score, apart_first, apart_second):
            found.tofile(out)


def score_elsewhere(source: str, running: Callable[[subprocess.Popen[bytes]], object] = lambda _: None) -> bytes:
    """score_file run in a process of its own, at a lower priority than this one's, ended
    with it; its result. `running` is handed the process (to end it when the result is no
    longer wanted). OSError when it cannot run or fails."""
    target = source + ".scores"
    here = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(p for p in (here, os.environ.get("PYTHONPATH")) if p))
    code = "import sys; from reviewer.core.same_story import _elsewhere; _elsewhere(*sys.argv[1:])"
    try:
        with subprocess.Popen(
            [sys.executable, "-c", code, source, target, str(os.getpid())],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env,
        ) as process:  # fmt: skip
            running(process)
            _, errors = process.communicate()
        if process.returncode != 0:
            raise OSError(
                f"same-story scoring ended with {process.returncode}: {errors.decode(errors='replace')[-500:]}"
            )
        with open(target, "rb") as fh:
            return fh.read()
    finally:
        with contextlib.suppress(OSError):
            os.unlink(target)


def _elsewhere(source: str, target: str, parent: str) -> None:
    """The process of score_elsewhere."""
    from .workers import BACKGROUND_NICE, _end_with

    with contextlib.suppress(OSError):
        os.nice(BACKGROUND_NICE)
    _end_with(int(parent))
    score_file(source, target)


class _Kept:
    """The kept pair scores, compact: two rows and a score in arrays, 16 bytes a pair (a dict
    of path pairs took about 180, 80 MB at 100,000 articles); looked up by paths only when
    asked (the command line, a test), through a dict made then."""

    __slots__ = ("_lookup", "first", "paths", "score", "second")

    def __init__(self, paths: list[str]):
        self.paths = paths
        self.first, self.second, self.score = array("i"), array("i"), array("d")
        self._lookup: dict[tuple[str, str], float] | None = None

    def __len__(self) -> int:
        return len(self.score)

    def add(self, i: int, j: int, score: float) -> None:
        if i > j:
            i, j = j, i
        self.first.append(i)
        self.second.append(j)
        self.score.append(score)
        self._lookup = None

    def items(self) -> Iterator[tuple[tuple[str, str], float]]:
        paths = self.paths
        for i, j, score in zip(self.first, self.second, self.score, strict=True):
            yield (paths[i], paths[j]), score

    def get(self, key: tuple[str, str]) -> float | None:
        if self._lookup is None:
            self._lookup = dict(self.items())
        return self._lookup.get(key)


Sums = dict[str, dict[str, tuple[float, int]]]  # group -> other group -> (sum of their pairs' scores, pairs scored)


def _sums(scores: _Kept, active: set[str]) -> Generator[None, None, Sums]:
    """Each active article's scores with the other active ones, both ways: the groups' sums
    before any merge."""
    sums: Sums = defaultdict(dict)
    for n, ((a, b), score) in enumerate(scores.items(), 1):
        if a in active and b in active:
            sums[a][b] = sums[b][a] = (score, 1)
        if n % (STEP * 25) == 0:
            yield
    return sums


def _mean(total: tuple[float, int] | None, pairs: int) -> float:
    """Two groups' mean score: a pair never compared (no rare word in common) counts as half a
    pair scored 0, weaker evidence than a comparison that found nothing; rounded, so that the
    order sums were made in never matters."""
    if total is None:
        return 0.0
    score, scored = total
    return round(score / (scored + (pairs - scored) * UNCOMPARED), 9)


def _join(a: str, b: str, members: dict[str, list[str]], sums: Sums, apart: dict[str, set[str]]) -> None:
    """Group b joins group a (a < b: the result does not depend on the order things came in):
    its members, the sums of its scores with every other group, what it must stay apart from."""
    apart[a] |= apart.pop(b)
    members[a] += members.pop(b)
    for c, (score, scored) in sums.pop(b).items():
        if c == a:
            continue
        sums[c].pop(b, None)
        before, counted = sums[a].get(c, (0.0, 0))
        sums[a][c] = sums[c][a] = (before + score, counted + scored)
    sums[a].pop(b, None)


MODEL = json.dumps(
    [WEIGHTS, WINDOW, RARE_SHARE, RARE_IDF, EXCERPT_WEIGHT, KEEP, sorted(_STOP), _WORD.pattern, _MARK.pattern, 2],
    sort_keys=True, default=str,
)  # fmt: skip  # saved scores are for this model only


def _weighing(items: list[Item]) -> Generator[None, None, dict[str, float]]:
    """Each word's weight, its rarity over the whole folder (idf)."""
    df: Counter[str] = Counter()
    for n, item in enumerate(items, 1):
        df.update(item.text)
        df.update(item.phrases)
        if n % (STEP * 10) == 0:
            yield
    size = max(len(items), 1000)  # in a small folder a story's own words are common: weigh them as in a larger one
    return {w: math.log((size + 1) / (c + 0.5)) for w, c in df.items()}


def _candidates(items: list[Item], idf: dict[str, float]) -> Generator[None, None, list[set[int]]]:
    """The pairs worth comparing: at most WINDOW days apart, sharing a word that at
    most RARE_SHARE of the folder has. Yields every few thousand steps."""
    size = max(len(items), 1000)
    cap = max(30, RARE_SHARE * len(items))
    rare = math.log((size + 1) / (cap + 0.5))  # the idf of a word in `cap` articles
    postings: dict[str, list[int]] = defaultdict(list)
    work = 0
    for i, item in enumerate(items):
        if item.day is not None:
            for word in item.text:
                if idf[word] >= rare:
                    postings[word].append(i)
            work += len(item.text)
            if work >= STEP * 100:
                work = 0
                yield
    pairs: list[set[int]] = [set() for _ in items]  # i -> each j > i (small sets: no long rehash of one big one)
    for word in postings:  # in any order: the pairs found are the same
        found = sorted(postings[word], key=lambda i: (items[i].day, i))
        days = [items[i].day or 0 for i in found]
        work += 10 * len(found)
        for x, i in enumerate(found):
            end = bisect.bisect_right(days, days[x] + WINDOW)
            for y in range(x + 1, end):
                j = found[y]
                if i < j:
                    pairs[i].add(j)
                else:
                    pairs[j].add(i)
            work += end - x
            if work >= STEP * 100:
                work = 0
                yield
    return pairs  # compared in any order: each pair's score is its own


class _Prepared(NamedTuple):
    items: list[Item]
    idf: dict[str, float]
    pairs: list[set[int]]  # row -> the rows after it that it is compared with
    title_norm: list[float]
    text_norm: list[float]


def _prepare(fields: list[Fields], interned: Interned) -> Generator[None, None, _Prepared]:
    """What comparing the articles (given in path order) needs: their Items, the words'
    weights, the pairs worth comparing and each article's vector lengths. In steps."""
    items = []
    for n, one in enumerate(fields, 1):
        items.append(Item.of_fields(one, interned))
        if n % (STEP // 2) == 0:
            yield
    idf = yield from _weighing(items)
    pairs = yield from _candidates(items, idf)
    title_norm, text_norm = [], []
    for n, item in enumerate(items, 1):
        title_norm.append(_norm(item.title, idf, 1.0))
        text_norm.append(_norm(item.text, idf, EXCERPT_WEIGHT, item.title))
        if n % (STEP * 5) == 0:
            yield
    return _Prepared(items, idf, pairs, title_norm, text_norm)


def pair_features(articles: Iterable[Any]) -> list[tuple[str, str, dict[str, float]]]:
    """Every compared pair of the articles with its evidence: what WEIGHTS were fitted on."""
    by_path = {a.relpath: fields_of(a) for a in articles}
    paths = sorted(by_path)
    items, idf, pairs, title_norm, text_norm = _run(_prepare([by_path[p] for p in paths], {}))
    found = []
    for i, others in enumerate(pairs):
        for j in sorted(others):
            evidence = features(items[i], items[j], idf, title_norm[i] * title_norm[j], text_norm[i] * text_norm[j])
            found.append((paths[i], paths[j], evidence))
    return found


T = TypeVar("T")


def _run(steps: Generator[None, None, T]) -> T:
    """Work in steps, run to its end: its result."""
    result: list[T] = []

    def whole() -> Generator[None, None, None]:
        result.append((yield from steps))

    for _ in whole():
        pass
    return result[0]


def _norm(words: Iterable[str], idf: dict[str, float], weight: float, title: Iterable[str] = ()) -> float:
    """The length of an article's weighted word vector (title words weigh 1, others `weight`)."""
    heads = set(title)
    total = sum((idf[w] if w in heads or not heads else idf[w] * weight) ** 2 for w in words)
    return math.sqrt(total) or 1.0


def features(a: Item, b: Item, idf: dict[str, float], title_norms: float, text_norms: float) -> dict[str, float]:
    """The evidence for and against a pair being one story (see WEIGHTS)."""
    title_a, title_b = set(a.title), set(b.title)
    title = sum(idf[w] ** 2 for w in title_a & title_b) / title_norms
    text_a, text_b = set(a.text), set(b.text)
    both = text_a & text_b
    text = 0.0
    for w in both:
        wa = idf[w] if w in title_a else idf[w] * EXCERPT_WEIGHT
        wb = idf[w] if w in title_b else idf[w] * EXCERPT_WEIGHT
        text += wa * wb
    text /= text_norms
    unmatched_a = sum(idf[w] for w in title_a if idf[w] >= RARE_IDF and w not in text_b)
    unmatched_b = sum(idf[w] for w in title_b if idf[w] >= RARE_IDF and w not in text_a)
    # rare words both mention, one of them in its title: excerpts alone share news-wire boilerplate
    shared = sum(idf[w] for w in both & (title_a | title_b) if idf[w] >= RARE_IDF)
    days = abs(a.day - b.day) if a.day is not None and b.day is not None else WINDOW
    same_provider = float(bool(a.provider) and a.provider == b.provider)
    return {
        "phrases": sum(idf[p] for p in set(a.phrases).intersection(b.phrases)) / 20,
        "repost": same_provider * title,
        "title": title,
        "text": text,
        "unmatched": min(unmatched_a, unmatched_b) / 10,
        "shared": shared / 20,
        "same_provider": same_provider,
        "days": days / 7,
        "stage": float(bool(a.stage and b.stage and a.stage != b.stage)),
        "same_link": float(bool(a.link) and a.link == b.link),
    }


def _apart(a: Item, b: Item) -> bool:
    """Two stories by the rules, however alike: two parts, episodes, days or months of a
    series, or a preview and the general availability of one thing. No cluster holds both."""
    return bool(a.marks and b.marks and a.marks != b.marks) or bool(a.stage and b.stage and a.stage != b.stage)


def _score(a: Item, b: Item, idf: dict[str, float], title_norms: float, text_norms: float) -> float:
    found = features(a, b, idf, title_norms, text_norms)
    z = WEIGHTS["bias"] + sum(WEIGHTS[k] * v for k, v in found.items())
    return round(1 / (1 + math.exp(-z)), 9)


class Evaluation(NamedTuple):
    """Clusters against a labelled truth: pairwise precision and recall (borderline pairs count
    neither way), stories found whole, and the pairs that went wrong, highest score first."""

    precision: float
    recall: float
    whole: int
    stories: int
    found: int
    true: int
    false_links: list[tuple[float, str, str]]
    misses: list[tuple[float, str, str]]

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def summary(self) -> str:
        return (
            f"pairwise precision {self.precision:.3f}, recall {self.recall:.3f}, F1 {self.f1:.3f} "
            f"({self.found:,} pairs found, {self.true:,} true); stories recovered whole {self.whole} of {self.stories}"
        )


def evaluate(same: SameStory, groups: dict[str, list[str]], borderline: Iterable[Iterable[str]] = ()) -> Evaluation:
    """`groups`: story name -> its paths; `borderline`: pairs (and a reason) scored neither way."""

    def pairs(cluster: list[str]) -> set[tuple[str, str]]:
        ordered = sorted(cluster)
        return {(a, b) for i, a in enumerate(ordered) for b in ordered[i + 1 :]}

    clusters = same.clusters()
    true = set().union(*(pairs(g) for g in groups.values())) if groups else set()
    skip = {tuple(sorted(list(pair)[:2])) for pair in borderline}
    found = set().union(*(pairs(c) for c in clusters)) if clusters else set()
    found -= skip
    right = len(found & true)
    whole = sum(1 for g in groups.values() if same.cluster_of(sorted(g)[0]) == sorted(g))

    def scored(pair_set: set[tuple[str, str]]) -> list[tuple[float, str, str]]:
        return sorted(((same.similarity(a, b), a, b) for a, b in pair_set), key=lambda x: (-x[0], x[1], x[2]))

    return Evaluation(
        right / len(found) if found else 1.0, right / len(true) if true else 1.0, whole, len(groups),
        len(found), len(true), scored(found - true), scored(true - found),
    )  # fmt: skip


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
