"""Turn a captured frame into a finished one: OCR only what changed, redact, encode.

For each frame the processor picks the cheapest reference among the frames it
already OCR'd (the last one on this monitor, and the last one of each recent
window, so switching back to an app costs no OCR), then:

- unchanged against that reference: the words are reused;
- regions that scrolled (``change.find_scroll``): the words move with the
  content and only the newly exposed bands are OCR'd;
- other changed regions: OCR'd grown to whole text lines
  (``change.expand_to_lines``), all regions stacked into one image so
  tesseract runs once per frame (each run has a fixed cost);
- minor regions (caret, scrollbar thumb, a clock digit) are not OCR'd: their
  old words stay until a real change covers them;
- moving pictures are not OCR'd: tiles that were a picture without words in
  the reference and are a picture now (a playing video, an animation) keep
  their (no) words; text beside them is OCR'd as usual;
- when the area to OCR exceeds ``region_max_fraction`` of the frame (an app
  switch, a new page), the whole frame is OCR'd.

Then the words go through the redactor (secret words become ``REDACTED_WORD``
and their boxes are blacked out in the stored image, inherited ones included),
the text is built and redacted once more, identical text to the frame stored
before on this monitor is skipped, and the image is encoded.  Only the lines
not on the same window's previous stored frame are handed on for the search
index (``FinishedFrame.index_text``; the whole text once every
``index_refresh_s``).

Threads: one processor per OCR worker thread; not thread-safe.
Errors: ``OcrTimeout``/``OcrFailed``/``OcrUnavailable`` from the OCR engine pass through.
"""

from __future__ import annotations

import hashlib
import logging
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

import numpy as np

from core.capture.screen import change as ch
from core.capture.screen.accessible import AccessibleText, texts_to_words
from core.capture.screen.comparisons import FrameComparisons, RowSignatureCache
from core.capture.screen.daemon_config import DaemonConfig
from core.capture.screen.encode import encode_thumbnail
from core.capture.screen.frames import CapturedFrame, FinishedFrame
from core.capture.screen.grab import FrameImage
from core.capture.screen.keyframes import FrameEncoder
from core.capture.screen.reference_plan import Plan, Reference, plan_against
from core.capture.screen.stacking import ocr_stacked
from core.capture.screen.text_size import large_text
from core.normalize.ocr import OcrWord, TesseractOcr, words_to_text
from core.redact.redactor import Redactor, blackout

Box = tuple[int, int, int, int]
REDACTED_WORD = "[REDACTED]"
_log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Outcome:
    """What happened to one frame: a finished frame, or the reason it was skipped."""

    frame: FinishedFrame | None
    skip_reason: str | None
    ocr_seconds: float
    ocr_fraction: float  # OCR'd area / frame area (0 when words were reused)
    ran_ocr: bool


