"""An article's body, images and links are third-party input: the window reads, opens and fetches
nothing they name outside what the editor opened."""

import os
import subprocess
import sys
import textwrap
import zlib
from pathlib import Path

import pytest
from PIL import Image
from PySide6.QtCore import Qt, QUrl
from PySide6.QtGui import QDesktopServices, QTextDocument

from reviewer.core.files import NotRegularFile
from reviewer.ui.detail_pane import SafeBrowser, build_preview, open_link
from reviewer.ui.images import ImageTooLarge, make_thumbnail

ROOT = Path(__file__).resolve().parents[2]
IMAGE = int(QTextDocument.ResourceType.ImageResource.value)


@pytest.fixture
def red_png(tmp_path) -> Path:
    path = tmp_path / "x.png"
    Image.new("RGB", (300, 200), "red").save(path)
    return path


def image_sizes(browser: SafeBrowser, names: list[str]) -> list[tuple[int, int]]:
    document = browser.document()
    sizes = []
    for name in names:
        image = document.resource(IMAGE, QUrl(name))
        sizes.append((image.width(), image.height()))
    return sizes


@pytest.mark.parametrize(
    ("kind", "body"),
    [
        ("html", '<p>x</p><img src="{png}">'),
        ("html", '<img src="file://{png}">'),
        ("html", '<table background="{png}"><tr><td>cell</td></tr></table>'),
        ("markdown", "Text\n\n![alt]({png})\n"),
        ("markdown", "![alt](file://{png})"),
    ],
)
def test_the_preview_shows_a_placeholder_for_local_files(qtbot, red_png, kind, body):
    browser = SafeBrowser()
    qtbot.addWidget(browser)
    browser.resize(500, 300)
    browser.show()
    text = body.format(png=red_png)
    browser.setHtml(text) if kind == "html" else browser.setMarkdown(text)
    qtbot.wait(10)
    for url in (str(red_png), f"file://{red_png}"):
        assert image_sizes(browser, [url]) == [(16, 16)]  # never the 300x200 image from the disk
    built, _ = build_preview("", text, "a.html" if kind == "html" else "a.md", browser.font())  # the pane's way
    browser.setDocument(built)
    qtbot.wait(10)
    for url in (str(red_png), f"file://{red_png}"):
        assert image_sizes(browser, [url]) == [(16, 16)]


PROBE = textwrap.dedent(
    """
    import os, resource, sys
    os.environ["QT_QPA_PLATFORM"] = "offscreen"
    resource.setrlimit(resource.RLIMIT_AS, (2 << 30, 2 << 30))  # a read of /dev/zero fails, not the machine
    from PySide6.QtWidgets import QApplication
    app = QApplication([])
    from reviewer.ui.detail_pane import SafeBrowser
    browser = SafeBrowser()
    browser.resize(500, 300)
    browser.show()
    browser.setHtml(sys.argv[1])
    app.processEvents()
    print("shown")
    """
)


@pytest.mark.parametrize("source", ["/dev/zero", "FIFO"])
def test_a_device_or_a_pipe_as_an_image_neither_fills_memory_nor_freezes(tmp_path, source):
    if source == "FIFO":
        source = str(tmp_path / "pipe")
        os.mkfifo(source)
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    html = f'<p>before</p><img src="{source}"><img src="file://{source}"><p>after</p>'
    try:
        result = subprocess.run(
            [sys.executable, "-c", PROBE, html], capture_output=True, text=True, env=env, timeout=60
        )
    except subprocess.TimeoutExpired:
        pytest.fail(f"the preview froze on <img src={source!r}>")
    assert result.returncode == 0, result.stderr[-500:]
    assert "shown" in result.stdout, result.stderr[-500:]


@pytest.mark.filterwarnings("ignore::PIL.Image.DecompressionBombWarning")  # the app ignores it; pytest resets filters
def test_an_image_of_too_many_pixels_is_refused_before_decoding():
    # A PNG header claiming 12,600 x 12,600 pixels: decoding it would take 635 MB.
    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return len(data).to_bytes(4, "big") + body + zlib.crc32(body).to_bytes(4, "big")

    def png(width: int, height: int) -> bytes:
        header = width.to_bytes(4, "big") + height.to_bytes(4, "big") + bytes([8, 2, 0, 0, 0])
        idat = zlib.compress(b"\0")
        return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")

    with pytest.raises(ImageTooLarge, match="158,760,000 pixels is over the 40 megapixel limit"):
        make_thumbnail(png(12600, 12600), 160)
    with pytest.raises(ImageTooLarge, match="8,000×6,000 pixels is over the 40 megapixel limit"):
        make_thumbnail(png(8000, 6000), 160)


