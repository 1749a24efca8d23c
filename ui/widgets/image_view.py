"""Shows one screenshot scaled to fit, with optional highlighted word boxes.

Word boxes are in the image's own pixel coordinates (as OCR reports them) and
are scaled with the image.  The image is a ``QImage`` already decrypted and
decoded in memory (``ui.media``); this widget never touches disk.

Threads: GUI thread only.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from PySide6.QtCore import QRectF, QSize, Qt, Signal
from PySide6.QtGui import QColor, QImage, QPainter, QPaintEvent, QPen
from PySide6.QtWidgets import QSizePolicy, QWidget

from ui import theme


class ImageView(QWidget):
    clicked = Signal()  # a click on the image: open it full size

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setAccessibleName("Screenshot")
        self._image: QImage | None = None
        self._source_size: QSize | None = None
        self._boxes: list[QRectF] = []
        self._message = ""

    def set_image(self, image: QImage | None, source_size: QSize | None = None) -> None:
        """``source_size``: the size the word boxes refer to, when ``image`` is a scaled copy."""
        self._image = image
        self._source_size = source_size or (image.size() if image is not None else None)
        self._message = "" if image is not None else self._message
        self.update()

    def mouseReleaseEvent(self, event: Any) -> None:
        if event.button() == Qt.MouseButton.LeftButton and self._image is not None:
            self.clicked.emit()
        super().mouseReleaseEvent(event)

    def set_message(self, message: str) -> None:
        self._image = None
        self._boxes = []
        self._message = message
        self.update()

    def set_boxes(self, boxes: Iterable[QRectF]) -> None:
        self._boxes = list(boxes)
        self.update()

    def has_image(self) -> bool:
        return self._image is not None

    def boxes(self) -> list[QRectF]:
        return list(self._boxes)

    def sizeHint(self) -> QSize:
        return QSize(640, 400)

    def minimumSizeHint(self) -> QSize:
        return QSize(200, 140)

    def image_rect(self) -> QRectF:
        if self._image is None:
            return QRectF()
        area = QRectF(self.rect()).adjusted(6, 6, -6, -6)
        size = QSize(self._image.width(), self._image.height())
        size.scale(area.size().toSize(), Qt.AspectRatioMode.KeepAspectRatio)
        return QRectF(area.left() + (area.width() - size.width()) / 2,
                      area.top() + (area.height() - size.height()) / 2, size.width(), size.height())

    def paintEvent(self, event: QPaintEvent) -> None:
        c = theme.colours()
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        if self._image is None:
            p.setPen(QColor(c.muted))
            p.drawText(self.rect(), Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap, self._message)
            p.end()
            return
        target = self.image_rect()
        shadow = QColor(0, 0, 0, 40 if not c.dark else 90)
        p.setPen(Qt.PenStyle.NoPen)
        p.setBrush(shadow)
        p.drawRoundedRect(target.adjusted(-1, 1, 2, 3), 4, 4)
        p.drawImage(target, self._image)
        p.setPen(QPen(QColor(c.border), 1))
        p.setBrush(Qt.BrushStyle.NoBrush)
        p.drawRect(target)
        if self._boxes and self._source_size is not None and self._source_size.width() > 0:
            sx = target.width() / self._source_size.width()
            sy = target.height() / self._source_size.height()
            fill = QColor("#ffd43b")
            fill.setAlpha(90)
            edge = QColor("#f08c00")
            p.setPen(QPen(edge, 1.6))
            p.setBrush(fill)
            for box in self._boxes:
                r = QRectF(target.left() + box.left() * sx, target.top() + box.top() * sy,
                           box.width() * sx, box.height() * sy).adjusted(-2, -2, 2, 2)
                p.drawRoundedRect(r, 2, 2)
        p.end()


def word_boxes(meta: dict[str, Any] | None, terms: Sequence[str], *, page: int | None = None) -> list[QRectF]:
    """Boxes of the OCR words that start with one of ``terms`` (on ``page``, when the words carry pages).

    Accepts the shapes OCR writers commonly use under ``meta["words"]`` (or
    ``"boxes"``/``"ocr_words"``): ``[text, x, y, w, h]`` lists, or dicts with
    ``text``/``left``/``top``/``width``/``height`` (or ``x``/``y``/``w``/``h``).
    """
    if not meta or not terms:
        return []
    words = meta.get("words") or meta.get("boxes") or meta.get("ocr_words") or []
    stems = [t.lower()[: max(3, len(t) - 2)] if len(t) > 4 else t.lower() for t in terms]
    out: list[QRectF] = []
    for word in words:
        if page is not None and isinstance(word, list | tuple) and len(word) > 6 and word[6] != page:
            continue  # [text, l, t, w, h, conf, page]: another page of a multi-page file
        parsed = _parse_word(word)
        if parsed is None:
            continue
        text, x, y, w, h = parsed
        lowered = text.lower().strip(".,;:!?()[]\"'")
        if lowered and any(lowered.startswith(s) for s in stems):
            out.append(QRectF(x, y, w, h))
    return out


def _parse_word(word: Any) -> tuple[str, float, float, float, float] | None:
    try:
        if isinstance(word, dict):
            text = str(word.get("text") or word.get("word") or "")
            x = float(word.get("left", word.get("x", 0)))
            y = float(word.get("top", word.get("y", 0)))
            w = float(word.get("width", word.get("w", 0)))
            h = float(word.get("height", word.get("h", 0)))
            return text, x, y, w, h
        if isinstance(word, list | tuple) and len(word) >= 5:
            if isinstance(word[0], str):
                return word[0], float(word[1]), float(word[2]), float(word[3]), float(word[4])
            return str(word[4]), float(word[0]), float(word[1]), float(word[2]), float(word[3])
    except (TypeError, ValueError):
        return None
    return None
