"""Paints one memory (an ``ItemView`` or a search ``Hit``) as a compact list row.

Row: kind icon · headline (bold, elided) · time on the right; below it one or
more lines of text — for search hits the snippet with the query's words
highlighted.  The model provides the object under ``ITEM_ROLE``.

Threads: GUI thread only.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QRect, QRectF, QSize, Qt
from PySide6.QtGui import (
    QAbstractTextDocumentLayout,
    QColor,
    QFont,
    QFontMetrics,
    QPainter,
    QPalette,
    QTextDocument,
    QTextOption,
)
from PySide6.QtWidgets import QStyle, QStyledItemDelegate, QStyleOptionViewItem, QWidget

from ui import fmt, theme
from ui.widgets.item_list import ITEM_ROLE, SESSION_ROLE

PAD = 8
ICON = 18
THUMB_W = 64


class ItemDelegate(QStyledItemDelegate):
    def __init__(self, parent: QWidget | None = None, *, lines: int = 1, show_date: bool = False,
                 terms: Callable[[], list[str]] | None = None, media: Any = None) -> None:
        """``media`` (a ``ui.media.MediaCache``): show screenshot thumbnails, decrypted in memory."""
        super().__init__(parent)
        self._lines = lines
        self._show_date = show_date
        self._terms = terms or (lambda: [])
        self._media = media
        self._view = parent
        self._bodies: dict[tuple[Any, ...], str] = {}

    def sizeHint(self, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex) -> QSize:
        fm = option.fontMetrics
        return QSize(200, PAD * 2 + fm.height() + 3 + self._lines * (fm.lineSpacing()) + 2)

    def paint(self, painter: QPainter, option: QStyleOptionViewItem,
              index: QModelIndex | QPersistentModelIndex) -> None:
        item: Any = index.data(ITEM_ROLE)
        if item is None:
            super().paint(painter, option, index)
            return
        c = theme.colours()
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        rect = QRect(option.rect)  # type: ignore[attr-defined]
        selected = bool(option.state & QStyle.StateFlag.State_Selected)  # type: ignore[attr-defined]
        if getattr(item, "weak", False) and not selected:
            painter.setOpacity(0.55)  # below the relevance floor: listed, but visibly not a good match
        hovered = bool(option.state & QStyle.StateFlag.State_MouseOver)  # type: ignore[attr-defined]
        if selected:
            bg = QColor(c.accent)
            bg.setAlpha(48 if not c.dark else 70)
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(bg)
            painter.drawRoundedRect(QRectF(rect).adjusted(3, 2, -3, -2), 7, 7)
        elif hovered:
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(QColor(c.alt_base))
            painter.drawRoundedRect(QRectF(rect).adjusted(3, 2, -3, -2), 7, 7)
        if selected and option.state & QStyle.StateFlag.State_HasFocus:  # type: ignore[attr-defined]
            painter.setPen(QColor(c.accent))
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.drawRoundedRect(QRectF(rect).adjusted(3.5, 2.5, -3.5, -2.5), 7, 7)

        fm = option.fontMetrics  # type: ignore[attr-defined]
        x = rect.left() + PAD + 2
        y = rect.top() + PAD
        kind = item.kind
        icon = theme.icon(fmt.kind_icon(kind), c.accent if kind != "summary" else c.warning)
        if self._media is not None:
            column = QRect(x - 2, rect.top() + 5, THUMB_W, rect.height() - 10)
            if not self._paint_thumbnail(painter, column, item, c):
                icon.paint(painter, QRect(column.center().x() - ICON // 2, y, ICON, ICON))
            frames = getattr(index.data(SESSION_ROLE), "frames", None) or ()
            if len(frames) > 1:
                _paint_count_badge(painter, column, len(frames), c)
            text_left = column.right() + 10
        else:
            icon.paint(painter, QRect(x, y, ICON, ICON))
            text_left = x + ICON + 8
        # time (right): a session card shows its span and how many screens it folds
        when = fmt.fmt_when(item.timestamp) if self._show_date else fmt.fmt_time(item.timestamp)
        frames = getattr(index.data(SESSION_ROLE), "frames", None) or ()
        if len(frames) > 1:
            first, last = fmt.fmt_time(frames[0].timestamp), fmt.fmt_time(frames[-1].timestamp)
            when = first if first == last else f"{first}–{last}"
        painter.setPen(QColor(c.muted))
        time_w = fm.horizontalAdvance(when) + 4
        painter.drawText(QRect(rect.right() - PAD - time_w, y, time_w, fm.height()),
                         Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter, when)
        # headline
        bold = QFont(option.font)  # type: ignore[attr-defined]
        bold.setWeight(QFont.Weight.DemiBold)
        painter.setFont(bold)
        painter.setPen(QColor(c.text))
        head_w = rect.right() - PAD - time_w - 8 - text_left
        source = fmt.secondary(item) if len(frames) < 2 else f"{len(frames)} screens"
        head = fmt.headline(item)
        head_text = painter.fontMetrics().elidedText(head, Qt.TextElideMode.ElideRight, max(20, head_w))
        painter.drawText(QRect(text_left, y, head_w, fm.height()),
                         Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, head_text)
        used = painter.fontMetrics().horizontalAdvance(head_text)
        painter.setFont(option.font)  # type: ignore[attr-defined]
        if source and used + 60 < head_w:
            painter.setPen(QColor(c.muted))
            painter.drawText(QRect(text_left + used + 8, y, head_w - used - 8, fm.height()),
                             Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                             fm.elidedText(source, Qt.TextElideMode.ElideRight, head_w - used - 8))
        # body
        # Cleaning a screen's OCR text is not free: once per text, not per paint (a str caches its hash).
        key = (item.kind, getattr(item, "snippet", None), item.text, fmt.window_of(item))
        body = self._bodies.get(key)
        if body is None:
            if len(self._bodies) > 2000:
                self._bodies.clear()
            body = self._bodies[key] = fmt.body_text(item)
        body_rect = QRect(text_left, y + fm.height() + 3, rect.right() - PAD - text_left,
                          self._lines * fm.lineSpacing() + 2)
        doc = QTextDocument()
        doc.setDefaultFont(option.font)  # type: ignore[attr-defined]
        doc.setDocumentMargin(0)
        no_wrap = QTextOption()
        no_wrap.setWrapMode(QTextOption.WrapMode.NoWrap)
        doc.setDefaultTextOption(no_wrap)
        terms = self._terms()
        lines = wrap_lines(" ".join(body.split()), fm, body_rect.width() - 2, self._lines)
        doc.setHtml("<br>".join(fmt.highlight_html(line, terms, c.highlight_bg) for line in lines))
        painter.translate(body_rect.topLeft())
        clip = QRectF(0, 0, body_rect.width(), body_rect.height())
        painter.setClipRect(clip)
        ctx = QAbstractTextDocumentLayout.PaintContext()
        ctx.palette.setColor(QPalette.ColorRole.Text, QColor(c.muted if not selected else c.text))
        ctx.clip = clip
        doc.documentLayout().draw(painter, ctx)
        painter.restore()


    def _paint_thumbnail(self, painter: QPainter, column: QRect, item: Any, c: Any) -> bool:
        """Draw the screenshot's thumbnail (loading it if needed); False when there is none."""
        from ui.media import thumbnail_media

        if item.kind != "screenshot":
            return False
        wanted = thumbnail_media(item)
        if wanted is None:
            return False
        media_id, longest = wanted
        image = self._media.cached(media_id, longest)
        if image is None:
            view = self._view

            def arrived(_image: Any) -> None:
                if view is not None:
                    view.viewport().update()  # type: ignore[attr-defined]

            image = self._media.request(media_id, arrived, longest=longest, owner=view)
        painter.save()
        painter.setPen(QColor(c.border))
        painter.setBrush(QColor(c.alt_base))
        painter.drawRoundedRect(QRectF(column).adjusted(0.5, 0.5, -0.5, -0.5), 4, 4)
        if image is not None and not image.isNull():
            size = image.size().scaled(column.size() - QSize(2, 2), Qt.AspectRatioMode.KeepAspectRatio)
            target = QRect(column.left() + (column.width() - size.width()) // 2,
                           column.top() + (column.height() - size.height()) // 2, size.width(), size.height())
            painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
            painter.drawImage(target, image)
        painter.restore()
        return True


def _paint_count_badge(painter: QPainter, column: QRect, count: int, c: Any) -> None:
    """A small accent pill with the number of screens a session card folds, on its thumbnail's corner."""
    painter.save()
    font = painter.font()
    font.setPointSizeF(max(6.0, font.pointSizeF() * 0.8))
    font.setWeight(QFont.Weight.Bold)
    painter.setFont(font)
    text = f"×{count}"
    fm = painter.fontMetrics()
    w, h = fm.horizontalAdvance(text) + 8, fm.height() + 2
    pill = QRectF(column.right() - w - 2, column.bottom() - h - 2, w, h)
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(QColor(c.accent))
    painter.drawRoundedRect(pill, h / 2, h / 2)
    painter.setPen(QColor("#ffffff"))
    painter.drawText(pill, Qt.AlignmentFlag.AlignCenter, text)
    painter.restore()


def wrap_lines(text: str, fm: QFontMetrics, width: int, lines: int) -> list[str]:
    """Greedy word wrap into at most ``lines`` lines; the last one is elided when text remains."""
    words = text.split(" ")
    out: list[str] = []
    current = ""
    index = 0
    while index < len(words) and len(out) < lines:
        word = words[index]
        candidate = f"{current} {word}" if current else word
        if fm.horizontalAdvance(candidate) <= width or not current:
            current = candidate
            index += 1
            continue
        out.append(current)
        current = ""
    if current and len(out) < lines:
        out.append(current)
    if index < len(words) and out:
        rest = " ".join(words[index:])
        out[-1] = fm.elidedText(f"{out[-1]} {rest}", Qt.TextElideMode.ElideRight, width)
    return [fm.elidedText(line, Qt.TextElideMode.ElideRight, width) for line in out]