def test_a_thumbnail_of_a_pipe_is_refused_at_once(tmp_path):
    pipe = tmp_path / "pipe.png"
    os.mkfifo(pipe)
    with pytest.raises(NotRegularFile):
        make_thumbnail(str(pipe), 160)


def test_mailto_opens_with_the_address_only(monkeypatch):
    opened = []
    monkeypatch.setattr(QDesktopServices, "openUrl", staticmethod(lambda url: opened.append(url.toString()) or True))
    assert open_link("mailto:desk@example.com?attach=/etc/passwd&subject=hi")
    assert not open_link("file:///etc/passwd")
    assert not open_link("javascript:alert(1)")
    assert opened == ["mailto:desk@example.com"]


# --- the window ---------------------------------------------------------------------------

OUTSIDE = "---\ntitle: Outside story\nquality: 10\npublished: false\n---\n"


def test_an_article_outside_the_folder_is_marked_and_never_edited(window, qtbot, tmp_path):
    from reviewer.ui.article_model import Column

    outside = tmp_path / "elsewhere.md"
    outside.write_text(OUTSIDE)
    os.symlink(outside, window.root / "_news" / "zz-link.md")
    window.open_folder(str(window.root))
    article = next(a for a in window.session.articles if a.title == "Outside story")
    assert "outside the opened folder" in article.read_only
    window.reveal(article)
    qtbot.keyClick(window.table, "a")
    qtbot.keyClick(window.table, "+")
    assert article.edits == {}
    assert "is read-only" in window.statusBar().currentMessage()
    row = window.model.row_of(article)
    assert "(read-only)" in window.model.index(row, Column.STATUS).data(Qt.ToolTipRole)
    assert not window.detail.published.isEnabled()
    assert not window.detail.quality.isEnabled()
    assert outside.read_text() == OUTSIDE


def test_f5_finds_an_edit_in_place_that_kept_the_size_and_the_time(window, qtbot):
    article = window.model.article(window.table.currentIndex().row())
    qtbot.keyClick(window.table, "+")
    assert article.edits
    path = Path(article.path)
    st = os.stat(path)
    text = path.read_text()
    at = text.index("title: ") + len("title: ") + 1  # the second letter of the title, in the other case
    path.write_text(text[:at] + text[at].swapcase() + text[at + 1 :])
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))  # same size, same modification time
    assert os.stat(path).st_size == st.st_size
    window.action_table["reload"].trigger()
    assert article.conflict


@pytest.mark.parametrize(
    ("body", "seen"),
    [
        ("<table><tr><td>" * 26 + "deep" + "</td></tr></table>" * 26, "the body has tables nested 26 deep"),
        ("".join(f"- item {i}\n" for i in range(40_000)), "the body has more than 1,500 list items"),
    ],
)
def test_a_hostile_body_is_shown_partly_as_text_in_the_window(window, qtbot, body, seen):
    path = window.root / "_news" / "2099-12-31-hostile.md"
    path.write_text(f"---\ntitle: Hostile\n---\n{body}")
    window.session.check_disk()
    article = next(a for a in window.session.articles if a.title == "Hostile")
    window.reveal(article)
    window.detail.tabs.setCurrentWidget(window.detail.preview)
    qtbot.waitUntil(lambda: seen in window.detail.preview.toPlainText())
    text = window.detail.preview.toPlainText()
    assert "Shown as text from here on" in text
    if "item" in body:
        assert "- item 2000" in text
        assert "item 39999" not in text
        assert "more characters, not shown here" in text


def test_decoding_waits_for_the_memory_budget(tmp_path, monkeypatch):
    """Four threads, six large PNGs (no reduced decode for PNG): never more decoded at once than the budget."""
    from concurrent.futures import ThreadPoolExecutor

    from reviewer.ui import images

    paths = []
    for i in range(6):
        path = tmp_path / f"big-{i}.png"
        Image.new("RGB", (1600, 1200), (i * 40, 0, 0)).save(path)
        paths.append(str(path))
    one = 1600 * 1200 * 3
    monkeypatch.setattr(images, "DECODE_BUDGET", int(one * 1.5))
    most = []
    real = images._decoding

    def watched(cost):
        context = real(cost)

        class Watch:
            def __enter__(self):
                context.__enter__()
                most.append(images._in_use[0])

            def __exit__(self, *exc):
                return context.__exit__(*exc)

        return Watch()

    monkeypatch.setattr(images, "_decoding", watched)
    with ThreadPoolExecutor(4) as pool:
        done = list(pool.map(lambda p: make_thumbnail(p, 160), paths))
    assert [(w, h) for _, w, h, _ in done] == [(160, 120)] * 6
    assert max(most) == one  # one at a time: two would be over the budget
