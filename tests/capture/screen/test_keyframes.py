"""Keyframes plus changed regions: composited on read, byte-identical; per-region codec; into a real vault."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from core.capture.screen.keyframes import FrameEncoder
from core.store import frame_codec

from .conftest import font, render_lines, screen_path


def _page(lines: list[str], top_line: int, size: tuple[int, int] = (1280, 720)) -> object:
    """A reader window showing ``lines`` from ``top_line`` on (what scrolling looks like)."""
    from PIL import Image, ImageDraw

    image = Image.new("RGB", size, "#fbfbf8")
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 0, size[0], 31), fill="#2b2d31")
    draw.text((12, 7), "Reader", font=font(16), fill="white")
    y = 40
    for line in lines[top_line : top_line + 27]:
        draw.text((24, y), line, font=font(16), fill="#1d1d1f")
        y += 24
    return image


LINES = [f"Line {i}: the ledger of {i * 7 % 13} invoices for Tavolin and Brenquist, row {i}" for i in range(200)]


def _compose(stored: list[tuple[str, bytes]], frame_id: str) -> np.ndarray:
    """What the timeline shows for ``frame_id``: the keyframe itself, or its delta chain composited."""
    by_id = dict(stored)
    return frame_codec.resolve(by_id[frame_id], by_id.get)


def test_scrolled_page_is_a_small_delta_that_decodes_byte_identical() -> None:
    encoder = FrameEncoder()
    stored: list[tuple[str, bytes]] = []
    frames = [_page(LINES, top) for top in (0, 3, 6, 30)]  # three scrolls, then a page jump
    kinds = []
    for i, image in enumerate(frames):
        result = encoder.encode(1, f"f{i}", image)
        stored.append((f"f{i}", result.data))
        kinds.append(result.keyframe)
    assert kinds[0] is None  # the first frame is a keyframe
    assert (kinds[1], kinds[2]) == ("f0", "f1")  # each scroll composites on the frame before
    first = len(stored[0][1])
    for i in (1, 2):
        delta = frame_codec.parse(stored[i][1])
        assert delta.moves, "the scroll was not found: the whole page would be a patch"
        assert len(stored[i][1]) < first / 4, (len(stored[i][1]), first)
    for i, image in enumerate(frames):
        assert np.array_equal(_compose(stored, f"f{i}"), np.asarray(image)), f"frame {i} differs"


def test_typing_and_switching_back_reuse_each_windows_keyframe() -> None:
    from PIL import ImageDraw

    encoder = FrameEncoder()
    editor = _page(LINES[100:], 0)
    reader = _page(LINES, 0)
    typed = editor.copy()  # type: ignore[attr-defined]
    ImageDraw.Draw(typed).text((24, 40 + 24 * 27), "", font=font(16))
    ImageDraw.Draw(typed).rectangle((24, 700, 300, 716), fill="#fbfbf8")
    ImageDraw.Draw(typed).text((24, 698), "typed words Quorvex", font=font(16), fill="#1d1d1f")
    stored = []
    for i, (image, wid) in enumerate(((editor, 1), (reader, 2), (typed, 1))):
        result = encoder.encode(1, f"f{i}", image, wid)
        stored.append((f"f{i}", result.data))
    assert frame_codec.keyframe_of(stored[2][1]) == "f0"  # back in the editor: a delta on the editor's keyframe
    assert np.array_equal(_compose(stored, "f2"), np.asarray(typed))


def test_region_codec_is_lossless_for_text_and_lossy_for_video() -> None:
    from PIL import Image

    text = np.asarray(_page(LINES, 0))
    rng = np.random.default_rng(3)
    yy, xx = np.mgrid[0:240, 0:400]
    video = np.stack([128 + 100 * np.sin(xx / 40), 128 + 100 * np.sin(yy / 30), 128 + 90 * np.sin((xx + yy) / 60)], -1)
    video = np.clip(video + rng.normal(0, 6, video.shape), 0, 255).astype(np.uint8)
    text_patch = frame_codec.encode_patch(text, (0, 30, 900, 200))
    video_patch = frame_codec.encode_patch(video, (0, 0, 400, 240))
    assert text_patch.lossless and not video_patch.lossless
    assert np.array_equal(frame_codec.decode_rgb(text_patch.data), text[30:230, 0:900])
    lossless_size = len(frame_codec.webp(video, lossless=True))
    assert len(video_patch.data) < lossless_size / 3, (len(video_patch.data), lossless_size)
    # A real dark-theme screenshot with coloured UI is still text: lossless.
    shot = np.asarray(Image.open(screen_path("16_dark_messenger.png")).convert("RGB"))
    assert frame_codec.encode_patch(shot, (0, 0, 960, 540)).lossless


def test_malformed_container_is_a_clear_error() -> None:
    encoder = FrameEncoder()
    encoder.encode(1, "a", _page(LINES, 0))
    data = encoder.encode(1, "b", _page(LINES, 3)).data
    with pytest.raises(frame_codec.FrameCodecError):
        frame_codec.parse(data[:-5])
    with pytest.raises(frame_codec.FrameCodecError):
        frame_codec.parse(b"not a frame")


def test_chains_stop_at_their_depth_and_a_missing_base_is_a_clear_error() -> None:
    encoder = FrameEncoder(max_depth=3)
    stored = []
    for i in range(6):
        result = encoder.encode(1, f"f{i}", _page(LINES, i))
        stored.append((f"f{i}", result.data))
    bases = [frame_codec.keyframe_of(data) for _, data in stored]
    assert bases == [None, "f0", "f1", "f2", "f2", "f2"]  # f3 is as deep as allowed: later ones build on f2
    for i in range(6):
        assert np.array_equal(_compose(stored, f"f{i}"), np.asarray(_page(LINES, i)))
    by_id = dict(stored)
    del by_id["f1"]  # forgotten
    with pytest.raises(frame_codec.FrameCodecError, match="f1"):
        frame_codec.resolve(by_id["f3"], by_id.get)


def test_forgotten_keyframe_is_never_referenced() -> None:
    encoder = FrameEncoder()
    encoder.encode(1, "a", _page(LINES, 0))
    encoder.forget("a")
    assert encoder.encode(1, "b", _page(LINES, 3)).keyframe is None


def test_ocr_planning_and_encoding_compare_a_frame_with_the_same_earlier_frame_once(monkeypatch: Any) -> None:
    """The processor's comparison with its reference is the encoder's with its base (the same array): run once."""
    from datetime import UTC, datetime

    from core.capture.screen import change
    from core.capture.screen.frames import CapturedFrame
    from core.capture.screen.grab import Frame, Monitor, image_to_pixels
    from core.capture.screen.processor import FrameProcessor
    from core.capture.screen.window import VisibleWindow
    from core.normalize.ocr import TesseractOcr
    from core.redact.redactor import Redactor

    if not TesseractOcr().available():
        pytest.skip("tesseract not installed")
    pairs: list[tuple[int, int]] = []
    real_diff, real_scroll = change.diff, change.find_scroll

    def counting_diff(prev: Any, cur: Any, *args: Any, **kwargs: Any) -> Any:
        pairs.append((id(prev), id(cur)))
        return real_diff(prev, cur, *args, **kwargs)

    def counting_scroll(prev: Any, cur: Any, box: Any, *args: Any, **kwargs: Any) -> Any:
        pairs.append((id(prev), id(cur), *box))  # type: ignore[arg-type]
        return real_scroll(prev, cur, box, *args, **kwargs)

    monkeypatch.setattr(change, "diff", counting_diff)
    monkeypatch.setattr(change, "find_scroll", counting_scroll)
    processor = FrameProcessor(TesseractOcr(), Redactor.from_default_rules())
    window = VisibleWindow(3, "notes", "Notes", 0, 0, 960, 540, focused=True)
    lines = [f"Line {i} of the Lindenstrasse notes with quokka {i * 13}" for i in range(40)]
    frames = [image_to_pixels(render_lines(lines[:12])), image_to_pixels(render_lines(lines[3:15]))]  # scrolled 3
    for seq, pixels in enumerate(frames):
        processor.process(CapturedFrame(Frame(Monitor(1, 0, 0, 960, 540), pixels, datetime.now(UTC)), window, seq))
    second = [p for p in pairs if p[0] == id(frames[0]) and p[1] == id(frames[1])]
    assert second, "the second frame was compared with the first"
    assert len(second) == len(set(second)), second  # no comparison ran twice


def test_patches_cut_from_the_grab_pixels_are_the_patches_cut_from_the_image() -> None:
    """The processor hands the encoder the grab's packed pixels; the deltas are byte-identical to those of the image."""
    from core.capture.screen.grab import image_to_pixels

    with_pixels, from_image = FrameEncoder(), FrameEncoder()
    for n, top in enumerate((0, 3, 3)):
        image = _page(LINES, top)
        if n == 2:  # a typed edit beside the scroll: a patch that is not a whole band
            from PIL import ImageDraw

            ImageDraw.Draw(image).text((900, 300), "Brenquist 4711", font=font(16), fill="#b00020")
        a = with_pixels.encode(1, f"f{n}", image, 7, image_to_pixels(image))
        b = from_image.encode(1, f"f{n}", image, 7)
        assert a == b
        assert (n == 0) == (a.keyframe is None)


