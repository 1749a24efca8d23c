"""The real AT-SPI source on Xvfb: Qt windows on a private session bus with the accessibility bus launcher."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from core.capture.screen import change as ch
from core.capture.screen.accessible_atspi import AtspiTextSource
from core.capture.screen.daemon import ScreenDaemon
from core.capture.screen.daemon_config import DaemonConfig
from core.capture.screen.window import VisibleWindow
from core.capture.screen.window_x11 import X11WindowInfo
from core.normalize.ocr import TesseractOcr

from .fakes import ListSink
from .xserver import QtWindow, XServer, accessibility_bus, accessibility_missing, x_tools_missing, xserver

pytestmark = [
    pytest.mark.xvfb,
    pytest.mark.skipif(x_tools_missing() is not None, reason=str(x_tools_missing())),
    pytest.mark.skipif(accessibility_missing() is not None, reason=str(accessibility_missing())),
]

LINES = [f"Entry {i}: Zanzibar marmalade order {1000 + 7 * i} for the quokka kitchen" for i in range(80)]


@pytest.fixture
def a11y_server(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[XServer]:
    pytest.importorskip("PySide6")
    with xserver("1280x800x24") as server, accessibility_bus(server, tmp_path / "run") as bus:
        for key, value in bus.env.items():
            monkeypatch.setenv(key, value)  # this process's source finds the same bus
        yield server


def _window(info: X11WindowInfo, window_id: int, timeout: float = 10.0) -> VisibleWindow:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for window in info.visible_windows():
            if window.window_id == window_id and window.focused:
                return window
        time.sleep(0.1)
    raise AssertionError(f"window {window_id} not found focused")


def _texts(source: AtspiTextSource, window: VisibleWindow, want: str, timeout: float = 15.0) -> Any:
    """The window's texts once ``want`` is among their lines (an app registers on the bus shortly after it shows)."""
    deadline = time.monotonic() + timeout
    while True:
        texts = source.texts_for(window)
        if any(want == line.text for text in texts for line in text.lines) or time.monotonic() > deadline:
            return texts
        source._found.clear()  # walk the tree again
        time.sleep(0.2)


@contextmanager
def _editor_on_bus(server: XServer, title: str, geometry: tuple[int, int, int, int],
                   widget: str) -> Iterator[tuple[QtWindow, VisibleWindow, AtspiTextSource]]:
    """A Qt text window showing LINES, focused, and an AT-SPI source on the same bus; all closed afterwards."""
    editor = QtWindow(server, "cairn-notes", title, LINES, geometry, font_px=16, widget=widget)
    info = X11WindowInfo(server.display)
    source = AtspiTextSource.open()
    assert source is not None
    try:
        yield editor, _window(info, editor.window_id), source
    finally:
        source.close()
        editor.close()
        info.close()


def test_the_visible_lines_of_a_qt_text_widget_come_with_their_places(a11y_server: XServer) -> None:
    with _editor_on_bus(a11y_server, "Notes", (0, 0, 900, 600), "rich") as (editor, window, source):
        texts = _texts(source, window, LINES[0])
        shown = editor.visible_lines()
        lines = [line for text in texts for line in text.lines]
        assert [line.text for line in lines][: len(shown)] == shown  # the shown lines, exactly and in order
        assert LINES[-1] not in [line.text for line in lines]  # not the lines scrolled out of view
        tops = [line.box[1] for line in lines]
        assert tops == sorted(tops) and len(set(tops)) == len(tops)

        editor.command("scroll 10")
        after = [line.text for text in source.texts_for(window) for line in text.lines]
        assert after[: len(editor.visible_lines())] == editor.visible_lines() and LINES[0] not in after


def test_a_plain_text_widget_without_line_places_is_left_to_ocr(a11y_server: XServer) -> None:
    # Qt's QPlainTextEdit reports every line at the first line's height: which lines show is unknown.
    with _editor_on_bus(a11y_server, "Notes", (0, 0, 900, 600), "plain") as (_editor, window, source):
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline:
            assert source.texts_for(window) == ()
            source._found.clear()
            time.sleep(0.5)


def test_the_daemon_stores_the_exact_text_and_ocrs_only_the_rest(a11y_server: XServer) -> None:
    if not TesseractOcr().available():
        pytest.skip("tesseract not installed")
    with _editor_on_bus(a11y_server, "Orders - Notes", (0, 0, 1280, 800), "rich") as (editor, window, source):
        _texts(source, window, LINES[0])  # the app is on the accessibility bus
        source.close()  # the daemon opens its own
        sink = ListSink()
        daemon = ScreenDaemon(sink, DaemonConfig(display=a11y_server.display, interval_s=0.3, busy_window_gap_s=0.0))
        editor.command("sync")
        assert daemon.capture_once() == 1
        daemon.process_pending()
        frame = sink.frames[-1]
        shown = editor.visible_lines()
        assert all(line in frame.text.splitlines() for line in shown)  # exact lines, not OCR's reading
        ocr_area = sum(ch.area(b) for b in frame.ocr_regions)
        assert ocr_area < 0.2 * frame.width * frame.height, frame.ocr_regions  # window frame and title only
        daemon.close_sync()
