"""Real tesseract on real screenshots (shared/data/screens) against their ground truth."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from core.normalize.ocr import (
    OcrTimeout,
    OcrUnavailable,
    OcrWord,
    TesseractOcr,
    parse_tsv,
    word_recall,
    words_to_text,
)

SCREENS = Path("/work/shared/data/screens")
PAGES = ("05_settings", "09_form", "12_invoice_pdf", "17_qt_notes")

pytestmark = pytest.mark.skipif(not SCREENS.is_dir(), reason="shared screenshots not present")


def _truth(page: str) -> list[dict]:
    return json.loads((SCREENS / f"{page}.json").read_text())["words"]


def _truth_words(page: str) -> list[str]:
    # Some ground-truth entries are phrases (the Qt pages): count their words.
    return [word for entry in _truth(page) for word in entry["t"].split()]


@pytest.fixture(scope="module")
def ocr() -> TesseractOcr:
    engine = TesseractOcr()
    if not engine.available():
        pytest.skip("tesseract not installed")
    return engine


def test_word_recall_on_real_screens(ocr: TesseractOcr) -> None:
    from PIL import Image

    recalls = {}
    for page in PAGES:
        result = ocr.recognize(Image.open(SCREENS / f"{page}.png"))
        recalls[page] = word_recall(_truth_words(page), [w.text for w in result.words])
    mean = sum(recalls.values()) / len(recalls)
    assert mean >= 0.85, recalls
    assert min(recalls.values()) >= 0.75, recalls


def test_boxes_map_back_to_original_coordinates_for_a_region(ocr: TesseractOcr) -> None:
    from PIL import Image

    image = Image.open(SCREENS / "09_form.png")
    truth = [w for w in _truth("09_form") if " " not in w["t"] and len(w["t"]) >= 4]
    # A region around the first few long words, away from the origin, so a missing
    # offset or scale would put every box far from its ground truth.
    anchor = truth[len(truth) // 2]
    ax, ay = int(anchor["box"][0]), int(anchor["box"][1])
    region = (max(0, ax - 200), max(0, ay - 60), 600, 160)
    result = ocr.recognize(image, region=region)
    assert result.words, "nothing recognised in the region"
    by_text = {w["t"]: w["box"] for w in truth}
    matched = 0
    for word in result.words:
        if word.text in by_text:
            gx, gy, _gw, _gh = by_text[word.text]
            assert abs(word.left - gx) <= 6 and abs(word.top - gy) <= 6, (word, by_text[word.text])
            matched += 1
        # Every box lies inside the region it came from.
        assert region[0] <= word.left and word.left + word.width <= region[0] + region[2] + 1
    assert matched >= 1


@pytest.mark.parametrize("backend", ["library", "cli"])
def test_timeout_stops_tesseract(ocr: TesseractOcr, backend: str) -> None:
    from PIL import Image

    slow = TesseractOcr(timeout_s=0.05, backend=backend)
    if backend == "library" and not _library_available():
        pytest.skip("tesserocr not installed")
    with pytest.raises(OcrTimeout):
        slow.recognize(Image.open(SCREENS / "08_small_11px.png"))


def _library_available() -> bool:
    try:
        return TesseractOcr(backend="library").backend == "library"
    except OcrUnavailable:
        return False


def test_cli_and_library_backends_agree(ocr: TesseractOcr) -> None:
    from PIL import Image

    if not _library_available():
        pytest.skip("tesserocr not installed")
    image = Image.open(SCREENS / "09_form.png")
    truth = _truth_words("09_form")
    # A generous limit: this compares results, and a loaded machine may take long (the limit has its own test).
    cli = TesseractOcr(backend="cli", timeout_s=600).recognize(image)
    library = TesseractOcr(backend="library", timeout_s=600).recognize(image)
    assert abs(word_recall(truth, [w.text for w in cli.words]) - word_recall(truth, [w.text for w in library.words])) < 0.05
    # Same coordinate system: the first words sit at the same place.
    assert abs(cli.words[0].left - library.words[0].left) <= 3 and abs(cli.words[0].top - library.words[0].top) <= 3


def test_missing_tesseract_is_a_clear_error() -> None:
    from PIL import Image

    engine = TesseractOcr(tesseract_cmd="/nonexistent/tesseract")
    with pytest.raises(OcrUnavailable):
        engine.recognize(Image.new("RGB", (40, 20), "white"))


def test_parse_tsv_scales_offsets_and_orders_lines() -> None:
    header = "level\tpage_num\tblock_num\tpar_num\tline_num\tword_num\tleft\ttop\twidth\theight\tconf\ttext"
    rows = [
        "5\t1\t1\t1\t1\t1\t20\t40\t60\t20\t96.5\tHello",
        "5\t1\t1\t1\t1\t2\t100\t40\t80\t20\t91.0\tworld",
        "4\t1\t1\t1\t2\t0\t20\t80\t60\t20\t-1\t",
        "5\t1\t1\t1\t2\t1\t20\t80\t60\t20\t88.0\tagain",
        "5\t1\t1\t1\t2\t2\t90\t80\t10\t20\t12.0\t ",
    ]
    words = parse_tsv("\n".join([header, *rows]), scale=2.0, offset=(100, 10))
    assert [w.text for w in words] == ["Hello", "world", "again"]
    assert words[0] == OcrWord("Hello", 110, 30, 30, 10, 96.5, (1, 1, 1))
    assert words_to_text(words) == "Hello world\nagain"


def test_word_recall_counts_duplicates_and_ignores_case_and_punctuation() -> None:
    assert word_recall(["The", "cat", "the"], ["the", "CAT,"]) == pytest.approx(2 / 3)
    assert word_recall([], ["x"]) == 1.0


def test_dark_screenshots_go_to_tesseract_inverted_and_read_as_well(monkeypatch: pytest.MonkeyPatch) -> None:
    """``invert_dark``: a light-on-dark page is handed over dark on light (tesseract then reads each line once)
    and recovers as many ground-truth words; a light page is handed over as it is."""
    import numpy as np
    from PIL import Image

    plain, inverting = TesseractOcr(), TesseractOcr(invert_dark=True)
    if not plain.available() or plain.backend != "library":
        pytest.skip("tesseract library backend not installed")
    handed: list[np.ndarray] = []
    run = TesseractOcr._run_library

    def spy(self: TesseractOcr, gray: Image.Image) -> str:
        handed.append(np.asarray(gray))
        return run(self, gray)

    monkeypatch.setattr(TesseractOcr, "_run_library", spy)
    for page in ("10_terminal", "16_dark_messenger"):
        image = Image.open(SCREENS / f"{page}.png")
        before = word_recall(_truth_words(page), [w.text for w in plain.recognize(image).words])
        after = word_recall(_truth_words(page), [w.text for w in inverting.recognize(image).words])
        assert np.median(handed[-2]) < 64 < 128 < np.median(handed[-1]), page  # dark as shown, light as handed
        assert after >= before - 0.01, (page, before, after)
    light = Image.open(SCREENS / "09_form.png")
    plain.recognize(light)
    inverting.recognize(light)
    assert np.array_equal(handed[-2], handed[-1])
