"""Which stored frames are keyframes, and what a delta frame holds: the encoding side of ``core.store.frame_codec``.

Per monitor the encoder remembers the last frame it stored of each recent
window (as the OCR references do, so switching back to an app costs a small
delta).  For each frame to store it plans a delta against every remembered
base: the exact change (``change.diff``), the regions that scrolled
(``change.find_scroll``, stored as moves), and the rectangles still different
after the moves (patches).  The plan with the least patch area wins; when even
that is more than ``max_delta_fraction`` of the frame the frame becomes a new
keyframe (a whole WebP, ``encode.encode_frame``).  A delta is itself a base
for the next frame (a scrolled page then costs only the lines that are new
since the frame before) until the chain is ``max_depth`` deep: reading a frame
composites at most that many deltas, and forgetting one frame can leave at
most that many later frames without their picture.

Measured in ``bench.screen``: a scrolled article or a chat line costs a band
of a few KB instead of a 50-70 KB frame.

Threads: one encoder per OCR worker (with its ``FrameProcessor``); not thread-safe.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from core.capture.screen import change as ch
from core.capture.screen.comparisons import FrameComparisons
from core.capture.screen.encode import decode, encode_frame
from core.capture.screen.grab import FrameImage
from core.store import frame_codec

Box = tuple[int, int, int, int]
PATCH_GAP = 16  # patches closer than this are merged: one WebP header instead of two


@dataclass(frozen=True, slots=True)
class StoredImage:
    data: bytes
    width: int
    height: int
    lossless: bool
    keyframe: str | None  # the frame id this delta composites on; None: this is a keyframe


@dataclass(slots=True)
class _Keyframe:
    """A stored frame later frames may composite on (a keyframe, depth 0, or a delta)."""

    frame_id: str
    packed: np.ndarray  # (H, W) uint32, the pixels as the frame decodes
    depth: int = 0


@dataclass(slots=True)
class _DeltaPlan:
    key: _Keyframe
    moves: list[frame_codec.Move] = field(default_factory=list)
    patches: list[Box] = field(default_factory=list)

    @property
    def area(self) -> int:
        return sum(ch.area(b) for b in self.patches)


class FrameEncoder:
    def __init__(self, *, deltas: bool = True, windows: int = 4, max_delta_fraction: float = 0.3,
                 max_depth: int = 24) -> None:
        self.deltas = deltas
        self.windows = windows
        self.max_delta_fraction = max_delta_fraction
        self.max_depth = max_depth
        self._bases: OrderedDict[tuple[int, int | None], _Keyframe] = OrderedDict()  # (monitor, window) -> base

    def encode(self, monitor: int, frame_id: str, image: Any, window: int | None = None,
               packed: np.ndarray | None = None, comparisons: FrameComparisons | None = None) -> StoredImage:
        """``image`` (a PIL RGB image or a ``FrameImage``, already redacted) as a keyframe or a delta on an earlier frame.

        ``packed``: the same pixels as (H, W) uint32 BGRX (``grab.Frame.pixels``), saving a conversion;
        ``comparisons``: the OCR planning's comparisons of those pixels (reused where a base is the same array).
        """
        width, height = image.size
        whole = image.get if isinstance(image, FrameImage) else lambda: image  # made only when needed
        if not self.deltas:
            encoded = encode_frame(whole())
            return StoredImage(encoded.data, encoded.width, encoded.height, encoded.lossless, None)
        # With the grab's packed pixels the patches are cut from them: the whole image as an array
        # (~4 ms a 1080p frame) is needed only without them (a redacted frame).
        rgb: np.ndarray | None = None
        if packed is None:
            pil = whole()
            rgb = np.asarray(pil.convert("RGB") if pil.mode != "RGB" else pil)
            packed = pack(rgb)
        if comparisons is None or comparisons.current is not packed:
            comparisons = FrameComparisons(packed)
        plan = self._best_plan(monitor, comparisons)
        if plan is not None and plan.area <= self.max_delta_fraction * width * height:
            delta = frame_codec.Delta(
                plan.key.frame_id, width, height, tuple(plan.moves),
                tuple(_patch(rgb, packed, box) for box in plan.patches),
            )
            if plan.key.depth + 1 < self.max_depth and delta.lossless:
                self._remember(monitor, window, _Keyframe(frame_id, packed, plan.key.depth + 1))
            return StoredImage(frame_codec.encode(delta), width, height, delta.lossless, plan.key.frame_id)
        encoded = encode_frame(whole(), keyframe=True)
        # A lossy keyframe decodes to other pixels than it was given: deltas must build on what is stored.
        reference = packed if encoded.lossless else pack(np.asarray(decode(encoded.data).convert("RGB")))
        self._remember(monitor, window, _Keyframe(frame_id, reference))
        return StoredImage(encoded.data, encoded.width, encoded.height, encoded.lossless, None)

    def forget(self, frame_id: str) -> None:
        """The frame was not stored after all: never composite on it."""
        for key in [k for k, base in self._bases.items() if base.frame_id == frame_id]:
            del self._bases[key]

    def _best_plan(self, monitor: int, comparisons: FrameComparisons) -> _DeltaPlan | None:
        best: _DeltaPlan | None = None
        for (base_monitor, _window), key in reversed(self._bases.items()):
            if base_monitor != monitor or key.packed.shape != comparisons.current.shape:
                continue
            plan = plan_delta(key, comparisons)
            if best is None or plan.area < best.area:
                best = plan
            if best.area == 0:
                break
        return best

    def _remember(self, monitor: int, window: int | None, base: _Keyframe) -> None:
        self._bases[(monitor, window)] = base
        self._bases.move_to_end((monitor, window))
        while len(self._bases) > self.windows:
            self._bases.popitem(last=False)


def plan_delta(key: _Keyframe, comparisons: FrameComparisons) -> _DeltaPlan:
    """Moves for the regions that scrolled against ``key``, patches for every pixel still different."""
    plan = _DeltaPlan(key)
    packed = comparisons.current
    change = comparisons.diff(key.packed)
    if change.kind == "unchanged":
        return plan
    base = key.packed
    for region in change.regions:
        scroll = comparisons.find_scroll(key.packed, region) if region[3] >= 48 else None
        if scroll is None:
            continue
        if base is key.packed:
            base = key.packed.copy()
        x, y, w, h = region
        lo, hi = max(y, y - scroll.dy), min(y + h, y + h - scroll.dy)
        base[lo:hi, x : x + w] = key.packed[lo + scroll.dy : hi + scroll.dy, x : x + w]
        plan.moves.append(frame_codec.Move(region, scroll.dy))
    # Without a move the residual is the change itself (already computed, and shared with OCR planning).
    residual = ch.diff(base, packed) if plan.moves else change
    plan.patches = ch.merge_boxes(list(residual.all_regions), gap=PATCH_GAP) if residual.kind != "unchanged" else []
    return plan


def _patch(rgb: np.ndarray | None, packed: np.ndarray, box: Box) -> frame_codec.Patch:
    """``frame_codec.encode_patch`` of ``box``, from the RGB frame or else from the packed pixels."""
    if rgb is not None:
        return frame_codec.encode_patch(rgb, box)
    x, y, w, h = box
    patch = frame_codec.encode_patch(unpack(packed[y : y + h, x : x + w]), (0, 0, w, h))
    return frame_codec.Patch(box, patch.data, patch.lossless)


def unpack(packed: np.ndarray) -> np.ndarray:
    """(H, W) uint32 BGRX -> (H, W, 3) uint8 RGB (the inverse of ``pack``)."""
    bgrx = np.ascontiguousarray(packed).view(np.uint8).reshape(*packed.shape, 4)
    return np.ascontiguousarray(bgrx[..., 2::-1])


def pack(rgb: np.ndarray) -> np.ndarray:
    """(H, W, 3) uint8 RGB -> (H, W) uint32 as grabs pack pixels (BGRX in memory: 0xFFRRGGBB)."""
    bgrx = np.empty((*rgb.shape[:2], 4), dtype=np.uint8)
    bgrx[..., 0], bgrx[..., 1], bgrx[..., 2], bgrx[..., 3] = rgb[..., 2], rgb[..., 1], rgb[..., 0], 255
    return bgrx.view(np.uint32)[..., 0]
