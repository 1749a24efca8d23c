"""The timeline: paging, scrubbing with keys and mouse, week/month density, screenshots in memory."""

from __future__ import annotations

from collections import Counter
from datetime import datetime, timedelta
from typing import Any

from PySide6.QtCore import QPoint, Qt

from core.types import Record
from tests.ui.conftest import demo_now, wait_idle
from ui import fmt
from ui.timeline.count_text import density_hint_text, memory_count_text


def _busiest_day(vault: Any) -> Any:
    now = demo_now(vault)
    items = vault.items_between(now - timedelta(days=90), now + timedelta(days=1), limit=5000)
    days = Counter(fmt.to_local(i.timestamp).date() for i in items)
    return days.most_common(1)[0][0], items


def test_arrow_keys_step_through_the_moments_of_a_day(unlocked: Any, qtbot: Any) -> None:
    timeline = unlocked.timeline()
    day, items = _busiest_day(unlocked.session.vault)
    timeline.show_day(day)
    expected = sorted((i for i in items if fmt.to_local(i.timestamp).date() == day and i.source != "summary"),
                      key=lambda i: (i.timestamp, int(i.id)))  # summaries sit above the day, not in its stream
    qtbot.waitUntil(lambda: timeline.model.rowCount() == len(expected) and timeline.current_item() is not None,
                    timeout=15000)
    assert [int(timeline.model.item(r).id) for r in range(len(expected))] == [int(i.id) for i in expected]
    timeline.strip.setFocus()
    qtbot.keyClick(timeline.strip, Qt.Key.Key_Home)
    assert int(timeline.current_item().id) == int(expected[0].id)
    qtbot.keyClick(timeline.strip, Qt.Key.Key_Right)
    qtbot.keyClick(timeline.strip, Qt.Key.Key_Right)
    assert int(timeline.current_item().id) == int(expected[2].id)
    qtbot.keyClick(timeline.strip, Qt.Key.Key_Left)
    assert int(timeline.current_item().id) == int(expected[1].id)
    qtbot.keyClick(timeline.strip, Qt.Key.Key_End)
    assert int(timeline.current_item().id) == int(expected[-1].id)
    # the strip's cursor follows the selection; the histogram counts every memory of the day
    assert timeline.strip.cursor().timestamp() == expected[-1].timestamp.timestamp()
    qtbot.waitUntil(lambda: sum(timeline.strip.histogram()) == len(expected), timeout=10000)
    qtbot.keyClick(timeline.strip, Qt.Key.Key_PageUp)
    assert timeline.current_day() == day - timedelta(days=1)


