"""Start the window: the QApplication, the palette, and which folder to open."""
from __future__ import annotations

import os
import sys

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QApplication

from .. import __version__
from ..app.settings import APP, ORG, Settings


def make_application(argv=None) -> QApplication:
    app = QApplication.instance()
    if app is None:
        QGuiApplication.setHighDpiScaleFactorRoundingPolicy(Qt.HighDpiScaleFactorRoundingPolicy.PassThrough)
        app = QApplication(argv if argv is not None else sys.argv[:1])
    app.setOrganizationName(ORG)
    app.setApplicationName(APP)
    app.setApplicationVersion(__version__)
    app.setDesktopFileName("reviewer")
    return app


def run_window(folder: str | None = None) -> int:
    if folder is not None and not os.path.isdir(folder):
        print(f"reviewer: {folder}: not a folder", file=sys.stderr)
        return 2
    app = make_application()
    from .main_window import MainWindow, last_folder

    settings = Settings()
    window = MainWindow(settings)
    window.show()
    target = folder or last_folder(settings)
    if target:
        window.open_folder(target)
    return app.exec()
