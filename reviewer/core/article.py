"""Article: one file's path, identity on disk, original and current metadata, typed accessors."""

from __future__ import annotations

import hashlib
import marshal
import operator
import os
import pickle
import struct
import sys
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from itertools import accumulate
from typing import Any, NamedTuple

from .frontmatter_text import UNSET
from .spill import Held, Packs, Placed, Spill, Spilled

EDITABLE_KEYS = ("published", "quality")
Verdict = tuple[str, str, str]  # a decision: kind (approve, reject, ...), editor, UTC time


@dataclass(frozen=True, slots=True)
class Identity:
    """What a file was when it was read; a save refuses when the file no longer matches."""

    size: int
    mtime_ns: int
    digest: bytes
    # Where the file's published and quality values are plain one-line scalars
    # (frontmatter_text.pack_lines): what a save's shorter check relies on. 0: nothing known.
    plain_lines: int = 0

    @classmethod
    def of(cls, data: bytes, size: int, mtime_ns: int, plain_lines: int = 0) -> Identity:
        # Not for an article only printed (see packing): nothing saves it (2.6 us of 100 a file).
        return cls(size, mtime_ns, content_digest(data) if _PACKING[0] else _NO_DIGEST, plain_lines)

    def pack(self) -> bytes:
        """40 bytes: how an Article keeps it (the object and its four values took about 200)."""
        return _IDENTITY.pack(self.size, self.mtime_ns, self.plain_lines, self.digest)

    @classmethod
    def unpack(cls, data: bytes) -> Identity:
        """From pack()'s 40 bytes, or from the start of a longer value."""
        size, mtime_ns, plain_lines, digest = _IDENTITY.unpack_from(data)
        return cls(size, mtime_ns, digest, plain_lines)


_IDENTITY = struct.Struct("<qqQ16s")
_ID = _IDENTITY.size  # Article._stored starts with the identity: one bytes object for both (41 bytes less)
# An article whose pack is kept with its block's (Article._spill: a Spill's or in memory)
# keeps its identity, then where the pack is there: its offset and length. One pack() makes
# it from the whole _stored (an "s" format keeps the leading bytes of a longer value).
_SPILLED = struct.Struct(f"<{_ID}sQI")
_WHERE = struct.Struct("<QI")


def content_digest(data: bytes) -> bytes:
    return hashlib.blake2b(data, digest_size=16).digest()


@dataclass(frozen=True)
class Image:
    url: str
    width: int | None = None
    height: int | None = None

    @classmethod
    def list_from(cls, value: Any) -> list[Image]:
        if not isinstance(value, list):
            return []
        images = []
        for item in value:
            if isinstance(item, dict) and isinstance(item.get("url"), str) and item["url"].strip():
                images.append(
                    cls(item["url"].strip(), _int_or_none(item.get("width")), _int_or_none(item.get("height")))
                )
            elif isinstance(item, str) and item.strip():
                images.append(cls(item.strip()))
        return images


@dataclass(frozen=True)
class Provider:
    name: str = ""
    domain: str = ""
    images: tuple[Image, ...] = ()

    @classmethod
    def from_value(cls, value: Any) -> Provider:
        if isinstance(value, str):
            return cls(name=value)
        if not isinstance(value, dict):
            return cls()
        return cls(_text(value.get("name")), _text(value.get("domain")), tuple(Image.list_from(value.get("images"))))

    @staticmethod
    def name_of(value: Any) -> str:
        """from_value(value).name, without making the rest (its images) for a name printed."""
        if isinstance(value, str):
            return value
        return _text(value.get("name")) if isinstance(value, dict) else ""


class Fields:
    """What an article and a related item both read the same way, through `_get`."""

    __slots__ = ()

    def _get(self, key: str) -> Any:
        raise NotImplementedError

    @property
    def provider(self) -> Provider:
        return Provider.from_value(self._get("provider"))

    @property
    def provider_name(self) -> str:
        return Provider.name_of(self._get("provider"))

    @property
    def images(self) -> list[Image]:
        return Image.list_from(self._get("images"))

    @property
    def related(self) -> list[Related]:
        value = self._get("related")
        if not isinstance(value, list):
            return []
        return [Related(item) for item in value if isinstance(item, dict)]


@dataclass(frozen=True)
class Related(Fields):
    """A nested article under `related:`, with its own provider and images."""

    metadata: dict[Any, Any]

    def _get(self, key: str) -> Any:
        return self.metadata.get(key)

    @property
    def title(self) -> str:
        return _text(self._get("title")) or _text(self._get("name"))

    @property
    def date(self) -> str:
        return _text(self._get("publishedDateTime"))

    @property
    def quality(self) -> int | None:
        return _int_or_none(self._get("quality"))

    @property
    def link(self) -> str:
        """The address an editor opens: the original article, else the site's page."""
        return _text(self._get("originalUrl")) or _text(self._get("webUrl"))


