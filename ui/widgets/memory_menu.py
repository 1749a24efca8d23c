"""The right-click menu of any memory in a list: open it, copy its text, forget it, never capture its app.

``attach_memory_menu(view, session, item_at, open_item)`` gives a list view
that menu; ``item_at(pos)`` returns the memory under the pointer (or None).
``attach_widget_menu`` does the same for any widget (the moment's screenshot).
Forget opens ``ui.forget.dialog.ForgetDialog`` with the memory (its hour,
day and app are offered too); "Never capture" adds the app to the excluded
apps and says so in the window's status line.

Threads: GUI thread.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QAbstractItemView, QMenu, QWidget

from ui import fmt
from ui.session import Session


def memory_menu(parent: QWidget, session: Session, item: Any, open_item: Callable[[Any], None]) -> QMenu:
    menu = QMenu(parent)
    menu.setAccessibleName("Memory actions")
    menu.addAction("Open in timeline", lambda: open_item(item))
    text = getattr(item, "text", "") or getattr(item, "snippet", "")
    copy = menu.addAction("Copy text", lambda: QGuiApplication.clipboard().setText(text))
    copy.setEnabled(bool(text))
    menu.addSeparator()
    menu.addAction("Forget…", lambda: open_forget(parent, session, item))
    app = fmt.app_of(item)
    if app:
        menu.addAction(f"Never capture {app}", lambda: _never_capture(parent, session, app))
    return menu


def attach_memory_menu(view: QAbstractItemView, session: Session, item_at: Callable[[QPoint], Any],
                       open_item: Callable[[Any], None]) -> None:
    attach_widget_menu(view, session, item_at, open_item, to_global=view.viewport().mapToGlobal)


def attach_widget_menu(widget: QWidget, session: Session, item_at: Callable[[QPoint], Any],
                       open_item: Callable[[Any], None], to_global: Callable[[QPoint], QPoint] | None = None) -> None:
    """Right-click ``widget``: the menu of the memory ``item_at(pos)`` (nothing where there is none)."""
    widget.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
    to_global = to_global or widget.mapToGlobal

    def requested(pos: QPoint) -> None:
        item = item_at(pos)
        if item is not None:
            memory_menu(widget, session, item, open_item).popup(to_global(pos))

    widget.customContextMenuRequested.connect(requested)


def open_forget(parent: QWidget, session: Session, item: Any | None) -> Any:
    """The forget dialog for ``item`` (None: time ranges and the demo only); returns it, shown."""
    from ui.forget.dialog import ForgetDialog

    if item is not None and not hasattr(item, "id") and hasattr(item, "item_id"):
        item = _HitAsItem(item)
    dialog = ForgetDialog(session, item, parent.window())
    dialog.forgotten.connect(lambda n: _say(parent, f"Forgot {n} memor{'y' if n == 1 else 'ies'} for good."))
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    dialog.open()
    return dialog


def _never_capture(parent: QWidget, session: Session, app: str) -> None:
    from ui.forget.operations import never_capture

    never_capture(session, app).success(
        lambda _s: _say(parent, f"{app} will not be captured any more (Settings → Privacy to undo).")).run()


def _say(parent: QWidget, text: str) -> None:
    window = parent.window()
    flash = getattr(window, "flash", None)
    if callable(flash):
        flash(text)


class _HitAsItem:
    """A search hit seen as a memory (the forget scopes read ``id``, ``timestamp`` and the app)."""

    def __init__(self, hit: Any) -> None:
        self._hit = hit
        self.id = int(hit.item_id)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._hit, name)
