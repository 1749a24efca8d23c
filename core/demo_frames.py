"""The demo's screenshots with their dates moved: picture, word boxes and text agree for any shift.

The demo moves its story by whole weeks (``core.demo.demo_shift``).  A screenshot's text moves its dates with
it, so its picture must too: each date a demo frame shows lies in a *live* text (``tools.make_demo_screens``
records where Qt drew it: pen position, font size, box, colours).  Here that text is drawn again, moved,
in the same font at the same place, its OCR words are replaced by the words as drawn (boxes from the font's
own metrics), and the frame's text gets the same words.  Weekday names stay true: a move is whole weeks.

Threads: any thread (PIL only, no Qt).  Redrawing a frame costs a decode and an encode (tens of ms); only
frames whose live texts change are redrawn.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache
from pathlib import Path
from typing import Any

FONT = Path(__file__).resolve().parents[1] / "assets" / "fonts" / "DejaVuSans.ttf"  # what Qt drew them in
WEBP_QUALITY = 88  # as tools.make_demo_screens saves them
_DARKER = [round(255 * (v / 255) ** 0.8) for v in range(256)]  # coverage → alpha, measured against Qt's


@dataclass(frozen=True, slots=True)
class LiveText:
    """One text of a frame that moves with the demo, as drawn: ``written`` at pen ``x``/``baseline``."""

    written: str
    moved: str
    x: float
    baseline: float
    size: int
    box: tuple[int, int, int, int]  # what the written text covered: left, top, right, bottom
    fg: str
    bg: str


@dataclass(frozen=True, slots=True)
class MovedFrame:
    text: str
    words: list[list[Any]]
    redraw: tuple[LiveText, ...]  # empty: the stored picture already shows these dates

    def image(self, stored: bytes) -> bytes:
        """The frame's picture (``stored``: as written) showing the moved dates."""
        return draw(stored, self.redraw) if self.redraw else stored


def move_frame(entry: dict[str, Any], shift: timedelta, shift_text: Callable[[str, datetime, timedelta], str]
               ) -> MovedFrame:
    """Text and word boxes of the manifest ``entry`` with its dates moved by ``shift``, and what to redraw.

    ``shift_text`` moves the dates of a text written at a time (``core.demo.shift_text``)."""
    written = datetime.fromisoformat(entry["when"])
    words: list[list[Any]] = [list(w) for w in entry.get("words") or ()]
    text = str(entry.get("text") or "")
    lives = [_live(raw, shift_text(str(raw["text"]), written, shift)) for raw in entry.get("live") or ()]
    changed = tuple(live for live in lives if live.moved != live.written)
    placeholders: list[str] = []
    for number, live in enumerate(changed):
        inside = [i for i, w in enumerate(words) if _centre_in(w, live.box)]
        read = " ".join(str(words[i][0]) for i in inside)  # what OCR read there, as the text has it
        at = inside[0] if inside else len(words)
        words = [w for i, w in enumerate(words) if i not in set(inside)]
        words[at:at] = drawn_words(live)
        mark = f"\x00{number}\x00"
        if read and read in text:
            text = text.replace(read, mark, 1)
            placeholders.append(mark)
        else:  # OCR split the line differently: the moved text is added on its own line
            text += "\n" + mark
            placeholders.append(mark)
    text = shift_text(text, written, shift)  # dates outside the live texts (none in the demo) move too
    for mark, live in zip(placeholders, changed, strict=True):
        text = text.replace(mark, live.moved)
    return MovedFrame(text=text, words=words, redraw=changed)


def drawn_words(live: LiveText) -> list[list[Any]]:
    """The words of ``live.moved`` as ``draw`` puts them: ``[text, left, top, width, height, conf]``."""
    font = _font(live.size)
    out: list[list[Any]] = []
    for match in re.finditer(r"\S+", live.moved):
        pen = live.x + font.getlength(live.moved[:match.start()])
        left, top, right, bottom = font.getbbox(match.group(0), anchor="ls")
        x0, y0 = round(pen + left), round(live.baseline + top)
        out.append([match.group(0), x0, y0, round(pen + right) - x0, round(live.baseline + bottom) - y0, 99.0])
    return out


def draw(stored: bytes, lives: Sequence[LiveText]) -> bytes:
    """``stored`` (a WebP frame) with each live text erased and drawn again as moved."""
    from PIL import Image, ImageDraw  # late: PIL only where a frame is redrawn

    image = Image.open(io.BytesIO(stored)).convert("RGB")
    pen = ImageDraw.Draw(image)
    for live in lives:
        font = _font(live.size)
        left, top, right, bottom = live.box
        right = max(right, int(live.x + font.getlength(live.moved)) + 2)  # a longer date covers more
        pen.rectangle((left, top, right, bottom - 1), fill=live.bg)
        size = (right - left + 1, bottom - top)
        mask = Image.new("L", size, 0)  # only the line's box: a full-frame mask costs more than the text
        ImageDraw.Draw(mask).text((live.x - left, live.baseline - top), live.moved, fill=255, font=font,
                                  anchor="ls")
        # Qt's text is a little darker than FreeType's plain coverage: lift the edges as its gamma does
        image.paste(Image.new("RGB", size, live.fg), (left, top), mask.point(_DARKER))
    out = io.BytesIO()
    image.save(out, "WEBP", quality=WEBP_QUALITY, method=2)  # 4× faster than the default, 3 % larger
    return out.getvalue()


def _live(raw: dict[str, Any], moved: str) -> LiveText:
    box = tuple(int(v) for v in raw["box"])
    return LiveText(written=str(raw["text"]), moved=moved, x=float(raw["x"]), baseline=float(raw["baseline"]),
                    size=int(raw["size"]), box=(box[0], box[1], box[2], box[3]), fg=str(raw["fg"]),
                    bg=str(raw["bg"]))


def _centre_in(word: Sequence[Any], box: tuple[int, int, int, int]) -> bool:
    if len(word) < 5:
        return False
    x, y = float(word[1]) + float(word[3]) / 2, float(word[2]) + float(word[4]) / 2
    return box[0] <= x <= box[2] and box[1] <= y <= box[3]


@lru_cache(maxsize=4)
def _font(size: int) -> Any:
    from PIL import ImageFont

    return ImageFont.truetype(str(FONT), size)