def test_a_delta_without_a_move_takes_its_patches_from_the_comparison_already_made(monkeypatch: Any) -> None:
    """Typing (no scroll): the residual after moves is the change itself, so no second whole-frame diff."""
    from PIL import ImageDraw

    from core.capture.screen import change

    compared: list[tuple[int, int]] = []
    real_diff = change.diff

    def counting_diff(prev: Any, cur: Any, *args: Any, **kwargs: Any) -> Any:
        compared.append((id(prev), id(cur)))
        return real_diff(prev, cur, *args, **kwargs)

    encoder = FrameEncoder()
    editor = _page(LINES[100:], 0)
    typed = editor.copy()  # type: ignore[attr-defined]
    ImageDraw.Draw(typed).rectangle((24, 700, 300, 716), fill="#fbfbf8")
    ImageDraw.Draw(typed).text((24, 698), "typed words Quorvex", font=font(16), fill="#1d1d1f")
    stored = [("f0", encoder.encode(1, "f0", editor, 1).data)]
    monkeypatch.setattr(change, "diff", counting_diff)
    result = encoder.encode(1, "f1", typed, 1)
    stored.append(("f1", result.data))
    assert frame_codec.keyframe_of(result.data) == "f0"
    assert len(compared) == 1, compared  # the keyframe against the typed frame, once
    assert np.array_equal(_compose(stored, "f1"), np.asarray(typed))