# Top-level keys kept decoded on every article: what the list shows, sorts and filters on.
SUMMARY_KEYS = (
    "title",
    "name",
    "excerpt",
    "published",
    "quality",
    "heat",
    "type",
    "category",
    "publishedDateTime",
    "provider",
    "topics",
    "originalUrl",
    "webUrl",
)


# Marks a key the file does not have. Ellipsis: no YAML value is it, and marshal and pickle
# keep it as itself, so an article's raw values are marshalled as they are (block_columns).
_ABSENT: Any = ...


class Article(Fields):
    """A file with front matter. `original` is what is on disk; `edits` what the editor changed.

    The current metadata is derived: original updated with edits; after a save the edits
    fold into original. To hold 100,000 articles in a few hundred MB and sort them in a
    tenth of a second, the full metadata is kept packed (marshal + zlib) and decoded on
    demand, while the keys the list shows, sorts and filters on are kept decoded in slots,
    with the sizes of all list and mapping values.
    """

    __slots__ = (
        "_base",
        "_own_path",
        "relpath",
        "edits",
        "conflict",
        "read_only",
        "_sizes",
        "_stored",
        "_spill",
        "_raw",
        "_keys",
        "title",
        "excerpt",
        "date",
        "type",
        "category",
        "topics",
        "original_url",
        "web_url",
        "heat",
        "logged",
        "pending",
        "same",
        "place",
    )
    relpath: str  # relative to the library root, with '/' separators
    # The absolute path is `_base + relpath` (`_base` one string for the folder), or `_own_path`
    # where it is not: 190 bytes an article kept once.
    _base: str
    _own_path: str | None
    # Read it freely; change it through set, drop_edit, revert, written. Articles without edits
    # share one empty mapping (_NO_EDITS) that nothing writes to.
    edits: dict[str, Any]
    conflict: bool
    read_only: str
    # What the list shows, sorts and filters on, decoded from `_raw`:
    title: str
    excerpt: str
    date: str  # publishedDateTime exactly as written
    type: str
    category: str
    topics: list[str]
    original_url: str
    web_url: str
    heat: int | None
    # Decisions as (kind, editor, time): the last one in the review log, and one made since,
    # not saved yet (it is logged in the save that writes the article).
    logged: Verdict | None
    pending: Verdict | None
    same: int  # the size of its same-story cluster (core.same_story), 0 when it is in none
    place: int | None  # where it stands in an order being ranked (core.ordering.ranking)
    _sizes: dict[Any, int]
    _stored: bytes  # the identity (Identity.pack, _ID bytes), then the metadata's pack (PackedMetadata.packed)
    _spill: Packs | None  # where the pack is instead, when set: _stored has only where in it after the identity
    _raw: tuple[Any, ...]
    _keys: tuple[Any, ...]

    def __init__(
        self, path: str, relpath: str, identity: Identity, original: dict[Any, Any], read_only: str = ""
    ) -> None:
        self._place(path, relpath)
        self._stored = identity.pack()
        self._unread()
        self.read_only = read_only  # why it may not be written (outside the folder, no permission), or ''
        self.original = original

    def _unread(self) -> None:
        """What an article just made is besides what its file says: no edits, no conflict (the
        file changed on disk while it had pending edits), no decision, no story, its pack in
        memory. articles_from_block sets the same inline, where the loop is the cost."""
        self._spill = None
        self.edits = _NO_EDITS
        self.conflict = False
        self.logged = None
        self.pending = None
        self.same = 0

    def _place(self, path: str, relpath: str) -> None:
        self.relpath = relpath
        if len(path) > len(relpath) and path.endswith(relpath):
            base = path[: len(path) - len(relpath)]
            self._base, self._own_path = _BASES.setdefault(base, base), None
        else:
            self._base, self._own_path = "", path

    @property
    def path(self) -> str:
        """The file's absolute path."""
        own = self._own_path
        return self._base + self.relpath if own is None else own

    def show_as(self, relpath: str) -> None:
        """Name the article `relpath` in messages (as a command line was given it); the path stays."""
        path = self.path
        self.relpath, self._base, self._own_path = relpath, "", path

    @property
    def identity(self) -> Identity:
        """What the file was when it was read (kept packed: see Identity.pack)."""
        return Identity.unpack(self._stored)

    @identity.setter
    def identity(self, value: Identity) -> None:
        self._stored = value.pack() + self._stored[_ID:]

    @property
    def original(self) -> dict[Any, Any]:
        cached = _DECODED.get(id(self))
        if cached is not None and cached[0] is self._stored:
            return cached[1]
        value = self.snapshot().metadata()
        _DECODED[id(self)] = (self._stored, value)
        if len(_DECODED) > 512:
            _DECODED.pop(next(iter(_DECODED)))
        return value

    @original.setter
    def original(self, metadata: dict[Any, Any]) -> None:
        self._restore(PackedMetadata.of(metadata))

    def snapshot(self) -> PackedMetadata:
        """What is on disk, packed: cheap to take, and any thread can unpack it (`.metadata()`)."""
        return PackedMetadata(self._keys, _packed(self._stored, self._spill), self._raw, self._sizes)

    def _whole(self) -> bytes:
        """_stored with the pack itself in it, wherever the article keeps the pack."""
        spill = self._spill
        if spill is None:
            return self._stored
        return self._stored[:_ID] + _spilled_at(self._stored, spill).read()

    def _restore(self, state: PackedMetadata) -> None:
        packed = state.packed
        if type(packed) is Spilled:
            self._stored = self._stored[:_ID] + _WHERE.pack(packed.offset, packed.length)
            self._spill = packed.spill
        else:
            self._stored, self._spill = self._stored[:_ID] + packed, None  # type: ignore[operator]
        self._keys = state.keys
        self._summarise(state.raw, state.sizes)
        _DECODED.pop(id(self), None)

    def _fold(self, edits: dict[str, Any]) -> None:
        raw = list(self._raw)
        keys = self._keys
        for key, value in edits.items():
            raw[_INDEX[key]] = _ABSENT if value is UNSET else value
            if value is UNSET:
                keys = tuple(k for k in keys if k != key)
            elif key not in keys:
                keys = (*keys, key)
        self._keys = _shared(keys)
        if _SUMMARISED.isdisjoint(edits):  # published, quality: read from the raw values as asked for
            self._raw = tuple(raw)
        else:
            self._summarise(tuple(raw), self._sizes)
        _DECODED.pop(id(self), None)

    def _summarise(self, raw: tuple[Any, ...], sizes: dict[Any, int]) -> None:
        self._raw = raw
        self._sizes = sizes
        get = dict(zip(SUMMARY_KEYS, raw, strict=True)).get
        self.title = _text(get("title")) or _text(get("name"))
        self.excerpt = _text(get("excerpt"))
        self.date = _text(get("publishedDateTime"))
        self.type = _interned(_text(get("type")))
        self.category = _interned(_text(get("category")))
        self.topics = _topics_of(get("topics"))
        self.original_url = _text(get("originalUrl"))
        web = _text(get("webUrl"))
        self.web_url = self.original_url if web == self.original_url else web
        self.heat = _int_or_none(get("heat"))

    def __getstate__(self) -> tuple[Any, ...]:
        return (
            self.path,
            self.relpath,
            self._whole(),  # another process has not this one's spill
            dict(self.edits),
            self.conflict,
            self.read_only,
            self.logged,
            self.pending,
            self._raw,
            self._sizes,
            self._keys,
        )

    def __setstate__(self, state: tuple[Any, ...]) -> None:
        (
            path,
            relpath,
            self._stored,
            edits,
            self.conflict,
            self.read_only,
            self.logged,
            self.pending,
            raw,
            sizes,
            keys,
        ) = state
        self._place(path, relpath)
        self._spill = None
        self.edits = edits or _NO_EDITS
        self.same = 0
        self._keys = _shared(keys)
        self._summarise(_share_values(raw), _shared(sizes))

    def index_state(self) -> bytes:
        """The article as the folder index keeps it (core.index): what it read, not what it edits.

        What repeats across a folder is marshalled apart, so that from_index turns each
        distinct one into objects once: the shape (key list, sizes, provider, type, category,
        which keys are absent) and the topics. The list's fields are kept as computed, so
        that from_index need not work them out again.
        """
        absent = 0
        raw: list[Any] = []
        for i, value in enumerate(self._raw):
            if value is _ABSENT:
                absent |= 1 << i
                raw.append(None)
            elif i in _IN_SHAPE or i == _TOPICS:
                raw.append(None)  # in `shape` or `topics`
            else:
                raw.append(value)
        try:
            fixed = tuple(_none(self._raw[i]) for i in _IN_SHAPE)
            shape = marshal.dumps((self._keys, self._sizes, fixed, absent))
            topics = marshal.dumps(_none(self._raw[_TOPICS]))
            listed = (self.title, self.excerpt, self.date, self.original_url, self.web_url, self.heat)
            return b"N" + marshal.dumps((self._whole(), tuple(raw), self.read_only, shape, topics, listed))
        except ValueError:  # a date from an explicit !!timestamp tag: the slow way, as a whole
            full = (self._whole(), tuple(None if v is _ABSENT else v for v in self._raw), absent)
            rest = (self._sizes, self._keys, self.read_only)
            return b"P" + pickle.dumps(full + rest, protocol=pickle.HIGHEST_PROTOCOL)

    @classmethod
    def from_index(cls, path: str, relpath: str, data: bytes, base: str = "") -> Article:
        """The article an index_state() was taken of, as read then (the index checked the file is unchanged).

        `base`, when given, is the folder's path with a separator after it: the path is base + relpath.
        """
        article = cls.__new__(cls)
        if base:
            article.relpath, article._base, article._own_path = relpath, _BASES.setdefault(base, base), None
        else:
            article._place(path, relpath)
        article._unread()
        if data[:1] != b"N":
            stored, raw, absent, sizes, keys, read_only = pickle.loads(data[1:])
            if absent:
                raw = tuple(_ABSENT if absent >> i & 1 else v for i, v in enumerate(raw))
            article._stored, article.read_only = stored, read_only
            article._keys = _shared(tuple(keys))
            article._summarise(_share_values(raw), _shared(sizes))
            return article
        article._stored, raw, article.read_only, shape_data, topics_data, listed = marshal.loads(memoryview(data)[1:])
        shape = _SHAPES.get(shape_data)
        if shape is None:
            shape = _shape(shape_data)
        article._keys, article._sizes, fixes, article.type, article.category = shape
        values = list(raw)
        values[_TOPICS], article.topics = _repeated_topics(topics_data)
        for i, value in fixes:
            values[i] = value
        _one_url(values)
        article._raw = tuple(values)
        article.title, article.excerpt, article.date, article.original_url, article.web_url, article.heat = listed
        return article

    def stored(self, key: str, default: Any = None) -> Any:
        """The value on disk, without unpacking for the keys the list uses."""
        index = _INDEX.get(key)
        if index is None:
            return self.original.get(key, default) if key in self._keys else default
        value = self._raw[index]
        return default if value is _ABSENT else value

    def has_stored(self, key: str) -> bool:
        return self.stored(key, _ABSENT) is not _ABSENT

    def has(self, key: str) -> bool:
        """Whether the key is there now: edited to a value, or on disk and not edited away."""
        if key in self.edits:
            return self.edits[key] is not UNSET
        return self.has_stored(key)

    def size_of(self, key: str) -> int | None:
        """How many items a list or mapping value holds (without unpacking); None for other values."""
        return None if key in self.edits else self._sizes.get(key)

    def key_names(self) -> tuple[Any, ...]:
        """The top-level keys: the file's, in its order, then keys an edit adds."""
        added = tuple(k for k, v in self.edits.items() if v is not UNSET and k not in self._keys)
        return self._keys + added if added else self._keys

    def _get(self, key: str) -> Any:
        """The current value of a top-level key: the pending edit, else what is stored (one call: it is hot)."""
        edits = self.edits
        if key in edits:
            value = edits[key]
            return None if value is UNSET else value
        index = _INDEX.get(key)
        if index is not None:
            value = self._raw[index]
            return None if value is _ABSENT else value
        return self.original.get(key) if key in self._keys else None

    value = _get

    @property
    def published(self) -> bool | None:
        value = self.edits["published"] if "published" in self.edits else self._raw[_PUBLISHED]
        return value if value is True or value is False else None

    @property
    def quality(self) -> int | None:
        value = self.edits["quality"] if "quality" in self.edits else self._raw[_QUALITY]
        return value if type(value) is int else _int_or_none(None if value is _ABSENT else value)

    @property
    def provider(self) -> Provider:
        raw = self._raw[_PROVIDER]
        if raw is _ABSENT:
            return _NO_PROVIDER
        cached = _PROVIDERS.get(id(raw))
        if cached is None or cached[0] is not raw:
            if len(_PROVIDERS) > 10_000:  # providers repeat: a few hundred in a real folder
                _PROVIDERS.clear()
            cached = _PROVIDERS[id(raw)] = (raw, Provider.from_value(raw))
        return cached[1]

    @property
    def link(self) -> str:
        """The address an editor opens: the original article, else the site's page."""
        return self.original_url or self.web_url

    @property
    def metadata(self) -> dict[Any, Any]:
        merged = dict(self.original)
        for key, value in self.edits.items():
            if value is UNSET:
                merged.pop(key, None)
            else:
                merged[key] = value
        return merged

    @property
    def decision(self) -> Verdict | None:
        """The decision that counts now: the one not saved yet, else the last one logged."""
        return self.pending or self.logged

    @property
    def is_modified(self) -> bool:
        return bool(self.edits)

    @property
    def needs_saving(self) -> bool:
        """Edits, or a decision that changes no byte (a reject of an unpublished article): either
        way a save has something to do, if only a line in the review log."""
        return bool(self.edits) or self.pending is not None

    def set(self, key: str, value: Any) -> None:
        """Set an editable key (UNSET removes it); setting it back to its original value drops the edit."""
        if key not in EDITABLE_KEYS:
            raise KeyError(f"{key} is not editable")
        old = self.stored(key, _ABSENT)
        if (old is _ABSENT and value is UNSET) or (old is not _ABSENT and old == value and type(old) is type(value)):
            self.drop_edit(key)
        else:
            if self.edits is _NO_EDITS:
                self.edits = {}
            self.edits[key] = value

    def revert(self) -> None:
        self.edits = _NO_EDITS

    def drop_edit(self, key: str) -> None:
        """Back to what the file says for `key`."""
        if key in self.edits:
            del self.edits[key]
            if not self.edits:
                self.edits = _NO_EDITS

    def mark_conflict(self) -> None:
        """The file changed on disk while this article had pending edits: a save must ask."""
        self.conflict = True

    def take(self, fresh: Article) -> None:
        """The file as read again (`fresh`): its values, identity and access; edits dropped."""
        self._restore(fresh.snapshot())
        self._stored = fresh._stored  # its identity too (_restore took its pack, wherever that is)
        self.read_only = fresh.read_only
        self.edits = _NO_EDITS
        self.conflict = False

    def changed_on_disk(self, fresh: Article) -> None:
        """The file changed under this article: take it, or, with pending edits, mark the conflict."""
        if self.edits:
            self.read_only = fresh.read_only
            self.mark_conflict()
        else:
            self.take(fresh)

    def written(
        self, metadata: dict[Any, Any] | Callable[[], dict[Any, Any]], identity: Identity, edits: dict[str, Any]
    ) -> list[tuple[str, Any, Any]]:
        """`edits` are now on disk as `metadata` (or what it returns, asked only when needed):
        fold them in, keeping any edit made since.

        Returns (key, old value, new value) for what was written.
        """
        changes = [(k, self.stored(k), v) for k, v in edits.items()]
        if all(k in _INDEX for k in edits):
            self._fold(edits)  # the editable keys live outside the pack: nothing to pack again
        else:
            self.original = metadata() if callable(metadata) else metadata
        self.identity = identity
        for key, value in edits.items():
            if key in self.edits and self.edits[key] == value and type(self.edits[key]) is type(value):
                self.drop_edit(key)
        self.conflict = False
        return changes

    def changes(self) -> list[tuple[str, Any, Any]]:
        """(key, original value or None, new value) for each pending edit."""
        return [(k, self.stored(k), v) for k, v in self.edits.items()]

    def save_state(self) -> SaveState:
        """What a save needs of the article as it is now: taken in a microsecond on the thread
        that owns the article, worked out on the thread that saves (SaveState)."""
        return SaveState(
            self.path,
            self.relpath,
            self.link,
            self._stored,
            self._spill,
            self._keys,
            self._raw,
            self._sizes,
            dict(self.edits),
            self.pending,
        )

    def __repr__(self) -> str:
        return f"Article({self.relpath!r})"


