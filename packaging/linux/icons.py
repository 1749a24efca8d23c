"""Render Cairn's icon (assets/icons/cairn.svg) into the freedesktop hicolor sizes for the .deb.

``python packaging/linux/icons.py OUT_DIR`` writes ``OUT_DIR/<n>x<n>/apps/cairn.png`` for each
size and ``OUT_DIR/scalable/apps/cairn.svg``.  Needs only QtSvg (no display).
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

SIZES = (16, 22, 24, 32, 48, 64, 128, 256, 512)
ICON_NAME = "cairn"
SOURCE = Path(__file__).resolve().parents[2] / "assets" / "icons" / "cairn.svg"


def render_hicolor(out: Path, source: Path = SOURCE) -> list[Path]:
    """Write every size (and the SVG as scalable); returns the files written."""
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QGuiApplication, QImage, QPainter
    from PySide6.QtSvg import QSvgRenderer

    _app = QGuiApplication.instance() or QGuiApplication(["icons", "-platform", "offscreen"])
    renderer = QSvgRenderer(str(source))
    if not renderer.isValid():
        raise ValueError(f"{source} is not a valid SVG")
    written: list[Path] = []
    for size in SIZES:
        image = QImage(size, size, QImage.Format.Format_ARGB32)
        image.fill(Qt.GlobalColor.transparent)
        painter = QPainter(image)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        renderer.render(painter)
        painter.end()
        target = out / f"{size}x{size}" / "apps" / f"{ICON_NAME}.png"
        target.parent.mkdir(parents=True, exist_ok=True)
        if not image.save(str(target), "PNG"):
            raise OSError(f"could not write {target}")
        written.append(target)
    scalable = out / "scalable" / "apps" / f"{ICON_NAME}.svg"
    scalable.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(source, scalable)
    written.append(scalable)
    return written


if __name__ == "__main__":
    for path in render_hicolor(Path(sys.argv[1])):
        print(path)
