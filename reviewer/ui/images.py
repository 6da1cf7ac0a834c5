"""Images for the detail pane: local files and site URLs first, remote ones fetched to a disk cache;
thumbnails made off the GUI thread with Pillow.

Remote images go through core.fetch (public hosts only, one deadline, a size cap) on worker
threads of their own, so that a slow server never delays a save or a local thumbnail.
"""

from __future__ import annotations

import hashlib
import io
import os
import re
import threading
import warnings
from collections import OrderedDict
from contextlib import contextmanager

from PIL import Image
from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtGui import QImage

from ..core.fetch import MAX_BYTES, FetchError, fetch
from ..core.files import read_regular
from ..core.site import ImageSource

REMOTE_MAX_BYTES = MAX_BYTES
# Decoding needs 4 bytes a pixel: 40 megapixels is 160 MB, the most a thumbnail may cost.
MAX_PIXELS = 40_000_000
Image.MAX_IMAGE_PIXELS = MAX_PIXELS  # Pillow refuses at twice this already when it opens the file
# ... and warns between the two, where make_thumbnail refuses with a message of its own.
warnings.filterwarnings("ignore", category=Image.DecompressionBombWarning)


# Decoding memory for all threads together: a PNG cannot be decoded at a reduced size (JPEG
# can, see draft), so twelve 40-megapixel PNGs in one article, decoded four at a time, took
# the window to 1.9 GB. A decode waits until its bytes fit in DECODE_BUDGET (one image larger
# than it still decodes, alone).
DECODE_BUDGET = 4 * MAX_PIXELS
_budget = threading.Condition()
_in_use = [0]


@contextmanager
def _decoding(cost: int):
    with _budget:
        while _in_use[0] and _in_use[0] + cost > DECODE_BUDGET:
            _budget.wait()
        _in_use[0] += cost
    try:
        yield
    finally:
        with _budget:
            _in_use[0] -= cost
            _budget.notify_all()


class ImageTooLarge(ValueError):
    """An image whose pixel count would take too much memory to decode (a decompression bomb?)."""


def make_thumbnail(data_or_path: bytes | str, size: int) -> tuple[bytes, int, int, tuple[int, int]]:
    """Decode and shrink an image: EXIF orientation applied, JPEG decoded at reduced size.

    Returns RGBA pixels, width, height and the file's own size; plain Python values, so
    that it can run on a worker thread and the QImage is made on the GUI thread. A path is
    read only if it is a regular file; images over MAX_PIXELS are refused before decoding.
    """
    data = data_or_path if isinstance(data_or_path, (bytes, bytearray)) else read_regular(data_or_path, MAX_BYTES)
    try:
        opened = Image.open(io.BytesIO(data))
    except Image.DecompressionBombError as exc:
        found = re.search(r"\((\d+) pixels\)", str(exc))
        pixels = f"{int(found.group(1)):,} pixels" if found else "the image"
        raise ImageTooLarge(f"{pixels} is over the {MAX_PIXELS // 1_000_000} megapixel limit") from None
    with opened:
        width, height = opened.size
        if width * height > MAX_PIXELS:
            raise ImageTooLarge(f"{width:,}×{height:,} pixels is over the {MAX_PIXELS // 1_000_000} megapixel limit")
        orientation = opened.getexif().get(0x0112, 1)
        if orientation in (5, 6, 7, 8):  # rotated a quarter turn
            width, height = height, width
        opened.draft("RGB", (size * 2, size * 2))  # JPEG: decode at a fraction of full size
        cost = opened.size[0] * opened.size[1] * max(len(opened.getbands()), 1)  # after draft: what decoding takes
        with _decoding(cost):
            opened.load()
            if opened.width > size * 2 and opened.height > size * 2:
                factor = min(opened.width, opened.height) // (size * 2)  # 1 or more here
                reduced = opened.reduce(factor)  # what the thumbnail needs, before the rest is made
            else:
                reduced = opened.copy()
        image = reduced.transpose(_TURNS[orientation]) if orientation in _TURNS else reduced
        image.thumbnail((size, size))
        image = image.convert("RGBA")
        return image.tobytes("raw", "RGBA"), image.width, image.height, (width, height)


_TURNS = {  # EXIF orientation -> what shows the image upright (as ImageOps.exif_transpose does)
    2: Image.Transpose.FLIP_LEFT_RIGHT,
    3: Image.Transpose.ROTATE_180,
    4: Image.Transpose.FLIP_TOP_BOTTOM,
    5: Image.Transpose.TRANSPOSE,
    6: Image.Transpose.ROTATE_270,
    7: Image.Transpose.TRANSVERSE,
    8: Image.Transpose.ROTATE_90,
}


