"""Shared helpers for the screen-capture tests: real screenshots and rendered text frames."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

SCREENS = Path("/work/shared/data/screens")
FONT_CANDIDATES = (
    "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
    "/usr/share/fonts/TTF/DejaVuSans.ttf",
    "/Library/Fonts/Arial.ttf",
    "C:/Windows/Fonts/arial.ttf",
)


def screen_path(name: str) -> Path:
    path = SCREENS / name
    if not path.exists():
        pytest.skip(f"shared screenshot {name} not present")
    return path


def truth_words(json_path: Path) -> list[str]:
    return [w for entry in json.loads(json_path.read_text())["words"] for w in entry["t"].split()]


def font(size: int) -> Any:
    from PIL import ImageFont

    for candidate in FONT_CANDIDATES:
        if Path(candidate).exists():
            return ImageFont.truetype(candidate, size)
    pytest.skip("no TrueType font to render test text")


def render_lines(lines: list[str], size: tuple[int, int] = (960, 540), font_px: int = 22, top: int = 40) -> Any:
    """A white 'window' with black text lines, like a plain editor."""
    from PIL import Image, ImageDraw

    image = Image.new("RGB", size, "white")
    draw = ImageDraw.Draw(image)
    face = font(font_px)
    y = top
    for line in lines:
        draw.text((40, y), line, fill="black", font=face)
        y += int(font_px * 1.6)
    return image
