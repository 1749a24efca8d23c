"""A screenshot at full size with its words selectable where they are on the image: copy text, open the URL.

Each OCR word (``meta["words"]``: text and box in the frame's pixels) is laid
over the image as a transparent, selectable text item at its box, so dragging
across the picture selects what was read there; "Copy all text" copies the
memory's text and "Open link" opens the page the browser showed (the frame's
``url``).  The image is decrypted in memory only (``MediaCache``).

Threads: GUI thread.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QRectF, Qt, QUrl
from PySide6.QtGui import QColor, QDesktopServices, QFont, QGuiApplication, QImage, QPixmap
from PySide6.QtWidgets import (
    QDialog,
    QGraphicsScene,
    QGraphicsTextItem,
    QGraphicsView,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from ui import fmt


class FrameZoom(QDialog):
    def __init__(self, item: Any, image: QImage, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(fmt.headline(item))
        self.setAccessibleName("Screenshot, full size")
        self.resize(1100, 760)
        self._item = item
        meta = item.meta or {}
        self.scene = QGraphicsScene(self)
        self.scene.addPixmap(QPixmap.fromImage(image))
        width = meta.get("width")  # the words are in the frame's pixels; the image may be scaled
        scale = image.width() / width if isinstance(width, int) and width else 1.0
        self.words: list[QGraphicsTextItem] = []
        for word in meta.get("words") or []:
            if not isinstance(word, list | tuple) or len(word) < 5:
                continue
            text, x, y, w, h = str(word[0]), float(word[1]), float(word[2]), float(word[3]), float(word[4])
            self.words.append(self._word(text, QRectF(x * scale, y * scale, w * scale, h * scale)))
        self.view = QGraphicsView(self.scene)
        self.view.setAccessibleName("Screenshot with selectable text")
        self.view.setDragMode(QGraphicsView.DragMode.NoDrag)
        copy = QPushButton("Copy all text")
        copy.clicked.connect(lambda: QGuiApplication.clipboard().setText(item.text or ""))
        url = meta.get("url")
        self.open_link = QPushButton("Open link")
        self.open_link.setVisible(bool(url))
        self.open_link.setToolTip(str(url or ""))
        self.open_link.clicked.connect(lambda: QDesktopServices.openUrl(QUrl(str(url))))
        close = QPushButton("Close")
        close.clicked.connect(self.accept)
        hint = QLabel("Drag across the words to select them; Ctrl+C copies.")
        hint.setProperty("muted", True)
        bar = QHBoxLayout()
        bar.addWidget(hint, 1)
        for button in (copy, self.open_link, close):
            bar.addWidget(button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.view, 1)
        layout.addLayout(bar)

    def showEvent(self, event: Any) -> None:
        super().showEvent(event)
        # the whole frame in view at first (never a corner of it); the words scale with the picture
        self.view.fitInView(self.scene.itemsBoundingRect(), Qt.AspectRatioMode.KeepAspectRatio)

    def _word(self, text: str, box: QRectF) -> QGraphicsTextItem:
        """The word as transparent, selectable text sized to its box on the image."""
        item = QGraphicsTextItem(text)
        font = QFont()
        font.setPixelSize(max(6, int(box.height() * 0.9)))
        item.setFont(font)
        item.setDefaultTextColor(QColor(0, 0, 0, 1))  # invisible, yet selectable and copyable
        item.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse
                                     | Qt.TextInteractionFlag.TextSelectableByKeyboard)
        item.document().setDocumentMargin(0)
        natural = item.boundingRect().width() or 1.0
        item.setScale(min(3.0, max(0.3, box.width() / natural)))
        item.setPos(box.left(), box.top() - box.height() * 0.1)
        self.scene.addItem(item)
        return item
