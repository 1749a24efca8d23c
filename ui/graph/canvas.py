"""The graph's drawing pieces: a node and its label, the zoomable view, the emphasis rules, the legend dot and
the mentions-over-time bars."""

from __future__ import annotations

from types import MappingProxyType
from typing import Any

from PySide6.QtCore import QRectF, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QFont, QIcon, QPainter, QPen, QPixmap
from PySide6.QtWidgets import (
    QGraphicsEllipseItem,
    QGraphicsItem,
    QGraphicsScene,
    QGraphicsSimpleTextItem,
    QGraphicsView,
    QStyleOptionGraphicsItem,
    QWidget,
)

KIND_COLOURS = MappingProxyType({
    "person": "#2f6fd0", "org": "#8e44ad", "place": "#2f855a", "project": "#b7791f", "topic": "#718096",
    "work": "#b83280", "app": "#c05621", "file": "#4a5568", "date": "#319795",
})


class NodeItem(QGraphicsEllipseItem):
    def __init__(self, node: Any, x: float, y: float, radius: float) -> None:
        super().__init__(-radius, -radius, 2 * radius, 2 * radius)
        self.node = node
        self.setPos(x, y)
        colour = QColor(KIND_COLOURS.get(node.kind, "#718096"))
        self.setBrush(QBrush(colour))
        self.setPen(QPen(colour.darker(130), 2.5 if node.is_self else 1.0))
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemIsSelectable)
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemIsMovable)  # drag a dot: its edges and name follow
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemSendsGeometryChanges)
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self.setToolTip(f"{node.name} ({node.kind}) — {node.mentions} memories")
        self.setZValue(2)
        self.setAcceptHoverEvents(True)
        self.on_hover: Any = None  # set by the page: called with the entity id, or None when the pointer leaves
        self.on_moved: Any = None  # set by the page: called with the entity id after the dot was dragged

    def itemChange(self, change: QGraphicsItem.GraphicsItemChange, value: Any) -> Any:
        if change == QGraphicsItem.GraphicsItemChange.ItemPositionHasChanged and self.on_moved is not None:
            self.on_moved(self.node.entity_id)
        return super().itemChange(change, value)

    def hoverEnterEvent(self, event: Any) -> None:
        if self.on_hover is not None:
            self.on_hover(self.node.entity_id)
        super().hoverEnterEvent(event)

    def hoverLeaveEvent(self, event: Any) -> None:
        if self.on_hover is not None:
            self.on_hover(None)
        super().hoverLeaveEvent(event)


# Where a name may stand around its dot, in order of preference: under it, above, right, left, then the corners.
# (x, y) of the text box's anchor: -1 left of / above the dot, 0 centred on it, 1 right of / below it.
SPOTS: tuple[tuple[int, int], ...] = ((0, 1), (0, -1), (1, 0), (-1, 0), (1, 1), (1, -1), (-1, 1), (-1, -1))


class LabelItem(QGraphicsSimpleTextItem):
    """A node's name beside it (under it unless that would cover another name) on a soft pill of the page colour,
    so edges never run through the text."""

    def __init__(self, text: str, node: NodeItem, text_colour: str, halo: str) -> None:
        super().__init__(text)
        font = QFont()
        font.setPointSizeF(10.5)
        self.setFont(font)
        self.setBrush(QBrush(QColor(text_colour)))
        self._halo = QColor(halo)
        self._halo.setAlpha(215)
        self._node = node
        self.spot = 0
        self.follow(node)
        self.setZValue(3)

    def follow(self, node: NodeItem) -> None:
        """Stand at its spot beside ``node`` (again, after it moved)."""
        self._node = node
        self.place(self.spot)

    def place(self, spot: int) -> None:
        """Stand at ``SPOTS[spot]`` around the dot: centred under or above it, or beside it at mid-height."""
        self.spot = spot
        dx, dy = SPOTS[spot]
        box = self.boundingRect()
        centre, gap = self._node.pos(), self._node.rect().width() / 2 + 3
        x = centre.x() - box.width() / 2 if dx == 0 else (centre.x() + gap if dx > 0 else centre.x() - gap - box.width())
        if dy == 0:
            y = centre.y() - box.height() / 2
        else:
            y = centre.y() + (gap - 1 if dx == 0 else 0) if dy > 0 else centre.y() - (gap - 1 if dx == 0 else 0) - box.height()
        self.setPos(x, y)

    def paint(self, painter: QPainter, option: QStyleOptionGraphicsItem, widget: QWidget | None = None) -> None:
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(self._halo)
        painter.drawRoundedRect(self.boundingRect().adjusted(-3, -1, 3, 1), 5, 5)
        super().paint(painter, option, widget)


