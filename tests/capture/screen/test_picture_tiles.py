"""Moving-picture tiles: the vectorised count agrees with counting each tile's colours one by one."""

from __future__ import annotations

import numpy as np
import pytest

from core.capture.screen.grab import image_to_pixels
from core.capture.screen.pictures import PICTURE_TILE, picture_tiles

from .conftest import render_lines


def _one_by_one(before: np.ndarray, after: np.ndarray, region: tuple[int, int, int, int]) -> tuple[np.ndarray, np.ndarray]:
    left, top, width, height = region
    rows, cols = -(-height // PICTURE_TILE), -(-width // PICTURE_TILE)
    changed = np.zeros((rows, cols), dtype=bool)
    picture = np.zeros((rows, cols), dtype=bool)
    for r in range(rows):
        for c in range(cols):
            y, x = top + r * PICTURE_TILE, left + c * PICTURE_TILE
            window = (slice(y, min(y + PICTURE_TILE, top + height)), slice(x, min(x + PICTURE_TILE, left + width)))
            a, b = before[window], after[window]
            changed[r, c] = bool((a != b).any())
            picture[r, c] = changed[r, c] and all(len(np.unique(t)) > t.size // 4 for t in (a, b))
    return changed, picture


def _frames(seed: int) -> tuple[np.ndarray, np.ndarray]:
    """A text page with a noisy 'video' in it; the video and one text line change."""
    from PIL import Image, ImageDraw

    rng = np.random.default_rng(seed)
    base = render_lines([f"Line {i} of the Tavolin notes, batch {4000 + i}" for i in range(12)], size=(640, 480),
                        font_px=16)

    def with_video(t: int) -> Image.Image:
        image = base.copy()
        noise = rng.integers(0, 256, (150, 230, 3), dtype=np.uint8)
        image.paste(Image.fromarray(noise, "RGB"), (300 + t, 170))
        return image

    before, after = with_video(0), with_video(3)
    ImageDraw.Draw(after).text((40, 420), "A new line beside the player", fill="black")
    return image_to_pixels(before), image_to_pixels(after)


# (296, 168, 133, 102): edge tiles 5 and 6 px thin inside the video (a quarter of their own size, not of 32x32)
@pytest.mark.parametrize("region", [(0, 0, 640, 480), (17, 9, 600, 461), (290, 160, 250, 170), (33, 400, 95, 70),
                                    (296, 168, 133, 102)])
def test_vectorised_tiles_match_one_by_one(region: tuple[int, int, int, int]) -> None:
    before, after = _frames(3)
    changed, picture = picture_tiles(before, after, region)
    expected_changed, expected_picture = _one_by_one(before, after, region)
    assert changed.shape == expected_changed.shape
    assert (changed == expected_changed).all()
    assert (picture == expected_picture).all()
    if region == (0, 0, 640, 480):
        assert picture.sum() >= 20 and (changed & ~picture).any()  # the video is picture, the new line is not


def test_an_unchanged_region_has_no_tiles() -> None:
    before, _ = _frames(4)
    changed, picture = picture_tiles(before, before.copy(), (5, 5, 300, 200))
    assert not changed.any() and not picture.any()
