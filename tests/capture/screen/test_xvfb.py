"""Real X server, real window manager, real Qt windows: window info, idle, and the daemon end to end."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pytest

from core.capture.screen.daemon import ScreenDaemon
from core.capture.screen.daemon_config import DaemonConfig
from core.capture.screen.frames import FinishedFrame
from core.capture.screen.idle import X11IdleSource
from core.capture.screen.sink import VaultFrameSink
from core.capture.screen.window import VisibleWindow
from core.capture.screen.window_x11 import X11WindowInfo
from core.normalize.ocr import TesseractOcr
from core.retrieve.types import SearchRequest

from .fakes import ListSink
from .test_sink import _scan
from .xserver import QtWindow, XServer, x_tools_missing, xserver

pytestmark = [pytest.mark.xvfb, pytest.mark.skipif(x_tools_missing() is not None, reason=str(x_tools_missing()))]

NOTES = ["Shopping list for Saturday", "Zanzibar marmalade and quokka biscuits", "Return the library books"]


@pytest.fixture(scope="module")
def server() -> Iterator[XServer]:
    pytest.importorskip("PySide6")
    with xserver() as srv:
        yield srv


def _find(info: X11WindowInfo, predicate, timeout: float = 10.0) -> VisibleWindow:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for window in info.visible_windows():
            if predicate(window):
                return window
        time.sleep(0.1)
    raise AssertionError(f"window not found; visible: {info.visible_windows()}")


def test_x11_window_info_sees_app_title_pid_and_geometry(server: XServer) -> None:
    info = X11WindowInfo(server.display)
    notes = QtWindow(server, "cairn-notes", "Groceries - Notes", NOTES, (40, 30, 700, 400))
    other = QtWindow(server, "cairn-viewer", "Report.pdf - Viewer", ["Quarterly report"], (600, 300, 500, 300))
    try:
        seen = _find(info, lambda w: w.window_id == notes.window_id)
        assert seen.app == "cairn-notes" and seen.title == "Groceries - Notes"
        assert seen.pid == notes.pid and seen.process and "python" in seen.process
        assert seen.width == 700 and seen.height == 400
        # The later window has focus and is on top; both are listed (all visible windows, not just the focused one).
        # The window manager hands focus over asynchronously: wait for it rather than race it.
        top = _find(info, lambda w: w.window_id == other.window_id and w.focused)
        assert top.focused and not _find(info, lambda w: w.window_id == notes.window_id).focused
        ids = [w.window_id for w in info.visible_windows()]
        assert ids.index(notes.window_id) < ids.index(other.window_id)
        assert info.active_window() is not None and info.active_window().window_id == other.window_id  # type: ignore[union-attr]

        server.xdotool("set_window", "--name", "Shopping - Notes", str(notes.window_id))
        assert _find(info, lambda w: w.title == "Shopping - Notes").window_id == notes.window_id
        server.xdotool("windowminimize", str(other.window_id))
        _find(info, lambda w: w.window_id == notes.window_id)
        deadline = time.monotonic() + 5
        while any(w.window_id == other.window_id for w in info.visible_windows()) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert all(w.window_id != other.window_id for w in info.visible_windows()), "minimised windows are not visible"
    finally:
        notes.close()
        other.close()
        info.close()


def test_x11_idle_source_reports_input_idle(server: XServer) -> None:
    idle = X11IdleSource(server.display)
    try:
        seconds = idle.input_idle_seconds()
        assert seconds is not None and seconds >= 0
        assert idle.screen_locked() is False
    finally:
        idle.close()


@pytest.mark.slow
def test_daemon_captures_text_and_vetoes_private_and_excluded_windows(server: XServer, lexical_vault: Any) -> None:
    if not TesseractOcr().available():
        pytest.skip("tesseract not installed")

    class Both(ListSink):
        """Keeps frames for the assertions and stores them in a real vault."""

        def __init__(self) -> None:
            super().__init__()
            self.vault_sink = VaultFrameSink(lexical_vault)

        def store(self, frame: FinishedFrame) -> None:
            self.vault_sink.store(frame)
            super().store(frame)

    sink = Both()
    daemon = ScreenDaemon(sink, DaemonConfig(display=server.display, interval_s=0.3))
    info = X11WindowInfo(server.display)
    notes = QtWindow(server, "cairn-notes", "Groceries - Notes", NOTES, (0, 0, 1280, 800), font_px=24)
    try:
        _find(info, lambda w: w.window_id == notes.window_id and w.focused)
        notes.command("sync")  # the window has painted what it shows (no sleep)
        assert daemon.capture_once() == 1
        daemon.process_pending()
        assert sink.frames, daemon.snapshot()
        frame = sink.frames[-1]
        assert "marmalade" in frame.text and "quokka" in frame.text
        assert frame.app == "cairn-notes" and frame.window_title == "Groceries - Notes"

        # A private window, not focused, in a corner: nothing is captured while it is visible.
        private = QtWindow(server, "firefox", "Online banking - Private Browsing", ["PRIVATEMARKER balance 9731"],
                           (900, 500, 360, 260))
        _find(info, lambda w: w.window_id == private.window_id)
        server.xdotool("windowactivate", "--sync", str(notes.window_id))
        _find(info, lambda w: w.window_id == notes.window_id and w.focused)
        notes.set_text([*NOTES, "Pick up the dry cleaning"])  # answers once the new text is painted
        stored = len(sink.frames)
        assert daemon.capture_once() == 0
        daemon.process_pending()
        assert len(sink.frames) == stored
        assert daemon.snapshot().skipped.get("private_window", 0) >= 1
        private.close()

        # An excluded app (KeePassXC's WM_CLASS), unfocused: same.
        keepass = QtWindow(server, "KeePassXC", "Passwords.kdbx - KeePassXC", ["KEEPASSMARKER hunter2"],
                           (900, 40, 360, 260))
        _find(info, lambda w: w.window_id == keepass.window_id)
        server.xdotool("windowactivate", "--sync", str(notes.window_id))
        _find(info, lambda w: w.window_id == notes.window_id and w.focused)
        notes.command("sync")
        assert daemon.capture_once() == 0
        assert daemon.snapshot().skipped.get("excluded_app", 0) >= 1
        keepass.close()
        deadline = time.monotonic() + 5
        while any(w.window_id == keepass.window_id for w in info.visible_windows()) and time.monotonic() < deadline:
            time.sleep(0.1)

        # Back to normal: the threaded daemon picks up the new line.
        daemon.close_sync()
        daemon.start()
        deadline = time.monotonic() + 60
        while not any("dry cleaning" in f.text for f in sink.frames) and time.monotonic() < deadline:
            time.sleep(0.2)
        daemon.stop()
        assert any("dry cleaning" in f.text for f in sink.frames), daemon.snapshot()
        for frame in sink.frames:
            assert "PRIVATEMARKER" not in frame.text and "KEEPASSMARKER" not in frame.text
            assert "9731" not in frame.text

        # Through the vault: the new text is found, the vetoed windows never reached it, nothing is plain on disk.
        hits = lexical_vault.search(SearchRequest("dry cleaning", parse_time=False)).hits
        assert hits and lexical_vault.get_item(hits[0].item_id).meta["app"] == "cairn-notes"
        for marker in ("PRIVATEMARKER", "KEEPASSMARKER"):
            assert not lexical_vault.search(SearchRequest(marker, parse_time=False)).hits
        media = [p for p in lexical_vault.paths.media_dir.rglob("*") if p.is_file()]
        assert len(media) == 2 * len(sink.frames)
        home = lexical_vault.paths.home
        assert _scan(home, [b"PRIVATEMARKER", b"KEEPASSMARKER", b"marmalade", b"dry cleaning", b"RIFF"]) == []
    finally:
        daemon.stop()
        daemon.close_sync()
        notes.close()
        info.close()
