"""An indexed image file opens as the image with the searched words boxed, read from its own path."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from core.capture.files.indexer import FileIndexer
from core.capture.files.sink import VaultFileSink
from core.normalize.extract import ExtractLimits
from core.retrieve.types import SearchRequest
from tests.normalize.test_image_ocr import LINES, text_image


def _index(window: Any, folder: Path, files: dict[str, bytes]) -> Any:
    folder.mkdir()
    for name, data in files.items():
        (folder / name).write_bytes(data)
    vault = window.session.vault
    with FileIndexer(VaultFileSink(vault), limits=ExtractLimits(timeout_s=60)) as indexer:
        assert indexer.scan(folder).indexed == len(files)
    return vault


@pytest.mark.parametrize(("name", "fmt"), [("receipt.png", "PNG"), ("IMG_0042.HEIC", "HEIF")])
def test_a_scanned_image_shows_its_searched_words_boxed(unlocked: Any, qtbot: Any, tmp_path: Path, name: str,
                                                        fmt: str) -> None:
    # HEIC: written by the tests' encoder (pillow-heif), shown through the app's decode-only pi-heif.
    vault = _index(unlocked, tmp_path / "Scans", {name: text_image(LINES, fmt=fmt)})
    (hit,) = vault.search(SearchRequest(query="lighthouse", k=1, parse_time=False)).hits
    moment = unlocked.timeline().moment
    moment.show_item(vault.get_item(hit.item_id), ["lighthouse"])
    qtbot.waitUntil(lambda: moment.image_view().has_image(), timeout=20000)
    assert moment.current_image_boxes() == 1  # "LIGHTHOUSE", in the file's pixels (1200 x 400)
    (box,) = moment.image_view().boxes()
    assert 0 < box.left() < 1200 and 0 < box.top() < 400 and box.width() > 100
    moment.grab().save(str(tmp_path / "moment-file-image.png"))


def test_a_moved_image_file_falls_back_to_its_text(unlocked: Any, qtbot: Any, tmp_path: Path) -> None:
    vault = _index(unlocked, tmp_path / "Scans", {"receipt.png": text_image(LINES)})
    (hit,) = vault.search(SearchRequest(query="lighthouse", k=1, parse_time=False)).hits
    (tmp_path / "Scans" / "receipt.png").unlink()
    moment = unlocked.timeline().moment
    moment.show_item(vault.get_item(hit.item_id), ["lighthouse"])
    qtbot.waitUntil(lambda: "could not be opened" in moment._text.toPlainText(), timeout=20000)
    assert "LIGHTHOUSE" in moment._text.toPlainText()


def test_the_page_shown_is_the_one_whose_words_match(qapp: Any) -> None:
    from ui.widgets.file_image import best_page
    from ui.widgets.image_view import word_boxes

    meta = {"words": [["Invoice", 10, 10, 80, 20, 91.0, 1], ["LIGHTHOUSE", 30, 40, 120, 20, 90.0, 2],
                      ["repair", 160, 40, 60, 20, 88.0, 2]]}
    assert best_page(meta, ["lighthouse"]) == 2
    assert best_page(meta, ["nothing"]) == 1
    assert [b.left() for b in word_boxes(meta, ["lighthouse", "invoice"], page=2)] == [30]


def test_a_scanned_pdf_shows_the_page_with_the_searched_word_boxed(unlocked: Any, qtbot: Any, tmp_path: Path) -> None:
    from tests.data.files.images import scanned_pdf

    vault = _index(unlocked, tmp_path / "Scans", {"scan.pdf": scanned_pdf(("alpha", "bravo", "charlie"))})
    (hit,) = vault.search(SearchRequest(query="charlie", k=1, parse_time=False)).hits
    item = vault.get_item(hit.item_id)
    moment = unlocked.timeline().moment
    moment.show_item(item, ["charlie"])
    qtbot.waitUntil(lambda: moment.image_view().has_image(), timeout=20000)
    assert moment.current_image_boxes() == 1
    (box,) = moment.image_view().boxes()  # "charlie" on page 3, in that page's scan pixels (1000 x 200)
    (word,) = [w for w in item.meta["words"] if w[0] == "charlie"]
    assert word[6] == 3 and (box.left(), box.top()) == (word[1], word[2])
    assert 0 < box.left() < 1000 and 0 < box.top() < 200
    if os.environ.get("CAIRN_SHOTS"):
        moment.grab().save(os.path.join(os.environ["CAIRN_SHOTS"], "moment-scanned-pdf.png"))
    moment.show_item(item, ["nothing-like-it"])  # no scanned page has the words: the text is shown
    qtbot.waitUntil(lambda: "charlie" in moment._text.toPlainText(), timeout=20000)
