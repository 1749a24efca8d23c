"""A screenshot stored as a delta on a keyframe shows in the timeline exactly as it was captured."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest


def _page(lines: list[str]) -> Any:
    from PIL import Image, ImageDraw, ImageFont

    image = Image.new("RGB", (1280, 720), "#fbfbf8")
    draw = ImageDraw.Draw(image)
    try:
        face = ImageFont.truetype("DejaVuSans.ttf", 18)
    except OSError:
        pytest.skip("no DejaVu font to render test text")
    for i, line in enumerate(lines):
        draw.text((24, 30 + 28 * i), line, font=face, fill="#1d1d1f")
    return image


def test_a_delta_screenshot_is_composited_for_the_timeline(unlocked: Any, qtbot: Any) -> None:
    from PySide6.QtGui import QImage

    from core.capture.screen.daemon import ScreenDaemon
    from core.capture.screen.daemon_config import DaemonConfig
    from core.capture.screen.idle import NullIdleSource
    from core.capture.screen.sink import VaultFrameSink
    from core.normalize.ocr import TesseractOcr
    from tests.capture.screen.fakes import FakeGrabber, FakeWindows, window

    if not TesseractOcr().available():
        pytest.skip("tesseract not installed")
    vault = unlocked.session.vault
    lines = [f"Row {i} of the Tavolin ledger: invoice {1000 + 37 * i} approved" for i in range(40)]
    first, second = _page(lines[:22]), _page(lines[3:25])  # the reader scrolled by three lines
    grabber = FakeGrabber(first)
    windows = FakeWindows([window("reader", "Ledger - Reader", 7, focused=True, size=(1280, 720))])
    daemon = ScreenDaemon(VaultFrameSink(vault), DaemonConfig(busy_window_gap_s=0), grabber_factory=lambda: grabber,
                          window_info_factory=lambda: windows, idle_factory=NullIdleSource)
    daemon.capture_once()
    daemon.process_pending()
    grabber.image = second
    daemon.capture_once()
    daemon.process_pending()
    assert daemon.snapshot().frames_stored == 2
    row = vault.read().execute("SELECT id, meta FROM items WHERE source = 'screen'"
                               " AND json_extract(meta, '$.keyframe') IS NOT NULL ORDER BY id DESC LIMIT 1").fetchone()
    assert row is not None, "the second frame was not stored as a delta"

    timeline = unlocked.timeline()
    timeline.open_item(int(row[0]))
    qtbot.waitUntil(lambda: timeline.current_item() is not None and int(timeline.current_item().id) == int(row[0]),
                    timeout=15000)
    view = timeline.moment.image_view()
    qtbot.waitUntil(view.has_image, timeout=15000)
    # The full-size image the zoom shows: the composite, pixel for pixel the captured frame.
    import json

    full = QImage.fromData(vault.get_frame(json.loads(row[1])["media_id"])).convertToFormat(QImage.Format.Format_RGB888)
    assert (full.width(), full.height()) == (1280, 720)
    shown = np.frombuffer(full.constBits(), dtype=np.uint8).reshape(720, full.bytesPerLine())[:, : 1280 * 3]
    assert np.array_equal(shown.reshape(720, 1280, 3), np.asarray(second))