# What the folder index keeps of each article in a block (core.index), a list a slot, in
# the order of Article's slots: what it read, not what the editor made of it (edits,
# decisions, conflicts), nor where the folder is (its path is made again from the block's).
_NOT_KEPT = ("_base", "_own_path", "_spill", "edits", "conflict", "logged", "pending", "same", "place")
BLOCK_SLOTS = tuple(s for s in Article.__slots__ if s not in _NOT_KEPT)


_RAW_COLUMN, _RELPATH_COLUMN = BLOCK_SLOTS.index("_raw"), BLOCK_SLOTS.index("relpath")
_STORED_COLUMN = BLOCK_SLOTS.index("_stored")
# After the slots' columns: `published` and `quality` as the window counts them (column_values),
# then the length of the packs.
_STATES, _QUALITIES, _PACKS_LENGTH = len(BLOCK_SLOTS), len(BLOCK_SLOTS) + 1, len(BLOCK_SLOTS) + 2


def block_columns(articles: list[Article]) -> tuple[tuple[Any, ...], bytes]:
    """The articles' BLOCK_SLOTS, a list each, their `published` and `quality` values
    (column_values), then the length of their packs; and their packs, one after another as
    one bytes object. The columns are what marshal writes as one value,
    sharing what the articles share (key lists, sizes, topics, type and category), the packs
    what the index keeps beside it (core.index); articles_from_block makes articles of both again.

    The _stored column holds each article's identity and where its pack is in the packs
    (_SPILLED): a reopening writes the packs to its spill whole, and the articles' _stored
    are the block's as they are. One bytes object a pack, joined and then placed one by one,
    took 38-55 ms more CPU to take in the blocks of 100,000 articles (marshal, join, place);
    the packs inside the marshal value, copied out of it, 2-22 ms more than written to the
    spill from where the block's value has them."""
    columns = [list(map(operator.attrgetter(name), articles)) for name in BLOCK_SLOTS]
    wholes = [a._whole() for a in articles]  # the pack itself, wherever the article keeps it
    lengths = [len(whole) - _ID for whole in wholes]
    columns[_STORED_COLUMN] = list(map(_SPILLED.pack, wholes, accumulate(lengths, initial=0), lengths))
    states, qualities = _list_values(columns[_RAW_COLUMN])
    return (*columns, states, qualities, sum(lengths)), b"".join(whole[_ID:] for whole in wholes)


