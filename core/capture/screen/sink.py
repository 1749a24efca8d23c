"""``FrameSink`` on the vault: encrypted media files plus one searchable item per stored frame.

For each ``FinishedFrame``:
1. the frame (a WebP keyframe or a ``core.store.frame_codec`` delta) and, for
   keyframes, its thumbnail go through ``vault.put_media`` (AES-GCM
   envelope files, durable before their rows commit);
2. the OCR text becomes ``Record(source="screen", kind="screenshot",
   external_id=<frame id>, conversation=<app>, title=<window title>)`` with
   ``meta = {"app", "window", "monitor", "media_id", "thumb_id", "words",
   "width", "height", "url", "lossless", "keyframe"}`` through ``vault.ingest``
   (which chunks it into the FTS index and, with ``embed=True``, embeds it);
3. both media rows are attached to the new item so ``forget`` deletes them too.

``meta["words"]`` is a list of ``[text, left, top, width, height, conf]`` in
frame pixels (see ``words_from_meta``), for highlighting hits on the screenshot;
the store keeps it compressed (``core.store.packed_words``) and expands it on read.

Identical consecutive text is already dropped by the processor, and the item is
keyed by the unique frame id, so storing never overwrites an older frame.

Threads: called on the daemon's OCR worker; the vault facade is thread-safe.
Errors: ``FrameStoreFailed`` when the vault refuses the record (the daemon
counts it as ``store_error``).  The media rows written just before stay in the
vault unattached (``item_id`` NULL, still encrypted); retention should remove
media rows without an item.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from core.capture.screen.frames import FinishedFrame
from core.errors import CairnError
from core.ports import FrameStore
from core.store import packed_words
from core.types import Record

SOURCE = "screen"
KIND = "screenshot"
MEDIA_KIND_FRAME = "screenshot"
MEDIA_KIND_THUMBNAIL = "thumbnail"


class FrameStoreFailed(CairnError):
    """The vault did not store a captured frame."""


class VaultFrameSink:
    def __init__(self, store: FrameStore, *, embed: bool = False,
                 low_disk: Callable[[], str | None] = lambda: None) -> None:
        """``embed=False`` leaves vectors to ``store.embed_pending()`` (run it when the machine is idle).

        ``low_disk()`` names why pixels must not be stored now (the disk is nearly full), else ``None``:
        frames are then stored as text only, and ``store`` returns that reason.
        """
        self._store = store
        self.embed = embed
        self._low_disk = low_disk

    def store(self, frame: FinishedFrame) -> str | None:
        degraded = self._low_disk()
        media_id = thumb_id = None
        if degraded is None:
            media_id = self._store.put_media(frame.image, MEDIA_KIND_FRAME).value
            if frame.thumbnail:
                thumb_id = self._store.put_media(frame.thumbnail, MEDIA_KIND_THUMBNAIL).value
        record = Record(
            source=SOURCE,
            external_id=frame.frame_id,
            kind=KIND,
            timestamp=frame.timestamp,
            text=frame.text,
            conversation=frame.app,
            title=frame.window_title,
            index_text=frame.index_text,
            meta={
                "app": frame.app,
                "window": frame.window_title,
                "monitor": frame.monitor,
                "media_id": None if media_id is None else int(media_id),
                "thumb_id": None if thumb_id is None else int(thumb_id),
                "text_only": degraded is not None,
                "words": [w.to_json() for w in frame.words],
                "width": frame.width,
                "height": frame.height,
                "url": frame.url,
                "lossless": frame.image_lossless,
                "keyframe": frame.keyframe,
            },
        )
        report = self._store.ingest([record], embed=self.embed)
        if report.failed or not report.item_ids:
            reason = "; ".join(r for _, r in report.failed) or "the record was not stored"
            raise FrameStoreFailed(f"frame {frame.frame_id} not stored: {reason}")
        item_id = report.item_ids[0]
        for stored in (media_id, thumb_id):
            if stored is not None:
                self._store.attach_media(stored, item_id)
        return degraded


def words_from_meta(meta: dict[str, Any]) -> list[tuple[str, tuple[int, int, int, int]]]:
    """``(text, (left, top, width, height))`` of each OCR word stored with a screenshot item."""
    words = []
    for entry in packed_words.expand(meta).get("words") or []:
        try:
            text, left, top, width, height = entry[:5]
            words.append((str(text), (int(left), int(top), int(width), int(height))))
        except (TypeError, ValueError):
            continue
    return words
