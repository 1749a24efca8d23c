"""Fonts Cairn brings along: an emoji font for systems without one, so emoji in memories are not empty boxes.

Chats are full of emoji ("🎉", "😄"), and a desktop without an emoji font (a minimal Debian, a server under
Xvfb) draws each as a box.  ``assets/fonts/NotoEmoji-Regular.ttf`` (Noto Emoji, monochrome, 0.9 MB, SIL Open
Font License 1.1: ``assets/fonts/OFL.txt``) is added as an application font then; Qt's font fallback finds it for
any character the text font lacks.  Where the system has an emoji font of its own (e.g. Debian's
fonts-noto-color-emoji, in colour), that one is left to draw them.

Threads: GUI thread, once the QApplication exists.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

FONT_DIR = Path(__file__).resolve().parents[1] / "assets" / "fonts"
EMOJI_FONT = FONT_DIR / "NotoEmoji-Regular.ttf"


def needs_emoji_font(families: Iterable[str]) -> bool:
    """Whether none of the installed font families is an emoji font."""
    return not any("emoji" in family.casefold() for family in families)


def add_bundled_fonts() -> list[str]:
    """Add the bundled emoji font when the system has none; returns the families added (empty if none)."""
    from PySide6.QtGui import QFontDatabase

    if not needs_emoji_font(QFontDatabase.families()) or not EMOJI_FONT.is_file():
        return []
    font_id = QFontDatabase.addApplicationFont(str(EMOJI_FONT))
    return list(QFontDatabase.applicationFontFamilies(font_id)) if font_id >= 0 else []