def articles_from_block(
    root: str, columns: tuple[Any, ...], packs: bytes | memoryview, spill: Spill | None = None
) -> list[Article]:
    """Articles from a block's columns and packs (block_columns), their files in `root`; their
    packs kept in `spill` (core.spill), if it takes them, or else in memory, the block's as one.

    A slot set from a list each, and nothing worked out again: 0.65 us an article, where
    from_index takes 4-6 (the loop is the cost; the block's columns are one marshal.loads).
    One store a statement, each row unpacked as zip gives it: assigning four slots from one
    tuple builds the tuple and takes it apart again (82.7 ms for 100,000 articles, not 66.5)."""
    if len(packs) != columns[_PACKS_LENGTH]:
        raise ValueError("a block's packs are not as long as its columns say")
    if not len(columns[_STATES]) == len(columns[_QUALITIES]) == len(columns[_RELPATH_COLUMN]):
        raise ValueError("a block's values are not as many as its articles")
    kept = _kept(packs, spill)
    new = Article.__new__
    made: list[Article] = []
    add = made.append
    plain = os.sep == "/" and not root.endswith("/")
    base = _BASES.setdefault(root + "/", root + "/") if plain else ""
    no_edits = _NO_EDITS
    rows = zip(*columns[:_STATES], strict=True)
    for rel, read_only, sizes, stored, raw, keys, title, excerpt, date, kind, cat, topics, original, web, heat in rows:
        article = new(Article)
        if plain:
            article.relpath = rel
            article._base = base
            article._own_path = None
        else:
            article._place(os.path.join(root, *rel.split("/")), rel)
        article._stored = stored
        article._raw = raw
        article._keys = keys
        article._sizes = sizes
        article.read_only = read_only
        article.title = title
        article.excerpt = excerpt
        article.date = date
        article.type = kind
        article.category = cat
        article.topics = topics
        article.heat = heat
        article.original_url = original
        article.web_url = web
        article.edits = no_edits  # as _unread does, inline: a call an article added up to 4 ms to 65 at 100,000
        article.conflict = False
        article.logged = None
        article.pending = None
        article.same = 0
        article._spill = kept
        add(article)
    return made


