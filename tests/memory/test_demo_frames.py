"""The demo's screenshots show the dates their text moved to: on a real encrypted vault, what real tesseract
reads in a frame's picture at its word boxes is the words' text, and that text is in the memory's text."""

from __future__ import annotations

import io
import json
import re
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from core.demo import DEMO_DIR, demo_shift, load_demo_memory, screenshot_records, shift_text
from core.demo_frames import move_frame
from core.paths import VaultPaths
from tests.conftest import TEST_PASSPHRASE

BERLIN = ZoneInfo("Europe/Berlin")
MANIFEST = json.loads((DEMO_DIR / "screens" / "manifest.json").read_text("utf-8"))
LIVE = [e for e in MANIFEST if e.get("live")]


def _same(text: str) -> str:
    """Text as compared: one space between words, one kind of dash (tesseract reads – as — or -)."""
    return re.sub(r"\s+", " ", re.sub(r"[–—-]", "-", text)).strip()


def _inside(word: list[Any], box: tuple[int, int, int, int]) -> bool:
    x, y = word[1] + word[3] / 2, word[2] + word[4] / 2
    return box[0] <= x <= box[2] and box[1] <= y <= box[3]


@pytest.mark.parametrize("today", ["2027-07-15"])  # 35 weeks on: day, month and year all move
def test_a_frames_picture_shows_its_moved_dates_at_its_word_boxes(tmp_path: Path, today: str) -> None:
    from PIL import Image

    from core.normalize.ocr import TesseractOcr
    from core.vault import Vault

    now = datetime.fromisoformat(today).replace(hour=12, tzinfo=BERLIN)
    shift = demo_shift(now)
    vault = Vault.create(VaultPaths(tmp_path), TEST_PASSPHRASE, use_keyring=False)
    try:
        load_demo_memory(vault, now=now, embed=False)
        shots = {i.external_id: i for i in vault.items_between(now - timedelta(days=60), now, limit=500,
                                                               kinds=("screenshot",))}
        ocr = TesseractOcr()
        checked = 0
        for entry in LIVE:
            item = shots[f"demo-frame:{entry['file']}"]
            picture = Image.open(io.BytesIO(vault.get_frame(item.media[0]))).convert("RGB")
            written = datetime.fromisoformat(entry["when"])
            for live in entry["live"]:
                moved = shift_text(live["text"], written, shift)
                assert moved != live["text"]  # the date in it moved
                assert moved in item.text
                left, top, right, bottom = live["box"]
                words = [w for w in item.meta["words"] if _inside(w, (left, top, right + 120, bottom))]
                assert " ".join(w[0] for w in words) == moved  # the words where the picture shows it
                x0, y0 = min(w[1] for w in words), min(w[2] for w in words)
                x1, y1 = max(w[1] + w[3] for w in words), max(w[2] + w[4] for w in words)
                seen = ocr.recognize(picture, region=(x0 - 4, y0 - 4, x1 - x0 + 8, y1 - y0 + 8)).text
                assert _same(seen) == _same(moved), (entry["file"], seen, moved)
                checked += 1
        assert checked == sum(len(e["live"]) for e in LIVE) >= 6
    finally:
        vault.close()


@pytest.mark.parametrize("weeks", [0, 3, 35, 70, 123])
def test_the_word_boxes_and_text_agree_for_any_shift(weeks: int) -> None:
    shift = timedelta(weeks=weeks)
    for record, _image in screenshot_records(shift):
        entry = next(e for e in MANIFEST if f"demo-frame:{e['file']}" == record.external_id)
        written = datetime.fromisoformat(entry["when"])
        for live in entry.get("live", ()):
            moved = shift_text(live["text"], written, shift)
            left, top, right, bottom = live["box"]
            words = [w[0] for w in record.meta["words"] if _inside(w, (left, top, right + 120, bottom))]
            assert _same(" ".join(words)) == _same(moved) and _same(moved) in _same(record.text)
            if weeks:
                assert live["text"] not in record.text  # the written date is gone from the text
        # nothing of the text outside the picture's words: each word the frame holds is a word of its text
        text_words = set(record.text.split())
        assert all(str(w[0]) in text_words for w in record.meta["words"]), record.external_id


@pytest.mark.parametrize("entry", MANIFEST, ids=lambda e: e["file"])
def test_every_date_a_frame_shows_is_one_it_redraws(entry: dict[str, Any]) -> None:
    """A date outside the live texts would stay in the picture as written while the text moved it."""
    boxes = [tuple(live["box"]) for live in entry.get("live", ())]
    rest = " ".join(w[0] for w in entry["words"] if not any(_inside(w, b) for b in boxes))
    written = datetime.fromisoformat(entry["when"])
    assert shift_text(rest, written, timedelta(weeks=5)) == rest


def test_a_frame_without_a_moved_date_keeps_its_stored_picture() -> None:
    entry = next(e for e in MANIFEST if e["file"] == "release-invite.webp")
    unmoved = move_frame(entry, timedelta(0), shift_text)
    assert unmoved.redraw == () and unmoved.image(b"stored") == b"stored"
    assert unmoved.words == entry["words"] and unmoved.text == entry["text"]
    assert move_frame(entry, timedelta(weeks=2), shift_text).redraw
