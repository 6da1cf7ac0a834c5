"""The site around the articles: its _config.yml address, and where an image URL lives on disk."""

from __future__ import annotations

import os
from dataclasses import dataclass
from urllib.parse import unquote, urlsplit

from .files import is_inside
from .frontmatter_text import FrontMatterError, parse

CONFIG_NAMES = ("_config.yml", "_config.yaml")
SAFE_LINK_SCHEMES = ("http", "https", "mailto")


@dataclass(frozen=True)
class Site:
    root: str
    url: str = ""  # e.g. https://everyday-cc.github.io
    baseurl: str = ""  # e.g. /ai

    @classmethod
    def load(cls, root: str) -> Site:
        """Read url and baseurl from the folder's _config.yml; a missing or bad file gives none."""
        root = os.path.abspath(root)
        for name in CONFIG_NAMES:
            path = os.path.join(root, name)
            try:
                with open(path, encoding="utf-8") as fh:
                    config = parse(fh.read(1_000_000))
            except (OSError, UnicodeDecodeError, FrontMatterError):
                continue
            url, base = config.get("url"), config.get("baseurl")
            url = url if isinstance(url, str) else ""
            base = base if isinstance(base, str) else ""
            return cls(root, url.strip().rstrip("/"), "/" + base.strip().strip("/") if base.strip("/ ") else "")
        return cls(root)

    @property
    def prefix(self) -> str:
        """The site's own absolute address, e.g. https://everyday-cc.github.io/ai"""
        return self.url + self.baseurl if self.url else ""


@dataclass(frozen=True)
class ImageSource:
    """Where to get an image: a local file, a remote URL, or why there is none."""

    kind: str  # "local", "remote" or "none"
    location: str  # file path or URL; the reason when kind is "none"


def resolve_image(url: str, article_path: str, site: Site) -> ImageSource:
    """Find an image: relative to the article or site root, the site's own URL mapped to
    the local file (so its logos show offline), else the remote address.
    """
    url = (url or "").strip()
    if not url:
        return ImageSource("none", "no address given")
    if url.startswith("//"):
        url = "https:" + url
    parts = urlsplit(url)
    if parts.scheme in ("http", "https"):
        if site.prefix and (url.startswith(site.prefix + "/")):
            local = _inside(site.root, unquote(urlsplit(url[len(site.prefix) :]).path))
            if local and os.path.isfile(local):
                return ImageSource("local", local)
        return ImageSource("remote", url)
    if parts.scheme:
        return ImageSource("none", f"'{parts.scheme}:' addresses are not loaded")
    path = unquote(parts.path)
    if path.startswith("/"):
        if site.baseurl and (path == site.baseurl or path.startswith(site.baseurl + "/")):
            candidates = [path[len(site.baseurl) :], path]
        else:
            candidates = [path]
        for candidate in candidates:
            local = _inside(site.root, candidate)
            if local and os.path.isfile(local):
                return ImageSource("local", local)
        return ImageSource("none", f"not found in the site folder: {path}")
    for base in (os.path.dirname(article_path), site.root):
        local = _inside(site.root, os.path.relpath(os.path.join(base, path), site.root))
        if local and os.path.isfile(local):
            return ImageSource("local", local)
    return ImageSource("none", f"not found beside the article or in the site folder: {path}")


def _inside(root: str, relative: str) -> str | None:
    """root joined with `relative`, or None when that would leave the site folder.

    Resolved with realpath, so that a link inside the folder (`assets/etc -> /etc`) cannot
    lead an article's image address to a file elsewhere.
    """
    candidate = os.path.realpath(os.path.join(root, relative.lstrip("/")))
    real_root = os.path.realpath(root)
    return candidate if is_inside(real_root, candidate) and candidate != real_root else None


def is_safe_link(url: str) -> bool:
    """Only http, https and mailto links are opened in the browser."""
    return urlsplit((url or "").strip()).scheme.lower() in SAFE_LINK_SCHEMES


def link_to_open(url: str) -> str | None:
    """The address handed to the desktop for a link, or None when it is not opened.

    A mailto: link keeps only its addresses: `?attach=/etc/passwd` and other header
    fields are the sender's business, not an article's.

    >>> link_to_open("mailto:ed@example.com?attach=/etc/passwd&body=x")
    'mailto:ed@example.com'
    >>> link_to_open("https://example.com/a?b=1"), link_to_open("file:///etc/passwd")
    ('https://example.com/a?b=1', None)
    """
    url = (url or "").strip()
    if not is_safe_link(url):
        return None
    parts = urlsplit(url)
    if parts.scheme.lower() == "mailto":
        return "mailto:" + parts.path
    return url
