"""Stored screen frames as a keyframe plus changed regions: the container format and compositing on read.

A keyframe is a plain image file (WebP).  A *delta frame* names its base (the
frame id of the screenshot it composites on, stable across devices: a keyframe
or an earlier delta, at most ``MAX_CHAIN`` deep) and holds what differs from it:

- ``moves``: boxes whose rows come from the keyframe shifted by ``dy`` (content
  that scrolled), so a scrolled page costs only its newly exposed band;
- ``patches``: rectangles of pixels, each encoded on its own: lossless WebP for
  text and UI (WebP lossless codes flat UI with a colour palette by itself),
  lossy WebP for photographic regions (video, photos).

``compose(base_rgb, delta)`` rebuilds the frame: moves first (all read the
base), then patches; ``resolve`` follows a chain of deltas down to its keyframe.
Where every patch is lossless the result is byte-identical to the frame that
was encoded.

Layout: ``MAGIC``, a 4-byte big-endian header length, the header as UTF-8 JSON
``{"key", "w", "h", "moves": [[x, y, w, h, dy]], "patches": [[x, y, w, h, lossless, nbytes]]}``,
then the patch bytes in order.  The whole container is what the vault encrypts
(an AES-GCM envelope like any media); nothing here touches the disk.

Pure functions; thread-safe.  Errors: ``FrameCodecError`` for a malformed container.
"""

from __future__ import annotations

import io
import json
import struct
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from core.errors import CairnError

MAGIC = b"CRNFD1\n"
MAX_CHAIN = 64  # deltas on deltas followed at most this deep on read (the encoder stays far below)
Box = tuple[int, int, int, int]
LOSSLESS_QUALITY = 30  # WebP lossless effort: patches are small, so a little more effort is cheap
LOSSLESS_METHOD = 2
LOSSY_QUALITY = 75
LOSSY_METHOD = 2
# A region is photographic (video, a photo) when it has more distinct colours than anti-aliased text on a
# flat background can make (about 256 per text colour) and they are a real share of its pixels.
PHOTO_MIN_COLOURS = 512
PHOTO_COLOUR_RATIO = 0.02


class FrameCodecError(CairnError):
    """A stored frame container is malformed."""


@dataclass(frozen=True, slots=True)
class Move:
    """Rows of ``box`` take the keyframe's rows ``dy`` further down (content scrolled up by ``dy``)."""

    box: Box
    dy: int


@dataclass(frozen=True, slots=True)
class Patch:
    box: Box
    data: bytes
    lossless: bool


@dataclass(frozen=True, slots=True)
class Delta:
    keyframe: str
    width: int
    height: int
    moves: tuple[Move, ...]
    patches: tuple[Patch, ...]

    @property
    def lossless(self) -> bool:
        return all(p.lossless for p in self.patches)


def is_delta(data: bytes) -> bool:
    return data[: len(MAGIC)] == MAGIC


def keyframe_of(data: bytes) -> str | None:
    """The frame id a delta composites on, or ``None`` for a plain image."""
    return parse(data).keyframe if is_delta(data) else None


def encode(delta: Delta) -> bytes:
    header = {
        "key": delta.keyframe,
        "w": delta.width,
        "h": delta.height,
        "moves": [[*m.box, m.dy] for m in delta.moves],
        "patches": [[*p.box, int(p.lossless), len(p.data)] for p in delta.patches],
    }
    head = json.dumps(header, separators=(",", ":")).encode("utf-8")
    return b"".join([MAGIC, struct.pack(">I", len(head)), head, *(p.data for p in delta.patches)])


def parse(data: bytes) -> Delta:
    if not is_delta(data):
        raise FrameCodecError("not a delta frame")
    try:
        offset = len(MAGIC)
        (size,) = struct.unpack(">I", data[offset : offset + 4])
        offset += 4
        header = json.loads(data[offset : offset + size].decode("utf-8"))
        offset += size
        moves = tuple(Move((int(x), int(y), int(w), int(h)), int(dy)) for x, y, w, h, dy in header["moves"])
        patches = []
        for x, y, w, h, lossless, nbytes in header["patches"]:
            patches.append(Patch((int(x), int(y), int(w), int(h)), data[offset : offset + nbytes], bool(lossless)))
            offset += nbytes
        if offset != len(data):
            raise FrameCodecError("delta frame has trailing or missing bytes")
        return Delta(str(header["key"]), int(header["w"]), int(header["h"]), moves, tuple(patches))
    except (KeyError, TypeError, ValueError, struct.error) as exc:
        raise FrameCodecError(f"malformed delta frame: {exc}") from exc


