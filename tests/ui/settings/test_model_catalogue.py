"""Settings → Model: pick a catalogue model, download it from a real local server, save, and it is the model."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialogButtonBox

from tests.cli.test_model_cli import _catalogue
from tests.llm.model_server import Hosted, model_server
from tests.llm.tiny_gguf import build_tiny_gguf


def test_download_cancel_resume_and_use_from_the_model_tab(unlocked: Any, qtbot: Any, tmp_path: Path,
                                                           monkeypatch: Any) -> None:
    from ui.settings.dialog import SettingsDialog

    window = unlocked
    models = tmp_path / "models"
    monkeypatch.setenv("CAIRN_MODELS_DIR", str(models))
    gguf = build_tiny_gguf(tmp_path / "source.gguf").read_bytes()
    with model_server() as server:
        server.files["tiny.gguf"] = Hosted(gguf, cut_after=len(gguf) // 2)
        monkeypatch.setenv("CAIRN_MODEL_CATALOGUE", str(_catalogue(tmp_path / "models.toml", server.url("tiny.gguf"))))
        qtbot.waitUntil(lambda: window.session._settings is not None, timeout=10000)
        dialog = SettingsDialog(window.session, window)
        qtbot.addWidget(dialog)
        dialog.resize(760, 720)
        dialog.show()
        dialog.tabs.setCurrentWidget(dialog.model)
        catalogue = dialog.model.catalogue
        assert catalogue is not None and catalogue.table.rowCount() == 1
        assert not catalogue.download_button.isEnabled()  # nothing selected: nothing to download
        catalogue.select("tiny")
        assert server.url("tiny.gguf") in catalogue.source.text()
        assert not [r for r in server.requests if r[0] == "GET"], "nothing is fetched before Download"

        qtbot.mouseClick(catalogue.download_button, Qt.MouseButton.LeftButton)  # the connection breaks halfway
        qtbot.waitUntil(lambda: not catalogue.downloading, timeout=30000)
        assert "resume" in catalogue.status.text()
        assert "paused at" in catalogue.table.item(0, 4).text()
        server.files["tiny.gguf"].cut_after = None
        qtbot.mouseClick(catalogue.download_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: not catalogue.downloading, timeout=30000)
        assert "verified" in catalogue.status.text(), catalogue.status.text()
    target = models / "tiny-test-llama.gguf"
    assert target.read_bytes() == gguf
    assert dialog.model_path.text() == str(target)
    assert catalogue.table.item(0, 4).text() == "in use"
    if os.environ.get("CAIRN_SCREENSHOT_DIR"):
        dialog.grab().save(str(Path(os.environ["CAIRN_SCREENSHOT_DIR"]) / "settings-model.png"))
    qtbot.mouseClick(dialog.buttons.button(QDialogButtonBox.StandardButton.Save), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=10000)
    assert window.session.settings.model_path == str(target)