def emphasise(nodes: dict[int, Any], labels: dict[int, Any], edges: list[tuple[int, int, Any]], focus: int | None,
              *, rank: dict[int, int], shown_labels: int, local: bool, accent: str, muted: str) -> set[int]:
    """Neighbours of ``focus`` stand out (the rest dims, or hides in the local graph); returns them.

    Without a focus the ``shown_labels`` most important names are shown."""
    near = {focus} if focus is not None else set()
    for src, dst, _line in edges:
        if focus in (src, dst):
            near |= {src, dst}
    hide = local and focus is not None
    wanted: list[int] = []
    for entity_id, node in nodes.items():
        dim = focus is not None and entity_id not in near
        node.setVisible(not (hide and dim))
        node.setOpacity(0.18 if dim else 1.0)
        label = labels.get(entity_id)
        if label is not None:
            label.setOpacity(0.25 if dim else 1.0)
            if not (hide and dim) and (entity_id in near or rank.get(entity_id, 999) < shown_labels):
                wanted.append(entity_id)
            else:
                label.setVisible(False)
    # The focus and its neighbours are always named; other names are placed by importance, each at the first spot
    # around its dot (under, above, beside, the corners) that covers neither a name already placed nor, if it can,
    # another dot; one with no free spot waits until hover (names never pile up on each other).
    placed: list[Any] = []
    dots = {i: node.sceneBoundingRect() for i, node in nodes.items() if node.isVisible()}
    for entity_id in sorted(wanted, key=lambda i: (i not in near, rank.get(i, 999))):
        label = labels[entity_id]
        others = [box for i, box in dots.items() if i != entity_id]
        spot = _free_spot(label, placed, others)
        if spot is None and entity_id in near:
            spot = 0
        label.setVisible(spot is not None)
        if spot is not None:
            label.place(spot)
            placed.append(label.sceneBoundingRect())
    for src, dst, line in edges:
        touching = focus is not None and focus in (src, dst)
        line.setVisible(not hide or touching)
        line.setOpacity(1.0 if touching else (0.07 if focus is not None else 0.55))
        pen = line.pen()
        pen.setColor(QColor(accent if touching else muted))
        line.setPen(pen)
    return near


def _free_spot(label: Any, placed: list[Any], dots: list[Any]) -> int | None:
    """The first spot where ``label`` covers no placed name and no dot, else the first that covers no name."""
    free: list[int] = []
    for spot in range(len(SPOTS)):
        label.place(spot)
        box = label.sceneBoundingRect()
        if any(box.intersects(other) for other in placed):
            continue
        if not any(box.intersects(dot) for dot in dots):
            return spot
        free.append(spot)
    return free[0] if free else None


def find_node(nodes: dict[int, Any], rank: dict[int, int], text: str) -> Any:
    """The most important node whose name starts with ``text``, else one containing it (None: no match)."""
    text = text.strip().lower()
    if not text:
        return None
    ordered = sorted(nodes.values(), key=lambda n: rank.get(n.node.entity_id, 999))
    return next((n for n in ordered if n.node.name.lower().startswith(text)), None) or next(
        (n for n in ordered if text in n.node.name.lower()), None)


def bounds(items: list[Any], margin: float = 40.0) -> QRectF:
    """The scene rectangle around ``items`` (nodes and their labels), with a margin."""
    rect = QRectF()
    for item in items:
        rect = rect.united(item.sceneBoundingRect())
    return rect.adjusted(-margin, -margin, margin, margin)