def _kept(packs: bytes | memoryview, spill: Spill | None) -> Packs:
    """Where a block's packs are kept: written to `spill` with one add, or else in memory."""
    if spill is not None:
        try:
            return Placed(spill, spill.add(packs))
        except OSError:
            pass
    return Held(bytes(packs))  # not a view: that would keep the block's whole value


def _packed(stored: bytes, spill: Packs | None) -> bytes | Spilled:
    """The pack of an article's _stored: the bytes, or where its spill keeps them."""
    return stored[_ID:] if spill is None else _spilled_at(stored, spill)


def _spilled_at(stored: bytes, spill: Packs) -> Spilled:
    """Where `spill` keeps the pack of an article's _stored that has it there (_SPILLED)."""
    return Spilled(spill, *_WHERE.unpack_from(stored, _ID))


def column_values(columns: tuple[Any, ...]) -> tuple[list[Any], list[Any], list[Any]]:
    """The relative paths, `published` and `quality` of a block's articles (articles_from_block),
    as those properties give them for an article without edits: kept in the block as made
    (block_columns), not worked out from their raw values at each reopening (11 ms at 100,000
    articles, where marshal takes 1.6 ms more to give them)."""
    return columns[_RELPATH_COLUMN], columns[_STATES], columns[_QUALITIES]


