"""An indexed image file (a scan, a photo of a receipt) or a PDF's scanned page, shown with its OCR word boxes.

Screenshots are Cairn's own media; an indexed image stays where the user keeps
it, so it is read from its path here (the real path: ``Vault.file_path`` opens
a secret sealed in the stored key; the shown path is redacted), decoded in memory (Pillow: PNG, JPEG,
WebP, TIFF pages, BMP, GIF, HEIC) and scaled for the view — nothing is
written.  The boxes (``meta["words"]``: text, left, top, width, height,
confidence, page) are in the file's own pixels; the page shown is the one whose
words match the search terms first.  A PDF's scanned page is shown as the largest
image drawn on it — the one the indexer OCR'd, so the boxes fit it — and only when
the searched words are on a scanned page (a hit in the text layer shows the text).

Threads: ``load_file_image`` runs in the UI's worker pool; the rest is pure.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QSize
from PySide6.QtGui import QImage

from ui import fmt
from ui.operations import QueryOp
from ui.session import Session
from ui.widgets.image_view import word_boxes

if TYPE_CHECKING:
    from core.vault import Vault

IMAGE_SUFFIXES = frozenset({".png", ".jpg", ".jpeg", ".webp", ".tif", ".tiff", ".bmp", ".gif", ".heic", ".heif"})
MAX_PIXELS = 60_000_000  # the indexer refuses larger images as bombs; so does the view


@dataclass(frozen=True, slots=True)
class FileImage:
    image: QImage  # scaled to fit the view
    source: QSize  # the file's pixel size, which the word boxes refer to


def image_file_path(item: Any, terms: Sequence[str] = ()) -> Path | None:
    """The path of an indexed image file (or a PDF with the searched ``terms`` on a scanned page) whose
    OCR words are known, else None."""
    meta = getattr(item, "meta", None) or {}
    path = fmt.path_of(item)
    if item.kind != "document" or not meta.get("words") or not path:
        return None
    suffix = Path(path).suffix.lower()
    if suffix == ".pdf":
        return Path(path) if word_boxes(meta, terms, page=best_page(meta, terms)) else None
    return Path(path) if suffix in IMAGE_SUFFIXES else None


def best_page(meta: dict[str, Any] | None, terms: Sequence[str]) -> int:
    """The 1-based page whose words match ``terms`` first (1 when nothing matches)."""
    for page in sorted({int(w[6]) for w in (meta or {}).get("words") or () if isinstance(w, list | tuple) and len(w) > 6}):
        if word_boxes(meta, terms, page=page):
            return page
    return 1


def load_file_image(session: Session, item: Any, page: int, longest: int) -> QueryOp[FileImage | None]:
    """The ``page`` of ``item``'s image file, decoded in memory and scaled to ``longest``; None if unreadable."""

    def load(vault: Vault) -> FileImage | None:
        from PIL import Image, UnidentifiedImageError

        path = vault.file_path(item.id) or image_file_path(item)  # the real path stays in this frame
        if path is None:
            return None
        if Path(path).suffix.lower() == ".pdf":
            return _pdf_page(Path(path), page, longest)

        try:
            import pi_heif

            pi_heif.register_heif_opener()
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


def _pdf_page(path: Path, page: int, longest: int) -> FileImage | None:
    """The largest image on ``page`` of a PDF (the scan the indexer OCR'd), refused before decoding when it
    declares more than ``MAX_PIXELS``; None when unreadable."""
    try:
        from pypdf import PdfReader

        reader = PdfReader(path, strict=False)
        if reader.is_encrypted or not 1 <= page <= len(reader.pages):
            return None
        best: tuple[int, Any] | None = None
        for image in reader.pages[page - 1].images:
            ref = getattr(image, "indirect_reference", None)
            obj = ref.get_object() if ref is not None else None
            pixels = int(obj["/Width"]) * int(obj["/Height"]) if obj is not None else 0
            if pixels <= MAX_PIXELS and (best is None or pixels > best[0]):
                best = (pixels, image)
        if best is None:
            return None
        decoded = best[1].image
        source = QSize(decoded.width, decoded.height)
        rgb = decoded.convert("RGB")
    except Exception:  # a damaged or changed file: the caller shows the text instead
        return None
    rgb.thumbnail((longest, longest))
    shown = QImage(rgb.tobytes(), rgb.width, rgb.height, 3 * rgb.width, QImage.Format.Format_RGB888).copy()
    return FileImage(shown, source)