class GraphView(QGraphicsView):
    """The graph's view: the wheel (or +/−) zooms around the pointer, dragging the background pans."""

    zoomed = Signal(float)

    def __init__(self, scene: QGraphicsScene) -> None:
        super().__init__(scene)
        self.setTransformationAnchor(QGraphicsView.ViewportAnchor.AnchorUnderMouse)
        self.setRenderHint(QPainter.RenderHint.Antialiasing)
        self.setDragMode(QGraphicsView.DragMode.ScrollHandDrag)
        # Dragging and the wheel move the picture, as in Obsidian; scroll bars would only frame a zoomed-in graph.
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setAccessibleName("Memory graph view")
        self.zoom = 1.0

    def wheelEvent(self, event: Any) -> None:
        self.zoom_by(1.15 if event.angleDelta().y() > 0 else 1 / 1.15)

    def keyPressEvent(self, event: Any) -> None:
        if event.key() in (Qt.Key.Key_Plus, Qt.Key.Key_Equal):
            self.zoom_by(1.25)
        elif event.key() == Qt.Key.Key_Minus:
            self.zoom_by(0.8)
        elif event.key() == Qt.Key.Key_0:
            self.fit()
        else:
            super().keyPressEvent(event)

    def zoom_by(self, factor: float) -> None:
        factor = max(0.5, min(6.0, self.zoom * factor)) / self.zoom
        self.zoom *= factor
        self.scale(factor, factor)
        self.zoomed.emit(self.zoom)

    def fit(self, rect: QRectF | None = None) -> None:
        """Show ``rect`` (default: the whole scene) as large as it fits; that zoom counts as 1."""
        self.resetTransform()
        self.zoom = 1.0
        self.fitInView(rect if rect is not None else self.scene().sceneRect(), Qt.AspectRatioMode.KeepAspectRatio)
        self.zoomed.emit(self.zoom)


MAX_BARS = 60
DAY_S = 86400.0


def mention_bars(days: tuple[tuple[float, int], ...]) -> tuple[list[int], int]:
    """Mentions per bar from the first day to the last (days without any are bars of 0), and the days a bar
    covers: one a day up to ``MAX_BARS`` days, else as few days as keep it within ``MAX_BARS`` bars."""
    if not days:
        return [], 1
    first, last = int(days[0][0] // DAY_S), int(days[-1][0] // DAY_S)
    span = last - first + 1
    per_bar = max(1, -(-span // MAX_BARS))
    bars = [0] * (-(-span // per_bar))
    for start, n in days:
        bars[(int(start // DAY_S) - first) // per_bar] += n
    return bars, per_bar


def sparkline_pixmap(bars: list[int], colour: str, baseline: str, scale: float = 1.0) -> QPixmap:
    """The bars as a small chart (``scale``: the screen's device pixel ratio, so it stays crisp at 2×)."""
    width = max(3, min(10, 300 // max(1, len(bars))))
    w, h = max(1, len(bars)) * width + 2, 30
    pixmap = QPixmap(int(w * scale), int(h * scale))
    pixmap.setDevicePixelRatio(scale)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    painter.setPen(QPen(QColor(baseline), 1))
    painter.drawLine(0, h - 1, w, h - 1)
    top = max(bars, default=0) or 1
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(QColor(colour))
    for i, n in enumerate(bars):
        if n:
            height = max(2.0, (h - 3) * n / top)
            painter.drawRect(QRectF(1 + i * width, h - 1 - height, width - 1, height))
    painter.end()
    return pixmap


def sparkline_words(days: tuple[tuple[float, int], ...], day: Any, per_bar: int) -> str:
    if not days:
        return "no mentions"
    total = sum(n for _, n in days)
    each = "a bar a day" if per_bar == 1 else f"a bar per {per_bar} days"
    return (f"{day(days[0][0])} – {day(days[-1][0])}, {total} memor{'y' if total == 1 else 'ies'} ({each})")


def dot(colour: str) -> QIcon:
    """A filled circle in a kind's colour: the legend on the type filters and the overview."""
    pixmap = QPixmap(12, 12)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setBrush(QColor(colour))
    painter.setPen(Qt.PenStyle.NoPen)
    painter.drawEllipse(1, 1, 10, 10)
    painter.end()
    return QIcon(pixmap)
