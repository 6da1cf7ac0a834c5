"""The body preview on hostile bodies: how long the window stops answering while each is shown.

    QT_QPA_PLATFORM=offscreen python benchmarks/bench_preview.py

Baseline, in the same run: the longest gap while an ordinary article's preview is shown. The
goal is under 50 ms for every body (Hardening II); before the budget, nested tables took 8.2 s
at 20 levels, and a 40,000-item Markdown list 42 s.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.dirname(HERE))

from gui_timing import GapMeter, wait_for  # noqa: E402

BODIES = {
    "ordinary": "# Title\n\n" + "A paragraph of ordinary words, with *some* emphasis.\n\n" * 40,
    "tables-20": "<table><tr><td>" * 20 + "x" + "</td></tr></table>" * 20,
    "tables-26": "<table><tr><td>" * 26 + "x" + "</td></tr></table>" * 26,
    "md-with-tables-26": "Text\n\n" + "<table><tr><td>" * 26 + "x" + "</td></tr></table>" * 26 + "\n",
    "md-list-40000": "".join(f"- item number {i}\n" for i in range(40_000)),
    "md-table-3000": "|a|b|\n|-|-|\n" + "".join(f"|{i}|x|\n" for i in range(3000)),
    "html-table-3000": "<table>" + "".join(f"<tr><td>{i}</td><td>x</td></tr>" for i in range(3000)) + "</table>",
    "html-tables-8x100": ("<table><tr><td>" * 8 + "x" + "</td></tr></table>" * 8) * 100,
    "paragraphs-500k": "".join(f"Paragraph {i} with a few words in it.\n\n" for i in range(12_000)),
}


def main() -> None:
    from PySide6.QtCore import QSettings
    from PySide6.QtWidgets import QApplication

    from reviewer.app.settings import Settings
    from reviewer.ui.main_window import MainWindow

    app = QApplication.instance() or QApplication(sys.argv)
    with tempfile.TemporaryDirectory() as tmp:
        root = os.path.join(tmp, "site")
        os.makedirs(root)
        for name, body in BODIES.items():
            with open(os.path.join(root, f"{name}.md"), "w") as fh:
                fh.write(f"---\ntitle: {name}\npublished: false\n---\n{body}")
        settings = Settings(QSettings(os.path.join(tmp, "s.ini"), QSettings.IniFormat))
        window = MainWindow(settings, watch=False)
        window.resize(1400, 900)
        window.show()
        window.open_folder(root)
        wait_for(app, lambda: window.model.rowCount() == len(BODIES))
        window.detail.tabs.setCurrentWidget(window.detail.preview)
        gaps = {}
        for name in BODIES:
            article = next(a for a in window.session.articles if a.title == name)
            meter = GapMeter()
            meter.start()
            start = time.perf_counter()
            window.reveal(article)
            wait_for(app, lambda: window.detail.preview.toPlainText() not in ("Reading…", ""), timeout=300)
            for _ in range(5):  # painted, and scrolled to the end once
                app.processEvents()
            window.detail.preview.verticalScrollBar().setValue(window.detail.preview.verticalScrollBar().maximum())
            app.processEvents()
            shown = time.perf_counter() - start
            gaps[name] = (meter.stop(), shown)
        base = max(gaps["ordinary"][0], 0.001)
        for name, (gap, shown) in gaps.items():
            print(
                f"{name:16} longest GUI gap {gap * 1000:7.1f} ms  (x{gap / base:5.1f} the ordinary body)  "
                f"shown after {shown * 1000:7.0f} ms"
            )
        window.session.discard()
        window.close()


if __name__ == "__main__":
    main()
