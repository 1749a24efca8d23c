"""Which stored frames are keyframes, and what a delta frame holds: the encoding side of ``core.store.frame_codec``.

Per monitor the encoder remembers the last few keyframes it stored (one per
window, as the OCR references do, so switching back to an app costs a small
delta).  For each frame to store it plans a delta against every remembered
keyframe: the exact change (``change.diff``), the regions that scrolled
(``change.find_scroll``, stored as moves), and the rectangles still different
after the moves (patches).  The plan with the least patch area wins; when even
that is more than ``max_delta_fraction`` of the frame, or the keyframe already
carries ``max_deltas`` frames, the frame becomes a new keyframe (a whole WebP,
``encode.encode_frame``).

Measured in ``bench.screen``: a scrolled article or a chat line costs a
band of a few KB instead of a 50-70 KB frame.

Threads: one encoder per OCR worker (with its ``FrameProcessor``); not thread-safe.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from core.capture.screen import change as ch
from core.capture.screen.encode import decode, encode_frame
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
    frame_id: str
    packed: np.ndarray  # (H, W) uint32, the pixels as the keyframe decodes
    deltas: int = 0


@dataclass(slots=True)
class _DeltaPlan:
    key: _Keyframe
    moves: list[frame_codec.Move] = field(default_factory=list)
    patches: list[Box] = field(default_factory=list)

    @property
    def area(self) -> int:
        return sum(ch.area(b) for b in self.patches)


class FrameEncoder:
    def __init__(self, *, deltas: bool = True, keyframes: int = 4, max_delta_fraction: float = 0.3,
                 max_deltas: int = 240) -> None:
        self.deltas = deltas
        self.keyframes = keyframes
        self.max_delta_fraction = max_delta_fraction
        self.max_deltas = max_deltas
        self._keys: dict[int, list[_Keyframe]] = {}  # monitor -> keyframes, most recent last

    def encode(self, monitor: int, frame_id: str, image: object) -> StoredImage:
        """``image`` (a PIL RGB image, already redacted) as a keyframe or a delta on one."""
        rgb = np.asarray(image.convert("RGB") if getattr(image, "mode", "RGB") != "RGB" else image)  # type: ignore[attr-defined]
        height, width = rgb.shape[:2]
        if not self.deltas:
            encoded = encode_frame(image)
            return StoredImage(encoded.data, encoded.width, encoded.height, encoded.lossless, None)
        packed = pack(rgb)
        plan = self._best_plan(monitor, packed)
        if plan is not None and plan.area <= self.max_delta_fraction * width * height:
            delta = frame_codec.Delta(
                plan.key.frame_id, width, height, tuple(plan.moves),
                tuple(frame_codec.encode_patch(rgb, box) for box in plan.patches),
            )
            plan.key.deltas += 1
            self._promote(monitor, plan.key)
            return StoredImage(frame_codec.encode(delta), width, height, delta.lossless, plan.key.frame_id)
        encoded = encode_frame(image)
        # A lossy keyframe decodes to other pixels than it was given: deltas must build on what is stored.
        reference = packed if encoded.lossless else pack(np.asarray(decode(encoded.data).convert("RGB")))
        keys = self._keys.setdefault(monitor, [])
        keys.append(_Keyframe(frame_id, reference))
        del keys[: -self.keyframes]
        return StoredImage(encoded.data, encoded.width, encoded.height, encoded.lossless, None)

    def forget(self, frame_id: str) -> None:
        """The frame was not stored after all: never composite on it."""
        for keys in self._keys.values():
            keys[:] = [k for k in keys if k.frame_id != frame_id]

    def _best_plan(self, monitor: int, packed: np.ndarray) -> _DeltaPlan | None:
        best: _DeltaPlan | None = None
        for key in reversed(self._keys.get(monitor, [])):
            if key.packed.shape != packed.shape or key.deltas >= self.max_deltas:
                continue
            plan = plan_delta(key, packed)
            if best is None or plan.area < best.area:
                best = plan
            if best.area == 0:
                break
        return best

    def _promote(self, monitor: int, key: _Keyframe) -> None:
        keys = self._keys[monitor]
        keys.remove(key)
        keys.append(key)


def plan_delta(key: _Keyframe, packed: np.ndarray) -> _DeltaPlan:
    """Moves for the regions that scrolled against ``key``, patches for every pixel still different."""
    plan = _DeltaPlan(key)
    change = ch.diff(key.packed, packed)
    if change.kind == "unchanged":
        return plan
    base = key.packed
    for region in change.regions:
        scroll = ch.find_scroll(key.packed, packed, region) if region[3] >= 48 else None
        if scroll is None:
            continue
        if base is key.packed:
            base = key.packed.copy()
        x, y, w, h = region
        lo, hi = max(y, y - scroll.dy), min(y + h, y + h - scroll.dy)
        base[lo:hi, x : x + w] = key.packed[lo + scroll.dy : hi + scroll.dy, x : x + w]
        plan.moves.append(frame_codec.Move(region, scroll.dy))
    residual = ch.diff(base, packed)
    plan.patches = ch.merge_boxes(list(residual.all_regions), gap=PATCH_GAP) if residual.kind != "unchanged" else []
    return plan


def pack(rgb: np.ndarray) -> np.ndarray:
    """(H, W, 3) uint8 -> (H, W) uint32, for exact comparison."""
    return (rgb[..., 0].astype(np.uint32) << 16) | (rgb[..., 1].astype(np.uint32) << 8) | rgb[..., 2]
