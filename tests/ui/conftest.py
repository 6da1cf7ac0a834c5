"""Window fixtures: a real MainWindow on a copy of the sample folder, work run synchronously."""

import pytest
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QDialog, QMessageBox

from reviewer.app.settings import Settings
from reviewer.app.tasks import SyncRunner


class Dialogs:
    """Stands in for modal dialogs: records each and answers as the test says, never blocks."""

    def __init__(self):
        self.shown = []
        self.answers = []

    def answer(self, value):
        self.answers.append(value)

    def _next(self, what):
        self.shown.append(what)
        if not self.answers:
            raise AssertionError(f"unexpected dialog: {what}")
        return self.answers.pop(0)


@pytest.fixture(autouse=True)
def dialogs(monkeypatch):
    fake = Dialogs()
    monkeypatch.setattr(QDialog, "exec", lambda self: fake._next(type(self).__name__ + ": " + self.windowTitle()))
    monkeypatch.setattr(QMessageBox, "exec", lambda self: fake._next("QMessageBox: " + self.text()))
    for name in ("question", "warning", "information", "critical"):
        monkeypatch.setattr(
            QMessageBox,
            name,
            staticmethod(lambda parent, title, text, *args, _n=name: fake._next(f"{_n}: {title}: {text}")),
        )
    return fake


@pytest.fixture
def settings(tmp_path):
    settings = Settings(QSettings(str(tmp_path / "settings.ini"), QSettings.IniFormat))
    settings.remote_images = False  # tests send no traffic: remote images are never fetched
    settings.set_value("paths/data", str(tmp_path / "data"))  # logs kept out of a folder go here, not in $HOME
    return settings


@pytest.fixture
def window_on(qtbot, settings):
    """Open a real window on a folder (work run synchronously); closed after the test."""
    from reviewer.ui.main_window import MainWindow

    opened = []

    def open_on(folder):
        win = MainWindow(settings, runner=SyncRunner(), watch=False)
        win.show()
        qtbot.waitExposed(win)
        win.activateWindow()
        win.open_folder(str(folder))
        win.root = folder
        opened.append(win)
        return win

    yield open_on
    for win in opened:
        win.session.discard()  # let the window close without asking
        win.close()
        win.deleteLater()


@pytest.fixture
def window(window_on, newsroom_copy):
    return window_on(newsroom_copy)
