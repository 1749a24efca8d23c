"""Storage as a budget: automatic from the free disk, the forecast from the measured rate, the age-out order
(pixels, then thumbnails, text last; a keyframe with its deltas), and text-only capture when the disk is nearly full."""

from __future__ import annotations

import shutil
import time
from dataclasses import replace
from datetime import timedelta
from typing import Any

import pytest

from core.capture.screen.sink import VaultFrameSink
from core.retrieve.types import SearchRequest
from core.storage_budget import AUTO_SHARE, DAY, budget_bytes, disk_low
from core.types import Record
from tests.helpers import BASE_TIME


def _frames(vault: Any, n: int, *, pixels: int = 100_000, thumb: int = 10_000,
            keyframe_of: dict[int, int] | None = None) -> list[Any]:
    """``n`` screen items a minute apart, each with a screenshot and a thumbnail; oldest first."""
    keyframe_of = keyframe_of or {}
    records = [Record(source="screen", external_id=f"f{i}", kind="screenshot",
                      timestamp=BASE_TIME + timedelta(minutes=i), text=f"frame number {i} quarterly figures",
                      meta={"keyframe": f"f{keyframe_of[i]}" if i in keyframe_of else None}) for i in range(n)]
    ids = vault.ingest(records, embed=False).item_ids
    for item_id in ids:
        vault.put_media(bytes(pixels), "screenshot", item_id)
        vault.put_media(bytes(thumb), "thumbnail", item_id)
    return list(ids)


def _kinds(vault: Any, item_id: Any) -> list[str]:
    rows = vault.read().execute("SELECT kind FROM media WHERE item_id = ? ORDER BY kind", (int(item_id),))
    return [r[0] for r in rows]


def test_the_automatic_budget_is_a_share_of_the_free_disk(lexical_vault: Any) -> None:
    settings = lexical_vault.settings()
    assert settings.retention_gb < 0  # automatic by default
    free = shutil.disk_usage(lexical_vault.paths.home).free
    budget = lexical_vault.storage_budget(settings)
    assert budget.auto and abs(budget.budget - AUTO_SHARE * (free + budget.used)) < 0.01 * budget.budget
    assert budget_bytes(settings.updated(retention_gb=12.5), 0, free) == 12_500_000_000
    assert budget_bytes(settings.updated(retention_gb=0), 0, free) == 0


