"""Every symbol the UI writes as text is in the app's font: no empty boxes where an emoji or sign should be."""

from __future__ import annotations

import ast
from pathlib import Path
from typing import Any

from PySide6.QtGui import QFontMetrics
from PySide6.QtWidgets import QApplication

UI = Path(__file__).resolve().parents[2] / "ui"
TYPOGRAPHY = set("…—–·×‘’“”€£°§©®²³½¼¾±")  # Latin-1 and General Punctuation: in every text font


def _symbols() -> dict[str, str]:
    """Characters outside plain Latin text in the UI's string literals, each with one place it is used."""
    found: dict[str, str] = {}
    for path in sorted(UI.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        docstrings = {id(node.body[0].value) for node in ast.walk(tree)
                      if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef)
                      and node.body and isinstance(node.body[0], ast.Expr)
                      and isinstance(node.body[0].value, ast.Constant)}
        for node in ast.walk(tree):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings:
                for ch in node.value:
                    if ord(ch) > 0x2000 and ch not in TYPOGRAPHY:
                        found.setdefault(ch, f"{path.relative_to(UI.parent)}:{node.lineno}")
    return found


def test_ui_symbols_are_in_the_app_font(theme: Any) -> None:
    symbols = _symbols()
    assert symbols, "the scan finds the UI's symbols (e.g. the arrows and check marks)"
    metrics = QFontMetrics(QApplication.font())
    missing = {f"U+{ord(ch):04X} {ch!r}": where for ch, where in symbols.items() if not metrics.inFontUcs4(ord(ch))}
    assert not missing, f"drawn as empty boxes with the app font {QApplication.font().family()}: {missing}"


def _glyphs(text: str) -> list[tuple[str, int]]:
    """(font family, glyph index) of each glyph Qt draws ``text`` with in the app font (index 0: an empty box)."""
    from PySide6.QtGui import QTextLayout

    layout = QTextLayout(text, QApplication.font())
    layout.beginLayout()
    layout.createLine()
    layout.endLayout()
    return [(run.rawFont().familyName(), index) for run in layout.glyphRuns() for index in run.glyphIndexes()]


def test_emoji_in_memories_are_drawn_not_boxes(theme: Any) -> None:
    # the demo's chats have 🎉 and 😄; a desktop without an emoji font draws them as boxes unless Cairn brings one
    for emoji in ("🎉", "😄", "🥨", "👍", "❤"):
        glyphs = _glyphs(emoji)
        assert glyphs and all(index != 0 for _family, index in glyphs), (emoji, glyphs)


def test_the_bundled_emoji_font_is_only_for_systems_without_one() -> None:
    from ui.fonts import EMOJI_FONT, needs_emoji_font

    assert EMOJI_FONT.is_file() and (EMOJI_FONT.parent / "OFL.txt").is_file()  # the font and its licence ship
    assert needs_emoji_font(["DejaVu Sans", "Noto Sans Mono"])
    assert not needs_emoji_font(["DejaVu Sans", "Noto Color Emoji"])  # the system's colour emoji draw them
