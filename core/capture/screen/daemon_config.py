"""How the screen daemon runs: its intervals, queue, time limits and folders (``DaemonConfig``), from the settings.

Plain frozen data, any thread.  The figures behind the defaults are in the
comments (``bench/screen.py`` measures them).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

from core.settings import Settings


@dataclass(frozen=True, slots=True)
class DaemonConfig:
    interval_s: float = 3.0
    idle_after_s: float = 300.0
    monitors: tuple[int, ...] = ()
    queue_size: int = 6
    ocr_timeout_s: float = 30.0
    region_max_fraction: float = 0.35
    ocr_margin: int = 24
    # Without a window list the privacy veto cannot run: refuse to capture (privacy first).
    require_window_info: bool = True
    idle_poll_every: int = 5  # while idle, grab only every N-th tick to notice screen changes
    # A window that keeps changing (scrolling, a busy chat) is taken at most this often; the change
    # accumulates meanwhile, so nothing visible for longer than this is missed.  A window switch is
    # taken at once.  Measured in bench/screen_live.py (10-min scripted session, real time): 5.5 s → 6.5 % CPU, 8 s → 5.2 %
    # with 99.3 % of shown words still stored (a busy window's text stays on screen between takes);
    # 4.9 % once OCR boxes stopped at whole lines and references were ranked by what is left to OCR.
    busy_window_gap_s: float = 8.0
    # After a window switch, grab again this long later until two grabs agree (at most this often).
    switch_settle_s: float = 0.3
    switch_settle_tries: int = 3
    stall_after_s: float = 90.0
    reopen_after_s: float = 30.0  # no display: try to open it again this often (each try is an "unavailable" minute)
    # The capture thread gave no sign of life (a tick, a reason) for this long: alarm and a new thread.
    capture_stall_s: float = 60.0
    status_every_s: float = 2.0
    runtime_dir: Path | None = None  # status file and the pause switch live here
    display: str | None = None
    # Stored frames: a keyframe plus changed regions (core.store.frame_codec); False stores every frame whole.
    # bench.screen: 91 MB/h whole frames before issue 16.
    delta_frames: bool = True
    # A playing video (photographic tiles without words) is not OCR'd (processor); False OCRs it at every take.
    skip_moving_pictures: bool = True
    # Changed bands of large text (16 px fonts and up, HiDPI) are OCR'd at 1x, not 2x (processor._native_scale):
    # bench.screen scripted session, OCR 16.6 -> 10.6 CPU-s with the same words stored.  False: always 2x.
    native_scale_ocr: bool = True
    # Text widgets that expose their text through the accessibility tree (AT-SPI on Linux) are read from
    # there, not OCR'd (core.capture.screen.accessible); only for windows the privacy veto cleared.
    accessible_text: bool = True
    # Each stored frame indexes for search only the lines its window's previous stored frame lacked, and
    # its whole text again at most this often (processor._index_text).  0 indexes every frame whole (before
    # issue 16).  bench.screen_live: ~25 kB of database a stored frame, most of it the screen's text chunked
    # and indexed again.
    index_refresh_s: float = 600.0
    # Mostly dark images (a dark theme, a terminal) go to tesseract inverted (core.normalize.ocr.is_dark):
    # it reads dark on light, and re-read each light-on-dark line inverted after a first weak read.
    invert_dark_ocr: bool = True

    def baseline(self) -> DaemonConfig:
        """The pipeline as it was before issue 16 (bench.screen's baseline column)."""
        return replace(self, delta_frames=False, skip_moving_pictures=False, native_scale_ocr=False,
                       accessible_text=False, busy_window_gap_s=8.0, index_refresh_s=0.0,
                       invert_dark_ocr=False)

    @classmethod
    def from_settings(cls, settings: Settings, runtime_dir: Path | None = None) -> DaemonConfig:
        return cls(
            interval_s=settings.capture_interval_s,
            idle_after_s=settings.idle_pause_minutes * 60,
            monitors=tuple(settings.monitors),
            runtime_dir=runtime_dir,
        )
