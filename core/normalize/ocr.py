"""OCR of screenshots with tesseract: words, boxes, confidences and reading-order text.

Recipe (measured in shared/models.md): grayscale, 2x Lanczos upscale, ``--psm 3``,
one thread (tesseract's OpenMP threading is 4-5x slower for identical output).

Two backends run the same tesseract engine, chosen by ``backend="auto"``:
- ``"library"``: ``tesserocr`` (tesseract's C++ API in-process, one API object per
  thread, reused).  Measured here: a 900x80 band costs 0.06 CPU-s against 0.25
  through the CLI, whose process start and model load take ~0.16 CPU-s per call:
  that start-up dominated the daemon's CPU once only changed regions were OCR'd.
  Its wheel bundles libtesseract (no OpenMP) but not the language data: it uses
  the system's ``eng.traineddata`` (``find_tessdata``).
- ``"cli"``: the ``tesseract`` program with the image on stdin (uncompressed PGM)
  and the TSV that pytesseract's ``image_to_data`` would parse on stdout, with
  ``OMP_THREAD_LIMIT=1``.  Not pytesseract itself: it writes the image and the
  recognised text to temporary files, and Cairn never puts plaintext user
  content on disk.

Threads: ``TesseractOcr`` may be shared; ``recognize`` runs on any thread (the
library backend keeps one tesseract API per thread; the CLI runs one process per call).
Errors: ``OcrUnavailable`` (no tesseract), ``OcrTimeout`` (stopped after
``timeout_s``), ``OcrFailed`` (tesseract reported an error).
"""

from __future__ import annotations

import contextlib
import importlib
import io
import os
import shutil
import subprocess
import sys
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from core.errors import CairnError

Box = tuple[int, int, int, int]  # left, top, width, height

_WINDOWS_DEFAULT = Path(r"C:\Program Files\Tesseract-OCR\tesseract.exe")
_TESSDATA_CANDIDATES = (
    "/usr/share/tesseract-ocr/5/tessdata",
    "/usr/share/tesseract-ocr/4.00/tessdata",
    "/usr/share/tessdata",
    "/usr/local/share/tessdata",
    "/opt/homebrew/share/tessdata",
    "/opt/local/share/tessdata",
    r"C:\Program Files\Tesseract-OCR\tessdata",
)


class OcrUnavailable(CairnError):
    """The tesseract program is not installed (or not where the settings say)."""


class OcrTimeout(CairnError):
    """Tesseract took longer than its per-frame timeout and was stopped."""


class OcrFailed(CairnError):
    """Tesseract exited with an error."""


@dataclass(frozen=True, slots=True)
class OcrWord:
    """One recognised word; the box is in the coordinates of the *original* frame.

    ``line`` identifies tesseract's (block, paragraph, line) so text can be rebuilt
    in reading order; words from different OCR passes get different first numbers.
    """

    text: str
    left: int
    top: int
    width: int
    height: int
    conf: float
    line: tuple[int, int, int] = (0, 0, 0)

    @property
    def box(self) -> Box:
        return (self.left, self.top, self.width, self.height)

    def moved(self, dx: int, dy: int) -> OcrWord:
        """The same word ``dx``/``dy`` pixels further right/down.

        Not ``dataclasses.replace``: the screen processor moves every word of a scrolled
        page at each frame, and ``replace`` cost ~14 us a word against ~1 us for this.
        """
        return OcrWord(self.text, self.left + dx, self.top + dy, self.width, self.height, self.conf, self.line)

    def in_block(self, block_offset: int) -> OcrWord:
        """The same word with its block number shifted by ``block_offset`` (see ``renumber``)."""
        line = (self.line[0] + block_offset, self.line[1], self.line[2])
        return OcrWord(self.text, self.left, self.top, self.width, self.height, self.conf, line)

    def to_json(self) -> list[Any]:
        """Compact form for item metadata: ``[text, left, top, width, height, conf]``."""
        return [self.text, self.left, self.top, self.width, self.height, round(self.conf, 1)]


@dataclass(frozen=True, slots=True)
class OcrResult:
    words: list[OcrWord]
    seconds: float  # wall time of the tesseract process

    @property
    def text(self) -> str:
        return words_to_text(self.words)


