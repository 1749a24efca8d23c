"""The graph page shows entities and relations, and the detail panel shows facts with history."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from PySide6.QtCore import Qt

from core.memory.consolidation.consolidate import consolidate
from core.memory.consolidation.types import ConsolidationOptions
from tests.memory.helpers import at, chat, doc


def _memory(vault) -> None:
    records = [
        chat("1", "My address is Hauptstraße 5, 10115 Berlin", "Anna Berg", at()),
        chat("2", "Lukas Meyer joined Project Falcon, the team is in Zurich", "Priya Sharma", at(minutes=3)),
        chat("3", "Great, tell Lukas Meyer the Project Falcon kickoff is at Blue Fern Studio", "Anna Berg", at(minutes=5)),
        chat("4", "We moved! My new address is 42 Baker Street, London NW1 6XE", "Anna Berg", at(days=120)),
        chat("5", "Priya Sharma and Lukas Meyer are presenting Project Falcon in Zurich", "Ben Okafor", at(days=121)),
        doc("/notes/falcon.md", "Project Falcon notes: Lukas Meyer owns payments, Priya Sharma owns search.", at(days=2)),
    ]
    vault.ingest(records, embed=False)
    consolidate(vault, options=ConsolidationOptions(self_names=("Anna Berg",), phone_region="DE", summaries=False))


def _open_page(vault, paths, qtbot):
    """The graph page over ``_memory`` in ``vault``, shown, once its graph has loaded."""
    from ui.graph.page import GraphPage
    from ui.session import Session

    _memory(vault)
    session = Session(paths)
    session.attach(vault, vault.settings())
    page = GraphPage(session)
    qtbot.addWidget(page)
    page.resize(1200, 760)
    page.show()
    qtbot.waitUntil(lambda: page.view_data is not None, timeout=20000)
    return page


def test_graph_page_renders_nodes_and_fact_history(lexical_vault, vault_paths, qtbot, tmp_path: Path) -> None:
    from ui.graph.page import NodeItem

    page = _open_page(lexical_vault, vault_paths, qtbot)
    names = {n.name for n in page.view_data.nodes}
    assert {"Lukas Meyer", "Project Falcon", "Priya Sharma"} <= names
    assert page.view_data.edges
    assert sum(isinstance(i, NodeItem) for i in page.scene.items()) == len(page.view_data.nodes)

    me = next(n for n in page.view_data.nodes if n.is_self)
    page.select_entity(me.entity_id)
    qtbot.waitUntil(lambda: page.facts.count() >= 2, timeout=20000)
    rows = [page.facts.item(i).text() for i in range(page.facts.count())]
    assert any("Hauptstraße 5" in r and "(superseded)" in r for r in rows)
    assert any("42 Baker Street" in r and "→ now]" in r for r in rows)
    assert page.memories.count() >= 1
    shot = tmp_path / "graph.png"
    page.grab().save(str(shot))
    if os.environ.get("CAIRN_SCREENSHOT_DIR"):  # for looking at it by hand
        page.grab().save(str(Path(os.environ["CAIRN_SCREENSHOT_DIR"]) / "memory-graph.png"))
    assert shot.stat().st_size > 10_000


@pytest.mark.parametrize("count", [0, 1, 30])
def test_layout_is_deterministic_and_in_bounds(count: int) -> None:
    from ui.graph.layout import spring_layout

    edges = [(i, (i + 1) % max(count, 1), 1.0) for i in range(count)]
    a = spring_layout(count, edges)
    b = spring_layout(count, edges)
    assert a.shape == (count, 2) and (a == b).all()
    assert ((a >= 0) & (a <= 1)).all()


def test_an_automatic_merge_is_shown_and_undone_from_the_panel(lexical_vault, vault_paths, qtbot) -> None:
    from core.memory.knowledge import entities as ents
    from ui.graph.page import GraphPage
    from ui.session import Session

    lexical_vault.ingest([
        chat("p1", "Climbing on Saturday? Bring the chalk bag", "Priya", at(), conversation="Priya"),
        doc("/notes/sync.md", "Sync v2 architecture. Owner: Priya Raman. Reviewer: Marta Kowalski.", at(days=1)),
        chat("l1", "Priya tuned the Postgres indexes on Friday", "Lukas Brandt", at(days=2), conversation="work"),
    ], embed=False)
    consolidate(lexical_vault, options=ConsolidationOptions(self_names=("Sam Keller",), phone_region="DE",
                                                            summaries=False))
    raman = ents.find_by_alias(lexical_vault.read(), "name", "priya raman")
    assert ents.find_by_alias(lexical_vault.read(), "name", "priya") == raman  # merged by itself
    session = Session(vault_paths)
    session.attach(lexical_vault, lexical_vault.settings())
    page = GraphPage(session)
    qtbot.addWidget(page)
    page.show()
    assert page.overview_box.isVisibleTo(page) and not page.selection_box.isVisibleTo(page)  # overview first
    page.select_entity(raman)
    qtbot.waitUntil(lambda: page.auto_merge_row.isVisibleTo(page), timeout=20000)
    assert "“Priya” was taken to be Priya Raman" in page.auto_merge_row.label.text()
    page.auto_merge_row.undo_button.click()
    qtbot.waitUntil(lambda: ents.find_by_alias(lexical_vault.read(), "name", "priya") not in (None, raman),
                    timeout=30000)
    qtbot.waitUntil(lambda: session.tasks.running == 0, timeout=30000)


def test_find_in_the_graph_and_show_only_its_neighbours(lexical_vault, vault_paths, qtbot) -> None:
    page = _open_page(lexical_vault, vault_paths, qtbot)
    qtbot.waitUntil(lambda: bool(page.nodes), timeout=20000)
    # the graph is centred: the scene is the nodes' and labels' bounds, not a fixed square
    assert page.scene.sceneRect().contains(page.scene.itemsBoundingRect().adjusted(5, 5, -5, -5))

    completer = page.find.completer()
    completer.setCompletionPrefix("falc")  # the names are offered as you type, by any part of the name
    assert completer.currentCompletion() == "Project Falcon"
    page.find.setText("falc")  # a word inside the name finds it
    assert page.find_entity()
    falcon = next(i for i, n in page.nodes.items() if n.node.name == "Project Falcon")
    qtbot.waitUntil(lambda: page._selected == falcon, timeout=10000)
    page.find.setText("xylophone")
    assert not page.find_entity() and "Nothing named" in page.status.text()

    def linked(entity: int) -> set[int]:
        return {d if s == entity else s for s, d, _line in page._edges if entity in (s, d)}

    focus = min((i for i in page.nodes if linked(i)), key=lambda i: len(linked(i)))  # the least linked entity
    page.find.setText(page.nodes[focus].node.name)
    assert page.find_entity()
    qtbot.waitUntil(lambda: page._selected == focus, timeout=10000)
    neighbours, others = linked(focus), set(page.nodes) - linked(focus) - {focus}
    assert neighbours and others  # something to hide
    page.local.setChecked(True)  # the local graph: the entity and what it is linked to, nothing else
    assert page.nodes[focus].isVisible() and all(page.nodes[i].isVisible() for i in neighbours)
    assert not any(page.nodes[i].isVisible() for i in others)
    assert all(page._labels[i].isVisible() for i in neighbours)  # every neighbour named
    page.local.setChecked(False)
    assert all(page.nodes[i].isVisible() for i in others)

    # a dragged dot takes its edges and its name along
    node = page.nodes[focus]
    node.setPos(node.pos().x() + 120, node.pos().y() + 80)
    for src, dst, line in page._edges:
        if focus in (src, dst):
            ends = {(round(line.line().x1()), round(line.line().y1())), (round(line.line().x2()), round(line.line().y2()))}
            assert (round(node.pos().x()), round(node.pos().y())) in ends
    label = page._labels[focus]
    assert abs(label.sceneBoundingRect().center().x() - node.pos().x()) < 2 and label.pos().y() > node.pos().y()


def test_hover_lights_up_the_neighbours_and_zooming_in_names_more(lexical_vault, vault_paths, qtbot,
                                                                   monkeypatch) -> None:
    import ui.graph.page as graph_page

    page = _open_page(lexical_vault, vault_paths, qtbot)
    qtbot.waitUntil(lambda: bool(page.nodes), timeout=20000)

    def linked(entity: int) -> set[int]:
        return {d if s == entity else s for s, d, _line in page._edges if entity in (s, d)}

    focus = min((i for i in page.nodes if linked(i) and set(page.nodes) - linked(i) - {i}),
                key=lambda i: len(linked(i)))
    page._hover(focus)  # what the dot's hover-enter calls
    near = linked(focus) | {focus}
    assert all(page.nodes[i].opacity() == 1.0 for i in near)
    assert all(page.nodes[i].opacity() < 0.5 for i in set(page.nodes) - near)  # the rest dims
    assert all(page._labels[i].isVisible() for i in near)  # the neighbours are named
    page._hover(None)
    assert all(n.opacity() == 1.0 for n in page.nodes.values())

    # At the fitted zoom only the most important names show; zooming in names more of them.
    monkeypatch.setattr(graph_page, "MAX_LABELS", 2)
    page.view.fit()
    named = sum(label.isVisible() for label in page._labels.values())
    assert named == 2 < len(page._labels)
    page.view.zoom_by(2.0)
    assert sum(label.isVisible() for label in page._labels.values()) > named

    # zoomed in, dragging the background pans the picture; no scroll bars frame it
    from PySide6.QtCore import QPoint, Qt

    view = page.view
    assert Qt.ScrollBarPolicy.ScrollBarAlwaysOff == view.horizontalScrollBarPolicy() == view.verticalScrollBarPolicy()
    corner = QPoint(6, 6)
    assert view.itemAt(corner) is None  # the background, not a dot
    before = view.mapToScene(view.viewport().rect().center())
    qtbot.mousePress(view.viewport(), Qt.MouseButton.LeftButton, pos=corner)
    for step in range(1, 6):
        qtbot.mouseMove(view.viewport(), QPoint(6 + 30 * step, 6 + 20 * step))
    qtbot.mouseRelease(view.viewport(), Qt.MouseButton.LeftButton, pos=QPoint(156, 106))
    after = view.mapToScene(view.viewport().rect().center())
    assert (before - after).manhattanLength() > 20


def test_the_memories_of_an_entity_read_as_plain_lines(lexical_vault, vault_paths, qtbot) -> None:
    from PySide6.QtCore import Qt

    lexical_vault.ingest([doc("/notes/plan.md", "# Project Falcon plan\n\n**Lukas Meyer** owns the payments of "
                              "Project Falcon; " + "the rollout goes city by city. " * 20, at(days=3))], embed=False)
    page = _open_page(lexical_vault, vault_paths, qtbot)
    falcon = next(n.entity_id for n in page.view_data.nodes if n.name == "Project Falcon")
    page.select_entity(falcon)
    qtbot.waitUntil(lambda: any("plan" in page.memories.item(i).text() for i in range(page.memories.count())),
                    timeout=20000)
    rows = [page.memories.item(i).text() for i in range(page.memories.count())]
    assert not any("# " in r or "**" in r for r in rows), rows  # no Markdown marks
    assert all(len(r) <= 240 for r in rows)  # one line each; the list elides, it does not scroll sideways
    assert page.memories.horizontalScrollBarPolicy() == Qt.ScrollBarPolicy.ScrollBarAlwaysOff


def test_names_never_cover_each_other_unless_hovered(qapp) -> None:
    """Six dots on one spot: their names take the free spots around it by importance, the ones left without a
    spot wait (none covers another), and a hovered one and its neighbours are named."""
    from PySide6.QtWidgets import QGraphicsLineItem, QGraphicsScene

    from core.memory.service import GraphNode
    from ui.graph.canvas import LabelItem, NodeItem, emphasise

    scene = QGraphicsScene()
    nodes, labels = {}, {}
    names = ["Richard Powers", "Buchhandlung am Kiez", "Wilhelmina Okafor", "Harrowgate depot", "Teodor Varga",
             "Marisol Eberhardt"]
    for entity_id, name in enumerate(names):
        dot = NodeItem(GraphNode(entity_id, "person", name, 0.5, 3, False), 0.0, 0.0, 6.0)
        scene.addItem(dot)
        nodes[entity_id] = dot
        label = LabelItem(name, dot, "#000000", "#ffffff")
        scene.addItem(label)
        labels[entity_id] = label
    line = QGraphicsLineItem(0, 0, 40, 0)
    scene.addItem(line)
    edges = [(0, 5, line)]
    rank = {i: i for i in range(len(names))}
    emphasise(nodes, labels, edges, None, rank=rank, shown_labels=10, local=False, accent="#00f", muted="#888")
    shown = [i for i in range(len(names)) if labels[i].isVisible()]
    assert shown[:2] == [0, 1] and len(shown) < len(names), shown  # the most important first; the rest wait
    boxes = [labels[i].sceneBoundingRect() for i in shown]
    assert not any(a.intersects(b) for n, a in enumerate(boxes) for b in boxes[n + 1:])
    emphasise(nodes, labels, edges, 5, rank=rank, shown_labels=10, local=False, accent="#00f", muted="#888")
    assert labels[5].isVisible() and labels[0].isVisible()  # hovered: it and its neighbours are named


def test_the_time_slider_narrows_the_graph_to_its_span(lexical_vault, vault_paths, qtbot) -> None:
    """Dragging or stepping the slider (the real widget, by keyboard) reloads the graph for that span."""
    from datetime import UTC, datetime, timedelta

    from PySide6.QtCore import Qt

    from ui.graph.page import GraphPage, NodeItem
    from ui.session import Session

    now = datetime.now(UTC)
    lexical_vault.ingest([
        chat("o1", "Project Falcon kickoff is at Blue Fern Studio", "Ines Moreau", now - timedelta(days=400)),
        chat("o2", "The Project Falcon budget is approved", "Ines Moreau", now - timedelta(days=399)),
        chat("m1", "Project Osprey moves to Leipzig", "Ines Moreau", now - timedelta(days=60)),
        chat("m2", "Project Osprey has a new logo", "Ines Moreau", now - timedelta(days=59)),
        chat("r1", "Project Heron demo on Friday", "Ines Moreau", now - timedelta(days=2)),
        chat("r2", "Project Heron needs a name for the app", "Ines Moreau", now - timedelta(days=1)),
    ], embed=False)
    consolidate(lexical_vault, options=ConsolidationOptions(self_names=("Anna Berg",), phone_region="DE",
                                                            summaries=False))
    session = Session(vault_paths)
    session.attach(lexical_vault, lexical_vault.settings())
    page = GraphPage(session)
    qtbot.addWidget(page)
    page.resize(1200, 760)
    page.show()

    def drawn() -> set[str]:
        return {i.node.name for i in page.scene.items() if isinstance(i, NodeItem)}

    projects = {"Project Falcon", "Project Osprey", "Project Heron"}
    qtbot.waitUntil(lambda: projects <= drawn(), timeout=20000)
    assert page.time_label.text() == "All time"
    page.time_slider.setFocus()
    qtbot.keyClick(page.time_slider, Qt.Key.Key_Left)  # one step: the past year
    qtbot.waitUntil(lambda: drawn() & projects == {"Project Osprey", "Project Heron"}, timeout=20000)
    assert page.time_label.text() == "Past year"
    qtbot.keyClick(page.time_slider, Qt.Key.Key_Left)  # the past 90 days
    qtbot.keyClick(page.time_slider, Qt.Key.Key_Left)  # the past 30 days
    qtbot.waitUntil(lambda: drawn() & projects == {"Project Heron"}, timeout=20000)
    assert page.time_label.text() == "Past 30 days"
    qtbot.keyClick(page.time_slider, Qt.Key.Key_End)  # back to all time
    qtbot.waitUntil(lambda: projects <= drawn(), timeout=20000)
    assert page.time_label.text() == "All time"


def _demo_graph(window: Any, qtbot: Any) -> Any:
    page = window.show_page("graph")
    qtbot.waitUntil(lambda: page.view_data is not None and bool(getattr(page, "nodes", {})), timeout=30000)
    return page


def test_every_dot_of_the_demo_graph_is_named_at_the_fitted_zoom(unlocked: Any, qtbot: Any) -> None:
    """No dot stands nameless at the default zoom: a name that would cover another stands above or beside its
    dot instead, names never cover each other, and the status line speaks of no name waiting for hover."""
    page = _demo_graph(unlocked, qtbot)
    page.view.fit()
    page._apply_emphasis()
    unnamed = [page.nodes[i].node.name for i in page.nodes if not page._labels[i].isVisible()]
    assert unnamed == [], unnamed
    boxes = [(page._labels[i].text(), page._labels[i].sceneBoundingRect()) for i in page.nodes]
    for n, (name, box) in enumerate(boxes):
        for other, other_box in boxes[n + 1:]:
            assert not box.intersects(other_box), (name, other)
    assert "wait for hover" not in page.status.text() and "waits for hover" not in page.status.text()
    # the legend says "Books & titles" (a lone "&" would be a keyboard mnemonic, drawn as "Books _titles")
    assert page.kind_boxes["work"].text() == "Books && titles"


def test_the_related_list_names_each_entity_once(unlocked: Any, qtbot: Any) -> None:
    """Two people who talk with each other are also mentioned together: one row with both relations
    ("talks with (6), mentioned together (4)"), never the same person twice."""
    page = _demo_graph(unlocked, qtbot)
    both = []
    for node in [n for n in page.view_data.nodes if n.kind == "person"]:
        page.select_entity(node.entity_id)
        qtbot.waitUntil(lambda n=node: page._detail is not None and page._detail.entity.id == n.entity_id
                        and page.neighbours.count() > 0, timeout=20000)
        rows = [page.neighbours.item(i) for i in range(page.neighbours.count())]
        ids = [r.data(Qt.ItemDataRole.UserRole) for r in rows]
        assert len(ids) == len(set(ids)), [r.text() for r in rows]
        both += [r.text() for r in rows if "talks with" in r.text() and "mentioned together" in r.text()]
    assert both  # pairs linked both ways exist in the demo (and were listed twice before)


def test_mentions_over_time_are_drawn_as_one_bar_a_day(qapp: Any) -> None:
    """Rich text drew every bar as one block; the chart is a picture with a bar a day, gaps where none."""
    from PySide6.QtGui import QColor

    from ui.graph.canvas import DAY_S, MAX_BARS, mention_bars, sparkline_pixmap

    bars, per_bar = mention_bars(((100 * DAY_S, 2), (102 * DAY_S, 4)))
    assert (bars, per_bar) == ([2, 0, 4], 1)
    image = sparkline_pixmap(bars, "#ff0000", "#000000").toImage()
    red = QColor("#ff0000").rgb()
    assert image.pixel(5, 26) == red  # the first day's bar
    assert image.pixelColor(15, 26).alpha() == 0  # nothing on the day between
    assert image.pixel(25, 5) == red and image.pixelColor(5, 5).alpha() == 0  # the third day's is the tallest
    long_bars, long_per = mention_bars(tuple((d * DAY_S, 1) for d in range(0, 400, 3)))
    assert len(long_bars) <= MAX_BARS and long_per == 7
    assert sparkline_pixmap(bars, "#ff0000", "#000000", scale=2.0).width() == 2 * image.width()  # crisp at 2×


def test_a_name_that_would_cover_another_stands_above_or_beside_its_dot(qapp: Any) -> None:
    """Three dots close together in a column (real scene items): under each dot its name would cover the next
    one's, so the names take other spots around their dots, and all three are named, none covering another."""
    from PySide6.QtWidgets import QGraphicsScene

    from core.memory.service import GraphNode
    from ui.graph.canvas import LabelItem, NodeItem, emphasise

    scene = QGraphicsScene()
    nodes, labels = {}, {}
    for n, name in enumerate(("Wilhelmina Okafor", "Harrowgate depot", "Teodor Varga")):
        node = NodeItem(GraphNode(n, "person", name, 1.0 - n / 10, 10 - n, False), 0.0, 22.0 * n, 8.0)
        label = LabelItem(name, node, "#000000", "#ffffff")
        scene.addItem(node)
        scene.addItem(label)
        nodes[n], labels[n] = node, label
    emphasise(nodes, labels, [], None, rank={0: 0, 1: 1, 2: 2}, shown_labels=3, local=False, accent="#00f",
              muted="#888")
    assert all(label.isVisible() for label in labels.values()), [lb.text() for lb in labels.values() if not lb.isVisible()]
    boxes = [label.sceneBoundingRect() for label in labels.values()]
    assert not any(a.intersects(b) for i, a in enumerate(boxes) for b in boxes[i + 1:])
    assert {label.spot for label in labels.values()} != {0}  # some stand elsewhere than under their dot