class FrameProcessor:
    def __init__(
        self,
        ocr: TesseractOcr,
        redactor: Redactor,
        *,
        region_max_fraction: float = 0.35,
        margin: int = 24,
        window_references: int = 4,
        encoder: FrameEncoder | None = None,
        skip_moving_pictures: bool = True,
        native_scale: bool = True,
        index_refresh_s: float = 600.0,
    ) -> None:
        self.ocr = ocr
        self.encoder = encoder or FrameEncoder()
        self.skip_moving_pictures = skip_moving_pictures
        self.native_scale = native_scale  # large text OCR'd at 1x (_native_scale); False: the recipe's 2x always
        self.redactor = redactor
        self.region_max_fraction = region_max_fraction
        self.margin = margin
        self.window_references = window_references
        self._by_monitor: dict[int, Reference] = {}
        self._by_window: OrderedDict[tuple[int, int], Reference] = OrderedDict()
        self._last_text_hash: dict[int, str] = {}
        self.index_refresh_s = index_refresh_s
        # Per (monitor, window): when its whole text was last indexed, and the lines of its last stored frame.
        self._indexed: OrderedDict[tuple[int, int | None], tuple[datetime, frozenset[str]]] = OrderedDict()
        self._block_counter = 0
        self._rows = RowSignatureCache()  # row hashes of recent frames, for the scroll search

    @classmethod
    def from_config(cls, ocr: TesseractOcr, redactor: Redactor, config: DaemonConfig) -> FrameProcessor:
        """A processor with the daemon's settings (one per OCR worker thread)."""
        return cls(ocr, redactor, region_max_fraction=config.region_max_fraction, margin=config.ocr_margin,
                   encoder=FrameEncoder(deltas=config.delta_frames), skip_moving_pictures=config.skip_moving_pictures,
                   native_scale=config.native_scale_ocr, index_refresh_s=config.index_refresh_s)

    def process(self, captured: CapturedFrame) -> Outcome:
        frame = captured.frame
        pixels = frame.pixels
        monitor = frame.monitor.index
        window_key = (monitor, captured.window.window_id) if captured.window else None
        image = FrameImage(pixels)  # the whole PIL image only if something needs it (crops suffice for OCR)

        comparisons = FrameComparisons(pixels, self._rows)  # shared with the encoder: each comparison runs once
        if captured.compared is not None:  # the capture thread compared it with the window's last frame already
            comparisons.know(*captured.compared)
        words, ocr_regions, seconds, fraction = self._words_for(pixels, image, monitor, captured.accessible,
                                                                comparisons, window_key)
        reference = Reference(pixels, words)

        # Redact words (new and inherited: a secret may span both), then the text and the title.
        redaction = self.redactor.redact_words(words)
        if redaction.word_indices:
            words = [
                replace(w, text=REDACTED_WORD) if i in redaction.word_indices else w for i, w in enumerate(words)
            ]
            reference.words = words
        self._remember(monitor, window_key, reference)
        text_result = self.redactor.redact(words_to_text(words))
        title = captured.window.title if captured.window else None
        title_result = self.redactor.redact(title) if title else None
        redactions = len(redaction.findings) + len(text_result.findings)
        redactions += len(title_result.findings) if title_result else 0

        ran_ocr = bool(ocr_regions)
        text = text_result.text
        if not text.strip():
            return Outcome(None, "empty_text", seconds, fraction, ran_ocr)
        text_hash = hashlib.blake2b(text.encode("utf-8"), digest_size=16).hexdigest()
        if self._last_text_hash.get(monitor) == text_hash:
            return Outcome(None, "duplicate_text", seconds, fraction, ran_ocr)

        if secret := [w.box for w in words if w.text == REDACTED_WORD]:
            blackout(image.get(), secret)
        frame_id = f"{frame.timestamp:%Y%m%dT%H%M%S.%f}-m{monitor}-{captured.seq}"
        redacted = any(w.text == REDACTED_WORD for w in words)  # blacked out: the grabbed pixels are not what is stored
        encoded = self.encoder.encode(monitor, frame_id, image, captured.window.window_id if captured.window else None,
                                      None if redacted else pixels, None if redacted else comparisons)
        # Thumbnails only for keyframes: a delta's preview is its composite scaled (ui.media), and a thumbnail
        # per stored frame was a fifth of the storage budget (bench.screen).
        thumb = encode_thumbnail(image.get()).data if encoded.keyframe is None else None
        index_text = self._index_text(window_key or (monitor, None), frame.timestamp, text)
        finished = FinishedFrame(
            frame_id=frame_id,
            timestamp=frame.timestamp,
            monitor=monitor,
            image=encoded.data,
            image_lossless=encoded.lossless,
            keyframe=encoded.keyframe,
            thumbnail=thumb,
            width=encoded.width,
            height=encoded.height,
            text=text,
            words=words,
            app=(captured.window.app or captured.window.process) if captured.window else None,
            window_title=title_result.text if title_result else None,
            url=captured.window.url if captured.window else None,
            ocr_regions=tuple(ocr_regions),
            redactions=redactions,
            index_text=index_text,
        )
        self._last_text_hash[monitor] = text_hash
        return Outcome(finished, None, seconds, fraction, ran_ocr)

    def _index_text(self, key: tuple[int, int | None], when: datetime, text: str) -> str | None:
        """The lines of ``text`` new since this window's previous stored frame (``None``: index all of it).

        Measured with bench.screen_live: the whole screen's text chunked and indexed again at every stored
        frame was most of the database (~25 kB a frame: chunks, FTS content and index beside the item's
        text).  The whole text is indexed again every ``index_refresh_s``, so forgetting one moment (or
        retention removing it) leaves a line that stays on screen unsearchable for at most that long.
        """
        lines = text.split("\n")
        last = self._indexed.get(key)
        full = last is None or (when - last[0]).total_seconds() >= self.index_refresh_s
        self._indexed[key] = (when if full or last is None else last[0], frozenset(lines))
        self._indexed.move_to_end(key)
        while len(self._indexed) > INDEXED_WINDOWS:
            self._indexed.popitem(last=False)
        if full or last is None:
            return None
        return "\n".join(line for line in lines if line not in last[1])

    # -- words -------------------------------------------------------------

    def _words_for(
        self, pixels: np.ndarray, image: Any, monitor: int, accessible: Sequence[AccessibleText] = (),
        comparisons: FrameComparisons | None = None, window: tuple[int, int] | None = None,
    ) -> tuple[list[OcrWord], list[Box], float, float]:
        """The frame's words: exact ones where the accessibility tree gave them, OCR (or reuse) for the rest."""
        covered = [t.box for t in accessible]
        comparisons = comparisons or FrameComparisons(pixels)
        words, regions, seconds, fraction = self._ocr_words(comparisons, image, monitor, covered, window)
        if not covered:
            return words, regions, seconds, fraction
        self._block_counter += 1000
        exact = texts_to_words(accessible, self._block_counter)
        return _order([w for w in words if not ch.centre_in(w.box, covered)], exact), regions, seconds, fraction

    def _ocr_words(
        self, comparisons: FrameComparisons, image: Any, monitor: int, covered: Sequence[Box],
        window: tuple[int, int] | None = None,
    ) -> tuple[list[OcrWord], list[Box], float, float]:
        pixels = comparisons.current
        height, width = pixels.shape
        frame_area = float(width * height)
        plan = self._best_plan(comparisons, monitor, self.skip_moving_pictures, window)
        if plan is None:
            return self._full(pixels, image, frame_area, covered)
        reference, change, to_ocr, inherited = plan.reference, plan.change, plan.to_ocr, plan.inherited
        if change.kind == "unchanged":
            return list(reference.words), [], 0.0, 0.0
        if covered:  # text the accessibility tree gave exactly is not OCR'd
            to_ocr = [p for box in to_ocr for p in ch.subtract(box, covered) if min(p[2], p[3]) >= MIN_OCR_SIDE]

        padded = ch.merge_boxes([ch.expand_to_lines(pixels, b, self.margin) for b in to_ocr], gap=self.margin)
        ocr_area = sum(ch.area(b) for b in padded)
        # Geometry only (no content): what the change looked like and what will be OCR'd.
        _log.debug("monitor %s: regions %s, OCR %.3f of the frame in %s",
                   monitor, change.all_regions, ocr_area / frame_area, padded)
        if ocr_area > self.region_max_fraction * frame_area:
            return self._full(pixels, image, frame_area, covered)

        replaced = list(change.regions)
        kept = [w for w in reference.words if not any(ch.intersects(w.box, r) for r in replaced)]
        new_words: list[OcrWord] = []
        seconds = 0.0
        if padded:
            scale = _native_scale(reference.words) if self.native_scale else None
            recognised, seconds = self._ocr_stacked(image, padded, scale)
            # Words entirely in the margin are kept from the reference instead (they were whole there).
            new_words = [w for w in recognised if any(ch.intersects(w.box, r) for r in to_ocr)]
            _log.debug("monitor %s: %d words OCR'd (%d kept) in %.2f s", monitor, len(recognised), len(new_words), seconds)
        words = _order(kept + inherited, new_words)
        return words, padded, seconds, ocr_area / frame_area

    def _full(self, pixels: np.ndarray, image: Any, frame_area: float,
              covered: Sequence[Box] = ()) -> tuple[list[OcrWord], list[Box], float, float]:
        image = image.get() if isinstance(image, FrameImage) else image
        # No reference words to judge the text size by: the pixels tell (text_size); large text at 1x.
        scale = 1.0 if self.native_scale and large_text(pixels) else None
        if covered:
            rest = [p for p in ch.subtract((0, 0, image.width, image.height), covered)
                    if min(p[2], p[3]) >= MIN_OCR_SIDE]
            rest_area = sum(ch.area(p) for p in rest)
            if not rest:
                return [], [], 0.0, 0.0
            if rest_area <= self.region_max_fraction * frame_area:  # a title bar, a toolbar: only those
                words, seconds = self._ocr_stacked(image, rest, scale)
                return words, rest, seconds, rest_area / frame_area
            image = _flattened(image, covered)  # the rest is most of the frame: blank what is known
        result = self.ocr.recognize(image, upscale=scale)
        words = self._renumber(result.words)
        _log.debug("whole frame: %d words OCR'd in %.2f s", len(words), result.seconds)
        return words, [(0, 0, image.width, image.height)], result.seconds, 1.0

    def _ocr_stacked(self, image: Any, boxes: Sequence[Box], upscale: float | None = None) -> tuple[list[OcrWord], float]:
        words, seconds = ocr_stacked(self.ocr, image, boxes, upscale)
        return self._renumber(words), seconds

    def _renumber(self, words: Sequence[OcrWord]) -> list[OcrWord]:
        """Give each OCR pass its own block numbers so lines from two passes never merge."""
        self._block_counter += 1000
        base = self._block_counter
        return [w.in_block(base) for w in words]

    # -- references ----------------------------------------------------------

    def _best_plan(self, comparisons: FrameComparisons, monitor: int, skip_pictures: bool,
                   window: tuple[int, int] | None = None) -> Plan | None:
        """The reference that leaves the least to OCR (scrolled content counts as reused)."""
        # Every remembered window of this monitor is a candidate, not only the one the window list
        # names (a frame taken during a switch can carry the other window's id).  Ranking is by what
        # is left to OCR, not by changed pixels: two windows with the same layout differ by fewer
        # pixels than one window scrolled by a few lines, yet the scroll costs only its new band
        # (measured in bench.screen: the wrong choice cost a whole-frame OCR, ~2.3 CPU-s).
        # The named window's own frame goes first: it is the best one as a rule, and the others are then
        # dismissed by their lower bound (``_plan``) before their pictures are weighed.
        candidates = [self._by_window.get(window) if window is not None else None, self._by_monitor.get(monitor)]
        candidates.extend(ref for key, ref in reversed(self._by_window.items()) if key[0] == monitor)
        best: Plan | None = None
        seen: set[int] = set()
        for reference in candidates:
            if reference is None or id(reference) in seen or reference.pixels.shape != comparisons.current.shape:
                continue
            seen.add(id(reference))
            plan = plan_against(reference, comparisons, skip_pictures, None if best is None else best.cost)
            if plan is None:  # it cannot cost less than the best so far
                continue
            if best is None or plan.cost < best.cost:
                best = plan
            if plan.cost == 0:
                break
        return best

    def _remember(self, monitor: int, window_key: tuple[int, int] | None, reference: Reference) -> None:
        self._by_monitor[monitor] = reference
        if window_key is not None:
            self._by_window[window_key] = reference
            self._by_window.move_to_end(window_key)
            while len(self._by_window) > self.window_references:
                self._by_window.popitem(last=False)


