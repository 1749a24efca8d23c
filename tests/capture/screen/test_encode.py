"""WebP encoding: exact pixels for text screens, lossy for photographic ones, small thumbnails."""

from __future__ import annotations

import numpy as np

from core.capture.screen.encode import decode, encode_frame, encode_thumbnail

from .conftest import screen_path


def test_text_screen_is_lossless_and_small() -> None:
    from PIL import Image

    image = Image.open(screen_path("16_dark_messenger.png")).convert("RGB")
    encoded = encode_frame(image)
    assert encoded.lossless
    assert np.array_equal(np.asarray(decode(encoded.data).convert("RGB")), np.asarray(image))
    png_size = screen_path("16_dark_messenger.png").stat().st_size
    assert len(encoded.data) < png_size


def test_photographic_screen_goes_lossy() -> None:
    from PIL import Image

    rng = np.random.default_rng(7)
    field = rng.normal(size=(60, 100, 3)).cumsum(0).cumsum(1)
    field = (255 * (field - field.min()) / (np.ptp(field) or 1)).astype(np.uint8)
    photo = Image.fromarray(field).resize((1600, 900), Image.Resampling.BICUBIC)
    noisy = np.clip(np.asarray(photo).astype(np.int16) + rng.integers(-10, 10, (900, 1600, 3)), 0, 255)
    frame = Image.open(screen_path("02_chat.png")).convert("RGB")
    frame.paste(Image.fromarray(noisy.astype(np.uint8)), (160, 90))
    encoded = encode_frame(frame)
    assert not encoded.lossless
    assert len(encoded.data) < 400_000


def test_thumbnail_keeps_aspect_and_is_tiny() -> None:
    from PIL import Image

    image = Image.open(screen_path("06_article.png"))
    thumb = encode_thumbnail(image)
    assert (thumb.width, thumb.height) == (384, 216)
    assert len(thumb.data) < 30_000
    assert decode(thumb.data).size == (384, 216)
