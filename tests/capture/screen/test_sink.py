"""Frames into a real encrypted vault: searchable text, encrypted media, nothing plain on disk, real forget."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest

from core.capture.screen.daemon import ScreenDaemon
from core.capture.screen.daemon_config import DaemonConfig
from core.capture.screen.encode import decode
from core.capture.screen.idle import NullIdleSource
from core.capture.screen.sink import VaultFrameSink, words_from_meta
from core.normalize.ocr import TesseractOcr
from core.retrieve.types import SearchRequest

from .conftest import render_lines
from .fakes import FakeGrabber, FakeWindows, window

CARD = "4539 1488 0343 6467"


def _scan(home: Path, needles: list[bytes]) -> list[str]:
    found = []
    for path in home.rglob("*"):
        if path.is_file():
            data = path.read_bytes()
            found += [f"{n!r} in {path.relative_to(home)}" for n in needles if n in data]
    return found


def test_frames_are_searchable_encrypted_and_forgettable(lexical_vault: Any) -> None:
    if not TesseractOcr().available():
        pytest.skip("tesseract not installed")
    vault = lexical_vault
    grabber = FakeGrabber(render_lines(["Quokkalicious planning notes", f"Card {CARD} for the deposit"]))
    windows = FakeWindows([window("gedit", "zebrafinch-plan.txt - gedit", 4, focused=True)])
    daemon = ScreenDaemon(
        VaultFrameSink(vault), DaemonConfig(busy_window_gap_s=0), grabber_factory=lambda: grabber,
        window_info_factory=lambda: windows, idle_factory=NullIdleSource,
    )
    daemon.capture_once()
    daemon.process_pending()
    second = render_lines(["Quokkalicious planning notes", f"Card {CARD} for the deposit",
                           "Wrenfieldavenue viewing on Saturday"])
    grabber.image = second
    daemon.capture_once()
    daemon.process_pending()
    health = daemon.snapshot()
    assert health.frames_stored == 2, health

    result = vault.search(SearchRequest("Wrenfieldavenue", parse_time=False))
    assert result.hits
    item = vault.get_item(result.hits[0].item_id)
    assert item.source == "screen" and item.kind == "screenshot"
    assert item.conversation == "gedit" and item.title == "zebrafinch-plan.txt - gedit"
    assert "1488" not in item.text
    meta = item.meta
    assert meta["app"] == "gedit" and meta["monitor"] == 1
    assert "phash" not in meta  # nothing read it; it cost 0.4 CPU-s a 10-minute session (bench.screen)
    assert any(text == "Wrenfieldavenue" for text, _box in words_from_meta(meta))
    # The second frame is stored as a delta on the first (only its new line); the timeline gets it composited,
    # exactly as it was captured with the card number blacked out.
    assert meta["keyframe"] is not None
    image = decode(vault.get_frame(meta["media_id"]))
    assert image.size == (960, 540)
    shown = np.asarray(image.convert("RGB"))
    assert np.array_equal(shown[120:], np.asarray(second)[120:])  # below the card line: untouched pixels
    assert (shown != np.asarray(second)).any()  # the card number is blacked out
    assert meta["thumb_id"] is None  # deltas have no thumbnail of their own: the preview is the composite, scaled
    assert set(item.media) == {meta["media_id"]}
    first = vault.get_item(vault.search(SearchRequest("Quokkalicious", parse_time=False, k=5)).hits[-1].item_id)
    if first.meta["keyframe"] is None:
        assert decode(vault.get_media(first.meta["thumb_id"])).width <= 384

    home = vault.paths.home
    needles = [b"Quokkalicious", b"Wrenfieldavenue", b"zebrafinch", CARD.encode(), CARD.replace(" ", "").encode(),
               b"RIFF", b"CRNFD1"]  # unencrypted WebP starts with RIFF....WEBP; a plain delta with CRNFD1
    assert _scan(home, needles) == []
    media_files = [p for p in vault.paths.media_dir.rglob("*") if p.is_file()]
    assert len(media_files) == 3  # keyframe + its thumbnail, the delta

    removed = vault.forget(app="gedit").value
    assert removed == 2
    assert [p for p in vault.paths.media_dir.rglob("*") if p.is_file()] == []
    assert not vault.search(SearchRequest("Wrenfieldavenue", parse_time=False)).hits


def _two_frames(vault: Any, config: DaemonConfig) -> None:
    grabber = FakeGrabber(render_lines(["Quokkalicious planning notes", "Marrowbine budget review"]))
    windows = FakeWindows([window("gedit", "plan.txt - gedit", 4, focused=True)])
    daemon = ScreenDaemon(VaultFrameSink(vault), config, grabber_factory=lambda: grabber,
                          window_info_factory=lambda: windows, idle_factory=NullIdleSource)
    daemon.capture_once()
    daemon.process_pending()
    grabber.image = render_lines(["Quokkalicious planning notes", "Marrowbine budget review",
                                  "Wrenfieldavenue viewing on Saturday"])
    daemon.capture_once()
    daemon.process_pending()
    assert daemon.snapshot().frames_stored == 2


def _hits(vault: Any, word: str) -> list[Any]:
    return [vault.get_item(h.item_id) for h in vault.search(SearchRequest(word, parse_time=False, k=10)).hits]


def test_a_frame_indexes_only_the_lines_its_window_did_not_show_before(lexical_vault: Any) -> None:
    if not TesseractOcr().available():
        pytest.skip("tesseract not installed")
    vault = lexical_vault
    _two_frames(vault, DaemonConfig(busy_window_gap_s=0))
    old, new = _hits(vault, "Marrowbine"), _hits(vault, "Wrenfieldavenue")
    assert len(old) == 1 and len(new) == 1  # each line is found once, on the frame where it appeared
    assert old[0].timestamp < new[0].timestamp
    assert "Marrowbine" in new[0].text and "Quokkalicious" in new[0].text  # the item keeps the whole screen's text
    chunks = [r[0] for r in vault.read().execute("SELECT text FROM chunks WHERE item_id = ?", (new[0].id,))]
    assert chunks and all("Marrowbine" not in c and "Wrenfieldavenue" in c for c in chunks)


def test_the_whole_text_is_indexed_at_every_frame_with_the_refresh_at_zero(lexical_vault: Any) -> None:
    if not TesseractOcr().available():
        pytest.skip("tesseract not installed")
    _two_frames(lexical_vault, DaemonConfig(busy_window_gap_s=0, index_refresh_s=0.0))
    assert len(_hits(lexical_vault, "Marrowbine")) == 2
