"""Did the screen change, where, and did it just scroll?

- ``diff(prev, cur)`` compares two packed uint32 frames exactly (about a
  millisecond at 1080p) and groups the changed pixels into regions on a tile
  grid.  Regions no bigger than a caret, a mouse pointer or a clock are
  *minor*: a frame whose changes are all minor is not worth an OCR pass.  The
  caller compares against the last frame it *accepted*, so small edits (typing)
  add up until they are worth one.
- ``find_scroll(prev, cur, box)`` tells whether the content inside ``box``
  moved vertically, by how much, and which bands are new: a chat that gains a
  line or an article that scrolls then costs an OCR pass over the new band only.
- ``phash256(image)`` is a 256-bit perceptual hash for grouping near-duplicate
  frames over time.  It is never used to decide "unchanged": measured here, a
  64-bit hash did not see 20 typed characters.

All functions are pure and thread-safe.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np

from core.capture.screen.tile_groups import components as _components

Box = tuple[int, int, int, int]  # left, top, width, height
ChangeKind = Literal["first", "unchanged", "minor", "changed"]

TILE = 16
# A change region at most this big (at 1080p; scaled with the frame height) is a
# caret, a pointer, a spinner or a clock: "10:21:33 AM" at 15 px is about 90x20.
MINOR_MAX_WIDTH = 100
MINOR_MAX_HEIGHT = 32
# A column of an OCR box's surroundings that differs from its first or last row in at most this many rows is a
# border or background, not text (``expand_to_lines``).
EDGE_ROWS = 2


@dataclass(frozen=True, slots=True)
class Change:
    kind: ChangeKind
    # Significant regions (minor ones dropped), merged when they touch.
    regions: tuple[Box, ...] = ()
    # Every changed pixel, minor ones included: what a stored delta must cover.
    all_regions: tuple[Box, ...] = ()
    changed_fraction: float = 0.0  # changed tiles / all tiles

    @property
    def bbox(self) -> Box | None:
        """The union of the significant regions."""
        return union(self.regions) if self.regions else None


def diff(prev: np.ndarray | None, cur: np.ndarray, tile: int = TILE) -> Change:
    """Compare two (H, W) uint32 frames exactly; see the module docstring."""
    height, width = cur.shape
    if prev is None or prev.shape != cur.shape:
        full = (0, 0, width, height)
        return Change("first", (full,), (full,), 1.0)
    changed = prev != cur
    if not changed.any():
        return Change("unchanged")
    # Work only inside the tile-aligned bounding box of the change (cheap row/column scans).
    rows = np.flatnonzero(changed.any(axis=1))
    y0, y1 = int(rows[0]) // tile * tile, int(rows[-1]) + 1
    cols = np.flatnonzero(changed[y0:y1].any(axis=0))
    x0, x1 = int(cols[0]) // tile * tile, int(cols[-1]) + 1
    window = changed[y0:y1, x0:x1]
    tiles = _tile_mask(window, tile)
    if tiles.mean() > 0.6:  # most of it changed: one region, no need to label components
        components = [(0, 0, tiles.shape[0] - 1, tiles.shape[1] - 1)]
    else:
        components = _components(tiles)
    scale = max(1.0, height / 1080)
    minor_w, minor_h = MINOR_MAX_WIDTH * scale, MINOR_MAX_HEIGHT * scale
    all_regions: list[Box] = []
    significant: list[Box] = []
    for tile_box in components:
        local = _tight_box(window, _tile_box_to_pixels(tile_box, tile, x1 - x0, y1 - y0))
        box = (local[0] + x0, local[1] + y0, local[2], local[3])
        all_regions.append(box)
        if box[2] > minor_w or box[3] > minor_h:
            significant.append(box)
    fraction = float(tiles.sum()) / (-(-height // tile) * -(-width // tile))
    if not significant:
        return Change("minor", (), tuple(all_regions), fraction)
    return Change("changed", tuple(merge_boxes(significant)), tuple(all_regions), fraction)


@dataclass(frozen=True, slots=True)
class Scroll:
    """Content inside ``box`` moved up by ``dy`` pixels (negative: down).

    ``new_bands`` are the parts of ``box`` in the current frame whose content
    does not come from the previous frame shifted by ``dy``.
    """

    box: Box
    dy: int
    new_bands: tuple[Box, ...]
    matched_fraction: float


# (frame, left, width, top, bottom) -> the frame's row hashes for that column span, rows top..bottom at least.
RowSignatures = Callable[[np.ndarray, int, int, int, int], Sequence[int | None]]


def find_scroll(prev: np.ndarray, cur: np.ndarray, box: Box, min_match: float = 0.5,
                rows: RowSignatures | None = None) -> Scroll | None:
    """Detect a vertical scroll of the content inside ``box``; ``None`` if it is not one.

    Works on row signatures: each row segment of ``box`` is hashed in both frames,
    rows unique within the box vote for an offset, and the winning offset must
    explain at least ``min_match`` of the rows that are not blank.  ``rows`` gives a
    frame's signatures for one column span (``row_signatures``, or a cache of it:
    ``comparisons.RowSignatureCache``).
    """
    left, top, width, height = box
    if width <= 0 or height < 8 or prev.shape != cur.shape:
        return None
    frame_h = cur.shape[0]
    if rows is None:  # only the rows looked at: above, inside and below the box
        prev_rows = _row_signatures(prev, left, top - height, width, height * 3)
        cur_rows = _row_signatures(cur, left, top, width, height)
    else:
        y0, y1 = max(0, top - height), min(frame_h, top + 2 * height)
        prev_all, cur_all = rows(prev, left, width, y0, y1), rows(cur, left, width, max(0, top), min(frame_h, top + height))
        prev_rows = [(y, int(prev_all[y])) for y in range(y0, y1)]  # type: ignore[arg-type]
        cur_rows = [(y, int(cur_all[y])) for y in range(max(0, top), min(frame_h, top + height))]  # type: ignore[arg-type]
    prev_positions: dict[int, list[int]] = {}
    for y, sig in prev_rows:
        prev_positions.setdefault(sig, []).append(y)
    counts = Counter(sig for _, sig in cur_rows)
    votes: Counter[int] = Counter()
    for y, sig in cur_rows:
        if counts[sig] != 1:
            continue  # blank or repeated rows say nothing about the offset
        candidates = prev_positions.get(sig, ())
        if len(candidates) == 1:
            votes[candidates[0] - y] += 1
    if not votes:
        return None
    dy, support = votes.most_common(1)[0]
    informative = sum(1 for _, sig in cur_rows if counts[sig] == 1)
    if dy == 0 or informative == 0 or support / informative < min_match:
        return None
    # Content may only come from inside the box: the words inherited with it were OCR'd there.
    prev_by_y = {y: sig for y, sig in prev_rows if top <= y < top + height}
    unmatched = [y for y, sig in cur_rows if prev_by_y.get(y + dy) != sig]
    bands = tuple((left, y0, width, y1 - y0) for y0, y1 in _runs(unmatched, gap=4))
    return Scroll(box, dy, bands, support / informative)


def trim_moved_lines(prev: np.ndarray, cur: np.ndarray, band: Box, dy: int) -> Box | None:
    """``band`` (a new band of a scroll by ``dy``) less a text line it cuts at either edge that only moved.

    A band's edge lies where the changed region ended, not between two lines: the band's first
    rows are as a rule the lower part of a line whose upper part scrolled with the rest.
    ``expand_to_lines`` then grows the band to that whole line, and tesseract read it again
    (one line of seven in bench.screen's scrolled article).  When that line's rows, from the
    blank row before it to the blank row after it, are pixel for pixel the earlier frame's rows
    ``dy`` further down, the line only moved: its words are the earlier frame's, and the band
    starts on the blank row after it.  A band that starts on the blank row right below a line
    loses that row (``expand_to_lines`` would grow it to the line above otherwise).  ``None``:
    nothing of the band is left to read.
    """
    left, top, width, height = band
    frame_h = cur.shape[0]
    columns = slice(left, left + width)

    def blank(y: int) -> bool:
        row = cur[y, columns]
        return bool((row == row[0]).all())

    def moved(y0: int, y1: int) -> bool:  # rows y0..y1 of cur are prev's rows y0+dy..y1+dy
        return y0 + dy >= 0 and y1 + dy <= frame_h and np.array_equal(cur[y0:y1, columns], prev[y0 + dy : y1 + dy, columns])

    bottom = top + height
    if not blank(top):  # the band starts inside a line: find the line's ends
        up, down = top, top
        while up > 0 and not blank(up - 1):
            up -= 1
        while down < bottom and not blank(down):
            down += 1
        if up > 0 and down < bottom and moved(up - 1, down + 1):
            top = down + 1
    elif top > 0 and not blank(top - 1):  # a line ends right above it: keep a blank row between them
        top += 1
    if bottom > top and not blank(bottom - 1):  # and the same at its lower edge (a scroll back up)
        up, down = bottom - 1, bottom
        while up > top and not blank(up - 1):
            up -= 1
        while down < frame_h and not blank(down):
            down += 1
        if up > top and down < frame_h and moved(up - 1, down + 1):
            bottom = up - 1
    elif bottom > top and bottom < frame_h and not blank(bottom):
        bottom -= 1
    if bottom <= top:
        return None
    return (left, top, width, bottom - top)


def row_signatures(pixels: np.ndarray, left: int, width: int, top: int, bottom: int) -> list[int]:
    """A hash of each row ``top``..``bottom`` of ``pixels`` between columns ``left`` and ``left + width``."""
    return [sig for _, sig in _row_signatures(pixels, left, top, width, bottom - top)]


def phash256(image: Any) -> str:
    """A 256-bit perceptual hash (64 hex digits) of a PIL image, computed on a 4x smaller copy."""
    import imagehash  # late: pulls scipy-free numpy code and PIL

    small = image.reduce(4) if min(image.size) >= 256 else image
    return str(imagehash.phash(small, hash_size=16))


def phash_distance(a: str, b: str) -> int:
    """Hamming distance of two ``phash256`` values: about 0-2 noise, 6-8 an edit, 100+ another screen."""
    return (int(a, 16) ^ int(b, 16)).bit_count()


# -- boxes ----------------------------------------------------------------


def union(boxes: Sequence[Box]) -> Box:
    left = min(b[0] for b in boxes)
    top = min(b[1] for b in boxes)
    right = max(b[0] + b[2] for b in boxes)
    bottom = max(b[1] + b[3] for b in boxes)
    return (left, top, right - left, bottom - top)


def expand(box: Box, margin: int, width: int, height: int) -> Box:
    left = max(0, box[0] - margin)
    top = max(0, box[1] - margin)
    right = min(width, box[0] + box[2] + margin)
    bottom = min(height, box[1] + box[3] + margin)
    return (left, top, right - left, bottom - top)


def expand_to_lines(pixels: np.ndarray, box: Box, margin: int, pad: int = 4) -> Box:
    """``box`` widened by ``margin`` and grown vertically to whole text lines, for OCR.

    Vertically the box grows only until it reaches a blank row (the gap between two
    lines of text), then takes up to ``pad`` blank rows, never more than ``margin``.
    A fixed margin cut the lines above and below in half: tesseract spent as long
    on those half lines (and made garbage of them) as on the text that changed
    (measured: 158 ms against 64 ms for a three-line band).  Where no blank row is
    found within ``margin`` (a photo, a vertical gradient) the full margin is used.

    A row is blank when, ignoring columns that are the same in every row nearby but at
    most ``EDGE_ROWS`` (backgrounds, borders, horizontal gradients, a border row at the
    window's edge), it is a single colour.
    """
    height, width = pixels.shape
    left = max(0, box[0] - margin)
    right = min(width, box[0] + box[2] + margin)
    win_top = max(0, box[1] - margin)
    win_bottom = min(height, box[1] + box[3] + margin)
    window = pixels[win_top:win_bottom, left:right]
    if window.size == 0:
        return expand(box, margin, width, height)
    # Columns the same in all rows but EDGE_ROWS (measured from the first row or the last): backgrounds, borders,
    # horizontal gradients, and the padding beside a text widget whose bottom border row is in the window (a Qt
    # text edit at the frame's foot on Xvfb: with "all rows", every padding column varied, no row was blank, the
    # full margin was taken and tesseract re-read the cut line above each scrolled band: bench.screen_live).
    plain = ((window != window[0]).sum(axis=0) <= EDGE_ROWS) | ((window != window[-1]).sum(axis=0) <= EDGE_ROWS)
    varying = window[:, ~plain]
    blank = (varying == varying[:, :1]).all(axis=1) if varying.shape[1] else np.ones(len(window), dtype=bool)

    top = box[1]
    while top > win_top and not blank[top - 1 - win_top]:
        top -= 1
    taken = 0
    while taken < pad and top > win_top and blank[top - 1 - win_top]:
        top, taken = top - 1, taken + 1
    bottom = box[1] + box[3]
    while bottom < win_bottom and not blank[bottom - win_top]:
        bottom += 1
    taken = 0
    while taken < pad and bottom < win_bottom and blank[bottom - win_top]:
        bottom, taken = bottom + 1, taken + 1
    return (left, top, right - left, bottom - top)


def intersects(a: Box, b: Box) -> bool:
    return a[0] < b[0] + b[2] and b[0] < a[0] + a[2] and a[1] < b[1] + b[3] and b[1] < a[1] + a[3]


def area(box: Box) -> int:
    return box[2] * box[3]


def merge_boxes(boxes: Sequence[Box], gap: int = 0) -> list[Box]:
    """Merge boxes that overlap (or come within ``gap`` px) until none do."""
    merged = list(boxes)
    changed = True
    while changed:
        changed = False
        out: list[Box] = []
        for box in merged:
            grown = (box[0] - gap, box[1] - gap, box[2] + 2 * gap, box[3] + 2 * gap)
            for i, other in enumerate(out):
                if intersects(grown, other):
                    out[i] = union((other, box))
                    changed = True
                    break
            else:
                out.append(box)
        merged = out
    return sorted(merged, key=lambda b: (b[1], b[0]))


def subtract(box: Box, covers: Sequence[Box]) -> list[Box]:
    """The parts of ``box`` outside every box of ``covers``, as up to four rectangles per cover."""
    pieces = [box]
    for cover in covers:
        out: list[Box] = []
        for piece in pieces:
            if not intersects(piece, cover):
                out.append(piece)
                continue
            left, top, right, bottom = piece[0], piece[1], piece[0] + piece[2], piece[1] + piece[3]
            c_left, c_top = max(left, cover[0]), max(top, cover[1])
            c_right, c_bottom = min(right, cover[0] + cover[2]), min(bottom, cover[1] + cover[3])
            for part in ((left, top, right - left, c_top - top), (left, c_bottom, right - left, bottom - c_bottom),
                         (left, c_top, c_left - left, c_bottom - c_top),
                         (c_right, c_top, right - c_right, c_bottom - c_top)):
                if part[2] > 0 and part[3] > 0:
                    out.append(part)
        pieces = out
    return pieces


def clip(box: Box, width: int, height: int) -> Box:
    """``box`` cut to a ``width`` x ``height`` frame (width or height 0 when nothing is left)."""
    left, top = max(0, box[0]), max(0, box[1])
    right, bottom = min(width, box[0] + box[2]), min(height, box[1] + box[3])
    return (left, top, max(0, right - left), max(0, bottom - top))


def centre_in(box: Box, covers: Sequence[Box]) -> bool:
    """Whether the centre of ``box`` lies inside any of ``covers``."""
    cx, cy = box[0] + box[2] // 2, box[1] + box[3] // 2
    return any(c[0] <= cx < c[0] + c[2] and c[1] <= cy < c[1] + c[3] for c in covers)


def tile_boxes(mask: np.ndarray, tile: int) -> list[Box]:
    """Pixel boxes (left, top, width, height) of the 8-connected groups of true tiles in ``mask``."""
    boxes = []
    for r0, c0, r1, c1 in _components(mask):
        boxes.append((c0 * tile, r0 * tile, (c1 - c0 + 1) * tile, (r1 - r0 + 1) * tile))
    return boxes


# -- internals --------------------------------------------------------------


def _tile_mask(changed: np.ndarray, tile: int) -> np.ndarray:
    height, width = changed.shape
    rows, cols = -(-height // tile), -(-width // tile)
    if rows * tile != height or cols * tile != width:
        padded = np.zeros((rows * tile, cols * tile), dtype=bool)
        padded[:height, :width] = changed
        changed = padded
    return changed.reshape(rows, tile, cols, tile).any(axis=(1, 3))


def _tile_box_to_pixels(tile_box: tuple[int, int, int, int], tile: int, width: int, height: int) -> Box:
    r0, c0, r1, c1 = tile_box
    left, top = c0 * tile, r0 * tile
    right, bottom = min(width, (c1 + 1) * tile), min(height, (r1 + 1) * tile)
    return (left, top, right - left, bottom - top)


def _tight_box(changed: np.ndarray, box: Box) -> Box:
    left, top, width, height = box
    window = changed[top : top + height, left : left + width]
    ys = np.flatnonzero(window.any(axis=1))
    xs = np.flatnonzero(window.any(axis=0))
    if len(ys) == 0:
        return box
    return (left + int(xs[0]), top + int(ys[0]), int(xs[-1] - xs[0] + 1), int(ys[-1] - ys[0] + 1))


def _row_signatures(pixels: np.ndarray, left: int, top: int, width: int, height: int) -> list[tuple[int, int]]:
    frame_h = pixels.shape[0]
    y0, y1 = max(0, top), min(frame_h, top + height)
    if y1 <= y0:
        return []
    segment = np.ascontiguousarray(pixels[y0:y1, left : left + width])
    return [(y0 + i, hash(segment[i].tobytes())) for i in range(segment.shape[0])]


def _runs(values: Sequence[int], gap: int) -> list[tuple[int, int]]:
    """Group sorted ints into [start, end) runs, joining runs closer than ``gap``."""
    runs: list[tuple[int, int]] = []
    for value in values:
        if runs and value - runs[-1][1] <= gap:
            runs[-1] = (runs[-1][0], value + 1)
        else:
            runs.append((value, value + 1))
    return runs
