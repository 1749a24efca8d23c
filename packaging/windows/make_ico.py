"""Render assets/icons/cairn.svg into a multi-size Windows .ico: ``python make_ico.py OUT.ico`` (needs QtSvg)."""

from __future__ import annotations

import sys
from pathlib import Path

SOURCE = Path(__file__).resolve().parents[2] / "assets" / "icons" / "cairn.svg"


def main(out: str) -> None:
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QGuiApplication, QImage, QPainter
    from PySide6.QtSvg import QSvgRenderer

    _app = QGuiApplication.instance() or QGuiApplication(["make_ico", "-platform", "offscreen"])
    renderer = QSvgRenderer(str(SOURCE))
    image = QImage(256, 256, QImage.Format.Format_ARGB32)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    renderer.render(painter)
    painter.end()
    if not image.save(out, "ICO"):  # Qt's ICO writer stores the 256 px image; Windows scales it down
        raise SystemExit(f"could not write {out}")


if __name__ == "__main__":
    main(sys.argv[1])
