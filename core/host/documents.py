"""A document or picture handed to the app (dropped on its window, or chosen with Import…) is indexed now.

The app's importer sends chat exports to ``Vault.import_path``; a file only the
document indexer reads (PDF, office files, e-books, mail, pictures:
``core.capture.files.service.is_document``) comes here instead and is indexed
exactly as ``cairn index FILE`` does, OCR included, ``pages(path, page, pages)``
hearing each page OCR'd.

Threads: the calling thread (extraction workers below it).  Errors: as ``index_path``.
"""

from __future__ import annotations

from pathlib import Path

from core.capture.files.report import ScanReport
from core.capture.files.service import index_path, is_document
from core.ports import FilePageProgress, WatchStore

__all__ = ["index_document", "is_document"]


def index_document(store: WatchStore, path: Path, pages: FilePageProgress | None = None) -> ScanReport:
    """Index one document (its parent folder is its root, as ``cairn index FILE`` does); the scan's report."""
    return index_path(store, Path(path), pages=pages)
