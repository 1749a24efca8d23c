"""Moving pictures (a playing video, an animation): the changed tiles of a region that are not worth OCR.

Pure functions; thread-safe.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from core.capture.screen import change as ch
from core.normalize.ocr import OcrWord

Box = tuple[int, int, int, int]


PICTURE_TILE = 32


def outside_moving_pictures(before: np.ndarray, words: Sequence[OcrWord], pixels: np.ndarray, region: Box) -> list[Box]:
    """The parts of a changed ``region`` to OCR: all of it, less the tiles of a moving picture.

    A tile is a moving picture (video, animation) when it changed and is photographic in
    both frames (``before``: the reference's pixels), and no word of the reference (``words``) sits in it.  A video that plays for minutes
    cost a region OCR at every take; a caption or a chat line beside it is still OCR'd.
    """
    left, top, width, height = region
    if width < 2 * PICTURE_TILE or height < 2 * PICTURE_TILE:
        return [region]
    if len(np.unique(pixels[top : top + height : 4, left : left + width : 4])) <= 4 * PICTURE_TILE:
        return [region]  # too few colours for a picture anywhere in it: text and UI (the common case, cheaply)
    changed, picture = picture_tiles(before, pixels, region)
    if not picture.any():
        return [region]
    for word in words:
        cx, cy = word.left + word.width // 2 - left, word.top + word.height // 2 - top
        if 0 <= cx < width and 0 <= cy < height and picture[cy // PICTURE_TILE, cx // PICTURE_TILE]:
            return [region]  # text on the picture (a slide, a caption): read it
    rest = changed & ~picture
    boxes = ch.tile_boxes(rest, PICTURE_TILE)
    return [(left + x, top + y, min(w, width - x), min(h, height - y)) for x, y, w, h in boxes]


def ocr_area_floor(before: np.ndarray, words: Sequence[OcrWord], pixels: np.ndarray, region: Box,
                   stop_at: int | None = None) -> int:
    """A lower bound of the area ``outside_moving_pictures`` leaves to OCR in ``region``, cheaply.

    Its answer is either the whole region (no picture, or text on one) or the changed tiles that
    are not a picture; a changed tile holding a word of the reference is never a picture (that
    would make it the whole region).  So the changed tiles (on the same ``PICTURE_TILE`` grid, clipped
    to the region) under the reference's word centres are a floor, found by comparing only those
    tiles.  The processor weighs this against its best reference so far: a wrong window's frame
    (all its word tiles changed) is dismissed without the picture analysis of a near-whole-frame
    region (~10 ms).  Counting stops once ``stop_at`` is reached.
    """
    left, top, width, height = region
    tile = PICTURE_TILE
    seen: set[tuple[int, int]] = set()
    floor = 0
    for word in words:
        cx, cy = word.left + word.width // 2 - left, word.top + word.height // 2 - top
        if not (0 <= cx < width and 0 <= cy < height):
            continue
        key = (cy // tile, cx // tile)
        if key in seen:
            continue
        seen.add(key)
        y0, x0 = top + key[0] * tile, left + key[1] * tile
        y1, x1 = min(y0 + tile, top + height), min(x0 + tile, left + width)
        if not np.array_equal(before[y0:y1, x0:x1], pixels[y0:y1, x0:x1]):
            floor += (y1 - y0) * (x1 - x0)
            if stop_at is not None and floor >= stop_at:
                break
    return floor


def picture_tiles(before: np.ndarray, after: np.ndarray, region: Box) -> tuple[np.ndarray, np.ndarray]:
    """Per ``PICTURE_TILE`` tile of ``region``: changed, and changed while photographic in both frames.

    Photographic: more distinct colours than a quarter of the tile's pixels (anti-aliased text
    on a flat background has a few dozen colours per tile; a video frame hundreds).  All tiles
    at once: the region is padded to whole tiles by repeating its edge (which adds no colour
    and no change) and the changed tiles' colours are counted in one sort.  A loop of
    ``np.unique`` per tile cost 0.3 % of a core on its own in bench.screen's scripted session.
    """
    left, top, width, height = region
    tile = PICTURE_TILE
    rows, cols = -(-height // tile), -(-width // tile)
    pad = ((0, rows * tile - height), (0, cols * tile - width))

    def tiles(frame: np.ndarray) -> np.ndarray:
        block = np.pad(frame[top : top + height, left : left + width], pad, mode="edge")
        return block.reshape(rows, tile, cols, tile).swapaxes(1, 2).reshape(rows, cols, tile * tile)

    old, new = tiles(before), tiles(after)
    changed = (old != new).any(axis=2)
    picture = changed.copy()
    where = np.nonzero(changed)
    if not where[0].size:
        return changed, picture
    tile_h = np.minimum(tile, height - np.arange(rows) * tile)
    tile_w = np.minimum(tile, width - np.arange(cols) * tile)
    limit = (tile_h[where[0]] * tile_w[where[1]]) // 4
    for frame_tiles in (old, new):
        ordered = np.sort(frame_tiles[where], axis=1)
        distinct = np.count_nonzero(np.diff(ordered, axis=1), axis=1) + 1
        picture[where] &= distinct > limit
    return changed, picture
