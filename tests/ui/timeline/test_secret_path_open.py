"""A file whose path holds a secret still opens: "Open file" and the image view use the real path (opened from the
stored key in memory by ``Vault.file_path``) while the path shown stays redacted."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, QUrl, Slot

from tests.normalize.test_image_ocr import LINES, text_image
from tests.security.test_redaction_everywhere import SECRETS

SECRET = SECRETS["aws_key"]


def _index(vault: Any, folder: Path) -> None:
    from core.capture.files.service import index_path

    assert index_path(vault, folder, embed=False).indexed >= 1


def _hit(vault: Any, word: str) -> Any:
    from core.retrieve.types import SearchRequest

    (hit,) = vault.search(SearchRequest(query=word, k=1, parse_time=False)).hits
    return vault.get_item(hit.item_id)


class _Opened(QObject):
    """Receives what QDesktopServices.openUrl would hand to the desktop (Qt's own per-scheme handler hook)."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[QUrl] = []

    @Slot(QUrl)
    def open(self, url: QUrl) -> None:
        self.urls.append(url)


def test_open_file_opens_the_real_file_when_its_path_holds_a_secret(unlocked: Any, qtbot: Any,
                                                                     tmp_path: Path) -> None:
    from PySide6.QtGui import QDesktopServices

    box = tmp_path / f"box {SECRET}"
    box.mkdir()
    real = box / f"{SECRET} plan.md"
    real.write_text("# Plan\n\nThe cormorant survey starts on Monday.\n")
    vault = unlocked.session.vault
    _index(vault, box)
    item = _hit(vault, "cormorant")
    assert SECRET not in (item.meta.get("path") or "") and SECRET not in (item.external_id or "")
    moment = unlocked.timeline().moment
    moment.show_item(item, ["cormorant"])
    assert moment._open_button.isVisibleTo(moment)
    opened = _Opened()
    QDesktopServices.setUrlHandler("file", opened, "open")
    try:
        moment._open_button.click()
        qtbot.waitUntil(lambda: bool(opened.urls), timeout=20000)
    finally:
        QDesktopServices.unsetUrlHandler("file")
    (url,) = opened.urls
    assert Path(url.toLocalFile()) == real and real.is_file()
    assert SECRET not in moment._subtitle.full_text()  # the shown path stays redacted


def test_an_image_file_whose_path_holds_a_secret_is_shown_with_its_words_boxed(unlocked: Any, qtbot: Any,
                                                                               tmp_path: Path) -> None:
    box = tmp_path / f"scans {SECRET}"
    box.mkdir()
    (box / f"receipt {SECRET}.png").write_bytes(text_image(LINES))
    vault = unlocked.session.vault
    _index(vault, box)
    item = _hit(vault, "lighthouse")
    moment = unlocked.timeline().moment
    moment.show_item(item, ["lighthouse"])
    qtbot.waitUntil(lambda: moment.image_view().has_image() or "could not be opened" in moment._text.toPlainText(),
                    timeout=30000)
    assert moment.image_view().has_image(), moment._text.toPlainText()[:200]
    assert moment.current_image_boxes() == 1
    moment.grab().save(str(tmp_path / "moment-secret-path-image.png"))

