"""How tall a frame's text is, from its pixels alone: whether a whole-frame OCR can skip the 2x upscale.

Changed regions are OCR'd at 1x when the reference's words are large (``processor._native_scale``);
a whole frame (the first one, a new app) has no reference, so its text size is read from the pixels:
the frame is cut into tiles, columns that are the same in every row of a tile (backgrounds, borders,
grid lines) are dropped, and each run of rows that still hold more than one colour is one line of
ink (a tile without descenders gives a shorter run than one with them).

Measured on the 18 screenshots of ../shared/data/screens (fonts 11-20 px) and pages drawn in DejaVu
Sans: runs' lower quartile / median are 12 / 15 for bench.screen's 16 px pages, 14 / 17 for
06_article (20 px); every smaller font stays below one of the two: 10_terminal (15 px) 12 / 12,
13_search_results (14 px) 11 / 14, 16_dark_messenger 11 / 12, 18_qt_contacts 11.5 / 22 (avatars),
drawn 13-18 px pages 11-13 / 13-14.  Text is large when both reach 12 / 15; that errs towards 2x
(drawn 16-18 px pages stay at 2x), which only costs CPU.  5-45 ms a 1080p frame; a whole-frame OCR at
1x costs about half the CPU of 2x (bench.screen: 1.59 -> 0.85 and 0.65 -> 0.28 CPU-s, the same words).

Pure functions; thread-safe.
"""

from __future__ import annotations

import numpy as np

TILE_WIDTH = 128
TILE_HEIGHT = 216
MIN_RUN, MAX_RUN = 6, 40  # runs outside this are rules, icons or pictures, not lines of text
LARGE_RUN_P25 = 12
LARGE_RUN_MEDIAN = 15
MIN_RUNS = 40  # fewer lines than this say too little (a mostly empty or pictorial frame): keep 2x


def ink_run_heights(pixels: np.ndarray) -> np.ndarray:
    """Heights of the runs of ink rows in each tile of an (H, W) uint32 frame (runs cut by a tile edge left out)."""
    height, width = pixels.shape
    runs: list[np.ndarray] = []
    for top in range(0, height - TILE_HEIGHT + 1, TILE_HEIGHT):
        for left in range(0, width - TILE_WIDTH + 1, TILE_WIDTH):
            tile = pixels[top : top + TILE_HEIGHT, left : left + TILE_WIDTH]
            varying = tile[:, ~(tile == tile[0]).all(axis=0)]
            if varying.shape[1] == 0:
                continue
            ink = (varying != varying[:, :1]).any(axis=1).astype(np.int8)
            edges = np.diff(np.concatenate(([0], ink, [0])))
            starts, ends = np.flatnonzero(edges == 1), np.flatnonzero(edges == -1)
            inside = (starts > 0) & (ends < TILE_HEIGHT)
            runs.append((ends - starts)[inside])
    return np.concatenate(runs) if runs else np.zeros(0, dtype=np.int64)


def large_text(pixels: np.ndarray) -> bool:
    """Whether the frame's text is large enough to OCR at 1x (see the module docstring)."""
    heights = ink_run_heights(pixels)
    heights = heights[(heights >= MIN_RUN) & (heights <= MAX_RUN)]
    if len(heights) < MIN_RUNS:
        return False
    return float(np.percentile(heights, 25)) >= LARGE_RUN_P25 and float(np.median(heights)) >= LARGE_RUN_MEDIAN