def _list_values(raws: list[tuple[Any, ...]]) -> tuple[list[Any], list[Any]]:
    """`published` and `quality` as those properties give them for articles without edits, from their raw values."""
    states = [True if v is True else False if v is False else None for v in map(_PUBLISHED_OF, raws)]
    qualities = [v if type(v) is int else _int_or_none(None if v is _ABSENT else v) for v in map(_QUALITY_OF, raws)]
    return states, qualities


class SaveState(NamedTuple):
    """An article as a save takes it (Article.save_state).

    References to values an article replaces but never changes, and a copy of its edits: the
    saving thread works out the rest from them while the editor goes on. Working it out on the
    window's thread took 41-42 ms there for 8,799 approved articles; taking this, 2-3 ms.
    """

    path: str
    relpath: str
    link: str
    stored: bytes  # the identity, then the packed metadata (Article._stored)
    spill: Packs | None  # where the packed metadata is instead, when set (Article._spill)
    keys: tuple[Any, ...]
    raw: tuple[Any, ...]
    sizes: dict[Any, int]
    edits: dict[str, Any]
    pending: Verdict | None

    def snapshot(self) -> PackedMetadata:
        return PackedMetadata(self.keys, _packed(self.stored, self.spill), self.raw, self.sizes)

    def job(self) -> tuple[str, Identity, PackedMetadata, dict[str, Any]]:
        """What storage.write_many takes for this article."""
        return self.path, Identity.unpack(self.stored), self.snapshot(), self.edits

    def changes(self) -> list[tuple[str, Any, Any]]:
        """(key, value on disk or None, new value) for each edit, as Article.changes."""
        snapshot = self.snapshot()
        return [(k, snapshot.stored(k), v) for k, v in self.edits.items()]


