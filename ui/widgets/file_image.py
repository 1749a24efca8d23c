"""An indexed image file (a scan, a photo of a receipt) shown with its OCR word boxes.

Screenshots are Cairn's own media; an indexed image stays where the user keeps
it, so it is read from its path here (the real path: ``Vault.file_path`` opens
a secret sealed in the stored key; the shown path is redacted), decoded in memory (Pillow: PNG, JPEG,
WebP, TIFF pages, BMP, GIF, HEIC) and scaled for the view — nothing is
written.  The boxes (``meta["words"]``: text, left, top, width, height,
confidence, page) are in the file's own pixels; the page shown is the one whose
words match the search terms first.

Threads: ``load_file_image`` runs in the UI's worker pool; the rest is pure.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PySide6.QtCore import QSize
from PySide6.QtGui import QImage

from ui import fmt
from ui.operations import QueryOp
from ui.session import Session
from ui.widgets.image_view import word_boxes

IMAGE_SUFFIXES = frozenset({".png", ".jpg", ".jpeg", ".webp", ".tif", ".tiff", ".bmp", ".gif", ".heic", ".heif"})
MAX_PIXELS = 60_000_000  # the indexer refuses larger images as bombs; so does the view


@dataclass(frozen=True, slots=True)
class FileImage:
    image: QImage  # scaled to fit the view
    source: QSize  # the file's pixel size, which the word boxes refer to


def image_file_path(item: Any) -> Path | None:
    """The path of an indexed image file whose OCR words are known, else None."""
    meta = getattr(item, "meta", None) or {}
    path = fmt.path_of(item)
    if item.kind != "document" or not meta.get("words") or not path:
        return None
    return Path(path) if Path(path).suffix.lower() in IMAGE_SUFFIXES else None


def best_page(meta: dict[str, Any] | None, terms: Sequence[str]) -> int:
    """The 1-based page whose words match ``terms`` first (1 when nothing matches)."""
    for page in sorted({int(w[6]) for w in (meta or {}).get("words") or () if isinstance(w, list | tuple) and len(w) > 6}):
        if word_boxes(meta, terms, page=page):
            return page
    return 1


def load_file_image(session: Session, item: Any, page: int, longest: int) -> QueryOp[FileImage | None]:
    """The ``page`` of ``item``'s image file, decoded in memory and scaled to ``longest``; None if unreadable."""

    def load(vault: Any) -> FileImage | None:
        from PIL import Image, UnidentifiedImageError

        path = vault.file_path(item.id) or image_file_path(item)  # the real path stays in this frame
        if path is None:
            return None

        try:
            import pillow_heif

            pillow_heif.register_heif_opener()
        except ImportError:
            pass
        try:
            with Image.open(path) as image:
                if image.width * image.height > MAX_PIXELS:
                    return None
                if page > 1:
                    image.seek(min(page, getattr(image, "n_frames", 1)) - 1)
                source = QSize(image.width, image.height)
                rgb = image.convert("RGB")
            rgb.thumbnail((longest, longest))
            data = rgb.tobytes()
            shown = QImage(data, rgb.width, rgb.height, 3 * rgb.width, QImage.Format.Format_RGB888).copy()
            return FileImage(shown, source)
        except (OSError, UnidentifiedImageError, ValueError, EOFError):
            return None

    return QueryOp(session, load, label="load image file")
