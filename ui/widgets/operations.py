"""Reads several pages share: one memory, its conversation, the moments near it, a screenshot, the vault's totals.

Each function returns a ``ui.operations.QueryOp``; the caller adds what to do
with the value and runs it.

Threads: build on the GUI thread; the read runs on a worker.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QImage

from core.errors import CairnError
from ui.operations import QueryOp
from ui.session import Session

if TYPE_CHECKING:
    from core.store.browse import ItemView
    from core.store.stats import VaultStats
    from core.vault import Vault


def load_item(session: Session, item_id: int, *, label: str = "open item") -> QueryOp[ItemView]:
    """One memory, whole (text, meta, media)."""
    return QueryOp(session, lambda v: v.get_item(item_id), label=label)


def load_file_path(session: Session, item_id: int) -> QueryOp[Path | None]:
    """An indexed file's real path (secrets in it opened in memory; None for other items): to open it, nothing else."""
    return QueryOp(session, lambda v: v.file_path(item_id), label="open file")


def load_neighbours(session: Session, item_id: int, before: int, after: int) -> QueryOp[list[ItemView]]:
    """The messages around ``item_id`` in its conversation (or source), in time order, itself included."""
    return QueryOp(session, lambda v: v.neighbours(item_id, before, after), label="neighbours")


def load_between(session: Session, start: datetime, end: datetime, *, limit: int) -> QueryOp[list[ItemView]]:
    """Up to ``limit`` memories from ``start`` to ``end``, oldest first (moments only: no summaries)."""
    return QueryOp(session, lambda v: v.items_between(start, end, limit=limit, moments_only=True), label="around")


def load_stats(session: Session) -> QueryOp[VaultStats]:
    """How many memories, how much disk: the window's count and the storage tab's usage."""
    return QueryOp(session, lambda v: v.stats(), label="stats")


def load_image(session: Session, media_id: int, longest: int = 0) -> QueryOp[QImage | None]:
    """A screenshot decrypted and decoded in memory (None if it does not decode), scaled to ``longest``."""

    def load(vault: Vault) -> QImage | None:
        try:
            data = vault.get_frame(media_id)  # a delta screenshot comes back composited on its keyframe
        except CairnError:
            return None
        image = QImage.fromData(data)
        del data  # the plaintext bytes go at once; only the decoded image is kept
        if image.isNull():
            return None
        if longest and max(image.width(), image.height()) > longest:
            image = image.scaled(QSize(longest, longest), Qt.AspectRatioMode.KeepAspectRatio,
                                 Qt.TransformationMode.SmoothTransformation)
        return image

    return QueryOp(session, load, label="load media")
