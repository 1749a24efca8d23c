"""WebP encoding of frames and thumbnails, chosen by measurement.

Measured on the 18 screenshots of shared/data/screens (1080p, this machine, CPU ms
per frame on a busy shared machine, so noisy):

| encoding                         | avg KB | max KB | CPU ms | OCR recall (6 pages) |
|----------------------------------|--------|--------|--------|----------------------|
| PNG original                     |   —    |   —    |   —    | 0.915                |
| WebP lossless, quality 40, m 2   |  47.8  |  162   | 71-78  | 0.915 (exact pixels) |
| WebP lossless, quality 10, m 1   |  68.1  |  213   |  36    | 0.915 (exact pixels) |
| WebP lossy q75, method 2         |  74.4  |  438   |  43    | ~0.912 (q65/q80)     |
| WebP lossy q50, method 4         |  54.8* |   —    |  104   | 0.902                |
(* 6-page average.)  Screens are mostly flat colour and text, where lossless
WebP is exact and as small as lossy.  Encoding was the largest CPU cost of a
stored frame after OCR in bench/screen.py, so the fast lossless setting
(quality 10, method 1) is the default: twice as fast as quality 40 for 40 % more
bytes.  A photo on screen turns the size comparison around (a 1200x680 photo:
lossless 1.5 MB, lossy q80 106 KB), so frames with many distinct colours, or
whose lossless output exceeds ``LOSSLESS_MAX_BYTES``, are stored lossy at q75,
which costs OCR almost nothing.  Thumbnails are lossy (they are only looked at).

Pure functions; thread-safe.  PIL is imported inside the functions.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import Any

import numpy as np

LOSSLESS_QUALITY = 10  # lossless "quality" is compression effort
LOSSLESS_METHOD = 1
KEYFRAME_QUALITY = 40
KEYFRAME_METHOD = 2
LOSSY_QUALITY = 75
LOSSY_METHOD = 2
LOSSLESS_MAX_BYTES = 220_000
# Distinct colours per sampled pixel above which a frame is photographic (text
# screens: < 0.005; a large photo: ~0.38).
PHOTO_COLOUR_RATIO = 0.05
THUMBNAIL_SIZE = (384, 216)
THUMBNAIL_QUALITY = 70
MIME = "image/webp"


@dataclass(frozen=True, slots=True)
class EncodedImage:
    data: bytes
    width: int
    height: int
    lossless: bool
    mime: str = MIME


def encode_frame(image: Any, *, keyframe: bool = False) -> EncodedImage:
    """A PIL image as WebP: lossless for text-like screens, lossy q75 for photographic ones.

    ``keyframe``: a frame later frames composite on is encoded once for many, so with more
    effort (lossless quality 40, method 2: ~30 % smaller, ~2x the CPU; see the table above).
    """
    rgb = image.convert("RGB") if image.mode != "RGB" else image
    if colour_ratio(rgb) <= PHOTO_COLOUR_RATIO:
        quality, method = (KEYFRAME_QUALITY, KEYFRAME_METHOD) if keyframe else (LOSSLESS_QUALITY, LOSSLESS_METHOD)
        data = _webp(rgb, lossless=True, quality=quality, method=method)
        if len(data) <= LOSSLESS_MAX_BYTES:
            return EncodedImage(data, rgb.width, rgb.height, True)
    data = _webp(rgb, lossless=False, quality=LOSSY_QUALITY, method=LOSSY_METHOD)
    return EncodedImage(data, rgb.width, rgb.height, False)


def encode_thumbnail(image: Any, size: tuple[int, int] = THUMBNAIL_SIZE) -> EncodedImage:
    from PIL import Image

    thumb = image.convert("RGB")
    # A box-filter reduction first (cheap), then an exact fit: text is not legible at this size anyway.
    factor = max(1, min(thumb.width // size[0], thumb.height // size[1]))
    thumb = thumb.reduce(factor) if factor > 1 else thumb.copy()
    thumb.thumbnail(size, Image.Resampling.BILINEAR)
    data = _webp(thumb, lossless=False, quality=THUMBNAIL_QUALITY, method=LOSSY_METHOD)
    return EncodedImage(data, thumb.width, thumb.height, False)


def decode(data: bytes) -> Any:
    """WebP (or any PIL format) bytes -> a loaded PIL image."""
    from PIL import Image

    image = Image.open(io.BytesIO(data))
    image.load()
    return image


def colour_ratio(image: Any, step: int = 4) -> float:
    """Distinct colours among every ``step``-th pixel in both directions, per sampled pixel."""
    rgb = np.asarray(image)[::step, ::step]
    packed = (rgb[..., 0].astype(np.uint32) << 16) | (rgb[..., 1].astype(np.uint32) << 8) | rgb[..., 2]
    return len(np.unique(packed)) / max(1, packed.size)


def _webp(image: Any, *, lossless: bool, quality: int, method: int) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format="WEBP", lossless=lossless, quality=quality, method=method)
    return buffer.getvalue()