def test_an_apps_memories_read_without_the_screens_chrome_or_side_rail(unlocked: Any, qtbot: Any) -> None:
    """The panel's memories of the mail client are what one reads of its captures: not the desktop's top bar,
    the window title again, nor the folder list OCR ran into the message's lines."""
    page = _demo_graph(unlocked, qtbot)
    mail = next(n for n in page.view_data.nodes if n.kind == "app" and n.name == "Thunderbird")
    page.select_entity(mail.entity_id)
    qtbot.waitUntil(lambda: page._detail is not None and page._detail.entity.id == mail.entity_id
                    and page.memories.count() > 0, timeout=20000)
    rows = [page.memories.item(i).text() for i in range(page.memories.count())]
    assert any("Release review: Tidepool 2.4" in row for row in rows), rows
    for row in rows:
        assert "Activities" not in row and "Inbox (3)" not in row and "This week" not in row, row


def test_a_dot_without_relations_stays_beside_the_cluster_instead_of_squeezing_it() -> None:
    from ui.graph.layout import spring_layout

    ring = [(i, (i + 1) % 20, 1.0) for i in range(20)] + [(i, (i + 7) % 20, 0.5) for i in range(20)]
    pos = spring_layout(21, ring)  # dot 20 has no edge at all
    cluster = pos[:20]
    span = cluster.max(axis=0) - cluster.min(axis=0)
    assert (span > 0.6).all(), span  # the connected dots still fill most of the view on both axes
    centre = cluster.mean(axis=0)
    reach = np.linalg.norm(cluster - centre, axis=1).max()
    assert np.linalg.norm(pos[20] - centre) <= reach * 1.2
