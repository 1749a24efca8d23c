"""The main window's pages, built on first use: timeline, search, ask, the memory graph and the profile.

Threads: GUI thread only.  Errors: ``KeyError`` for an unknown page (a programming error).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtWidgets import QWidget

from ui.media import MediaCache
from ui.session import Session


def build_page(key: str, session: Session, media: MediaCache, open_item: Callable[..., Any]) -> QWidget:
    """The page ``key``; pages that show memories open them through ``open_item(item_id, terms)``."""
    if key == "timeline":
        from ui.timeline.page import TimelinePage

        return TimelinePage(session, media)
    if key == "search":
        from ui.search.page import SearchPage

        page = SearchPage(session, media)
        page.open_in_timeline.connect(open_item)
        return page
    if key == "ask":
        from ui.ask.page import AskPage

        ask = AskPage(session)
        ask.open_item.connect(open_item)
        return ask
    if key == "graph":
        from ui.graph.page import GraphPage

        graph = GraphPage(session, media)
        graph.open_item.connect(open_item)
        return graph
    if key == "profile":
        from ui.profile.page import ProfilePage

        return ProfilePage(session)
    raise KeyError(key)
