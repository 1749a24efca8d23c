"""Importing from the app: dropped files and Ctrl+I's files come in with progress; a bad file says why."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import QMimeData, QPoint, QPointF, Qt, QUrl
from PySide6.QtGui import QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import QApplication

from tests.helpers import jsonl_line, write_jsonl


def _chat(tmp_path: Path, n: int = 40) -> Path:
    return write_jsonl(tmp_path / "climbing-club.jsonl", [
        jsonl_line(f"cc-{i}", f"Bouldering session {i}: the new overhang route near the quarry wall",
                   speaker="Tomasz", conversation="Climbing club", minutes=i) for i in range(n)])


def test_dropping_an_export_on_the_window_imports_it_with_progress(unlocked: Any, qtbot: Any, tmp_path: Path) -> None:
    window = unlocked
    chat = _chat(tmp_path)
    results: list[Any] = []
    window.importer.finished.connect(results.extend)
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(chat))])
    enter = QDragEnterEvent(QPoint(200, 200), Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton,
                            Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(window, enter)
    assert enter.isAccepted()  # the window takes files dragged over it
    drop = QDropEvent(QPointF(200, 200), Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton,
                      Qt.KeyboardModifier.NoModifier)
    # Qt delivers a drop only inside a real drag session; the window's drop handling gets it as Qt would
    assert window.importer.eventFilter(window, drop)
    assert window.importer.progress is not None  # the progress dialog is up while it runs
    qtbot.waitUntil(lambda: bool(results), timeout=60000)
    assert results[0].error is None and results[0].report.imported == 40
    assert "Imported 40 memories from climbing-club.jsonl" in window.status_line.flash_label.text()
    search = window.show_page("search")
    search.set_query("overhang quarry")
    qtbot.waitUntil(lambda: search.model.rowCount() > 0 and search.model.item(0).conversation == "Climbing club",
                    timeout=30000)


def test_a_file_that_is_not_an_export_is_reported_and_the_rest_still_imports(unlocked: Any, qtbot: Any,
                                                                             tmp_path: Path) -> None:
    window = unlocked
    bad = tmp_path / "holiday.bin"
    bad.write_bytes(b"\x00\x01 not a chat export \xff" * 50)
    good = _chat(tmp_path, 5)
    results: list[Any] = []
    window.importer.finished.connect(results.extend)
    window.importer.import_paths([bad, good])
    qtbot.waitUntil(lambda: bool(results), timeout=60000)
    assert results[0].error and results[1].report.imported == 5
    assert "could not import holiday.bin" in window.status_line.flash_label.text()


def test_a_dropped_scan_is_indexed_with_its_ocr_pages_shown(unlocked: Any, qtbot: Any, tmp_path: Path) -> None:
    import os

    from tests.data.files.images import scanned_pdf
    from tests.normalize.test_image_ocr import _png

    window = unlocked
    scan = tmp_path / "minutes-scan.pdf"
    scan.write_bytes(scanned_pdf(("alpha", "bravo", "charlie", "delta")))
    bomb = tmp_path / "bomb.png"
    bomb.write_bytes(_png(100_000, 100_000))
    labels: list[str] = []
    results: list[Any] = []
    window.importer.finished.connect(results.extend)
    window.importer.import_paths([scan, bomb])
    dialog = window.importer.progress
    assert dialog is not None

    def seen() -> bool:  # every label the dialog showed, as the events arrive
        if window.importer.progress is not None and dialog.labelText() not in labels:
            labels.append(dialog.labelText())
            if "OCR page 2 of 4" in dialog.labelText() and os.environ.get("CAIRN_SHOTS"):
                dialog.grab().save(os.path.join(os.environ["CAIRN_SHOTS"], "import_ocr_page.png"))
        return bool(results)

    qtbot.waitUntil(seen, timeout=60000)
    assert [r.path.name for r in results] == ["minutes-scan.pdf", "bomb.png"]
    assert results[0].error is None and results[0].scan.indexed == 1
    assert "decompression bomb" in (results[1].error or "")
    status = window.status_line.flash_label.text()
    assert "Imported 1 memory" in status and "could not import bomb.png" in status
    search = window.show_page("search")
    search.set_query("charlie harbour")
    qtbot.waitUntil(lambda: search.model.rowCount() > 0, timeout=30000)
    assert any("OCR page" in label for label in labels), labels
