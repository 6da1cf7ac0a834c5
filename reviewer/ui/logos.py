"""Provider logos for the list: asked for once per address, shown when they have come."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject
from PySide6.QtGui import QIcon, QImage, QPixmap

from ..app.tasks import Runner
from ..core.article import Article
from ..core.site import Site, resolve_image
from .images import ImageLoader

LOGO_SIZE = 32


class Logos(QObject):
    """Finding a logo's file and decoding it run on the runner (the list asks while painting).
    Only logos in the site folder: the list fetches nothing from the network."""

    def __init__(
        self,
        runner: Runner,
        loader: ImageLoader,
        site: Callable[[], Site],
        repaint: Callable[[], None],
        parent: QObject,
    ):
        super().__init__(parent)
        self.runner, self.loader, self.site, self.repaint = runner, loader, site, repaint
        self._icons: dict[str, QIcon | None] = {}  # logo address -> icon (None until loaded)
        self._keys: dict[str, str] = {}  # image loader key -> logo address
        loader.ready.connect(self._ready)

    def clear(self) -> None:
        self._icons.clear()
        self._keys.clear()

    def icon_for(self, article: Article) -> QIcon | None:
        images = article.provider.images
        if not images:
            return None
        url = images[0].url
        if url not in self._icons:
            self._icons[url] = None
            path, site = article.path, self.site()
            self.runner.start(lambda ctx: resolve_image(url, path, site), on_done=lambda s, e: self._found(url, s))
        return self._icons[url]

    def _found(self, url: str, source: Any) -> None:
        if source is not None and source.kind == "local":
            self._keys[self.loader.key(source, LOGO_SIZE)] = url  # before asking: the answer may come at once
            self.loader.request(source, LOGO_SIZE)

    def _ready(self, key: str, image: QImage) -> None:
        url = self._keys.pop(key, None)
        if url is not None and url in self._icons:
            self._icons[url] = QIcon(QPixmap.fromImage(image))
            self.repaint()
