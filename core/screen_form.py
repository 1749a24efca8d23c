"""The focused window's form, read off the screen for autofill: where the window is, its pixels, its labelled fields.

``window_box`` finds a window (the focused one by default), ``grab_window``
takes its pixels (in memory only, never written to disk), ``find_form``
OCRs them into labelled fields with click targets, and ``FieldReader`` tells
whether a field now shows a value (autofill's read-back after typing).
This is the app-level service the UI's autofill uses, so the UI reaches
neither the screen capture nor OCR itself.

Threads: any thread (OCR takes ~0.5 s: use a worker).  Errors: X11 and
tesseract errors propagate.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from core.memory.profile.autofill import LocatedField, fields_from_ocr


@dataclass(frozen=True, slots=True)
class WindowBox:
    """A window's position on screen (pixels)."""

    left: int
    top: int
    width: int
    height: int


def window_box(window_id: int | None = None, display: str | None = None) -> WindowBox | None:
    """Where a window is on screen: ``window_id``'s, or the focused window's when None."""
    from core.capture.screen.window_backends import open_window_info

    info = open_window_info(display)
    try:
        for window in info.visible_windows():
            if (window_id is None and window.focused) or window.window_id == window_id:
                return WindowBox(window.left, window.top, window.width, window.height)
    finally:
        info.close()
    return None


def grab_window(box: WindowBox, display: str | None = None) -> Any:
    """A PIL image of the window's area (in memory only, never written to disk)."""
    import mss
    from PIL import Image

    kwargs: dict[str, Any] = {"display": display} if display else {}
    with mss.MSS(**kwargs) as screen:
        shot = screen.grab({"left": box.left, "top": box.top, "width": box.width, "height": box.height})
        return Image.frombytes("RGB", shot.size, shot.rgb)


def find_form(image: Any, ocr: Any | None = None) -> list[LocatedField]:
    """Labelled fields in a window image, with click targets in window coordinates."""
    from core.normalize.ocr import TesseractOcr

    engine = ocr or TesseractOcr(psm=11)
    located = fields_from_ocr(engine.recognize(image).words)
    return [_snap_to_input(image, f) for f in located]


def _snap_to_input(image: Any, located: LocatedField, reach: int = 320, jump: int = 40) -> LocatedField:
    """Move the click target just inside the input box: the first strong edge right of the label."""
    import dataclasses

    import numpy as np

    gray = np.asarray(image.convert("L"), dtype=np.int16)
    left, top, width, height = located.label_box
    y = min(max(top + height // 2, 0), gray.shape[0] - 1)
    start = left + width + 4
    row = gray[y, start : min(start + reach, gray.shape[1])]
    if row.size < 3:
        return located
    background = int(np.median(row[: max(3, min(12, row.size))]))
    edges = np.nonzero(np.abs(row - background) > jump)[0]
    if edges.size == 0:
        return located
    return dataclasses.replace(located, target=(start + int(edges[0]) + 12, y))


class FieldReader:
    """Reads back what a form's fields show: OCR of one field's row at a time."""

    def __init__(self) -> None:
        from core.normalize.ocr import TesseractOcr

        self._ocr = TesseractOcr(psm=7)  # one line: the field's row

    def shows(self, image: Any, target: tuple[int, int], value: str) -> bool:
        """Whether the input at ``target`` (window coordinates) shows ``value``."""
        return _shows(self._ocr, image, target, value)


def _shows(ocr: Any, image: Any, target: tuple[int, int], value: str, reach: int = 480) -> bool:
    """Whether the input at ``target`` shows ``value`` (OCR of its row; tolerant of OCR's small slips)."""
    from rapidfuzz import fuzz

    x, y = target
    left, top = max(0, x - 16), max(0, y - 18)
    band = image.crop((left, top, min(image.width, left + reach), min(image.height, y + 18)))
    # Only words centred on the field's own row: the band may catch the edge of the rows above and below.
    centre = y - top
    seen = "".join(w.text for w in ocr.recognize(band).words
                   if abs(w.top + w.height / 2 - centre) <= 9).casefold()
    wanted = "".join(value.split()).casefold()
    return fuzz.ratio(wanted, seen) >= 85  # the whole value: a field still being typed ("Berl") is not done