def test_dragging_on_the_hour_strip_selects_the_nearest_moment(unlocked: Any, qtbot: Any) -> None:
    timeline = unlocked.timeline()
    day, _items = _busiest_day(unlocked.session.vault)
    timeline.show_day(day)
    qtbot.waitUntil(lambda: timeline.model.rowCount() > 2 and timeline.current_item() is not None, timeout=15000)
    strip = timeline.strip
    stamps = timeline.model.timestamps()
    target = stamps[len(stamps) // 2]
    x = round(strip._x_of(target))
    y = strip.height() // 2
    qtbot.mousePress(strip, Qt.MouseButton.LeftButton, pos=QPoint(5, y))
    qtbot.mouseMove(strip, QPoint(x // 2, y))
    qtbot.mouseMove(strip, QPoint(x, y))
    qtbot.mouseRelease(strip, Qt.MouseButton.LeftButton, pos=QPoint(x, y))
    chosen = timeline.current_item().timestamp.timestamp()
    nearest = min(stamps, key=lambda s: abs(s - strip.cursor().timestamp()))
    assert chosen == nearest
    # a pixel is several seconds wide: the cursor lands within one pixel of the moment dragged to
    seconds_per_pixel = 86400 / strip._track().width()
    assert abs(strip.cursor().timestamp() - target) <= 2 * seconds_per_pixel
    # a screen reader hears the time as the strip shows it: hours and minutes, no seconds
    assert strip.accessibleDescription() == f"Cursor at {fmt.to_local(strip.cursor()).strftime('%H:%M')}"


def test_week_and_month_views_count_every_memory(unlocked: Any, qtbot: Any) -> None:
    timeline = unlocked.timeline()
    day, items = _busiest_day(unlocked.session.vault)
    timeline.show_day(day)
    wait_idle(qtbot, unlocked)
    timeline.set_zoom("month")
    qtbot.waitUntil(lambda: timeline.density._counts != {} and unlocked.session.tasks.running == 0, timeout=15000)
    first, end = timeline.density.range()
    expected = Counter(fmt.to_local(i.timestamp).date() for i in items  # summaries are not memories
                       if first <= fmt.to_local(i.timestamp).date() < end and i.source != "summary")
    assert {d: timeline.density.total(d) for d in expected} == dict(expected)
    # Enter on the selected day opens it in the day view
    timeline.density.setFocus()
    qtbot.keyClick(timeline.density, Qt.Key.Key_Return)
    assert timeline.zoom() == "day" and timeline.current_day() == day
    timeline.set_zoom("week")
    qtbot.waitUntil(lambda: timeline.density.total(day) > 0, timeout=15000)
    assert timeline.density.total(day) == expected[day]


def test_the_month_header_counts_that_month_only(unlocked: Any, qtbot: Any) -> None:
    from ui.timeline.density import month_grid

    timeline = unlocked.timeline()
    vault = unlocked.session.vault
    busiest, _items = _busiest_day(vault)
    # A memory on the first of the next month, which the month's calendar grid shows greyed
    first = (busiest.replace(day=1) + timedelta(days=32)).replace(day=1)
    vault.ingest([Record(source="file", external_id="/notes/next-month.md", kind="document", title="next-month.md",
                         timestamp=datetime(first.year, first.month, 1, 12, 0).astimezone(), text="Plans")],
                 embed=False)
    _day, items = _busiest_day(vault)
    per_day = Counter(fmt.to_local(i.timestamp).date() for i in items if i.source != "summary")
    # A month whose calendar grid also shows memories of the neighbouring months (greyed days).
    day = next(d for d in sorted(per_day) if any(g.month != d.month and per_day[g] for g in month_grid(d)))
    timeline.show_day(day)
    wait_idle(qtbot, unlocked)
    timeline.set_zoom("month")
    qtbot.waitUntil(lambda: timeline.density._counts != {} and unlocked.session.tasks.running == 0, timeout=15000)
    # The header beside "November 2026" and the hint count that month only, as its cells do.
    in_month = sum(n for d, n in per_day.items() if (d.year, d.month) == (day.year, day.month))
    assert timeline._toolbar.count_text() == memory_count_text(in_month)
    assert timeline._density_card.hint().startswith(f"{memory_count_text(in_month)} on ")


def test_count_wording_is_plain() -> None:
    assert memory_count_text(1) == "1 memory" and memory_count_text(1234) == "1,234 memories"
    assert density_hint_text(1, 1).startswith("1 memory on 1 day.")
    assert density_hint_text(27, 5).startswith("27 memories on 5 days.")
    assert density_hint_text(0, 0).startswith("No memories here yet.")


def test_a_screenshot_moment_is_decrypted_in_memory_only(unlocked: Any, qtbot: Any) -> None:
    window = unlocked
    vault = window.session.vault
    now = demo_now(vault)
    shot = next(i for i in vault.items_between(now - timedelta(days=90), now, limit=500) if i.kind == "screenshot")
    timeline = window.timeline()
    before = {p: p.stat().st_mtime_ns for p in window.session.paths.home.rglob("*") if p.is_file()}
    timeline.open_item(int(shot.id))
    qtbot.waitUntil(lambda: timeline.current_item() is not None and int(timeline.current_item().id) == int(shot.id),
                    timeout=15000)
    qtbot.waitUntil(lambda: timeline.moment.image_view().has_image(), timeout=15000)
    assert timeline.moment.title() == fmt.headline(shot)
    # nothing new on disk except the database's own files (WAL/shm for reads)
    after = {p for p in window.session.paths.home.rglob("*") if p.is_file()}
    new_files = {p.name for p in after - set(before)}
    assert new_files <= {"vault.db-wal", "vault.db-shm"}


def test_day_and_episode_summaries_show_and_link_to_their_sources(unlocked: Any, qtbot: Any) -> None:
    from core.types import Record

    window = unlocked
    vault = window.session.vault
    timeline = window.timeline()
    day, items = _busiest_day(vault)
    sources = [i for i in items if fmt.to_local(i.timestamp).date() == day and i.kind == "message"][:3]
    start = fmt.day_start(day)
    vault.ingest([
        Record(source="summary", external_id=f"day:{day}", kind="summary", timestamp=start,
               text="Sam checked the new staging environment with Lukas and prepared the release numbers.",
               title=f"Day summary {day}",
               meta={"summary_of": "day", "source_item_ids": [int(s.id) for s in sources]}),
        Record(source="summary", external_id=f"episode:{day}:1", kind="summary",
               timestamp=sources[0].timestamp, text="Chat with Lukas about the staging environment.",
               title="Staging environment with Lukas",
               meta={"summary_of": "episode", "ts_end": sources[-1].timestamp.timestamp(),
                     "source_item_ids": [int(s.id) for s in sources]}),
    ], embed=False)
    timeline.show_day(day)
    qtbot.waitUntil(lambda: "prepared the release numbers" in timeline._glance.text(), timeout=15000)
    assert "Staging environment with Lukas" in timeline._glance.text()
    assert timeline._glance_title.text() == "DAY SUMMARY"
    # The summaries and the day's page load as two tasks; under load the glance can land first.
    qtbot.waitUntil(lambda: timeline.current_item() is not None, timeout=15000)
    assert timeline.current_item().kind != "summary"  # the day opens on its first moment, not the summary
    # summaries are never moments of the day: not in its list, not counted on its activity strip
    assert all(timeline.model.item(r).kind != "summary" for r in range(timeline.model.rowCount()))
    moments = [i for i in items if fmt.to_local(i.timestamp).date() == day and i.source != "summary"]
    qtbot.waitUntil(lambda: sum(timeline.strip.histogram()) == len(moments), timeout=10000)
    # the episode link opens the summary; its "made from" links open the source memories
    episode_id = next(int(s.id) for s in timeline._summaries if (s.meta or {}).get("summary_of") == "episode")
    timeline._glance_link(f"item:{episode_id}")
    qtbot.waitUntil(lambda: int(timeline.current_item().id) == episode_id, timeout=10000)
    assert f"item:{int(sources[0].id)}" in timeline.moment._text.toHtml()
    from PySide6.QtCore import QUrl

    timeline.moment._text.anchorClicked.emit(QUrl(f"item:{int(sources[1].id)}"))
    qtbot.waitUntil(lambda: int(timeline.current_item().id) == int(sources[1].id), timeout=10000)


def test_a_memory_stored_while_a_page_loads_still_pages_in(unlocked: Any, qtbot: Any, monkeypatch: Any) -> None:
    # The page in flight read the database just before the new memory was committed; the "new items"
    # signal that arrives meanwhile must not be dropped, or the memory stays invisible until the next one.
    import threading
    from dataclasses import replace

    from tests.helpers import message
    from ui.timeline.model import RangeModel

    session = unlocked.session
    vault = session.vault
    queried, release = threading.Event(), threading.Event()
    real = vault.items_between
    calls = []

    def items_between(*args: Any, **kwargs: Any) -> Any:
        rows = real(*args, **kwargs)
        calls.append(len(rows))
        if len(calls) == 1:  # hold the first page after its query ran
            queried.set()
            release.wait(20)
        return rows

    monkeypatch.setattr(vault, "items_between", items_between)
    model = RangeModel(session)
    now = datetime.now().astimezone()
    model.set_range(now - timedelta(hours=1), now + timedelta(hours=1))
    assert queried.wait(20)
    vault.ingest([replace(message("late-arrival", "Quokka census results are in"), timestamp=now)], embed=False)
    model.refresh_tail()  # what the health poll does when a frame was stored
    release.set()
    qtbot.waitUntil(lambda: any("Quokka census" in (model.item(r).text or "") for r in range(model.rowCount())),
                    timeout=10000)


def test_jump_to_date_marks_the_days_that_hold_memories(unlocked: Any, qtbot: Any) -> None:
    from PySide6.QtCore import QTimer
    from PySide6.QtGui import QFont
    from PySide6.QtWidgets import QApplication, QCalendarWidget

    timeline = unlocked.timeline()
    day, items = _busiest_day(unlocked.session.vault)
    timeline.show_day(day)
    wait_idle(qtbot, unlocked)
    empty = next(day.replace(day=d) for d in range(1, 29) if all(
        fmt.to_local(i.timestamp).date() != day.replace(day=d) for i in items))
    seen: dict[str, Any] = {}

    def inspect() -> None:
        dialog = QApplication.activeModalWidget()
        calendar = dialog.findChild(QCalendarWidget)
        qtbot.waitUntil(lambda: (dialog.property("marked_days") or 0) > 0, timeout=15000)
        seen["busy"] = calendar.dateTextFormat(day).fontWeight()
        seen["empty"] = calendar.dateTextFormat(empty).fontWeight()
        dialog.reject()

    QTimer.singleShot(0, inspect)
    timeline.choose_date()
    assert seen["busy"] == QFont.Weight.Bold and seen["empty"] != QFont.Weight.Bold


def test_hovering_the_hour_strip_previews_the_screen_at_that_time(unlocked: Any, qtbot: Any) -> None:
    timeline = unlocked.timeline()
    now = demo_now(unlocked.session.vault)
    items = unlocked.session.vault.items_between(now - timedelta(days=90), now, limit=500)
    shot = next(i for i in items if i.kind == "screenshot")
    day = fmt.to_local(shot.timestamp).date()
    timeline.show_day(day)
    wait_idle(qtbot, unlocked)
    qtbot.waitUntil(lambda: timeline.model.row_of(int(shot.id)) >= 0, timeout=15000)
    strip = timeline.strip
    x = int(strip._x_of(shot.timestamp.timestamp() + 120))  # two minutes after the frame
    qtbot.mouseMove(strip, QPoint(x, strip.height() // 2))
    qtbot.waitUntil(lambda: timeline.frame_preview.item() is not None, timeout=15000)
    assert int(timeline.frame_preview.item().id) == int(shot.id)
    assert not timeline.frame_preview.pixmap().isNull()
    strip.hovered.emit(None)  # the pointer leaves the strip
    assert timeline.frame_preview.item() is None


def test_clicking_a_screenshot_opens_it_full_size_with_selectable_words(unlocked: Any, qtbot: Any) -> None:
    from PySide6.QtGui import QGuiApplication

    window = unlocked
    now = demo_now(window.session.vault)
    shot = next(i for i in window.session.vault.items_between(now - timedelta(days=90), now, limit=500)
                if i.kind == "screenshot" and (i.meta or {}).get("url"))
    timeline = window.timeline()
    timeline.open_item(int(shot.id))
    qtbot.waitUntil(lambda: timeline.current_item() is not None and int(timeline.current_item().id) == int(shot.id)
                    and timeline.moment.image_view().has_image(), timeout=15000)
    qtbot.mouseClick(timeline.moment.image_view(), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: getattr(timeline.moment, "zoom_dialog", None) is not None
                    and timeline.moment.zoom_dialog.isVisible(), timeout=15000)
    zoom = timeline.moment.zoom_dialog
    words = [w.toPlainText() for w in zoom.words]
    assert len(words) == len(shot.meta["words"]) and words[0] == shot.meta["words"][0][0]
    assert zoom.words[0].textInteractionFlags() & Qt.TextInteractionFlag.TextSelectableByMouse
    assert zoom.open_link.isVisibleTo(zoom) and shot.meta["url"] in zoom.open_link.toolTip()
    next(b for b in zoom.findChildren(type(zoom.open_link)) if b.text() == "Copy all text").click()
    assert QGuiApplication.clipboard().text() == shot.text
    zoom.close()