class TesseractOcr:
    """Tesseract with Cairn's recipe.  ``recognize`` takes a PIL image (any mode)."""

    def __init__(
        self,
        lang: str = "eng",
        psm: int = 3,
        upscale: float = 2.0,
        timeout_s: float = 30.0,
        min_conf: float = 0.0,
        tesseract_cmd: str | None = None,
        nice: int = 10,
        backend: str = "auto",
        tessdata: str | None = None,
        invert_dark: bool = False,
    ) -> None:
        if backend not in ("auto", "library", "cli"):
            raise ValueError(f"unknown OCR backend {backend!r}")
        self.lang = lang
        self.psm = psm
        self.upscale = upscale
        self.timeout_s = timeout_s
        self.min_conf = min_conf
        self.nice = nice
        self._cmd = tesseract_cmd
        self._backend_choice = backend
        self._tessdata = tessdata
        self.invert_dark = invert_dark  # light-on-dark images handed over inverted (``is_dark``)
        self._resolved: str | None = None
        self._local = threading.local()  # one tesseract API per thread (library backend)

    @property
    def command(self) -> str:
        cmd = self._cmd or shutil.which("tesseract")
        if cmd is None and sys.platform == "win32" and _WINDOWS_DEFAULT.exists():
            cmd = str(_WINDOWS_DEFAULT)
        if cmd is None:
            raise OcrUnavailable(
                "tesseract is not installed: install the 'tesseract-ocr' package "
                "(Windows: the UB Mannheim installer; macOS: 'brew install tesseract')"
            )
        return cmd

    @property
    def backend(self) -> str:
        """``"library"`` or ``"cli"``: what ``recognize`` uses (resolved on first use)."""
        if self._resolved is None:
            self._resolved = self._resolve_backend()
        return self._resolved

    def _resolve_backend(self) -> str:
        if self._backend_choice == "cli" or self._cmd is not None:
            return "cli"
        try:
            importlib.import_module("tesserocr")  # optional: the CLI works without it
        except ImportError:
            if self._backend_choice == "library":
                raise OcrUnavailable("the tesserocr package is not installed") from None
            return "cli"
        if find_tessdata(self.lang, self._tessdata) is None:
            if self._backend_choice == "library":
                raise OcrUnavailable(f"no tessdata folder with {self.lang}.traineddata found")
            return "cli"
        return "library"

    def available(self) -> bool:
        try:
            if self.backend == "cli":
                _ = self.command  # resolving the program's path is the check
        except OcrUnavailable:
            return False
        return True

    def recognize(self, image: Any, region: Box | None = None, upscale: float | None = None) -> OcrResult:
        """OCR ``image`` (or only ``region`` of it); boxes come back in ``image`` coordinates.

        ``upscale`` overrides the recipe's factor for this call (the screen processor reads
        text it already knows to be large at 1x).
        """
        from PIL import Image  # late: keeps `import core` cheap

        offset_x = offset_y = 0
        if region is not None:
            left, top, width, height = clamp_box(region, image.width, image.height)
            if width <= 0 or height <= 0:
                return OcrResult([], 0.0)
            image = image.crop((left, top, left + width, top + height))
            offset_x, offset_y = left, top
        gray = image.convert("L")
        if self.invert_dark and is_dark(gray):
            from PIL import ImageOps

            gray = ImageOps.invert(gray)
        scale = self.upscale if upscale is None else upscale
        if scale != 1.0:
            gray = gray.resize((round(gray.width * scale), round(gray.height * scale)), Image.Resampling.LANCZOS)
        started = time.monotonic()
        tsv = self._run_library(gray) if self.backend == "library" else self._run_cli(gray)
        seconds = time.monotonic() - started
        words = parse_tsv(tsv, scale=scale, offset=(offset_x, offset_y), min_conf=self.min_conf)
        return OcrResult(words, seconds)

    def _run_library(self, gray: Any) -> str:
        api = getattr(self._local, "api", None)
        if api is None:
            import tesserocr

            tessdata = find_tessdata(self.lang, self._tessdata)
            try:
                api = tesserocr.PyTessBaseAPI(path=str(tessdata) + os.sep, lang=self.lang, psm=self.psm)
            except RuntimeError as exc:
                raise OcrUnavailable(f"tesseract could not load {self.lang!r} from {tessdata}: {exc}") from exc
            self._local.api = api
        try:
            api.SetImage(gray)
            if not api.Recognize(timeout=max(1, int(self.timeout_s * 1000))):
                raise OcrTimeout(f"OCR took longer than {self.timeout_s:.0f} s and was stopped")
            return str(api.GetTSVText(0))
        except RuntimeError as exc:
            raise OcrFailed(f"tesseract failed: {exc}") from exc
        finally:
            api.Clear()  # frees the image and the recognition results (memory)

    def _run_cli(self, gray: Any) -> str:
        buffer = io.BytesIO()
        gray.save(buffer, format="PPM")  # a PGM for mode "L": no compression cost
        pgm = buffer.getvalue()
        from core.process_env import child_env

        env = child_env({"OMP_THREAD_LIMIT": "1"})
        args = [self.command, "stdin", "stdout", "-l", self.lang, "--psm", str(self.psm), "tsv"]
        try:
            proc = subprocess.Popen(
                args, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env
            )
        except OSError as exc:
            raise OcrUnavailable(f"cannot start tesseract ({args[0]}): {exc}") from exc
        if self.nice and hasattr(os, "setpriority"):
            # Background work: the user's apps come first.  Best effort (the process may be gone).
            with contextlib.suppress(OSError):
                os.setpriority(os.PRIO_PROCESS, proc.pid, self.nice)
        try:
            out, err = proc.communicate(pgm, timeout=self.timeout_s)
        except subprocess.TimeoutExpired as exc:
            proc.kill()
            proc.communicate()
            raise OcrTimeout(f"OCR took longer than {self.timeout_s:.0f} s and was stopped") from exc
        if proc.returncode != 0:
            message = err.decode("utf-8", "replace").strip().splitlines()
            raise OcrFailed(f"tesseract failed ({proc.returncode}): {' '.join(message[-3:])}")
        return out.decode("utf-8", "replace")


