"""The memory graph page.  The memory area provides the real view as ``ui.graph.page.GraphPage``;
until it lands this package shows a placeholder that says what will appear here.

Contract for the real page: ``GraphPage(session: ui.session.Session, media: ui.media.MediaCache)``,
a QWidget that talks to the core only through ``session.run(...)`` and emits
``open_item(int item_id, list[str] terms)`` to show a memory in the timeline.
"""

from __future__ import annotations

import importlib
from typing import Any


def create_page(session: Any, media: Any) -> Any:
    """The graph page: the memory area's ``GraphPage`` when present, else a placeholder."""
    try:
        module = importlib.import_module("ui.graph.page")
    except ModuleNotFoundError as exc:
        if exc.name != "ui.graph.page":
            raise
        return _placeholder()
    return module.GraphPage(session, media)


def _placeholder() -> Any:
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

    page = QWidget()
    page.setAccessibleName("Memory graph")
    title = QLabel("Memory graph")
    title.setObjectName("Hero")
    title.setAlignment(Qt.AlignmentFlag.AlignCenter)
    text = QLabel("People, places, projects and topics from your memories, linked over time, will appear "
                  "here once Cairn has consolidated your memory (<code>cairn consolidate</code>, or "
                  "automatically while the computer is idle).")
    text.setWordWrap(True)
    text.setAlignment(Qt.AlignmentFlag.AlignCenter)
    text.setProperty("muted", True)
    text.setMaximumWidth(560)
    layout = QVBoxLayout(page)
    layout.addStretch(1)
    layout.addWidget(title)
    layout.addWidget(text, 0, Qt.AlignmentFlag.AlignHCenter)
    layout.addStretch(2)
    return page
