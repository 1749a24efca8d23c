"""Two monitors of different sizes (one Xvfb screen split by RandR 1.5 monitors) and a window at 2x scale:
each monitor's frames, changed regions and OCR word boxes are right, and the privacy veto applies per monitor."""

from __future__ import annotations

import struct
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from core.capture.screen.daemon import ScreenDaemon
from core.capture.screen.daemon_config import DaemonConfig
from core.capture.screen.window_x11 import X11WindowInfo
from core.normalize.ocr import TesseractOcr

from .fakes import ListSink
from .test_ledger import ListLedger
from .test_xvfb import _find
from .xserver import QtWindow, XServer, x_tools_missing, xserver

pytestmark = [pytest.mark.xvfb, pytest.mark.slow,
              pytest.mark.skipif(x_tools_missing() is not None, reason=str(x_tools_missing()))]

LEFT = (0, 0, 1280, 800)  # monitor 1
RIGHT = (1280, 0, 1024, 768)  # monitor 2: smaller, and the window on it is drawn at 2x
NOTES = ["Quarterly budget review notes", "Marmalade shipment arrives Thursday", "Calendar"]
SCALED = ["Zanzibar travel itinerary", "Ferry departs at noon", "Calendar"]


def _set_monitors(display: str, monitors: list[tuple[str, tuple[int, int, int, int]]]) -> None:
    """RandR 1.5 SetMonitor, as ``xrandr --setmonitor`` does (python-xlib's own wrapper cannot pack the request)."""
    from Xlib import display as xdisplay
    from Xlib.protocol import rq

    class SetMonitor(rq.Request):
        _request = rq.Struct(rq.Card8("opcode"), rq.Opcode(43), rq.RequestLength(), rq.Window("window"),
                             rq.String8("info"))

    conn = xdisplay.Display(display)
    try:
        root = conn.screen().root
        output = root.xrandr_get_screen_resources().outputs[0]
        for i, (name, (x, y, w, h)) in enumerate(monitors):
            outputs = [output] if i == 0 else []  # the first takes the real output's place
            info = struct.pack("=IBBHhhHHII", conn.intern_atom(name), int(i == 0), 0, len(outputs), x, y, w, h,
                               w // 4, h // 4) + b"".join(struct.pack("=I", o) for o in outputs)
            SetMonitor(display=conn.display, opcode=conn.display.get_extension_major("RANDR"), window=root,
                       info=info)
        conn.sync()
    finally:
        conn.close()


class ScaledServer(XServer):
    """The same X server, for windows started with Qt's 2x scale factor (a HiDPI setting)."""

    def env(self) -> dict[str, str]:
        return {**super().env(), "QT_SCALE_FACTOR": "2"}


@pytest.fixture(scope="module")
def server() -> Iterator[XServer]:
    pytest.importorskip("PySide6")
    if not TesseractOcr().available():
        pytest.skip("tesseract not installed")
    with xserver("2304x800x24") as srv:
        _set_monitors(srv.display, [("LEFT", LEFT), ("RIGHT", RIGHT)])
        yield srv


def _inside(box: tuple[int, int, int, int], area: tuple[int, int, int, int], slack: int = 4) -> bool:
    x, y, w, h = box
    ax, ay, aw, ah = area
    return ax - slack <= x and ay - slack <= y and x + w <= ax + aw + slack and y + h <= ay + ah + slack


def _local(window: Any, monitor: tuple[int, int, int, int]) -> tuple[int, int, int, int]:
    return (window.left - monitor[0], window.top - monitor[1], window.width, window.height)


def _words(frame: Any, wanted: list[str]) -> dict[str, tuple[int, int, int, int]]:
    found = {}
    for word in frame.words:
        if word.text in wanted:
            found[word.text] = (word.left, word.top, word.width, word.height)
    return found


def test_each_monitor_gets_its_own_frames_regions_and_word_boxes(server: XServer, tmp_path: Path) -> None:
    info = X11WindowInfo(server.display)
    sink, ledger = ListSink(), ListLedger()
    daemon = ScreenDaemon(sink, DaemonConfig(display=server.display, runtime_dir=tmp_path, busy_window_gap_s=0.0),
                          ledger_sink=ledger)
    notes = QtWindow(server, "cairn-notes", "Budget - Notes", NOTES, (40, 40, 900, 500), font_px=24)
    scaled_server = ScaledServer(server.display, server.xvfb, server.wm)
    # Logical geometry at 2x: (660, 40, 460, 340) is (1320, 80, 920, 680) on the screen, inside monitor 2.
    travel = QtWindow(scaled_server, "cairn-travel", "Trip - Notes", SCALED, (660, 40, 460, 340), font_px=24)
    private = None
    try:
        a = _find(info, lambda w: w.window_id == notes.window_id)
        b = _find(info, lambda w: w.window_id == travel.window_id)
        assert (b.left, b.width) == (1320, 920), "the 2x window covers twice its logical size"
        notes.command("sync")
        travel.command("sync")
        assert daemon.capture_once() == 2  # one frame per monitor
        assert daemon.process_pending() == 2
        by_monitor = {f.monitor: f for f in sink.frames}
        left, right = by_monitor[1], by_monitor[2]
        assert (left.width, left.height) == (1280, 800) and (right.width, right.height) == (1024, 768)
        assert "Marmalade" in left.text and "Zanzibar" not in left.text
        assert "Zanzibar" in right.text and "Marmalade" not in right.text
        assert left.app == "cairn-notes" and right.app == "cairn-travel"
        # Word boxes are in the monitor's own pixels, inside the window that shows them.
        left_words = _words(left, ["Marmalade", "shipment", "Quarterly", "Calendar"])
        right_words = _words(right, ["Zanzibar", "itinerary", "Ferry", "Calendar"])
        assert len(left_words) == 4 and len(right_words) == 4, (left.words, right.words)
        assert all(_inside(box, _local(a, LEFT)) for box in left_words.values())
        assert all(_inside(box, _local(b, RIGHT)) for box in right_words.values())
        # The same word in the same 24 px font, at 2x: twice as wide on screen, and OCR'd as such.
        ratio = right_words["Calendar"][2] / left_words["Calendar"][2]
        assert 1.6 < ratio < 2.5, (ratio, left_words, right_words)

        # A change on monitor 1 only: one frame, its changed region inside the window that changed.
        # (Focus there first: a blinking caret at 2x is a real change of monitor 2, not a "minor" one.)
        server.xdotool("windowactivate", "--sync", str(notes.window_id))
        _find(info, lambda w: w.window_id == notes.window_id and w.focused)
        deadline = time.monotonic() + 20
        while daemon.capture_once() and time.monotonic() < deadline:  # until the focus change has repainted
            daemon.process_pending()
        notes.set_text([*NOTES, "Call the warehouse before lunch"])
        stored = len(sink.frames)
        assert daemon.capture_once() == 1
        daemon.process_pending()
        new = sink.frames[stored:]
        assert [f.monitor for f in new] == [1] and "warehouse" in new[0].text
        assert new[0].ocr_regions and all(_inside(r, _local(a, LEFT), slack=40) for r in new[0].ocr_regions)
        assert daemon.snapshot().skipped.get("unchanged", 0) >= 1  # monitor 2 did not change

        # A private window on monitor 2 vetoes monitor 2 only: monitor 1 is still captured.
        private = QtWindow(server, "firefox", "Bank - Private Browsing", ["PRIVATEMARKER balance 9731"],
                           (1400, 420, 700, 300))
        _find(info, lambda w: w.window_id == private.window_id)
        notes.set_text([*NOTES, "Call the warehouse before lunch", "Order more marmalade jars"])
        stored = len(sink.frames)
        daemon.capture_once()
        daemon.process_pending()
        new = sink.frames[stored:]
        assert [f.monitor for f in new] == [1] and "jars" in new[0].text
        assert daemon.snapshot().skipped.get("private_window", 0) == 1
        assert "monitor 2: a private window is visible" in daemon.snapshot().reason
        # Stretched across both monitors it vetoes both: nothing is taken.
        server.xdotool("windowmove", str(private.window_id), "900", "420")
        _find(info, lambda w: w.window_id == private.window_id and w.left < 1280 < w.left + w.width)
        notes.set_text([*NOTES, "Nothing of this is taken"])
        stored = len(sink.frames)
        assert daemon.capture_once() == 0
        assert daemon.snapshot().state == "blocked" and len(sink.frames) == stored
        daemon.watch.flush(final=True)
        assert ledger.minutes and all("PRIVATEMARKER" not in f.text for f in sink.frames)
    finally:
        daemon.close_sync()
        for window in (notes, travel, private):
            if window is not None:
                window.close()
        info.close()
