"""Change detection on real re-rendered screenshots (shared/data/screens/phash_variants)."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from core.capture.screen import change as ch
from core.capture.screen.grab import image_to_pixels
from core.capture.screen.tile_groups import components

from .conftest import screen_path


def _pixels(name: str) -> np.ndarray:
    from PIL import Image

    return image_to_pixels(Image.open(screen_path(name)))


@pytest.fixture(scope="module")
def base() -> np.ndarray:
    return _pixels("02_chat.png")


def test_identical_frame_is_unchanged(base: np.ndarray) -> None:
    assert ch.diff(base, _pixels("phash_variants/v_chat_same.png")).kind == "unchanged"


def test_clock_tick_is_minor(base: np.ndarray) -> None:
    change = ch.diff(base, _pixels("phash_variants/v_chat_clock.png"))
    assert change.kind == "minor"
    assert change.regions == () and len(change.all_regions) == 1
    assert change.all_regions[0][2] <= ch.MINOR_MAX_WIDTH


@pytest.mark.parametrize("variant", ["v_chat_plus1", "v_chat_minus3"])
def test_edits_are_changes_with_a_tight_box(base: np.ndarray, variant: str) -> None:
    import json

    changed = _pixels(f"phash_variants/{variant}.png")
    change = ch.diff(base, changed)
    assert change.kind == "changed"
    box = change.bbox
    assert box is not None
    # The box holds every pixel that differs and is far smaller than the frame.
    ys, xs = np.nonzero(base != changed)
    assert box[0] <= xs.min() and xs.max() < box[0] + box[2]
    assert box[1] <= ys.min() and ys.max() < box[1] + box[3]
    assert ch.area(box) < 0.2 * base.size
    # Words that exist only in the variant lie inside the box.
    truth_base = {w["t"] for w in json.loads(screen_path("02_chat.json").read_text())["words"]}
    variant_words = json.loads(screen_path(f"phash_variants/{variant}.json").read_text())["words"]
    new = [w for w in variant_words if w["t"] not in truth_base]
    for word in new:
        x, y, w, h = word["box"]
        assert ch.intersects((int(x), int(y), max(1, int(w)), max(1, int(h))), box), word


def test_different_shapes_or_no_reference_is_first(base: np.ndarray) -> None:
    assert ch.diff(None, base).kind == "first"
    assert ch.diff(base[:100], base).kind == "first"


def test_phash256_groups_near_duplicates(base: np.ndarray) -> None:
    from PIL import Image

    h = {v: ch.phash256(Image.open(screen_path(f"phash_variants/v_chat_{v}.png"))) for v in
         ("same", "clock", "plus1", "minus3")}
    original = ch.phash256(Image.open(screen_path("02_chat.png")))
    other_screen = ch.phash256(Image.open(screen_path("06_article.png")))
    assert len(original) == 64  # 256 bits
    d = {v: ch.phash_distance(original, x) for v, x in h.items()}
    assert d["same"] <= 2 and d["clock"] <= 2
    assert d["plus1"] > d["clock"]
    assert ch.phash_distance(original, other_screen) > max(d.values())


def test_find_scroll_reports_offset_and_new_band() -> None:
    article = _pixels("06_article.png")
    before = article.copy()
    after = article.copy()
    after[200:860] = article[240:900]  # the content moved up 40 px
    after[860:900] = 0x00FFFFFF  # a blank band appeared at the bottom ...
    after[870:880, 600:900] = 0x00000000  # ... with something new in it
    change = ch.diff(before, after)
    region = max(change.regions, key=ch.area)
    scroll = ch.find_scroll(before, after, region)
    assert scroll is not None and scroll.dy == 40
    assert scroll.new_bands, "the new content at the bottom must be a new band"
    band = scroll.new_bands[-1]
    assert band[1] <= 870 and band[1] + band[3] >= 880
    assert sum(b[3] for b in scroll.new_bands) < 0.2 * region[3]


def test_no_scroll_for_an_unrelated_change(base: np.ndarray) -> None:
    other = _pixels("06_article.png")
    change = ch.diff(base, other)
    assert change.kind == "changed"
    assert ch.find_scroll(base, other, change.bbox) is None


def test_exact_diff_sees_a_single_pixel() -> None:
    frame = np.zeros((1080, 1920), dtype=np.uint32)
    other = frame.copy()
    other[700, 300] = 1
    change = ch.diff(frame, other)
    assert change.kind == "minor" and change.all_regions == ((300, 700, 1, 1),)


def _article_lines() -> list[tuple[int, int, int, int]]:
    """Body text lines of 06_article as (left, top, right, bottom) from the ground truth."""
    import json

    truth = json.loads(screen_path("06_article.json").read_text())
    lines: dict[int, list[list[float]]] = {}
    for word in truth["words"]:
        if word["font_px"] >= 15 and word["box"][1] > 300:
            lines.setdefault(round(word["box"][1]), []).append(word["box"])
    return [
        (int(min(b[0] for b in boxes)), top, int(max(b[0] + b[2] for b in boxes)),
         int(max(b[1] + b[3] for b in boxes)))
        for top, boxes in sorted(lines.items())
    ]


def test_expand_to_lines_takes_whole_lines_and_nothing_of_the_neighbours() -> None:
    article = _pixels("06_article.png")
    lines = _article_lines()
    above, line, below = lines[1], lines[2], lines[3]
    half = (line[1] + line[3]) // 2
    # The lower half of one line changed (as when a scroll exposes a line that was cut off).
    box = (line[0] + 40, half, 200, line[3] - half)
    grown = ch.expand_to_lines(article, box, margin=24)
    assert grown[1] <= line[1] and grown[1] + grown[3] >= line[3], "the whole line is taken"
    assert grown[1] > above[3], "nothing of the line above"
    assert grown[1] + grown[3] < below[1], "nothing of the line below"
    assert grown[0] == box[0] - 24 and grown[2] == box[2] + 48, "horizontally the margin stays"


def test_expand_to_lines_ignores_borders_and_falls_back_to_the_margin_on_photos() -> None:
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (400, 300), "white")
    draw = ImageDraw.Draw(image)
    draw.line([(45, 0), (45, 299)], fill="black")  # a window border runs through every row
    draw.text((50, 100), "Quietly jumping foxes kept 42 ledgers", fill=(32, 32, 32))
    frame = image_to_pixels(image)
    ink_rows = np.flatnonzero((np.asarray(image.convert("L"))[:, 50:] < 255).any(axis=1))
    ink_top, ink_bottom = int(ink_rows[0]), int(ink_rows[-1]) + 1
    middle = (ink_top + ink_bottom) // 2
    grown = ch.expand_to_lines(frame, (60, middle, 50, 2), margin=24)
    assert (grown[1], grown[1] + grown[3]) == (ink_top - 4, ink_bottom + 4), "the ink, plus 4 blank rows each side"
    noise = np.random.default_rng(3).integers(0, 2**24, size=(300, 400), dtype=np.uint32)
    assert ch.expand_to_lines(noise, (60, 106, 50, 4), margin=24) == ch.expand((60, 106, 50, 4), 24, 400, 300)


def test_expand_to_lines_finds_the_gap_above_a_band_at_a_text_widgets_bordered_foot() -> None:
    """A scrolled band at the foot of a framed text widget (Qt's text edit at the frame's bottom on Xvfb): the
    widget's bottom border row made every padding column vary, no row was blank, and the full margin took in the
    line above (tesseract read it again, cut: bench.screen_live)."""
    from PIL import Image, ImageDraw

    from .conftest import font

    image = Image.new("RGB", (900, 300), "white")
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 0, 899, 299), outline=(184, 184, 184))  # the widget's frame: its bottom row is in the window,
    draw.line([(0, 299), (899, 299)], fill=(198, 198, 198))  # a lighter shade there (the corner pixel too, as Qt's)
    for row in range(16):
        draw.text((6, 2 + 19 * row), f"Line {row}: quietly jumping foxes kept {40 + row} ledgers", font=font(16),
                  fill=(16, 16, 16))
    frame = image_to_pixels(image)
    ink = (np.asarray(image.convert("L"))[:299, 6:800] < 200).any(axis=1)
    lines = [(int(a), int(b)) for a, b in ch._runs(np.flatnonzero(ink).tolist(), 1)]
    above, line = lines[-4], lines[-3]
    middle = (line[0] + line[1]) // 2
    band = (4, middle, 800, 300 - middle)  # a scroll's new band: from inside a line to the widget's foot
    grown = ch.expand_to_lines(frame, band, margin=24)
    assert above[1] <= grown[1] <= line[0], "the band starts in the gap above its first line, not inside the line above"


def _scrolled_page(top_line: int) -> np.ndarray:
    """A 1280x720 reader showing 27 lines of 16 px text from ``top_line`` on, as grab pixels."""
    from PIL import Image, ImageDraw

    from .conftest import font

    image = Image.new("RGB", (1280, 720), "#fbfbf8")
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 0, 1280, 31), fill="#2b2d31")
    for row in range(27):
        line = top_line + row
        draw.text((24, 40 + 24 * row), f"Line {line}: {line * 7 % 13} invoices for Tavolin, batch {4000 + 13 * line}",
                  font=font(16), fill="#1d1d1f")
    return image_to_pixels(image)


def test_the_scroll_search_on_cached_row_hashes_finds_what_the_plain_search_finds() -> None:
    """RowSignatureCache: the same ``Scroll`` as ``change.find_scroll``, and each row of a frame's column span
    hashed once although the frame is compared twice (as the current frame, then as the next frame's reference)."""
    from core.capture.screen.comparisons import FrameComparisons, RowSignatureCache

    frames = [_scrolled_page(0), _scrolled_page(3), _scrolled_page(7)]
    pane, narrow = (0, 32, 1280, 688), (24, 32, 600, 688)
    cache = RowSignatureCache()
    for before, after in itertools.pairwise(frames):
        for box in (pane, narrow):
            plain = ch.find_scroll(before, after, box)
            assert plain is not None and plain.new_bands
            assert FrameComparisons(after, cache).find_scroll(before, box) == plain
    assert cache.hashed <= 2 * len(frames) * 720  # each row of each frame hashed at most once per column span


def test_changed_tiles_are_grouped_as_scipy_labels_them_without_importing_scipy() -> None:
    """The flood fill gives scipy.ndimage's 8-connected components in its order; diff never imports scipy."""
    import subprocess
    import sys

    from scipy import ndimage

    rng = np.random.default_rng(7)
    for _ in range(200):
        tiles = rng.random((int(rng.integers(1, 70)), int(rng.integers(1, 121)))) < rng.random() * 0.7
        labels, count = ndimage.label(tiles, structure=np.ones((3, 3), dtype=bool))
        expected = [(rows.start, cols.start, rows.stop - 1, cols.stop - 1)
                    for rows, cols in ndimage.find_objects(labels)[:count]]
        assert components(tiles) == expected
    # Two separate changes (components are labelled) in a fresh interpreter: scipy stays out of the daemon.
    code = ("import sys, numpy as np\nfrom core.capture.screen import change as ch\n"
            "a = np.zeros((1080, 1920), np.uint32); b = a.copy(); b[100:140, 50:400] = 1; b[700:760, 900:1500] = 2\n"
            "assert len(ch.diff(a, b).regions) == 2\nprint('scipy' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False", out
