"""Search: debounced results as you type, filters, highlighted OCR words, Enter opens the timeline."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt

from tests.ui.conftest import wait_idle


def test_typing_searches_and_enter_opens_the_moment_in_the_timeline(unlocked: Any, qtbot: Any) -> None:
    window = unlocked
    qtbot.keyClick(window, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    search = window.search()
    assert window.current_page() == "search"
    assert search.query.hasFocus()
    qtbot.keyClicks(search.query, "binoculars")
    qtbot.waitUntil(lambda: search.model.rowCount() > 0 and search.last_result() is not None
                    and search.last_result().query_text == "binoculars", timeout=15000)
    kinds = {search.model.item(r).kind for r in range(search.model.rowCount())}
    assert {"message", "screenshot", "document"} <= kinds  # chats, screen and files in one list
    assert "good match" in search.status.text()

    # move to the screenshot hit with the arrow keys: its OCR words are boxed on the image
    row = next(r for r in range(search.model.rowCount()) if search.model.item(r).kind == "screenshot")
    for _ in range(row):
        qtbot.keyClick(search.query, Qt.Key.Key_Down)
    hit = search.model.item(search.results.currentIndex().row())
    assert hit.kind == "screenshot"
    qtbot.waitUntil(lambda: search.preview.item() is not None and int(search.preview.item().id) == int(hit.item_id)
                    and search.preview.image_view().has_image(), timeout=15000)
    assert search.preview.current_image_boxes() >= 1

    qtbot.keyClick(search.query, Qt.Key.Key_Return)
    timeline = window.timeline()
    assert window.current_page() == "timeline"
    qtbot.waitUntil(lambda: timeline.current_item() is not None and int(timeline.current_item().id) == int(hit.item_id),
                    timeout=15000)
    qtbot.waitUntil(lambda: timeline.moment.image_view().has_image(), timeout=15000)
    assert timeline.moment.current_image_boxes() >= 1  # the search terms stay highlighted there


def test_filters_narrow_the_results(unlocked: Any, qtbot: Any) -> None:
    window = unlocked
    search = window.show_page("search")
    search.set_query("staging")
    qtbot.waitUntil(lambda: search.last_result() is not None and search.model.rowCount() > 1, timeout=15000)
    everything = {search.model.item(r).kind for r in range(search.model.rowCount())}
    assert "screenshot" in everything and "message" in everything

    search.source.setCurrentIndex(search.source.findText("Chats"))
    qtbot.waitUntil(lambda: search.model.rowCount() > 0 and all(
        search.model.item(r).source.startswith("chat") for r in range(search.model.rowCount())), timeout=15000)

    search.source.setCurrentIndex(search.source.findText("Screen"))
    qtbot.waitUntil(lambda: search.model.rowCount() > 0 and all(
        search.model.item(r).kind == "screenshot" for r in range(search.model.rowCount())), timeout=15000)

    search.clear_filters()
    search.person.setEditText("Lukas")
    search.search_now()
    qtbot.waitUntil(lambda: search.model.rowCount() > 0 and all(
        search.model.item(r).speaker == "Lukas" for r in range(search.model.rowCount())), timeout=15000)

    search.clear_filters()
    search.when.setCurrentIndex(search.when.findText("Today"))
    search.search_now()
    wait_idle(qtbot, window)
    # The demo's newest memory is from before today: nothing about staging today.
    qtbot.waitUntil(lambda: search.model.rowCount() == 0 and "Nothing in your memory matches" in search.status.text(),
                    timeout=15000)
    # ...but outside the filter there is a good match (found after the hits are shown), and one click opens it
    qtbot.waitUntil(lambda: search.nearest_button.isVisibleTo(search), timeout=15000)
    assert "Outside your filters" in search.nearest_button.text()
    search.nearest_button.click()
    timeline = window.timeline()
    qtbot.waitUntil(lambda: window.current_page() == "timeline" and timeline.current_item() is not None
                    and "staging" in timeline.current_item().text.lower(), timeout=15000)


def test_made_up_words_say_no_good_match_and_list_the_closest_dimmed(unlocked: Any, qtbot: Any) -> None:
    search = unlocked.show_page("search")
    search.set_query("xylophone quartz")
    qtbot.waitUntil(lambda: search.last_result() is not None and search.last_result().query_text == "xylophone quartz",
                    timeout=15000)
    assert search.last_result().good_hits == []
    assert "No good matches for “xylophone quartz”" in search.status.text() or search.model.rowCount() == 0
    assert all(search.model.item(r).weak for r in range(search.model.rowCount()))
    assert "memory graph" not in search.status.text()


def test_a_stale_search_never_overwrites_a_newer_one(unlocked: Any, qtbot: Any) -> None:
    search = unlocked.show_page("search")
    search.query.setText("binoculars")
    search.search_now()
    search.query.setText("climbing gym")
    search.search_now()
    wait_idle(qtbot, unlocked)
    qtbot.waitUntil(lambda: search.last_result() is not None, timeout=15000)
    assert search.last_result().query_text == "climbing gym"
