"""OCR recipe figures: word recall and CPU per 1080p frame on the shared screenshots, per configuration.

    .venv/bin/python -m bench.ocr [--screens ../shared/data/screens]

Runs Cairn's ``TesseractOcr`` (tesserocr in-process, one thread) on every
screenshot with ground truth, for the shipped recipe (grayscale, 2x Lanczos,
``--psm 3``) and the alternatives that were weighed against it: 1x, 1.5x and
1.75x upscaling, ``--psm 6``/``--psm 11``, and mostly dark pages handed to
tesseract inverted (the screen daemon's ``invert_dark``).  Recall counts ground-truth words
(normalised, as a multiset) found anywhere in the frame's words; CPU is the
process time of the recognition alone.  Needs ``../shared`` beside the checkout.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

from bench.table import print_table

CONFIGURATIONS = (
    ("shipped: gray, 2x, psm 3", {"upscale": 2.0, "psm": 3}),
    ("same, dark pages inverted (screen daemon)", {"upscale": 2.0, "psm": 3, "invert_dark": True}),
    ("gray, 1.75x, psm 3", {"upscale": 1.75, "psm": 3}),
    ("gray, 1.5x, psm 3", {"upscale": 1.5, "psm": 3}),
    ("gray, 1x, psm 3", {"upscale": 1.0, "psm": 3}),
    ("gray, 2x, psm 6", {"upscale": 2.0, "psm": 6}),
    ("gray, 2x, psm 11", {"upscale": 2.0, "psm": 11}),
)


def main() -> None:
    from PIL import Image

    from core.normalize.ocr import TesseractOcr, word_recall

    default = Path(__file__).resolve().parents[2] / "shared" / "data" / "screens"
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--screens", type=Path, default=default)
    args = parser.parse_args()
    pages = sorted(p for p in args.screens.glob("*.json") if p.with_suffix(".png").exists())
    if not pages:
        raise SystemExit(f"no screenshots with ground truth in {args.screens}")
    images = [Image.open(p.with_suffix(".png")).convert("RGB") for p in pages]
    truths = [[w for e in json.loads(p.read_text())["words"] for w in e["t"].split()] for p in pages]
    rows = []
    for label, options in CONFIGURATIONS:
        # No time limit: on a loaded machine the 11 px page takes longer than the default 30 s.
        ocr = TesseractOcr(backend="library", timeout_s=600.0, **options)  # type: ignore[arg-type]
        recalls, cpu = [], 0.0
        for image, truth in zip(images, truths, strict=True):
            started = time.process_time()
            result = ocr.recognize(image)
            cpu += time.process_time() - started
            recalls.append(word_recall(truth, [w.text for w in result.words]))
        worst = min(range(len(pages)), key=recalls.__getitem__)
        rows.append((label, f"{sum(recalls) / len(recalls):.3f}", f"{cpu / len(pages):.2f}",
                     f"{recalls[worst]:.3f} ({pages[worst].stem})"))
    print(f"{len(pages)} screenshots from {args.screens}")
    print_table(("configuration", "mean word recall", "CPU s/frame", "worst page"), rows)


if __name__ == "__main__":
    main()
