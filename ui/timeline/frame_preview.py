"""Hovering the hour strip previews the screen at that time: the nearest screenshot of the day, under the strip.

The frame is the stored thumbnail (decrypted in memory by ``MediaCache``);
nothing shows when no screenshot lies within ``WINDOW_S`` of the pointer.

Threads: GUI thread.
"""

from __future__ import annotations

import bisect
from datetime import datetime
from typing import Any

from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QImage, QPixmap
from PySide6.QtWidgets import QLabel, QWidget

from ui import fmt
from ui.media import MediaCache, thumbnail_media

WINDOW_S = 20 * 60  # a frame further than this from the pointer is not "the screen at that time"
WIDTH = 320


class FramePreview(QLabel):
    def __init__(self, strip: Any, model: Any, media: MediaCache) -> None:
        super().__init__(strip, Qt.WindowType.ToolTip)
        self.setAccessibleName("Screen at this time")
        self.setStyleSheet("border: 1px solid palette(mid); background: palette(base); padding: 3px;")
        self._strip = strip
        self._model = model
        self._media = media
        self._item: Any = None
        strip.hovered.connect(self.preview)

    def item(self) -> Any:
        """The screenshot shown (None when hidden)."""
        return self._item if self.isVisible() else None

    def preview(self, moment: datetime | None) -> None:
        item = self._nearest_screenshot(moment) if moment is not None else None
        if item is None:
            self._item = None
            self.hide()
            return
        if item is self._item and self.isVisible():
            return
        self._item = item
        wanted = thumbnail_media(item)
        if wanted is None:
            self.hide()
            return
        media_id, longest = wanted
        image = self._media.request(media_id, lambda img, it=item: self._show(it, img), longest=longest, owner=self)
        if image is not None:
            self._show(item, image)

    def _nearest_screenshot(self, moment: datetime) -> Any:
        stamps = self._model.timestamps()
        if not stamps:
            return None
        target = moment.timestamp()
        at = bisect.bisect_left(stamps, target)
        best: tuple[float, Any] | None = None
        for row in range(max(0, at - 40), min(len(stamps), at + 40)):  # screenshots are few among messages
            distance = abs(stamps[row] - target)
            item = self._model.item(row)
            if distance <= WINDOW_S and item is not None and item.kind == "screenshot" and (
                    best is None or distance < best[0]):
                best = (distance, item)
        return best[1] if best else None

    def _show(self, item: Any, image: QImage | None) -> None:
        if image is None or item is not self._item:
            return
        pixmap = QPixmap.fromImage(image).scaledToWidth(WIDTH, Qt.TransformationMode.SmoothTransformation)
        self.setPixmap(pixmap)
        self.setToolTip(f"{fmt.fmt_time(item.timestamp)} · {fmt.app_of(item) or 'Screen'}")
        self.adjustSize()
        strip: QWidget = self._strip
        x = strip.width() * 0  # placed under the pointer's time, kept inside the strip
        hover = getattr(strip, "_hover", None)
        if hover is not None:
            x = int(strip._x_of(hover)) - self.width() // 2
        x = max(0, min(strip.width() - self.width(), x))
        self.move(strip.mapToGlobal(QPoint(x, strip.height() + 4)))
        self.show()
