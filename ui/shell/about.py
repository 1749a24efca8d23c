"""The About box: Cairn's version (the one in pyproject.toml), what it runs on, and where the vault lives.

Threads: GUI thread only.  Errors: none raised.
"""

from __future__ import annotations

import platform
from pathlib import Path

from PySide6 import __version__ as pyside_version
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox, QWidget

from core.version import version
from ui import theme


def about_text(home: Path) -> str:
    """Rich text for the box: name and version first, so a bug report can quote it."""
    return (
        f"<h3>Cairn {version()}</h3>"
        "<p>Remembers what you saw, read and said on this computer — encrypted, on this device only.</p>"
        f"<p>Python {platform.python_version()} · Qt for Python {pyside_version} · {platform.system()}"
        f" {platform.machine()}</p>"
        f"<p>Vault: <code>{home}</code></p>"
        "<p>Licensed under the Apache License 2.0.</p>"
    )


def about_box(home: Path, parent: QWidget | None = None) -> QMessageBox:
    """A non-modal About box (the caller shows it)."""
    box = QMessageBox(parent)
    box.setWindowTitle("About Cairn")
    box.setAccessibleName("About Cairn")
    box.setIconPixmap(theme.app_icon().pixmap(64, 64))
    box.setTextFormat(Qt.TextFormat.RichText)
    box.setText(about_text(home))
    box.setStandardButtons(QMessageBox.StandardButton.Close)
    box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    return box
