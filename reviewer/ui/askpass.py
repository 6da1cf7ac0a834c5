"""`reviewer askpass PROMPT`: git's and ssh's password question as a dialog (GIT_ASKPASS, SSH_ASKPASS).

Run by git in a process of its own while the window syncs; prints the answer for git to read.
"""

from __future__ import annotations

import sys


def main(args: list[str]) -> int:
    from PySide6.QtWidgets import QApplication, QInputDialog, QLineEdit

    prompt = " ".join(args).strip() or "Password:"
    app = QApplication.instance() or QApplication(sys.argv[:1])
    secret = any(word in prompt.lower() for word in ("password", "passphrase", "token", "pin"))
    mode = QLineEdit.EchoMode.Password if secret else QLineEdit.EchoMode.Normal
    answer, ok = QInputDialog.getText(None, "Reviewer: git asks", prompt, mode)
    del app
    if not ok:
        return 1
    sys.stdout.write(answer + "\n")
    return 0
