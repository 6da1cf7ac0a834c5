"""Thumbnails: made with Pillow off the GUI thread, EXIF orientation applied, failures explained."""

from PIL import Image

from reviewer.app.tasks import SyncRunner
from reviewer.core.site import ImageSource
from reviewer.ui.images import ImageLoader, make_thumbnail, to_qimage


def jpeg_rotated_a_quarter(path, size=(400, 200)):
    image = Image.new("RGB", size, (200, 30, 30))
    exif = Image.Exif()
    exif[0x0112] = 6  # the camera was held upright: show it turned
    image.save(path, exif=exif.tobytes())


def test_thumbnail_applies_exif_orientation_and_keeps_the_file_size(tmp_path):
    path = tmp_path / "photo.jpg"
    jpeg_rotated_a_quarter(path)
    data, width, height, original = make_thumbnail(str(path), 100)
    assert (width, height) == (50, 100)
    assert original == (200, 400)
    image = to_qimage((data, width, height, original))
    assert (image.width(), image.height()) == (50, 100)
    assert image.text("source-size") == "200x400"
    assert image.pixelColor(25, 50).red() > 150


def test_loader_reports_why_an_image_failed(tmp_path, qtbot):
    (tmp_path / "not-an-image.jpg").write_text("hello")
    loader = ImageLoader(SyncRunner(), str(tmp_path / "cache"), remote_enabled=lambda: False)
    failures = []
    loader.failed.connect(lambda key, reason: failures.append(reason))
    loader.request(ImageSource("local", str(tmp_path / "not-an-image.jpg")), 64)
    loader.request(ImageSource("remote", "https://cdn.example.com/a.jpg"), 64)
    loader.request(ImageSource("none", "not found in the site folder: /x.png"), 64)
    qtbot.waitUntil(lambda: len(failures) == 3)
    assert "not an image" in failures[0]
    assert "remote images are switched off" in failures[1]
    assert failures[2].startswith("not found")


def test_a_deleted_loader_sends_nothing_later(tmp_path, qtbot):
    """A window closed right after asking for an image: its answer must not arrive afterwards."""
    from PySide6.QtCore import QCoreApplication
    from shiboken6 import delete

    loader = ImageLoader(SyncRunner(), str(tmp_path / "cache"), remote_enabled=lambda: False)
    answers = []
    loader.failed.connect(lambda key, reason: answers.append(reason))
    loader.request(ImageSource("none", "not found"), 64)  # answered on the next turn of the event loop
    delete(loader)
    QCoreApplication.processEvents()  # that turn: pytest-qt fails the test if the answer raises in it
    QCoreApplication.processEvents()
    assert answers == []