# Below this median grey level an image is mostly dark background (a dark theme, a terminal).
# Tesseract's model reads dark text on light: on a light-on-dark line it reads once, finds the
# confidence low, and reads the line again inverted (``tessedit_do_invert``).  Handing it the image
# inverted saves that first read: on the shared screenshots 03, 07, 10 and 16 (medians 21-30)
# 4.2 -> 2.9 CPU-s with the same words but one; pages with medians 85-93 (a dark sidebar beside
# light content) were slower inverted.  Turning ``tessedit_do_invert`` off instead lost most
# words of dark pages (0.93 -> 0.07), and saved nothing on light ones.
DARK_MEDIAN = 64


def is_dark(gray: Any) -> bool:
    """True when most of a greyscale PIL image is dark (its median level below ``DARK_MEDIAN``)."""
    import numpy as np

    return float(np.median(np.asarray(gray)[::4, ::4])) < DARK_MEDIAN


def find_tessdata(lang: str = "eng", explicit: str | None = None) -> Path | None:
    """The folder holding ``<lang>.traineddata`` (each of ``eng+deu``): explicit, ``$TESSDATA_PREFIX``, next to
    tesseract, usual places."""
    candidates: list[Path] = []
    if explicit:
        candidates.append(Path(explicit))
    prefix = os.environ.get("TESSDATA_PREFIX")
    if prefix:
        candidates += [Path(prefix), Path(prefix) / "tessdata"]
    program = shutil.which("tesseract")
    if program:
        root = Path(program).resolve().parent.parent
        candidates += [root / "share" / "tessdata", root / "tessdata"]
    candidates += [Path(c) for c in _TESSDATA_CANDIDATES]
    wanted = [part for part in lang.split("+") if part]  # "eng+deu": every language must be there
    for folder in candidates:
        if wanted and all((folder / f"{part}.traineddata").is_file() for part in wanted):
            return folder
    return None


def parse_tsv(
    tsv: str, scale: float = 1.0, offset: tuple[int, int] = (0, 0), min_conf: float = 0.0
) -> list[OcrWord]:
    """Words (level 5 rows) of tesseract's TSV output, boxes mapped back to the original image."""
    words: list[OcrWord] = []
    for row in tsv.splitlines():  # the CLI's header row fails the level check like other rows
        cols = row.split("\t")
        if len(cols) < 12 or cols[0] != "5":
            continue
        text = cols[11].strip()
        if not text:
            continue
        try:
            conf = float(cols[10])
            left, top, width, height = (int(c) for c in cols[6:10])
            line = (int(cols[2]), int(cols[3]), int(cols[4]))
        except ValueError:
            continue
        if conf < min_conf:
            continue
        words.append(
            OcrWord(
                text=text,
                left=round(left / scale) + offset[0],
                top=round(top / scale) + offset[1],
                width=max(1, round(width / scale)),
                height=max(1, round(height / scale)),
                conf=conf,
                line=line,
            )
        )
    return words


def words_to_text(words: Sequence[OcrWord]) -> str:
    """Reading-order text: words of one tesseract line joined by spaces, one line per row."""
    lines: list[str] = []
    current: tuple[int, int, int] | None = None
    for word in words:
        if word.line != current:
            lines.append(word.text)
            current = word.line
        else:
            lines[-1] += " " + word.text
    return "\n".join(lines)


def renumber(words: Sequence[OcrWord], block_offset: int) -> list[OcrWord]:
    """The same words with block numbers shifted, so two OCR passes never share a line id."""
    return [w.in_block(block_offset) for w in words]


def clamp_box(box: Box, width: int, height: int) -> Box:
    left, top, w, h = box
    left2 = max(0, min(width, left))
    top2 = max(0, min(height, top))
    right = max(left2, min(width, left + w))
    bottom = max(top2, min(height, top + h))
    return (left2, top2, right - left2, bottom - top2)


def normalise_word(text: str) -> str:
    """Lower-case, outer punctuation stripped: how recall counts a word as found."""
    return text.lower().strip(".,:;!?\"'()[]{}<>«»“”‘’|*-–—_/\\")


def word_recall(truth: Sequence[str], found: Sequence[str]) -> float:
    """Share of ``truth`` words (multiset, normalised) present in ``found``; 1.0 if nothing to find."""
    from collections import Counter

    want = Counter(w for w in map(normalise_word, truth) if w)
    have = Counter(w for w in map(normalise_word, found) if w)
    total = sum(want.values())
    return sum((want & have).values()) / total if total else 1.0
