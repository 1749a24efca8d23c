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

from PySide6.QtCore import QPointF, Qt, Signal
from PySide6.QtGui import QColor, QPen
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QCompleter,
    QGraphicsScene,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QLineEdit,
    QListWidgetItem,
    QMessageBox,
    QSlider,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from ui import fmt, theme
from ui.graph import operations as ops
from ui.graph.canvas import (
    KIND_COLOURS,
    GraphView,
    LabelItem,
    NodeItem,
    bounds,
    dot,
    emphasise,
    find_node,
    mention_bars,
    sparkline_pixmap,
    sparkline_words,
)
from ui.graph.panels import KIND_LABELS, fill_overview, related_rows
from ui.operations import CollectionOp
from ui.session import Session

KINDS = ("person", "org", "place", "project", "topic", "work", "app", "file", "date")
WINDOWS = (("All time", None), ("Past year", 365), ("Past 90 days", 90), ("Past 30 days", 30), ("Past 7 days", 7))

SCENE_SIZE = 900.0
MAX_NODES = 40  # the most important entities; the type and time filters narrow further
# Names shown at the fitted zoom, most important first: every dot's, unless it would cover a name already placed
# (then it waits for hover or zoom, and the status line says how many wait).
MAX_LABELS = MAX_NODES


class GraphPage(QWidget):
    """See the module doc.  ``open_item(item_id, terms)`` asks the window to show a memory."""

    open_item = Signal(int, object)

    def __init__(self, session: Session, media: Any = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.setAccessibleName("Memory graph")
        self._generation = 0
        self._selected: int | None = None
        self._counts = ""  # "18 entities, 73 relations" of the graph shown
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
            box = QCheckBox(KIND_LABELS.get(kind, kind).replace("&", "&&"))  # "Books & titles", not a shortcut
            box.setIcon(dot(KIND_COLOURS[kind]))  # the checkboxes are the legend
            box.setChecked(kind not in ("date", "file"))
            box.toggled.connect(self.refresh)
            self.kind_boxes[kind] = box
            bar.addWidget(box)
        bar.addStretch(1)
        tools = QHBoxLayout()  # the second row: find, the local graph, the counts
        self.find = QLineEdit()
        self.find.setPlaceholderText("Find in the graph…")
        self.find.setAccessibleName("Find an entity in the graph")
        self.find.setClearButtonEnabled(True)
        self.find.setFixedWidth(240)
        self.find.returnPressed.connect(self.find_entity)
        self.find.setCompleter(QCompleter([], self.find))  # the graph's names, as you type
        self.find.completer().setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.find.completer().setFilterMode(Qt.MatchFlag.MatchContains)
        self.find.completer().activated.connect(lambda _name: self.find_entity())
        tools.addWidget(self.find)
        self.local = QCheckBox("Only its neighbours")
        self.local.setToolTip("Show only the selected entity and what it is linked to (a local graph)")
        self.local.toggled.connect(lambda _on: self._apply_emphasis(refit=True))
        tools.addWidget(self.local)
        tools.addStretch(1)
        self.status = QLabel("")
        self.status.setProperty("muted", True)
        tools.addWidget(self.status)

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
        layout.addLayout(tools)
        layout.addWidget(split, 1)
        session.changed.connect(lambda what: self.refresh() if what & {"items", "graph", "entities", "facts"} else None)
        session.unlocked.connect(self.refresh)
        if session.is_unlocked:
            self.refresh()

    # -- detail panel -------------------------------------------------------------------------------
    def _build_detail(self) -> QWidget:
        from ui.graph.detail_panel import build_detail

        return build_detail(self)

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
        self.nodes: dict[int, NodeItem] = {}
        self._edges = [(e.src, e.dst, line) for e, line in zip(
            [e for e in graph.edges if e.src in index and e.dst in index], self._edge_items, strict=True)]
        ranked = sorted(graph.nodes, key=lambda n: -n.importance)
        self._rank = {n.entity_id: r for r, n in enumerate(ranked)}
        self._labels = {}
        for node, point in zip(graph.nodes, points, strict=True):
            item = NodeItem(node, point.x(), point.y(), 6 + 20 * node.importance)
            item.on_hover = self._hover
            item.on_moved = self._node_moved
            self.scene.addItem(item)
            self.nodes[node.entity_id] = item
            label = LabelItem(node.name[:28], item, c.text, c.base)
            self.scene.addItem(label)
            self._labels[node.entity_id] = label
        fill_overview(self.overview, ranked)
        self.find.completer().model().setStringList([n.name for n in ranked])  # type: ignore[attr-defined]
        self.scene.setSceneRect(bounds([*self.nodes.values(), *self._labels.values()]))  # centred on the graph
        self.view.fit()
        self._counts = f"{len(graph.nodes)} entities, {len(graph.edges)} relations"
        self._apply_emphasis()
        if self._selected in self.nodes:
            self.nodes[self._selected].setSelected(True)

    def _node_moved(self, entity_id: int) -> None:
        """A dragged dot takes its name and its edges along (as in Obsidian's graph)."""
        nodes = getattr(self, "nodes", {})
        if entity_id in self._labels and entity_id in nodes:
            self._labels[entity_id].follow(nodes[entity_id])
        for src, dst, line in self._edges:
            if entity_id in (src, dst) and src in nodes and dst in nodes:
                a, b = nodes[src].pos(), nodes[dst].pos()
                line.setLine(a.x(), a.y(), b.x(), b.y())

    def _hover(self, entity_id: int | None) -> None:
        self._hovered = entity_id
        self._apply_emphasis()

    def _apply_emphasis(self, refit: bool = False) -> None:
        """Emphasis on the hovered (else selected) entity; "Only its neighbours": its local graph, fitted."""
        nodes = getattr(self, "nodes", {})
        focus = self._hovered if self._hovered is not None else self._selected
        if focus not in nodes:
            focus = None
        local = self.local.isChecked() and self._selected in nodes
        c = theme.colours()
        near = emphasise(nodes, self._labels, self._edges, self._selected if local else focus, rank=self._rank,
                         shown_labels=int(MAX_LABELS * self.view.zoom * self.view.zoom), local=local,
                         accent=c.accent, muted=c.muted)
        if refit and nodes:
            shown = [nodes[i] for i in near] + [self._labels[i] for i in near] if local else []
            self.view.fit(bounds(shown) if shown else None)
        if focus is None and nodes:
            self.status.setText(self._counts + unnamed_hint(nodes, self._labels))

    def find_entity(self) -> bool:
        """Select and centre the first entity whose name starts with (else contains) the typed text."""
        match = find_node(getattr(self, "nodes", {}), self._rank, self.find.text())
        if match is None:
            self.status.setText(f"Nothing named “{self.find.text().strip()}” in this graph")
            return False
        self.scene.clearSelection()
        match.setSelected(True)
        self.view.centerOn(match)
        return True

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
            self.timeline_chart.clear()
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
        bars, per_bar = mention_bars(detail.timeline)
        self.timeline_chart.setPixmap(sparkline_pixmap(bars, theme.colours().accent, theme.colours().muted,
                                                       self.devicePixelRatioF()))
        self.timeline.setText(sparkline_words(detail.timeline, _day, per_bar))
        for other, relations in related_rows(detail.neighbours):
            item = QListWidgetItem(f"{other.name} — {relations}")
            item.setData(Qt.ItemDataRole.UserRole, other.id)
            self.neighbours.addItem(item)
        for m in detail.mentions:  # one plain line each (the snippet is already what one reads: no Markdown marks)
            text = f"{_day(m.ts)}  {m.speaker or m.title or m.source}: {m.snippet}"
            item = QListWidgetItem(fmt.one_line(text, 240))
            item.setToolTip(fmt.one_line(text, 600))
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


def unnamed_hint(nodes: dict[int, Any], labels: dict[int, Any]) -> str:
    """Why some dots have no name: they would cover a more important one; hover or zoom shows it."""
    waiting = sum(1 for i, node in nodes.items() if node.isVisible() and not labels[i].isVisible())
    if not waiting:
        return ""
    return f" · {waiting} {'name waits' if waiting == 1 else 'names wait'} for hover or zoom (they would overlap)"


def _day(ts: float | None) -> str:
    if ts is None:
        return "?"
    return datetime.fromtimestamp(ts, UTC).astimezone().strftime("%d %b %Y")
