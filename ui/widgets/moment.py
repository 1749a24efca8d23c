"""One moment in full: the screenshot (or message thread, or document), its context,
and what else happened around it.

``show_item(item, terms)`` renders immediately from the ``ItemView`` and then
fills in, from background tasks, the decrypted screenshot, the surrounding
chat messages (``vault.neighbours``) and the other memories within five
minutes (``vault.items_between``).  Stale results (the user moved on) are
dropped by comparing the item id they were loaded for.

Threads: GUI thread only.
"""

from __future__ import annotations

import html
from datetime import timedelta
from pathlib import Path
from typing import Any

from PySide6.QtCore import QSize, Qt, QUrl, Signal
from PySide6.QtGui import QDesktopServices, QImage
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QListView,
    QPushButton,
    QSizePolicy,
    QStackedWidget,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from ui import fmt, theme
from ui.media import MediaCache, screenshot_media
from ui.session import Session
from ui.widgets.file_image import FileImage, best_page, image_file_path, load_file_image
from ui.widgets.image_view import ImageView, word_boxes
from ui.widgets.item_delegate import ItemDelegate
from ui.widgets.item_list import ITEM_ROLE, ItemListModel
from ui.widgets.memory_menu import attach_memory_menu, attach_widget_menu
from ui.widgets.operations import load_between, load_file_path, load_item, load_neighbours

AROUND_SECONDS = 5 * 60
IMAGE_LONGEST = 1920


