"""Article: one file's path, identity on disk, original and current metadata, typed accessors."""
from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

EDITABLE_KEYS = ("published", "quality")


@dataclass(frozen=True)
class Identity:
    """What a file was when it was read; a save refuses when the file no longer matches."""

    size: int
    mtime_ns: int
    digest: str

    @classmethod
    def of(cls, data: bytes, size: int, mtime_ns: int) -> "Identity":
        return cls(size, mtime_ns, content_digest(data))


def content_digest(data: bytes) -> str:
    return hashlib.blake2b(data, digest_size=16).hexdigest()


@dataclass(frozen=True)
class Image:
    url: str
    width: int | None = None
    height: int | None = None

    @classmethod
    def list_from(cls, value) -> list["Image"]:
        if not isinstance(value, list):
            return []
        images = []
        for item in value:
            if isinstance(item, dict) and isinstance(item.get("url"), str) and item["url"].strip():
                images.append(cls(item["url"].strip(), _int_or_none(item.get("width")),
                                  _int_or_none(item.get("height"))))
            elif isinstance(item, str) and item.strip():
                images.append(cls(item.strip()))
        return images


@dataclass(frozen=True)
class Provider:
    name: str = ""
    domain: str = ""
    images: tuple[Image, ...] = ()

    @classmethod
    def from_value(cls, value) -> "Provider":
        if isinstance(value, str):
            return cls(name=value)
        if not isinstance(value, dict):
            return cls()
        return cls(_text(value.get("name")), _text(value.get("domain")), tuple(Image.list_from(value.get("images"))))


class Fields:
    """Typed accessors over a front-matter mapping; shared by articles and related items."""

    metadata: dict

    def _get(self, key: str):
        return self.metadata.get(key)

    @property
    def title(self) -> str:
        return _text(self._get("title")) or _text(self._get("name"))

    @property
    def excerpt(self) -> str:
        return _text(self._get("excerpt"))

    @property
    def published(self) -> bool | None:
        """True, False, or None when the key is absent (Jekyll publishes those)."""
        value = self._get("published")
        return value if isinstance(value, bool) else None

    @property
    def quality(self) -> int | None:
        return _int_or_none(self._get("quality"))

    @property
    def heat(self) -> int | None:
        return _int_or_none(self._get("heat"))

    @property
    def type(self) -> str:
        return _text(self._get("type"))

    @property
    def category(self) -> str:
        return _text(self._get("category"))

    @property
    def date(self) -> str:
        """publishedDateTime exactly as written."""
        return _text(self._get("publishedDateTime"))

    @property
    def provider(self) -> Provider:
        return Provider.from_value(self._get("provider"))

    @property
    def topics(self) -> list[str]:
        value = self._get("topics")
        if isinstance(value, list):
            return [_text(t) for t in value if _text(t)]
        return [_text(value)] if _text(value) else []

    @property
    def images(self) -> list[Image]:
        return Image.list_from(self._get("images"))

    @property
    def original_url(self) -> str:
        return _text(self._get("originalUrl"))

    @property
    def web_url(self) -> str:
        return _text(self._get("webUrl"))

    @property
    def link(self) -> str:
        """The address an editor opens: the original article, else the site's page."""
        return self.original_url or self.web_url

    @property
    def related(self) -> list["Related"]:
        value = self._get("related")
        if not isinstance(value, list):
            return []
        return [Related(item) for item in value if isinstance(item, dict)]


@dataclass(frozen=True)
class Related(Fields):
    """A nested article under `related:`, with its own provider and images."""

    metadata: dict


@dataclass(eq=False)
class Article(Fields):
    """A file with front matter. `original` is what is on disk; `edits` what the editor changed.

    The current metadata is derived: original updated with edits. After a save the
    edits fold into original.
    """

    path: str  # absolute
    relpath: str  # relative to the library root, with '/' separators
    identity: Identity
    original: dict
    body: str = ""
    edits: dict = field(default_factory=dict)
    conflict: bool = False  # the file changed on disk while this article had pending edits

    @property
    def metadata(self) -> dict:
        if not self.edits:
            return self.original
        merged = dict(self.original)
        merged.update(self.edits)
        return merged

    def _get(self, key: str):
        if key in self.edits:
            return self.edits[key]
        return self.original.get(key)

    @property
    def is_modified(self) -> bool:
        return bool(self.edits)

    def set(self, key: str, value) -> None:
        """Set an editable key; setting it back to its original value drops the edit."""
        if key not in EDITABLE_KEYS:
            raise KeyError(f"{key} is not editable")
        if key in self.original and self.original[key] == value and type(self.original[key]) is type(value):
            self.edits.pop(key, None)
        else:
            self.edits[key] = value

    def revert(self) -> None:
        self.edits.clear()

    def changes(self) -> list[tuple[str, object, object]]:
        """(key, original value or None, new value) for each pending edit."""
        return [(k, self.original.get(k), v) for k, v in self.edits.items()]


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, (int, float)):
        return str(value)
    return ""


def _int_or_none(value) -> int | None:
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