@dataclass(frozen=True, slots=True)
class PackedMetadata:
    """An article's metadata as it keeps it: key order, the rest packed, the list's keys decoded.

    Pure values: made and unpacked on any thread.
    """

    keys: tuple[Any, ...]
    packed: bytes | Spilled  # the rest, marshalled and compressed (_pack); or where a Spill keeps that
    raw: tuple[Any, ...]  # the SUMMARY_KEYS values, _ABSENT where missing
    sizes: dict[Any, int]  # len() of every list and mapping value

    @classmethod
    def of(cls, metadata: dict[Any, Any]) -> PackedMetadata:
        # The decoded keys are not packed again: `keys` holds the order, the pack the rest.
        raw = tuple(map(metadata.get, SUMMARY_KEYS, _ALL_ABSENT))
        if not _PACKING[0]:  # only printed: neither the rest nor the sizes of lists (columns) are asked for
            return cls(tuple(metadata), _NOT_PACKED, raw, {})
        return cls(
            _shared(tuple(metadata)),
            _pack({k: v for k, v in metadata.items() if not (isinstance(k, str) and k in _INDEX)}, _preset(raw)),
            _share_values(raw),
            _shared({k: len(v) for k, v in metadata.items() if isinstance(v, (list, dict))}),
        )

    def stored(self, key: Any, default: Any = None) -> Any:
        """The value of `key`, unpacking only for a key the list does not use."""
        index = _INDEX.get(key) if isinstance(key, str) else None
        if index is None:
            return self.metadata().get(key, default) if key in self.keys else default
        value = self.raw[index]
        return default if value is _ABSENT else value

    def listed(self) -> dict[str, Any]:
        """The SUMMARY_KEYS the metadata has, with their values: nothing unpacked."""
        return {k: v for k, v in zip(SUMMARY_KEYS, self.raw, strict=True) if v is not _ABSENT}

    def metadata(self) -> dict[Any, Any]:
        rest = _unpack(self.packed, _preset(self.raw))
        value = {}
        for key in self.keys:
            index = _INDEX.get(key) if isinstance(key, str) else None
            value[key] = rest[key] if index is None else self.raw[index]
        return value


def _share_values(raw: tuple[Any, ...]) -> tuple[Any, ...]:
    if not _SHARING[0]:
        return raw
    values = [_shared(v) if isinstance(v, (list, dict)) else _interned(v) for v in raw]
    _one_url(values)
    return tuple(values)


def _one_url(values: list[Any]) -> None:
    """webUrl is often originalUrl again: one string for both (about 90 bytes an article)."""
    web, original = values[_WEB_URL], values[_ORIGINAL_URL]
    if web is not original and type(web) is str and web == original:
        values[_WEB_URL] = original


_INDEX = {k: i for i, k in enumerate(SUMMARY_KEYS)}
_ALL_ABSENT = (_ABSENT,) * len(SUMMARY_KEYS)  # the default of each, for map(dict.get, ...)
_PUBLISHED, _QUALITY, _PROVIDER = _INDEX["published"], _INDEX["quality"], _INDEX["provider"]
_PUBLISHED_OF, _QUALITY_OF = operator.itemgetter(_PUBLISHED), operator.itemgetter(_QUALITY)
_TOPICS, _TYPE, _CATEGORY = _INDEX["topics"], _INDEX["type"], _INDEX["category"]
_WEB_URL, _ORIGINAL_URL = _INDEX["webUrl"], _INDEX["originalUrl"]
# The keys _summarise reads: an edit of any other key leaves the summary's attributes as they are.
_SUMMARISED = frozenset(
    ("title", "name", "excerpt", "publishedDateTime", "type", "category", "topics", "originalUrl", "webUrl", "heat")
)
_IN_SHAPE = (_PROVIDER, _TYPE, _CATEGORY)  # the raw values index_state keeps in an article's shape
Shape = tuple[tuple[Any, ...], dict[Any, int], tuple[tuple[int, Any], ...], str, str]
_SHAPES: dict[bytes, Shape] = {}  # marshalled shape (see Article.index_state) -> what from_index takes from it


def _shape(data: bytes) -> Shape:
    """Key list, sizes, the raw values to put in place (index, value), and the list's type and
    category: worked out once for each distinct shape (a folder has a few thousand)."""
    keys, sizes, fixed, absent = marshal.loads(data)
    fixes = [(i, _shared(value)) for i, value in zip(_IN_SHAPE, fixed, strict=True)]  # short words interned
    fixes += [(i, _ABSENT) for i in range(len(SUMMARY_KEYS)) if absent >> i & 1]
    final = dict(fixes)
    shape = (
        _shared(keys),
        _shared(sizes),
        tuple(fixes),
        _interned(_text(final[_TYPE])),  # as _summarise works them out
        _interned(_text(final[_CATEGORY])),
    )
    if len(_SHAPES) > 100_000:
        _SHAPES.clear()
    _SHAPES[data] = shape
    return shape


_REPEATED_TOPICS: dict[bytes, tuple[Any, list[str]]] = {}  # marshalled topics -> the one value, and the list's


def _repeated_topics(data: bytes) -> tuple[Any, list[str]]:
    """The topics value as written, and the list's topics from it: one pair for each distinct value."""
    found = _REPEATED_TOPICS.get(data)
    if found is None:
        if len(_REPEATED_TOPICS) > 100_000:
            _REPEATED_TOPICS.clear()
        value = _shared(marshal.loads(data))
        found = _REPEATED_TOPICS[data] = (value, _topics_of(value))
    return found


