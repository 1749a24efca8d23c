"""The keyboard help overlay (F1 or ?): every shortcut, over a dimmed window.

Click anywhere or press Esc/F1 to close.  The list is data (``SHORTCUTS``) so
the main window and this overlay cannot drift apart: the window binds the
same key sequences it shows here.

Threads: GUI thread only.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QKeyEvent, QMouseEvent, QPainter, QPaintEvent
from PySide6.QtWidgets import QWidget

from core.version import version
from ui import theme

SHORTCUTS: tuple[tuple[str, tuple[tuple[str, str], ...]], ...] = (
    ("Anywhere", (
        ("Ctrl+T", "Timeline"),
        ("Ctrl+F", "Search"),
        ("Ctrl+J", "Ask"),
        ("Ctrl+M", "Memory graph"),
        ("Ctrl+U", "Your profile: the values autofill may type"),
        ("Ctrl+,", "Settings"),
        ("Ctrl+P", "Pause or resume capture"),
        ("Ctrl+L", "Lock Cairn"),
        ("Ctrl+I", "Import chat exports or documents"),
        ("Ctrl+Shift+Del", "Forget a time range, an app, the demo"),
        ("F1", "This help"),
        ("Ctrl+Q", "Quit"),
    )),
    ("System-wide (X11)", (
        ("Ctrl+Alt+Space", "Bring Cairn up on Search, from any application"),
        ("Ctrl+Alt+A", "Autofill the field you are in, from any application"),
    )),
    ("Timeline", (
        ("← / →", "Previous / next moment"),
        ("Shift+← / →", "One hour back / forward"),
        ("Home / End", "First / last moment of the day"),
        ("Ctrl+B", "Screen only: the screenshot as the whole page"),
        ("PgUp / PgDn", "Previous / next day"),
        ("Alt+← / →", "Previous / next day, week or month"),
        ("Ctrl+1 / 2 / 3", "Day / week / month view"),
        ("Ctrl+G", "Jump to a date"),
        ("Drag on the strip", "Scrub through the day"),
    )),
    ("Search and ask", (
        ("↑ / ↓", "Move through results"),
        ("Enter", "Open the result in the timeline"),
        ("Enter (in Ask)", "Ask the question"),
        ("Esc (in Ask)", "Stop the answer"),
    )),
)


class HelpOverlay(QWidget):
    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        self.setAccessibleName("Keyboard shortcuts")
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.hide()
        parent.installEventFilter(self)

    def toggle(self) -> None:
        if self.isVisible():
            self.hide()
        else:
            self.open()

    def open(self) -> None:
        parent = self.parentWidget()
        if parent is not None:
            self.setGeometry(parent.rect())
        self.show()
        self.raise_()
        self.setFocus()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.parentWidget() and event.type() == QEvent.Type.Resize and self.isVisible():
            self.setGeometry(self.parentWidget().rect())
        return False

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in (Qt.Key.Key_Escape, Qt.Key.Key_F1, Qt.Key.Key_Question):
            self.hide()
            event.accept()
            return
        super().keyPressEvent(event)

    def mousePressEvent(self, event: QMouseEvent) -> None:
        self.hide()

    def paintEvent(self, event: QPaintEvent) -> None:
        c = theme.colours()
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        p.fillRect(self.rect(), QColor(0, 0, 0, 120))
        base = QFont(self.font())
        title_font = QFont(base)
        title_font.setPointSizeF(base.pointSizeF() * 1.35)
        title_font.setBold(True)
        head_font = QFont(base)
        head_font.setBold(True)
        key_font = QFont(base)
        key_font.setFamily("DejaVu Sans Mono")
        key_font.setPointSizeF(base.pointSizeF() * 0.95)
        line = p.fontMetrics().height() + 9
        # Column widths from their content: key chips, then descriptions.
        widths: list[tuple[float, float]] = []
        for _title, items in SHORTCUTS:
            p.setFont(key_font)
            key_w = max(p.fontMetrics().horizontalAdvance(k) for k, _w in items) + 14
            p.setFont(base)
            desc_w = max(p.fontMetrics().horizontalAdvance(w) for _k, w in items)
            widths.append((key_w, desc_w))
        gap, pad = 12.0, 28.0
        # Sections flow into as many rows as the window needs: every description is shown whole,
        # never squeezed and cut off while the card has room below.
        available = self.width() - 40.0 - 48
        rows: list[list[int]] = [[]]
        used = 0.0
        for index, (key_w, desc_w) in enumerate(widths):
            col = key_w + gap + desc_w + pad
            if rows[-1] and used + col > available:
                rows.append([])
                used = 0.0
            rows[-1].append(index)
            used += col
        row_heights = [(max(len(SHORTCUTS[i][1]) for i in row) + 1) * line + 16 for row in rows]
        width = min(self.width() - 40.0, max(sum(widths[i][0] + gap + widths[i][1] + pad for i in row)
                                             for row in rows) + 48)
        height = 70 + sum(row_heights) + 20
        card = QRectF((self.width() - width) / 2, max(20.0, (self.height() - height) / 2), width, height)
        p.setPen(QColor(c.border))
        p.setBrush(QColor(c.base))
        p.drawRoundedRect(card, 14, 14)
        p.setFont(title_font)
        p.setPen(QColor(c.text))
        p.drawText(card.adjusted(24, 18, -24, 0), Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop,
                   "Keyboard shortcuts")
        p.setFont(base)
        p.setPen(QColor(c.muted))
        p.drawText(card.adjusted(24, 20, -24, 0), Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignTop,
                   f"Cairn {version()} · Esc to close")
        top = card.top() + 70
        for row, row_height in zip(rows, row_heights, strict=True):
            x = card.left() + 24
            for index in row:
                title, items = SHORTCUTS[index]
                key_w, desc_w = widths[index]
                y = top
                p.setFont(head_font)
                p.setPen(QColor(c.accent))
                p.drawText(QRectF(x, y, key_w + gap + desc_w, line),
                           Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, title)
                y += line + 2
                text_x = x + key_w + gap
                text_w = max(20.0, min(desc_w + 4, card.right() - 24 - text_x))
                for keys, what in items:
                    p.setFont(key_font)
                    chip = QRectF(x, y + 2, p.fontMetrics().horizontalAdvance(keys) + 14, line - 6)
                    p.setPen(QColor(c.border))
                    p.setBrush(QColor(c.alt_base))
                    p.drawRoundedRect(chip, 5, 5)
                    p.setPen(QColor(c.text))
                    p.drawText(chip, Qt.AlignmentFlag.AlignCenter, keys)
                    p.setFont(base)
                    p.drawText(QRectF(text_x, y, text_w, line),
                               Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                               p.fontMetrics().elidedText(what, Qt.TextElideMode.ElideRight, int(text_w)))
                    y += line
                x += key_w + gap + desc_w + pad
            top += row_height
        p.end()