# Text this large reads as well at 1x as at the recipe's 2x upscale, for half the CPU (tesseract's cost
# grows with the pixels it is given).  Measured on the 18 real screenshots of ../shared/data/screens
# with their font sizes: a word's OCR box is 8-9 px tall for 11-13 px fonts, 11 (p25 10) for 14-15 px,
# 12 for 16 px, 14 for 20 px; at 1x, 14-15 px fonts lost 5 % of their words, 16 px and up none.  The
# lower quartile (not the median) of the reference's word heights decides, so a window that mixes
# small print with large headings keeps the 2x upscale.  A HiDPI screen (2x scale) lands here.
NATIVE_SCALE_MIN_HEIGHT = 12
NATIVE_SCALE_MIN_WORDS = 20


def _native_scale(words: Sequence[OcrWord]) -> float | None:
    """1.0 when the reference's text is large enough to OCR at native size, else None (the recipe's upscale)."""
    heights = sorted(w.height for w in words if w.text != REDACTED_WORD)
    if len(heights) < NATIVE_SCALE_MIN_WORDS or heights[len(heights) // 4] < NATIVE_SCALE_MIN_HEIGHT:
        return None
    return 1.0


# Windows whose last stored lines are remembered for the index (an evicted one is indexed whole again).
INDEXED_WINDOWS = 32


# A piece of a changed region left beside accessible text thinner than this holds no readable line.
MIN_OCR_SIDE = 8


def _flattened(image: Any, covered: Sequence[Box]) -> Any:
    """A copy of ``image`` with the ``covered`` boxes painted in their corner's colour (nothing there to read)."""
    from PIL import ImageDraw

    copy = image.copy()
    draw = ImageDraw.Draw(copy)
    for left, top, width, height in covered:
        draw.rectangle((left, top, left + width - 1, top + height - 1), fill=copy.getpixel((left, top)))
    return copy


def _order(existing: list[OcrWord], new: list[OcrWord]) -> list[OcrWord]:
    """Existing words keep their order; each new block goes before the first existing block below it."""
    blocks: list[list[OcrWord]] = []
    index: dict[int, int] = {}
    for word in existing:
        key = word.line[0]
        if key not in index:
            index[key] = len(blocks)
            blocks.append([])
        blocks[index[key]].append(word)
    new_blocks: dict[int, list[OcrWord]] = {}
    for word in new:
        new_blocks.setdefault(word.line[0], []).append(word)
    for block in new_blocks.values():
        nb = ch.union([w.box for w in block])
        position = len(blocks)
        for i, other in enumerate(blocks):
            ob = ch.union([w.box for w in other])
            horizontal_overlap = nb[0] < ob[0] + ob[2] and ob[0] < nb[0] + nb[2]
            if horizontal_overlap and ob[1] >= nb[1]:
                position = i
                break
        blocks.insert(position, block)
    return [w for block in blocks for w in block]