class ElidedLabel(QLabel):
    """A one-line label that elides its text (full text in the tooltip) instead of clipping it."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._full = ""
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)

    def setText(self, text: str) -> None:
        self._full = text
        self.setToolTip(text)
        self._elide()

    def full_text(self) -> str:
        return self._full

    def resizeEvent(self, event: object) -> None:
        super().resizeEvent(event)  # type: ignore[arg-type]
        self._elide()

    def _elide(self) -> None:
        width = max(20, self.width() - 2)
        super().setText(self.fontMetrics().elidedText(self._full, Qt.TextElideMode.ElideRight, width))


class MomentView(QFrame):
    """Shows one ``ItemView``; emits ``item_activated`` when a related memory is clicked."""

    item_activated = Signal(object)

    def __init__(self, session: Session, media: MediaCache, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("Card")
        self._session = session
        self._media = media
        self._item: Any = None
        self._terms: list[str] = []

        self._icon = QLabel()
        self._icon.setFixedSize(28, 28)
        self._title = ElidedLabel()
        self._title.setObjectName("PageTitle")
        self._title.setAccessibleName("Moment title")
        self._subtitle = ElidedLabel()
        self._subtitle.setProperty("muted", True)
        self._subtitle.setAccessibleName("Moment details")
        self._when = QLabel()
        self._when.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        self._when.setAccessibleName("Moment time")
        self._open_button = QPushButton("Open file")
        self._open_button.setAccessibleName("Open the file of this memory")
        self._open_button.clicked.connect(self._open_file)
        self._open_button.hide()

        head_text = QVBoxLayout()
        head_text.setSpacing(0)
        head_text.addWidget(self._title)
        head_text.addWidget(self._subtitle)
        header = QHBoxLayout()
        header.addWidget(self._icon, 0, Qt.AlignmentFlag.AlignTop)
        header.addLayout(head_text, 1)
        header.addWidget(self._open_button, 0, Qt.AlignmentFlag.AlignVCenter)
        header.addWidget(self._when, 0, Qt.AlignmentFlag.AlignTop)

        self._image = ImageView()
        self._image.setCursor(Qt.CursorShape.PointingHandCursor)
        self._image.setToolTip("Click to see it full size, with its text selectable")
        self._image.clicked.connect(self.zoom)
        self._text = QTextBrowser()
        self._text.setOpenLinks(False)
        self._text.anchorClicked.connect(self._link_clicked)
        self._text.setAccessibleName("Memory text")
        self._text.setFrameShape(QFrame.Shape.NoFrame)
        self._empty = QLabel("Pick a moment on the hour strip, or press → to step through the day.")
        self._empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self._empty.setWordWrap(True)
        self._empty.setProperty("muted", True)
        self._body = QStackedWidget()
        for w in (self._empty, self._image, self._text):
            self._body.addWidget(w)

        self._around_title = around_title = QLabel("AROUND THIS MOMENT")
        around_title.setObjectName("SectionTitle")
        self._around_shown = True  # False: the frame takes the whole card (the timeline's screen-only view)
        self._around_model = ItemListModel(self)
        self._around = QListView()
        self._around.setModel(self._around_model)
        self._around.setItemDelegate(ItemDelegate(self._around, lines=1, media=media))
        self._around.setAccessibleName("Other memories within five minutes")
        self._around.setMouseTracking(True)
        self._around.setFixedHeight(150)
        self._around.activated.connect(self._around_activated)
        # right-click a neighbour or the screenshot itself: open, copy, forget, never capture its app
        attach_memory_menu(self._around, session, lambda pos: self._around.indexAt(pos).data(ITEM_ROLE),
                           self.item_activated.emit)
        attach_widget_menu(self._image, session, lambda _pos: self._item, self.item_activated.emit)
        self._around.clicked.connect(self._around_activated)
        self._around_empty = QLabel("Nothing else was recorded within five minutes.")
        self._around_empty.setProperty("muted", True)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(14, 12, 14, 12)
        layout.setSpacing(8)
        layout.addLayout(header)
        layout.addWidget(self._body, 1)
        layout.addWidget(around_title)
        layout.addWidget(self._around)
        layout.addWidget(self._around_empty)
        self._around_empty.hide()
        self.clear()

    # -- public -------------------------------------------------------------------------
    def set_around_shown(self, shown: bool) -> None:
        """Show or hide "around this moment" (hidden: the moment's frame gets the whole card)."""
        self._around_shown = shown
        self._around_title.setVisible(shown)
        others = self._around_model.rowCount() > 0
        self._around.setVisible(shown and others)
        self._around_empty.setVisible(shown and not others and self._item is not None)

    def item(self) -> Any:
        return self._item

    def clear(self, message: str | None = None) -> None:
        self._item = None
        self._title.setText("No moment selected")
        self._subtitle.setText("")
        self._when.setText("")
        self._icon.clear()
        self._open_button.hide()
        if message:
            self._empty.setText(message)
        self._body.setCurrentWidget(self._empty)
        self._around_model.set_items([])

    def show_item(self, item: Any, terms: list[str] | None = None) -> None:
        self._item = item
        self._terms = terms or []
        c = theme.colours()
        self._icon.setPixmap(theme.icon(fmt.kind_icon(item.kind), c.accent).pixmap(QSize(26, 26)))
        self._title.setText(fmt.headline(item))
        self._subtitle.setText(self._subtitle_text(item))
        local = fmt.to_local(item.timestamp)
        self._when.setText(f"<b>{local.strftime('%H:%M')}</b><br><span style='color:{c.muted}'>"
                           f"{local.strftime('%a')} {local.day} {local.strftime('%b %Y')}</span>")
        path = fmt.path_of(item)
        self._open_button.setVisible(item.kind == "document" and bool(path))
        media_id = screenshot_media(item)
        # A screen moment is the image first: the list around it keeps to two rows so the frame gets the room.
        self._around.setFixedHeight(100 if item.kind == "screenshot" else 150)
        if item.kind == "screenshot" and media_id is not None:
            self._show_screenshot(item, media_id)
        elif item.kind == "message":
            self._show_text(self._message_html([item], item))
            self._load_thread(item)
        elif image_file_path(item, self._terms) is not None:
            self._show_image_file(item)
        else:
            self._show_text(self._document_html(item) + self._sources_html(item))
        self._load_around(item)

    def title(self) -> str:
        return self._title.full_text()

    def current_image_boxes(self) -> int:
        return len(self._image.boxes())

    def image_view(self) -> ImageView:
        return self._image

    def zoom(self) -> Any:
        """The shown screenshot full size with its words selectable (``FrameZoom``); returns the dialog."""

        item = self._item
        media_id = screenshot_media(item) if item is not None else None
        image = self._media.cached(media_id, 0) if media_id is not None else None
        if item is None or media_id is None:
            return None
        if image is None:  # the full-size frame is decrypted on demand, then the dialog opens
            self._media.request(media_id, lambda img: self._open_zoom(item, img), owner=self)
            return None
        return self._open_zoom(item, image)

    def _open_zoom(self, item: Any, image: Any) -> Any:
        from ui.widgets.frame_zoom import FrameZoom

        if image is None or item is not self._item:
            return None
        self.zoom_dialog = FrameZoom(item, image, self.window())
        self.zoom_dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.zoom_dialog.show()
        return self.zoom_dialog

    def around_model(self) -> ItemListModel:
        return self._around_model

    # -- rendering --------------------------------------------------------------------------
    def _subtitle_text(self, item: Any) -> str:
        parts: list[str] = []
        if item.kind == "screenshot":
            app = fmt.app_of(item)
            if app:
                parts.append(app)
            url = fmt.url_of(item)
            if url:
                parts.append(url)
            monitor = (item.meta or {}).get("monitor")
            if monitor is not None:
                parts.append(f"monitor {monitor}")
        elif item.kind == "message":
            if item.conversation:
                parts.append(f"Conversation: {item.conversation}")
        elif item.kind == "document":
            path = fmt.path_of(item)
            if path:
                parts.append(path)
        parts.append(fmt.source_name(item.source))
        if item.deleted:
            parts.append("deleted at the source")
        return " · ".join(parts)

    def _show_screenshot(self, item: Any, media_id: int) -> None:
        self._body.setCurrentWidget(self._image)
        boxes = word_boxes(item.meta, self._terms)
        cached = self._media.cached(media_id, IMAGE_LONGEST)
        if cached is not None:
            self._apply_image(item, cached, boxes)
            return
        self._image.set_message("Decrypting screenshot…")

        def loaded(image: QImage | None, item_id: int = int(item.id)) -> None:
            if self._item is None or int(self._item.id) != item_id:
                return
            if image is None:
                self._show_text(self._document_html(item, note="The screenshot could not be loaded; "
                                                              "this is the text read from it."))
                return
            self._apply_image(item, image, boxes)

        self._media.request(media_id, loaded, longest=IMAGE_LONGEST, owner=self)

    def _show_image_file(self, item: Any) -> None:
        """An indexed image file, read from where the user keeps it, with the search terms boxed on it."""
        page = best_page(item.meta, self._terms)
        boxes = word_boxes(item.meta, self._terms, page=page)
        self._body.setCurrentWidget(self._image)
        self._image.set_message("Loading the image…")

        def loaded(result: FileImage | None, item_id: int = int(item.id)) -> None:
            if self._item is None or int(self._item.id) != item_id:
                return
            if result is None:
                self._show_text(self._document_html(item, note="The image file could not be opened (moved or "
                                                              "deleted?); this is the text read from it."))
                return
            self._image.set_image(result.image, result.source)
            self._image.set_boxes(boxes)
            self._image.setToolTip(fmt.one_line(item.text, 400))

        load_file_image(self._session, item, page, IMAGE_LONGEST).success(loaded).failure(
            lambda _exc: loaded(None)).owned_by(self).run()

    def _apply_image(self, item: Any, image: QImage, boxes: list[Any]) -> None:
        meta = item.meta or {}
        width, height = meta.get("width"), meta.get("height")
        source = QSize(int(width), int(height)) if isinstance(width, int) and isinstance(height, int) else None
        if source is None and boxes and image.width() < IMAGE_LONGEST:
            source = image.size()
        self._image.set_image(image, source)
        self._image.set_boxes(boxes)
        self._image.setToolTip(fmt.one_line(item.text, 400))

    def _show_text(self, html_text: str) -> None:
        self._text.setHtml(html_text)
        self._body.setCurrentWidget(self._text)

    def _message_html(self, items: list[Any], current: Any) -> str:
        c = theme.colours()
        rows = []
        for m in items:
            is_current = int(m.id) == int(current.id)
            style = (f"background:{c.alt_base}; border-left:3px solid {c.accent};" if is_current else "")
            text = fmt.highlight_html(m.text, self._terms, c.highlight_bg)
            same_day = fmt.to_local(m.timestamp).date() == fmt.to_local(current.timestamp).date()
            when = fmt.fmt_time(m.timestamp) if same_day else fmt.fmt_when(m.timestamp)
            rows.append(
                f"<table width='100%' cellpadding='8' style='{style}'><tr><td>"
                f"<b>{html.escape(m.speaker or 'Someone')}</b> "
                f"<span style='color:{c.muted}'>{when}</span><br>{text}</td></tr></table>")
        return "".join(rows)

    def _document_html(self, item: Any, note: str | None = None) -> str:
        c = theme.colours()
        body = item.text if len(item.text) < 20000 else item.text[:20000] + "…"
        text = fmt.highlight_html(body, self._terms, c.highlight_bg).replace("\n", "<br>")
        head = f"<p style='color:{c.warning}'>{html.escape(note)}</p>" if note else ""
        return f"{head}<div style='line-height:140%'>{text}</div>"

    def _sources_html(self, item: Any) -> str:
        """For summaries: links to the memories they were made from (citations back to the sources)."""
        ids = [int(i) for i in (item.meta or {}).get("source_item_ids", []) if isinstance(i, int)]
        if item.kind != "summary" or not ids:
            return ""
        c = theme.colours()
        links = " ".join(f"<a href='item:{i}' style='color:{c.accent}; text-decoration:none'>[{n}]</a>"
                         for n, i in enumerate(ids[:40], start=1))
        count = f"{len(ids)} memor{'y' if len(ids) == 1 else 'ies'}"
        return f"<p style='color:{c.muted}'>Made from {count}: {links}</p>"

    def _link_clicked(self, url: Any) -> None:
        target = url.toString()
        if not target.startswith("item:") or self._session.vault is None:
            return
        opened = load_item(self._session, int(target[5:]), label="open source")
        opened.success(self.item_activated.emit).owned_by(self).quietly().run()

    # -- background loads ---------------------------------------------------------------------
    def _load_thread(self, item: Any) -> None:
        if self._session.vault is None:
            return
        item_id = int(item.id)

        def done(rows: list[Any]) -> None:
            if self._item is None or int(self._item.id) != item_id:
                return
            if not any(int(r.id) == item_id for r in rows):
                rows = sorted([*rows, item], key=lambda r: r.timestamp)
            self._show_text(self._message_html(rows, item))

        load_neighbours(self._session, item_id, 4, 4).success(done).owned_by(self).quietly().run()

    def _load_around(self, item: Any) -> None:
        self._around_model.set_items([])
        if self._session.vault is None:
            return
        item_id = int(item.id)
        start = item.timestamp - timedelta(seconds=AROUND_SECONDS)
        end = item.timestamp + timedelta(seconds=AROUND_SECONDS)

        def done(rows: list[Any]) -> None:
            if self._item is None or int(self._item.id) != item_id:
                return
            # other screens of the same window are the same view again (the timeline's session scrubs them)
            same_window = item.kind == "screenshot"
            others = [r for r in rows if int(r.id) != item_id
                      and not (same_window and r.kind == "screenshot" and fmt.headline(r) == fmt.headline(item))]
            self._around_model.set_items(others)
            self._around.setVisible(self._around_shown and bool(others))
            self._around_empty.setVisible(self._around_shown and not others)

        load_between(self._session, start, end, limit=40).success(done).owned_by(self).quietly().run()

    def _around_activated(self, index: Any) -> None:
        item = index.data(ITEM_ROLE)
        if item is not None:
            self.item_activated.emit(item)

    def _open_file(self) -> None:
        """Opens the file with the desktop's app: the real path (the shown one is redacted when it holds a secret)."""
        item = self._item
        if item is None:
            return
        shown = fmt.path_of(item)

        def opened(path: Path | None) -> None:  # the real path goes to the OS only: never shown, stored or logged
            if path is not None or shown:
                QDesktopServices.openUrl(QUrl.fromLocalFile(str(path) if path is not None else shown))

        load_file_path(self._session, int(item.id)).success(opened).owned_by(self).run()