def test_the_forecast_comes_from_the_measured_rate_of_the_last_days(lexical_vault: Any) -> None:
    v = lexical_vault
    _frames(v, 6, pixels=1_000_000, thumb=1000)
    now = time.time()
    # Spread the screenshots over three days of capture (two a day), as if stored then.
    for k, media_id in enumerate(r[0] for r in v.read().execute(
            "SELECT id FROM media WHERE kind = 'screenshot' ORDER BY id").fetchall()):
        v.write(lambda conn, m=media_id, k=k: conn.execute(
            "UPDATE media SET created_at = ? WHERE id = ?", (now - (k // 2) * DAY - 60, m)))
    budget = v.storage_budget(v.settings().updated(retention_gb=0.1))
    assert budget.days == 3 and budget.pixels_per_day == 2_000_000
    expected = (100_000_000 - budget.database - budget.thumbnails) / 2_000_000
    assert abs(budget.pixel_days() - expected) < 1e-6  # type: ignore[operator]
    text = budget.forecast()
    assert f"screenshots of the last {expected:.0f} days fit" in text and "text and facts are kept longer" in text
    assert "2 MB of screenshots a day, measured over 3 days" in text


def test_over_budget_pixels_go_first_then_thumbnails_and_text_last(lexical_vault: Any) -> None:
    v = lexical_vault
    ids = _frames(v, 5)
    used = v.storage_budget().used
    # 250 kB over: three of the five screenshots (oldest first), no thumbnail, no text.
    gone = v.enforce_retention(v.settings().updated(retention_days=0, retention_gb=(used - 250_000) / 1e9)).value
    assert gone == {"items": 0, "media": 3}
    assert [_kinds(v, i) for i in ids] == [["thumbnail"]] * 3 + [["screenshot", "thumbnail"]] * 2
    # All screenshots and two thumbnails must go before any text does.
    used = v.storage_budget().used
    gone = v.enforce_retention(v.settings().updated(retention_days=0, retention_gb=(used - 215_000) / 1e9)).value
    assert gone == {"items": 0, "media": 4}
    assert [_kinds(v, i) for i in ids] == [[], [], ["thumbnail"], ["thumbnail"], ["thumbnail"]]
    assert len(v.search(SearchRequest("quarterly figures", k=10, parse_time=False)).hits) == 5
    # Text last: a budget below what the rest takes forgets the oldest memories.
    budget = v.storage_budget()
    gone = v.enforce_retention(v.settings().updated(
        retention_days=0, retention_gb=(budget.used - budget.thumbnails - budget.database // 3) / 1e9)).value
    assert gone["items"] >= 1 and gone["media"] == 3
    left = {h.external_id for h in v.search(SearchRequest("quarterly figures", k=10, parse_time=False)).hits}
    assert "f0" not in left and left <= {f"f{i}" for i in range(1, 5)}


def test_a_keyframe_ages_out_together_with_the_frames_composited_on_it(lexical_vault: Any) -> None:
    v = lexical_vault
    ids = _frames(v, 4, keyframe_of={1: 0, 3: 2})  # f1 is a delta on f0, f3 on f2
    used = v.storage_budget().used
    v.enforce_retention(v.settings().updated(retention_days=0, retention_gb=(used - 50_000) / 1e9))
    assert [_kinds(v, i) for i in ids] == [["thumbnail"], ["thumbnail"], ["screenshot", "thumbnail"],
                                           ["screenshot", "thumbnail"]]


def test_a_nearly_full_disk_stores_text_only_and_says_so(lexical_vault: Any) -> None:
    from core.capture.screen.frames import FinishedFrame

    home = lexical_vault.paths.home
    assert disk_low(home, limit=0) is None
    reason = disk_low(home, limit=float(shutil.disk_usage(home).total))  # more than the disk can ever have free
    assert reason is not None and "storing text only" in reason
    sink = VaultFrameSink(lexical_vault, low_disk=lambda: reason)
    frame = FinishedFrame(frame_id="low1", timestamp=BASE_TIME, monitor=1, image=b"RIFFpixels", image_lossless=True,
                          thumbnail=b"RIFFthumb", width=10, height=10, text="invoice for the garden shed",
                          words=[], app="gedit", window_title="shed.txt", url=None, ocr_regions=(),
                          redactions=0)
    assert sink.store(frame) == reason
    hit = lexical_vault.search(SearchRequest("garden shed", parse_time=False)).hits[0]
    item = lexical_vault.get_item(hit.item_id)
    assert item.meta["text_only"] and item.meta["media_id"] is None and item.media == ()
    assert not [p for p in lexical_vault.paths.media_dir.rglob("*") if p.is_file()]
    assert VaultFrameSink(lexical_vault).store(replace(frame, frame_id="ok1")) is None  # room again: pixels too
    assert len([p for p in lexical_vault.paths.media_dir.rglob("*") if p.is_file()]) == 2


def test_the_daemon_reports_text_only_capture(lexical_vault: Any, tmp_path: Any) -> None:
    from core.capture.screen.daemon import ScreenDaemon
    from core.capture.screen.daemon_config import DaemonConfig
    from core.capture.screen.idle import NullIdleSource
    from core.normalize.ocr import TesseractOcr
    from tests.capture.screen.conftest import render_lines
    from tests.capture.screen.fakes import FakeGrabber, FakeWindows, window

    if not TesseractOcr().available():
        pytest.skip("tesseract not installed")  # shown as skipped, not a silent pass
    reason = "disk nearly full (1.2 GB free): storing text only"
    grabber = FakeGrabber(render_lines(["Invoice for the garden shed"]))
    windows = FakeWindows([window("gedit", "shed.txt - gedit", 11, focused=True)])
    daemon = ScreenDaemon(VaultFrameSink(lexical_vault, low_disk=lambda: reason),
                          DaemonConfig(runtime_dir=tmp_path), grabber_factory=lambda: grabber,
                          window_info_factory=lambda: windows, idle_factory=NullIdleSource)
    try:
        assert daemon.capture_once() == 1 and daemon.process_pending() == 1
    finally:
        daemon.close_sync()
    snap = daemon.snapshot()
    assert snap.frames_stored == 1 and snap.degraded == reason
    assert f"DEGRADED: {reason}" in "\n".join(snap.describe())
    # What the status bar and the tray read: the daemon's status file, through CaptureControl.
    from core.capture.screen.health import status_path, write_status
    from core.host.control import CaptureControl

    write_status(status_path(tmp_path), daemon.snapshot())
    assert reason in CaptureControl(tmp_path).health().warnings