def encode_patch(rgb: np.ndarray, box: Box) -> Patch:
    """One region of an (H, W, 3) uint8 frame, lossless unless it is photographic."""
    x, y, w, h = box
    crop = np.ascontiguousarray(rgb[y : y + h, x : x + w])
    lossless = not is_photographic(crop)
    return Patch(box, webp(crop, lossless=lossless), lossless)


def compose(keyframe: np.ndarray, delta: Delta) -> np.ndarray:
    """The (H, W, 3) uint8 frame a delta describes, on its keyframe's pixels."""
    if keyframe.shape[:2] != (delta.height, delta.width):
        raise FrameCodecError(f"keyframe is {keyframe.shape[1]}x{keyframe.shape[0]}, delta wants "
                              f"{delta.width}x{delta.height}")
    out = keyframe.copy()
    for move in delta.moves:
        x, y, w, h = move.box
        # Destination rows whose source row (shifted by dy) stays inside the box.
        lo, hi = max(y, y - move.dy), min(y + h, y + h - move.dy)
        if hi > lo:
            out[lo:hi, x : x + w] = keyframe[lo + move.dy : hi + move.dy, x : x + w]
    for patch in delta.patches:
        x, y, w, h = patch.box
        pixels = decode_rgb(patch.data)
        if pixels.shape[:2] != (h, w):
            raise FrameCodecError(f"patch at {patch.box} decodes to {pixels.shape[1]}x{pixels.shape[0]}")
        out[y : y + h, x : x + w] = pixels
    return out


def decode_rgb(data: bytes) -> np.ndarray:
    """Image bytes (WebP, PNG, ...) as an (H, W, 3) uint8 array."""
    from PIL import Image

    with Image.open(io.BytesIO(data)) as image:
        return np.asarray(image.convert("RGB"))


def resolve(data: bytes, fetch: Callable[[str], bytes | None]) -> np.ndarray:
    """The (H, W, 3) pixels of a stored frame: a keyframe decoded, or a delta chain composited on its keyframe.

    ``fetch(frame_id)`` returns the stored bytes of that frame, or ``None`` when it is gone
    (forgotten, aged out): then ``FrameCodecError`` says which base is missing.
    """
    chain: list[Delta] = []
    while is_delta(data):
        delta = parse(data)
        chain.append(delta)
        if len(chain) > MAX_CHAIN:
            raise FrameCodecError(f"delta chain longer than {MAX_CHAIN}")
        base = fetch(delta.keyframe)
        if base is None:
            raise FrameCodecError(f"the frame {delta.keyframe} this screenshot builds on is gone")
        data = base
    pixels = decode_rgb(data)
    for delta in reversed(chain):
        pixels = compose(pixels, delta)
    return pixels


def to_ppm(rgb: np.ndarray) -> bytes:
    """An uncompressed image file any decoder (Qt, PIL) reads, for handing a composite to a viewer."""
    height, width = rgb.shape[:2]
    return f"P6 {width} {height} 255\n".encode("ascii") + np.ascontiguousarray(rgb, dtype=np.uint8).tobytes()


def webp(rgb: np.ndarray, *, lossless: bool) -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    image = Image.fromarray(rgb, "RGB")
    if lossless:
        image.save(buffer, format="WEBP", lossless=True, quality=LOSSLESS_QUALITY, method=LOSSLESS_METHOD, exact=True)
    else:
        image.save(buffer, format="WEBP", lossless=False, quality=LOSSY_QUALITY, method=LOSSY_METHOD)
    return buffer.getvalue()


def is_photographic(rgb: np.ndarray, step: int = 2) -> bool:
    """Many distinct colours among every ``step``-th pixel: a photo or video frame, not text or UI."""
    sample = rgb[::step, ::step]
    return is_photographic_packed((sample[..., 0].astype(np.uint32) << 16) | (sample[..., 1].astype(np.uint32) << 8)
                                  | sample[..., 2], step=1)


def is_photographic_packed(pixels: np.ndarray, step: int = 2) -> bool:
    """``is_photographic`` for packed (H, W) uint32 pixels (any channel order)."""
    sample = pixels[::step, ::step]
    colours = len(np.unique(sample))
    return colours > PHOTO_MIN_COLOURS and colours / max(1, sample.size) > PHOTO_COLOUR_RATIO


def describe(data: bytes) -> dict[str, Any]:
    """Sizes of a stored frame's parts (for benchmarks and ``cairn status``)."""
    if not is_delta(data):
        return {"kind": "keyframe", "bytes": len(data)}
    delta = parse(data)
    return {"kind": "delta", "bytes": len(data), "moves": len(delta.moves), "patches": len(delta.patches)}