def _none(value: Any) -> Any:
    return None if value is _ABSENT else value


def _topics_of(value: Any) -> list[str]:
    if isinstance(value, list):
        shared: list[str] = _shared([_text(t) for t in value if _text(t)])
        return shared
    return [_text(value)] if _text(value) else []


_PROVIDERS: dict[int, tuple[Any, Provider]] = {}
_NO_EDITS: dict[str, Any] = {}  # the edits of every article without any: never written to (Article.set)
_BASES: dict[str, str] = {}  # one string for each folder's path prefix (Article._place)
_NO_PROVIDER = Provider()
_DECODED: dict[int, tuple[bytes, dict[Any, Any]]] = {}


# What the packed rest of an article's metadata is compressed against (zlib's preset
# dictionary): the keys most front matter has, then the article's title and URLs (_preset),
# which its amp URL and image entries often repeat. On the 100,000 generated articles of
# benchmarks/data a pack took 478 bytes without it and 338 with it, on the corpus 512 and 454;
# compressing took as long. A change here changes what the folder index holds (index.FORMAT).
_PRESET = marshal.dumps(
    {
        "ampWebUrl": "https://",
        "images": [{"url": "https://", "width": 1200, "height": 675, "title": ""}],
        "secured": "",
        "related": [],
        "provider": {"name": "", "domain": "", "images": []},
    }
)
_PRESET_KEYS = tuple(SUMMARY_KEYS.index(k) for k in ("title", "webUrl", "originalUrl"))  # never edited
_WBITS = -15  # raw deflate: no header or checksum (the index keeps its own digest of the file)


def _preset(raw: tuple[Any, ...]) -> bytes:
    own = "\n".join(v for v in (raw[i] for i in _PRESET_KEYS) if type(v) is str)
    return _PRESET + own.encode("utf-8", "replace")


def _pack(metadata: dict[Any, Any], preset: bytes) -> bytes:
    try:
        kind, data = b"M", marshal.dumps(metadata)
    except ValueError:  # a value marshal cannot hold (a date from an explicit !!timestamp tag)
        kind, data = b"P", pickle.dumps(metadata)
    packer = zlib.compressobj(1, zlib.DEFLATED, _WBITS, 8, zlib.Z_DEFAULT_STRATEGY, preset)
    return kind + packer.compress(data) + packer.flush()


def _unpack(kept: bytes | Spilled, preset: bytes) -> Any:
    packed = kept.read() if isinstance(kept, Spilled) else kept
    if packed == _NOT_PACKED:
        raise ValueError("the metadata was not kept (article.packing)")
    unpacker = zlib.decompressobj(_WBITS, preset)
    data = unpacker.decompress(memoryview(packed)[1:])
    if not unpacker.eof:
        raise zlib.error("packed metadata cut short")
    return marshal.loads(data) if packed[:1] == b"M" else pickle.loads(data)


_SHARED: dict[tuple[type, bytes], Any] = {}


_SHARING = [True]  # off in worker processes, whose articles are encoded and sent away (index.encode)


def sharing(on: bool) -> None:
    _SHARING[0] = on


_PACKING = [True]  # off in a worker that only prints articles (library.read_encoded without state)
_NOT_PACKED = b"-"
_NO_DIGEST = bytes(16)  # the identity of an article only printed: no file's digest is this


def kept() -> bool:
    """Whether new articles are kept (see packing): else only printed, never saved."""
    return _PACKING[0]


def packing(on: bool) -> None:
    """Whether new articles keep their metadata. Off, their full metadata cannot be had
    (unpacking it raises), nor their file's digest: for articles read only to be printed,
    whose pack (a tenth of the time a file takes to read) nothing would open and which are
    never saved."""
    _PACKING[0] = on


def _shared(value: Any) -> Any:
    """One object for equal values that repeat across articles (providers, topic lists, sizes).

    Safe because summary values are never mutated: edits live in `edits`.
    """
    if not _SHARING[0]:
        return value
    try:
        key = (type(value), marshal.dumps(value))
    except ValueError:
        return value
    found = _SHARED.get(key)
    if found is None:
        if len(_SHARED) > 50_000:
            _SHARED.clear()
        found = _SHARED[key] = _interned(value)
    return found


def _interned(value: Any) -> Any:
    """Share the many repeated short strings (types, topics, provider names) between articles."""
    if isinstance(value, str):
        return sys.intern(value) if len(value) <= 40 else value
    if isinstance(value, list):
        return [_interned(v) for v in value]
    if isinstance(value, dict):
        return {(sys.intern(k) if isinstance(k, str) else k): _interned(v) for k, v in value.items()}
    return value


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, (int, float)):
        return str(value)
    return ""


def _int_or_none(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str):
        try:
            return int(value.strip())
        except ValueError:
            return None
    return None
