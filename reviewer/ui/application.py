"""Start the window: the QApplication, and which folder to open."""

from __future__ import annotations

import os
import sys
import traceback

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QApplication

from .. import __version__
from ..app.settings import APP, ORG, Settings


def make_application(argv=None) -> QApplication:
    app = QApplication.instance()
    if not isinstance(app, QApplication):
        QGuiApplication.setHighDpiScaleFactorRoundingPolicy(Qt.HighDpiScaleFactorRoundingPolicy.PassThrough)
        app = QApplication(argv if argv is not None else sys.argv[:1])
    app.setOrganizationName(ORG)
    app.setApplicationName(APP)
    app.setApplicationVersion(__version__)
    app.setDesktopFileName("reviewer")
    return app


def _report_unexpected(kind, value, tb) -> None:
    """An error nobody caught: print it for a bug report and tell the editor, without quitting.

    Edits stay pending in memory, so nothing the editor did is lost by the message.
    """
    traceback.print_exception(kind, value, tb)
    from PySide6.QtWidgets import QMessageBox

    QMessageBox.critical(
        None,
        "Reviewer: Unexpected Error",
        f"Something went wrong: {value}\n\nYour unsaved edits are still there. "
        "The details were printed on the terminal; please include them in a bug report.",
    )


def run_window(folder: str | None = None) -> int:
    if folder is not None and not os.path.isdir(folder):
        print(f"reviewer: {folder}: not a folder", file=sys.stderr)
        return 2
    app = make_application()
    sys.excepthook = _report_unexpected
    from .main_window import MainWindow, last_folder

    settings = Settings()
    window = MainWindow(settings)
    window.show()
    target = folder or last_folder(settings)
    if target:
        window.open_folder(target)
    return app.exec()