def to_qimage(pixels: tuple[bytes, int, int, tuple[int, int]]) -> QImage:
    """A QImage owning a copy of the RGBA pixels, with the file's size as the text 'source-size'."""
    data, width, height, original = pixels
    qimage = QImage(width, height, QImage.Format.Format_RGBA8888)
    target = memoryview(qimage.bits())
    stride = qimage.bytesPerLine()
    if stride == width * 4:
        target[: len(data)] = data
    else:
        for y in range(height):
            target[y * stride : y * stride + width * 4] = data[y * width * 4 : (y + 1) * width * 4]
    qimage.setText("source-size", f"{original[0]}x{original[1]}")
    return qimage


class ImageLoader(QObject):
    """Loads images by ImageSource; emits ready(key, QImage) or failed(key, reason) on the GUI thread.

    `runner` decodes; `fetch_runner` (the same runner when not given) fetches remote images.
    """

    ready = Signal(str, QImage)
    failed = Signal(str, str)

    def __init__(
        self, runner, cache_dir: str, remote_enabled=lambda: True, parent=None, fetch_runner=None, fetcher=fetch
    ):
        super().__init__(parent)
        self.runner = runner
        self.fetch_runner = fetch_runner or runner
        self.fetcher = fetcher
        self.cache_dir = cache_dir
        self.remote_enabled = remote_enabled
        self._memory: OrderedDict[str, QImage] = OrderedDict()
        self._pending: set[str] = set()

    @staticmethod
    def key(source: ImageSource, size: int) -> str:
        return f"{size}:{source.location}"

    def cached(self, source: ImageSource, size: int) -> QImage | None:
        return self._memory.get(self.key(source, size))

    def request(self, source: ImageSource, size: int) -> str:
        """Start loading (unless cached or under way); returns the key signals will carry."""
        key = self.key(source, size)
        if key in self._memory:
            image = self._memory[key]
            QTimer.singleShot(0, self, lambda: self.ready.emit(key, image))
        elif key in self._pending:
            pass
        elif source.kind == "local":
            self._pending.add(key)
            self._decode(key, source.location, size)
        elif source.kind == "remote":
            self._fetch(key, source.location, size)
        else:
            QTimer.singleShot(0, self, lambda: self.failed.emit(key, source.location))
        return key

    def _decode(self, key: str, data_or_path, size: int) -> None:
        def done(pixels, error):
            self._pending.discard(key)
            if error is not None:
                self.failed.emit(key, _reason(error))
                return
            image = to_qimage(pixels)
            self._remember(key, image)
            self.ready.emit(key, image)

        self.runner.start(lambda ctx: make_thumbnail(data_or_path, size), on_done=done)

    def _remember(self, key: str, image: QImage) -> None:
        self._memory[key] = image
        self._memory.move_to_end(key)
        while len(self._memory) > 400:
            self._memory.popitem(last=False)

    # --- remote ---------------------------------------------------------------------------

    def cache_path(self, url: str) -> str:
        return os.path.join(self.cache_dir, hashlib.sha1(url.encode("utf-8")).hexdigest())

    def _fetch(self, key: str, url: str, size: int) -> None:
        cached = self.cache_path(url)
        if os.path.isfile(cached):
            self._pending.add(key)
            self._decode(key, cached, size)
            return
        if not self.remote_enabled():
            QTimer.singleShot(0, self, lambda: self.failed.emit(key, "remote images are switched off (View menu)"))
            return
        self._pending.add(key)

        def work(ctx):
            data = self.fetcher(url)
            self._store(url, data)
            return make_thumbnail(data, size)

        def done(pixels, error):
            self._pending.discard(key)
            if error is not None:
                self.failed.emit(key, _reason(error))
                return
            image = to_qimage(pixels)
            self._remember(key, image)
            self.ready.emit(key, image)

        self.fetch_runner.start(work, on_done=done)

    def _store(self, url: str, data: bytes) -> None:
        try:
            os.makedirs(self.cache_dir, exist_ok=True)
            tmp = self.cache_path(url) + f".{os.getpid()}.part"
            with open(tmp, "wb") as fh:
                fh.write(data)
            os.replace(tmp, self.cache_path(url))
        except OSError:
            pass  # the cache is an optimisation; the image still shows


def _reason(error: Exception) -> str:
    if isinstance(error, (FetchError, ImageTooLarge)):
        return str(error)
    if isinstance(error, Image.DecompressionBombError):
        return "the image is too large to decode safely"
    if isinstance(error, FileNotFoundError):
        return "the file is missing"
    if isinstance(error, OSError) and "cannot identify image" in str(error):
        return "not an image Pillow can read"
    return str(error) or type(error).__name__
