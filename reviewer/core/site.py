"""The site around the articles: its _config.yml address, and where an image URL lives on disk."""

from __future__ import annotations

import os
from dataclasses import dataclass
from urllib.parse import unquote, urlsplit

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
            url = config.get("url") if isinstance(config.get("url"), str) else ""
            base = config.get("baseurl") if isinstance(config.get("baseurl"), str) else ""
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
    """root joined with `relative`, or None when that would leave the site folder."""
    candidate = os.path.normpath(os.path.join(root, relative.lstrip("/")))
    if candidate == root or candidate.startswith(root.rstrip(os.sep) + os.sep):
        return candidate
    return None


def is_safe_link(url: str) -> bool:
    """Only http, https and mailto links are opened in the browser."""
    return urlsplit((url or "").strip()).scheme.lower() in SAFE_LINK_SCHEMES
