"""The memory graph page: entities and relations, filterable by time and type, editable.

Left: a QGraphicsView of the most mentioned entities (node size by
importance, colour by kind, edge width by evidence), laid out by a
force-directed layout computed off the GUI thread.  Right: the selected
entity — aliases, facts with their history (valid from/to, superseded,
confirmed), a timeline of mentions, related entities, the memories behind it
(double-click opens one in the timeline), and edits: rename, merge with a
proposed duplicate, delete; confirm, reject or correct a fact.

Threads: GUI thread; every core call is an operation of ``ui.graph.operations`` (run off the GUI thread).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from PySide6.QtCore import QPointF, QRectF, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QFont, QPen
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QGraphicsScene,
    QGraphicsSimpleTextItem,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPushButton,
    QSlider,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from ui import theme
from ui.graph import operations as ops
from ui.graph.canvas import KIND_COLOURS, GraphView, NodeItem, dot, sparkline
from ui.graph.panels import KIND_LABELS, AutoMergeRow, fill_overview
from ui.operations import CollectionOp
from ui.session import Session

KINDS = ("person", "org", "place", "project", "topic", "app", "file", "date")
WINDOWS = (("All time", None), ("Past year", 365), ("Past 90 days", 90), ("Past 30 days", 30), ("Past 7 days", 7))

SCENE_SIZE = 900.0
MAX_NODES = 40  # the most important entities; the type and time filters narrow further
MAX_LABELS = 12  # names shown at the fitted zoom; more appear as you zoom in (hover always names)


class GraphPage(QWidget):
    """See the module doc.  ``open_item(item_id, terms)`` asks the window to show a memory."""

    open_item = Signal(int, object)

    def __init__(self, session: Session, media: Any = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.setAccessibleName("Memory graph")
        self._generation = 0
        self._selected: int | None = None
        self._detail: Any = None
        self.view_data: Any = None

        bar = QHBoxLayout()
        self.window_box = QComboBox()  # kept for keyboard users and tests; the slider drives it
        for label, _ in WINDOWS:
            self.window_box.addItem(label)
        self.window_box.setVisible(False)
        self.time_slider = QSlider(Qt.Orientation.Horizontal)
        self.time_slider.setRange(0, len(WINDOWS) - 1)
        self.time_slider.setValue(len(WINDOWS) - 1)  # right end: all time
        self.time_slider.setFixedWidth(140)
        self.time_slider.setAccessibleName("Time span of the graph")
        self.time_label = QLabel("All time")
        self.time_label.setMinimumWidth(80)
        self.time_slider.valueChanged.connect(
            lambda v: self.window_box.setCurrentIndex(len(WINDOWS) - 1 - v))
        self.window_box.currentIndexChanged.connect(
            lambda i: (self.time_label.setText(WINDOWS[i][0]), self.refresh()))
        bar.addWidget(QLabel("Time:"))
        bar.addWidget(self.time_slider)
        bar.addWidget(self.time_label)
        bar.addSpacing(8)
        self.kind_boxes: dict[str, QCheckBox] = {}
        for kind in KINDS:
            box = QCheckBox(KIND_LABELS.get(kind, kind))
            box.setIcon(dot(KIND_COLOURS[kind]))  # the checkboxes are the legend
            box.setChecked(kind not in ("date", "file"))
            box.toggled.connect(self.refresh)
            self.kind_boxes[kind] = box
            bar.addWidget(box)
        bar.addStretch(1)
        self.status = QLabel("")
        self.status.setProperty("muted", True)
        bar.addWidget(self.status)

        self.scene = QGraphicsScene(self)
        self.view = GraphView(self.scene)
        self.view.zoomed.connect(lambda _z: self._apply_emphasis())
        self.scene.selectionChanged.connect(self._selection_changed)
        self._hovered: int | None = None
        self._edges: list[tuple[int, int, Any]] = []
        self._labels: dict[int, Any] = {}
        self._rank: dict[int, int] = {}

        self.detail = self._build_detail()
        split = QSplitter()
        split.addWidget(self.view)
        split.addWidget(self.detail)
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 2)
        self.detail.setMinimumWidth(320)
        self.detail.setMaximumWidth(520)
        split.setSizes([760, 440])
        layout = QVBoxLayout(self)
        layout.addLayout(bar)
        layout.addWidget(split, 1)
        session.changed.connect(lambda what: self.refresh() if what & {"items", "graph", "entities", "facts"} else None)
        session.unlocked.connect(self.refresh)
        if session.is_unlocked:
            self.refresh()

    # -- detail panel -------------------------------------------------------------------------------
    def _build_detail(self) -> QWidget:
        panel = QWidget()
        outer = QVBoxLayout(panel)
        outer.setContentsMargins(0, 0, 0, 0)
        self.title = QLabel("Your memory at a glance")
        self.title.setObjectName("Hero")
        self.title.setWordWrap(True)
        outer.addWidget(self.title)
        # before a selection: who and what matters most, one click from its detail
        self.overview_box = QWidget()
        ov = QVBoxLayout(self.overview_box)
        ov.setContentsMargins(0, 0, 0, 0)
        self.overview_hint = QLabel("The people, places and projects your memories mention most. "
                                    "Click one here or a dot on the left; scroll to zoom, drag to move.")
        self.overview_hint.setWordWrap(True)
        self.overview_hint.setProperty("muted", True)
        self.overview = QListWidget()
        self.overview.setAccessibleName("Most important")
        self.overview.itemActivated.connect(lambda it: self.select_entity(it.data(Qt.ItemDataRole.UserRole)))
        self.overview.itemClicked.connect(lambda it: self.select_entity(it.data(Qt.ItemDataRole.UserRole)))
        ov.addWidget(self.overview_hint)
        ov.addWidget(self.overview, 1)
        outer.addWidget(self.overview_box, 1)
        # after a selection: the entity's detail and its edits
        self.selection_box = QWidget()
        v = QVBoxLayout(self.selection_box)
        v.setContentsMargins(0, 0, 0, 0)
        self.aliases = QLabel("")
        self.aliases.setWordWrap(True)
        self.aliases.setProperty("muted", True)
        self.timeline = QLabel("")
        self.timeline.setWordWrap(True)
        self.timeline.setTextFormat(Qt.TextFormat.RichText)
        self.facts = QListWidget()
        self.facts.setAccessibleName("Facts")
        self.neighbours = QListWidget()
        self.neighbours.setAccessibleName("Related")
        self.neighbours.itemDoubleClicked.connect(lambda it: self.select_entity(it.data(Qt.ItemDataRole.UserRole)))
        self.memories = QListWidget()
        self.memories.setAccessibleName("Memories")
        self.memories.itemDoubleClicked.connect(self._open_memory)
        buttons = QHBoxLayout()
        buttons.setSpacing(4)
        self.back_button = QPushButton("← Overview")
        self.back_button.clicked.connect(self.clear_selection)
        self.rename_button = QPushButton("Rename…")
        self.rename_button.clicked.connect(self._rename)
        self.merge_button = QPushButton("Merge…")
        self.merge_button.clicked.connect(self._merge)
        self.delete_button = QPushButton("Delete")
        self.delete_button.clicked.connect(self._delete)
        buttons.addWidget(self.back_button)
        buttons.addStretch(1)
        for b in (self.rename_button, self.merge_button, self.delete_button):
            b.setEnabled(False)
            buttons.addWidget(b)
        fact_buttons = QHBoxLayout()
        self.confirm_button = QPushButton("Confirm fact")
        self.confirm_button.clicked.connect(lambda: self._fact_action("confirm"))
        self.edit_button = QPushButton("Correct…")
        self.edit_button.clicked.connect(lambda: self._fact_action("edit"))
        self.reject_button = QPushButton("Wrong")
        self.reject_button.clicked.connect(lambda: self._fact_action("reject"))
        for b in (self.confirm_button, self.edit_button, self.reject_button):
            fact_buttons.addWidget(b)
        v.addWidget(self.aliases)
        self.auto_merge_row = AutoMergeRow(self._undo_auto_merge)
        self._auto_merge: Any = None
        v.addWidget(self.auto_merge_row)
        v.addLayout(buttons)
        v.addWidget(QLabel("Facts (with history)"))
        v.addWidget(self.facts, 2)
        v.addLayout(fact_buttons)
        v.addWidget(QLabel("Mentions over time"))
        v.addWidget(self.timeline)
        v.addWidget(QLabel("Related"))
        v.addWidget(self.neighbours, 1)
        v.addWidget(QLabel("Memories (double-click to open)"))
        v.addWidget(self.memories, 2)
        outer.addWidget(self.selection_box, 3)
        self.selection_box.hide()
        return panel

    def clear_selection(self) -> None:
        self._selected = None
        self.scene.clearSelection()
        self._show_detail(None)

    # -- loading ---------------------------------------------------------------------------------------
    def refresh(self) -> None:
        if not self.session.is_unlocked:
            return
        self._generation += 1
        generation = self._generation
        days = WINDOWS[self.window_box.currentIndex()][1]
        start = datetime.now(UTC) - timedelta(days=days) if days else None
        kinds = tuple(k for k, box in self.kind_boxes.items() if box.isChecked())
        self.status.setText("Loading…")
        load = ops.load_graph(self.session, start=start, kinds=kinds, limit=MAX_NODES).owned_by(self)
        load.success(lambda r: self._show(generation, r))
        load.failure(lambda exc: self.status.setText(f"Could not load the graph: {exc}")).run()

    def _show(self, generation: int, result: tuple[Any, Any]) -> None:
        if generation != self._generation:
            return
        graph, positions = result
        self.view_data = graph
        self.scene.clear()
        c = theme.colours()
        if not graph.nodes:
            self.status.setText("No entities yet: run consolidation (cairn consolidate)")
            return
        index = {n.entity_id: i for i, n in enumerate(graph.nodes)}
        points = [QPointF(40 + p[0] * SCENE_SIZE, 40 + p[1] * SCENE_SIZE) for p in positions]
        top_weight = max((e.weight for e in graph.edges), default=1.0)
        self._edge_items: list[Any] = []
        for edge in graph.edges:
            if edge.src not in index or edge.dst not in index:
                continue
            pen = QPen(QColor(c.muted))
            pen.setWidthF(0.6 + 3.0 * edge.weight / top_weight)
            line = self.scene.addLine(points[index[edge.src]].x(), points[index[edge.src]].y(),
                                      points[index[edge.dst]].x(), points[index[edge.dst]].y(), pen)
            line.setToolTip(f"{edge.rel.replace('_', ' ')} ({int(edge.weight)} memories)")
            line.setZValue(0)
            self._edge_items.append(line)
        font = QFont()
        font.setPointSizeF(11)
        self.nodes: dict[int, NodeItem] = {}
        self._edges = [(e.src, e.dst, line) for e, line in zip(
            [e for e in graph.edges if e.src in index and e.dst in index], self._edge_items, strict=True)]
        ranked = sorted(graph.nodes, key=lambda n: -n.importance)
        self._rank = {n.entity_id: r for r, n in enumerate(ranked)}
        self._labels = {}
        for node, point in zip(graph.nodes, points, strict=True):
            item = NodeItem(node, point.x(), point.y(), 6 + 20 * node.importance)
            item.on_hover = self._hover
            self.scene.addItem(item)
            self.nodes[node.entity_id] = item
            label = QGraphicsSimpleTextItem(node.name[:28])
            label.setFont(font)
            label.setBrush(QBrush(QColor(c.text)))
            label.setPos(point.x() + 8 + 20 * node.importance * 0.7, point.y() - 8)
            label.setZValue(3)
            self.scene.addItem(label)
            self._labels[node.entity_id] = label
        fill_overview(self.overview, ranked)
        self.scene.setSceneRect(QRectF(0, 0, SCENE_SIZE + 200, SCENE_SIZE + 80))
        self.view.fit()
        self._apply_emphasis()
        self.status.setText(f"{len(graph.nodes)} entities, {len(graph.edges)} relations")
        if self._selected in self.nodes:
            self.nodes[self._selected].setSelected(True)

    def _hover(self, entity_id: int | None) -> None:
        self._hovered = entity_id
        self._apply_emphasis()

    def _apply_emphasis(self) -> None:
        """Neighbours of the hovered (else selected) entity stand out; labels appear as you zoom in."""
        focus = self._hovered if self._hovered is not None else self._selected
        if focus not in getattr(self, "nodes", {}):
            focus = None
        near = {focus} if focus is not None else set()
        for src, dst, _line in self._edges:
            if focus in (src, dst):
                near |= {src, dst}
        shown_labels = int(MAX_LABELS * self.view.zoom * self.view.zoom)
        for entity_id, node in getattr(self, "nodes", {}).items():
            dim = focus is not None and entity_id not in near
            node.setOpacity(0.18 if dim else 1.0)
            label = self._labels.get(entity_id)
            if label is not None:
                label.setVisible(entity_id in near or self._rank.get(entity_id, 999) < shown_labels)
                label.setOpacity(0.25 if dim else 1.0)
        accent = QColor(theme.colours().accent)
        for src, dst, line in self._edges:
            touching = focus is not None and focus in (src, dst)
            line.setOpacity(1.0 if touching else (0.07 if focus is not None else 0.55))
            pen = line.pen()
            pen.setColor(accent if touching else QColor(theme.colours().muted))
            line.setPen(pen)

    def _selection_changed(self) -> None:
        selected = [i for i in self.scene.selectedItems() if isinstance(i, NodeItem)]
        if selected:
            self.select_entity(selected[0].node.entity_id)

    def select_entity(self, entity_id: int) -> None:
        self._selected = entity_id
        ops.load_entity(self.session, entity_id).owned_by(self).success(self._show_detail).run()

    def _show_detail(self, detail: Any) -> None:
        self._detail = detail
        self.overview_box.setVisible(detail is None)
        self.selection_box.setVisible(detail is not None)
        self._apply_emphasis()
        for b in (self.rename_button, self.merge_button, self.delete_button):
            b.setEnabled(detail is not None)
        self.facts.clear()
        self.neighbours.clear()
        self.memories.clear()
        if detail is None:
            self.title.setText("Your memory at a glance")
            self.aliases.setText("")
            self.timeline.setText("")
            return
        e = detail.entity
        self._load_auto_merge(e.id)
        self.title.setText(f"{e.name}  ·  {e.kind}{'  ·  you' if e.is_self else ''}{'  ✓' if e.confirmed else ''}")
        self.aliases.setText(", ".join(f"{v} ({k})" for k, v in e.aliases[:12]) or "no other names")
        for fact in detail.facts:
            since = _day(fact.valid_from)
            until = _day(fact.valid_to) if fact.valid_to else "now"
            state = {"active": "", "superseded": "  (superseded)", "rejected": "  (rejected)",
                     "deleted": "  (deleted)"}.get(fact.status, "")
            mark = "✓ " if fact.confirmed else ""
            item = QListWidgetItem(f"{mark}{fact.predicate}: {fact.value}   [{since} → {until}]{state}")
            item.setData(Qt.ItemDataRole.UserRole, fact.id)
            seen = "; ".join(f"{p.title or p.source}, {_day(p.observed_at)}" for p in fact.provenance[:3])
            item.setToolTip(f"seen in: {seen}" if seen else fact.origin)
            if fact.status != "active":
                item.setForeground(QColor(theme.colours().muted))
            self.facts.addItem(item)
        self.timeline.setText(sparkline(detail.timeline, _day, theme.colours().accent))
        for other, rel, weight in detail.neighbours:
            item = QListWidgetItem(f"{other.name} — {rel.replace('_', ' ')} ({int(weight)})")
            item.setData(Qt.ItemDataRole.UserRole, other.id)
            self.neighbours.addItem(item)
        for m in detail.mentions:
            item = QListWidgetItem(f"{_day(m.ts)}  {m.speaker or m.title or m.source}: {m.snippet}")
            item.setData(Qt.ItemDataRole.UserRole, m.item_id)
            self.memories.addItem(item)

    def _load_auto_merge(self, entity_id: int) -> None:
        self.auto_merge_row.hide()

        def shown(merges: list[Any]) -> None:
            mine = next((m for m in merges if m.kept == entity_id), None)
            self._auto_merge = mine
            if mine is not None and self._selected == entity_id:
                self.auto_merge_row.show_merge(mine)

        ops.load_auto_merges(self.session).success(shown).quietly().owned_by(self).run()

    def _undo_auto_merge(self) -> None:
        merge = self._auto_merge
        if merge is not None:
            self.auto_merge_row.hide()
            self._edit(ops.undo_auto_merge(self.session, merge.kept, merge.folded))

    # -- edits ---------------------------------------------------------------------------------------------
    def _after_edit(self, _changes: object) -> None:
        if self._selected is not None:
            self.select_entity(self._selected)

    def _edit(self, op: CollectionOp) -> None:
        """Run an edit; the session announces its changes (this page refreshes from them too)."""
        op.owned_by(self).success(self._after_edit).run()

    def _rename(self) -> None:
        if self._detail is None:
            return
        name, ok = QInputDialog.getText(self, "Rename", "Name:", text=self._detail.entity.name)
        if ok and name.strip():
            self._edit(ops.rename(self.session, self._detail.entity.id, name.strip()))

    def _merge(self) -> None:
        if self._detail is None:
            return
        eid = self._detail.entity.id
        candidates = {
            (p.b if p.a == eid else p.a): f"{p.reason} ({p.score:.0f})" for p in self._detail.proposals
        }
        names = {e.id: e.name for e, _, _ in self._detail.neighbours}
        choices = [f"{other}: {names.get(other, '#' + str(other))} — {why}" for other, why in candidates.items()]
        if not choices:
            QMessageBox.information(self, "Merge", "No likely duplicates of this entity were found.")
            return
        choice, ok = QInputDialog.getItem(self, "Merge", "Merge into this entity:", choices, 0, False)
        if ok:
            other = int(choice.split(":", 1)[0])
            self._edit(ops.merge(self.session, eid, other))

    def _delete(self) -> None:
        if self._detail is None:
            return
        answer = QMessageBox.question(self, "Delete", f"Delete {self._detail.entity.name!r}? Its facts and links "
                                      "go, and Cairn will not re-create it from your memories.")
        if answer == QMessageBox.StandardButton.Yes:
            eid = self._detail.entity.id
            self._selected = None
            self._edit(ops.delete_entity(self.session, eid))

    def _fact_action(self, action: str) -> None:
        item = self.facts.currentItem()
        if item is None:
            return
        fact_id = int(item.data(Qt.ItemDataRole.UserRole))
        if action == "confirm":
            self._edit(ops.confirm_fact(self.session, fact_id))
        elif action == "reject":
            self._edit(ops.reject_fact(self.session, fact_id))
        else:
            value, ok = QInputDialog.getText(self, "Correct", "Correct value:")
            if ok and value.strip():
                self._edit(ops.edit_fact(self.session, fact_id, value.strip()))

    def _open_memory(self, item: QListWidgetItem) -> None:
        terms = [self._detail.entity.name] if self._detail is not None else []
        self.open_item.emit(int(item.data(Qt.ItemDataRole.UserRole)), terms)


def _day(ts: float | None) -> str:
    if ts is None:
        return "?"
    return datetime.fromtimestamp(ts, UTC).astimezone().strftime("%d %b %Y")
