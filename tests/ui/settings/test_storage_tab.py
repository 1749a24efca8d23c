"""The Storage tab: the automatic budget from the free disk and the forecast from the measured rate."""

from __future__ import annotations

import os
import re
from typing import Any

from tests.ui.settings.test_settings import _open_dialog


def test_the_storage_tab_shows_the_automatic_budget_and_the_forecast(unlocked: Any, qtbot: Any) -> None:
    dialog = _open_dialog(unlocked, qtbot)
    storage = dialog.storage
    dialog.tabs.setCurrentWidget(storage)
    assert storage.auto_budget.isChecked() and storage.values()["retention_gb"] == -1.0
    qtbot.waitUntil(lambda: storage.forecast.text() != "Measuring…", timeout=15000)
    forecast = storage.forecast.text()
    shown = re.search(r"budget ([0-9.]+) GB", forecast)
    assert shown and abs(float(shown.group(1)) - storage.retention_gb.value()) <= 0.1, forecast  # the size box shows it
    assert storage.auto_budget.isChecked()  # showing the automatic size did not turn automatic off
    assert "automatic: a quarter of the free disk" in forecast and " used of budget " in forecast, forecast
    # the row grows to the forecast's lines once the layout has run (nothing cut off)
    qtbot.waitUntil(lambda: storage.forecast.height() >= storage.forecast.sizeHint().height(), timeout=5000)
    shot = os.environ.get("CAIRN_SHOT_DIR")
    if shot:
        dialog.grab().save(os.path.join(shot, "settings-storage.png"))
    storage.retention_gb.setValue(30.0)  # typing a size means that size, not the automatic one
    assert not storage.auto_budget.isChecked() and dialog.changes()["retention_gb"] == 30.0
