"""Start the window: the QApplication, and which folder to open."""

from __future__ import annotations

import os
import sys
import traceback

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QGuiApplication, QPalette
from PySide6.QtWidgets import QApplication

from .. import SWITCH_INTERVAL_S, __version__
from ..app.settings import APP, ORG, Settings
from ..core.preferences import BY_KEY


def make_application(argv=None) -> QApplication:
    sys.setswitchinterval(SWITCH_INTERVAL_S)  # as cli.main does: a window made elsewhere (tests, benchmarks) too
    app = QApplication.instance()
    if not isinstance(app, QApplication):
        QGuiApplication.setHighDpiScaleFactorRoundingPolicy(Qt.HighDpiScaleFactorRoundingPolicy.PassThrough)
        app = QApplication(argv if argv is not None else sys.argv[:1])
    app.setOrganizationName(ORG)
    app.setApplicationName(APP)
    app.setApplicationVersion(__version__)
    app.setDesktopFileName("reviewer")
    return app


APPEARANCES = dict(BY_KEY["appearance"].choices)


def dark_palette() -> QPalette:
    """Fusion's colours for a dark window (Qt's own dark scheme needs a desktop theme to ask)."""
    palette = QPalette()
    colours = {
        QPalette.ColorRole.Window: "#2b2d30",
        QPalette.ColorRole.WindowText: "#dfe1e5",
        QPalette.ColorRole.Base: "#1e1f22",
        QPalette.ColorRole.AlternateBase: "#26282b",
        QPalette.ColorRole.ToolTipBase: "#3c3f41",
        QPalette.ColorRole.ToolTipText: "#dfe1e5",
        QPalette.ColorRole.PlaceholderText: "#8c8f94",
        QPalette.ColorRole.Text: "#dfe1e5",
        QPalette.ColorRole.Button: "#3c3f41",
        QPalette.ColorRole.ButtonText: "#dfe1e5",
        QPalette.ColorRole.BrightText: "#ff6b68",
        QPalette.ColorRole.Light: "#4a4d50",
        QPalette.ColorRole.Midlight: "#404346",
        QPalette.ColorRole.Mid: "#55585c",
        QPalette.ColorRole.Dark: "#1b1c1e",
        QPalette.ColorRole.Shadow: "#000000",
        QPalette.ColorRole.Highlight: "#2f65ca",
        QPalette.ColorRole.HighlightedText: "#ffffff",
        QPalette.ColorRole.Link: "#6ea8ff",
        QPalette.ColorRole.LinkVisited: "#b48ef0",
    }
    for role, colour in colours.items():
        palette.setColor(role, QColor(colour))
    for role in (QPalette.ColorRole.Text, QPalette.ColorRole.WindowText, QPalette.ColorRole.ButtonText):
        palette.setColor(QPalette.ColorGroup.Disabled, role, QColor("#75787c"))
    return palette


def apply_appearance(choice: str) -> None:
    """Light, dark, or what the desktop says (a dark desktop gets the dark palette)."""
    app = QApplication.instance()
    if not isinstance(app, QApplication):
        return
    system_dark = app.styleHints().colorScheme() == Qt.ColorScheme.Dark
    if choice == "dark" or (choice == "system" and system_dark):
        app.setStyle("Fusion")
        app.setPalette(dark_palette())
    else:
        style = app.style()
        if style is not None:
            app.setPalette(style.standardPalette())
    for widget in app.allWidgets():  # a style sheet fixes the palette it was polished with: polish again
        sheet = widget.styleSheet()
        if sheet:
            widget.setStyleSheet("")
            widget.setStyleSheet(sheet)


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
    apply_appearance(settings.appearance)
    window = MainWindow(settings)
    window.show()
    target = folder or last_folder(settings)
    if target:
        window.open_folder(target)
    return app.exec()
