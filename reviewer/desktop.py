"""Reviewer as a desktop application: its launcher entry and icon, and the versions a bug
report needs (`reviewer --version`). No Qt here but for Qt's own version, asked lazily."""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import sys
from importlib import metadata, resources
from pathlib import Path

from . import __version__
from .core.files import replace_whole

APP_ID = "reviewer"
DESKTOP_NAME = f"{APP_ID}.desktop"
ICON_NAME = f"{APP_ID}.svg"


def data_home() -> Path:
    """$XDG_DATA_HOME, or ~/.local/share where it is unset or not absolute (the XDG rule)."""
    found = os.environ.get("XDG_DATA_HOME", "")
    return Path(found) if os.path.isabs(found) else Path.home() / ".local" / "share"


def command() -> list[str]:
    """How to start this installed Reviewer from anywhere: the `reviewer` script it was started
    as, else the one beside this Python, else this Python with `-m reviewer`."""
    started = Path(sys.argv[0]).resolve() if sys.argv and sys.argv[0] else None
    if started is not None and started.name == APP_ID and os.access(started, os.X_OK):
        return [str(started)]
    beside = Path(sys.executable).parent / APP_ID
    if os.access(beside, os.X_OK):
        return [str(beside)]
    return [sys.executable, "-m", APP_ID]


def _exec_quoted(argument: str) -> str:
    """An Exec argument as the desktop entry specification quotes it: in double quotes when it
    holds a reserved character, with `"`, `` ` ``, `$` and `\\` escaped; `%` doubled."""
    argument = argument.replace("%", "%%")
    if not any(c in argument for c in " \t\n\"'\\><~|&;$*?#()`"):
        return argument
    escaped = "".join("\\" + c if c in '"`$\\' else c for c in argument)
    return f'"{escaped}"'


def entry_text(argv: list[str]) -> str:
    """The launcher entry: `argv` then the folder a file manager opens with it (%f)."""
    template = resources.files("reviewer").joinpath("resources", DESKTOP_NAME).read_text(encoding="utf-8")
    exec_line = " ".join(_exec_quoted(a) for a in argv) + " %f"
    lines = [f"Exec={exec_line}" if line.startswith("Exec=") else line for line in template.splitlines()]
    return "\n".join(lines) + "\n"


def _targets(home: Path) -> tuple[Path, Path]:
    """Where the launcher entry and the icon go under a data home."""
    return home / "applications" / DESKTOP_NAME, home / "icons" / "hicolor" / "scalable" / "apps" / ICON_NAME


def install(argv: list[str] | None = None, refresh: bool = True) -> list[Path]:
    """Writes the launcher entry and the icon under data_home(); the paths written."""
    home = data_home()
    entry, icon = _targets(home)
    replace_whole(str(entry), entry_text(argv or command()).encode("utf-8"))
    replace_whole(str(icon), resources.files("reviewer").joinpath("resources", ICON_NAME).read_bytes())
    if refresh:
        _refresh(home)
    return [entry, icon]


def uninstall(refresh: bool = True) -> list[Path]:
    """Removes what install() wrote; the paths removed."""
    home = data_home()
    gone = []
    for path in _targets(home):
        if path.exists():
            path.unlink()
            gone.append(path)
    if refresh:
        _refresh(home)
    return gone


def _refresh(home: Path) -> None:
    """The desktop's caches, where their tools exist (a missing tool is no error)."""
    tools = [
        ["update-desktop-database", "-q", str(home / "applications")],
        ["gtk-update-icon-cache", "-q", "-t", "-f", str(home / "icons" / "hicolor")],
    ]
    for tool in tools:
        if shutil.which(tool[0]):
            subprocess.run(tool, check=False, capture_output=True, timeout=30)


def versions() -> list[str]:
    """What `reviewer --version` prints: Reviewer's version and those of what it runs on."""
    lines = [f"reviewer {__version__}", f"Python {sys.version.split()[0]} ({sys.executable})"]
    try:
        from PySide6 import QtCore

        lines.append(f"PySide6 {metadata.version('PySide6-Essentials')}, Qt {QtCore.qVersion()}")
    except (ImportError, metadata.PackageNotFoundError) as error:
        lines.append(f"PySide6 not usable: {error}")
    try:
        import yaml

        loader = "with" if getattr(yaml, "__with_libyaml__", False) else "WITHOUT"
        lines.append(f"PyYAML {yaml.__version__}, {loader} its C loader (libyaml)")
    except ImportError as error:
        lines.append(f"PyYAML not usable: {error}")
    from .core import yaml_screen

    fast, why_not = yaml_screen.fast_path()
    if fast:
        lines.append(f"fast YAML path: {fast} {_version_of('yaml-rs')}, where the screen passes")
    else:
        lines.append(f"fast YAML path off ({why_not}): every file is read by PyYAML")
    for name in ("Pillow", "python-frontmatter", "platformdirs", "pyqtgraph", "numpy"):
        lines.append(f"{name} {_version_of(name) or 'not installed'}")
    lines.append(_git_version())
    return lines


def _version_of(name: str) -> str:
    """The installed distribution's version, or '' when it is not installed."""
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return ""


def _git_version() -> str:
    try:
        done = subprocess.run(["git", "--version"], capture_output=True, text=True, timeout=10, check=False)
    except (OSError, subprocess.SubprocessError):
        return "git not found (team review needs it)"
    return done.stdout.strip() or "git not usable"


def describe(paths: list[Path]) -> str:
    return ", ".join(shlex.quote(str(p)) for p in paths)
