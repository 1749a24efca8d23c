"""HiDPI: icons are drawn for 2x pixels, not scaled up from 1x ones (blurry on a 2x monitor)."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QSize


def test_icons_are_drawn_for_2x_screens(theme: Any) -> None:
    from ui import theme as themes

    for name, logical in (("search", 16), ("timeline", 24), ("settings", 32)):
        icon = themes.icon(name, colour="#204080")
        pixmap = icon.pixmap(QSize(logical, logical), 2.0)
        assert (pixmap.width(), pixmap.height()) == (2 * logical, 2 * logical), (name, pixmap.size())
        svg = (themes.ICON_DIR / f"{name}.svg").read_text(encoding="utf-8").replace(themes.PLACEHOLDER_COLOUR,
                                                                                    "#204080")
        drawn = themes.render_svg(svg, QSize(logical, logical), 2.0)
        # The very pixels of a 2x rendering: an upscaled 1x pixmap differs along every anti-aliased edge.
        assert pixmap.toImage().convertToFormat(drawn.toImage().format()) == drawn.toImage(), name
