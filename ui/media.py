"""Screenshots decrypted in memory only, with a small LRU cache of decoded images.

``ui.widgets.operations.load_image`` decrypts a media file and decodes it
with ``QImage.fromData`` on a worker thread (QImage, unlike QPixmap, is safe
off the GUI thread), scaled there when a size is asked for; the bytes are
dropped.  Nothing is written to disk.  The cache is cleared when the
vault locks, so no pixels outlive the keys.

Threads: GUI thread only (work happens in ``session.tasks``).
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject
from PySide6.QtGui import QImage

from ui.session import Session
from ui.widgets.operations import load_image

ImageCallback = Callable[[QImage | None], None]
THUMB_LONGEST = 200


def screenshot_media(item: Any) -> int | None:
    """The media id of an item's full screenshot (not its thumbnail), if any."""
    meta = getattr(item, "meta", None) or {}
    for key in ("media_id", "frame_media", "image_media"):
        value = meta.get(key)
        if isinstance(value, int):
            return value
    media = tuple(getattr(item, "media", ()) or ())
    if not media:
        return None
    thumb = meta.get("thumb_id") or meta.get("thumbnail_media")
    full = [m for m in media if m != thumb]
    return int(full[0] if full else media[0])


def thumbnail_media(item: Any) -> tuple[int, int] | None:
    """``(media_id, longest)`` to request for a small preview: the stored thumbnail, else the frame scaled."""
    meta = getattr(item, "meta", None) or {}
    thumb = meta.get("thumb_id") or meta.get("thumbnail_media")
    if isinstance(thumb, int):
        return thumb, 0
    full = screenshot_media(item)
    return (full, THUMB_LONGEST) if full is not None else None


class MediaCache(QObject):
    """Decoded images keyed by ``(media_id, longest side)``, bounded by bytes."""

    def __init__(self, session: Session, budget_bytes: int = 32 * 1024 * 1024) -> None:
        super().__init__(session)
        self._session = session
        self._budget = budget_bytes
        self._images: OrderedDict[tuple[int, int], QImage] = OrderedDict()
        self._bytes = 0
        self._waiting: dict[tuple[int, int], list[tuple[ImageCallback, QObject | None]]] = {}
        session.locked.connect(self.clear)

    def cached(self, media_id: int, longest: int = 0) -> QImage | None:
        key = (int(media_id), longest)
        image = self._images.get(key)
        if image is not None:
            self._images.move_to_end(key)
        return image

    def request(self, media_id: int, callback: ImageCallback, *, longest: int = 0,
                owner: QObject | None = None) -> QImage | None:
        """Return the image now if cached, else load it and call ``callback(image_or_None)`` later."""
        key = (int(media_id), longest)
        image = self.cached(media_id, longest)
        if image is not None:
            return image
        waiters = self._waiting.setdefault(key, [])
        waiters.append((callback, owner))
        if len(waiters) > 1:
            return None  # already loading
        if self._session.vault is None:
            self._deliver(key, None)
            return None
        image_op = load_image(self._session, int(media_id), longest)
        image_op.success(lambda img: self._store(key, img)).failure(lambda _exc: self._deliver(key, None)).run()
        return None

    def clear(self) -> None:
        self._images.clear()
        self._bytes = 0

    def trim(self, keep_bytes: int) -> None:
        """Drop least recently used images until at most ``keep_bytes`` stay (idle: give memory back)."""
        while self._bytes > keep_bytes and self._images:
            _, old = self._images.popitem(last=False)
            self._bytes -= old.sizeInBytes()

    @property
    def bytes_used(self) -> int:
        return self._bytes

    def _store(self, key: tuple[int, int], image: QImage | None) -> None:
        if image is not None and self._session.is_unlocked:
            self._images[key] = image
            self._bytes += image.sizeInBytes()
            while self._bytes > self._budget and len(self._images) > 1:
                _, old = self._images.popitem(last=False)
                self._bytes -= old.sizeInBytes()
        self._deliver(key, image)

    def _deliver(self, key: tuple[int, int], image: QImage | None) -> None:
        import shiboken6

        for callback, owner in self._waiting.pop(key, []):
            if owner is None or shiboken6.isValid(owner):
                callback(image)
