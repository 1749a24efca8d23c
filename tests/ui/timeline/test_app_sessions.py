"""App-session cards: consecutive frames of one app window fold into one card whose frames can be scrubbed."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, timedelta
from typing import Any

from PySide6.QtCore import Qt

from core.types import Record
from ui import fmt
from ui.widgets.item_list import SESSION_ROLE

DAY = date(2026, 1, 15)


def _frame(ext: str, at: datetime, app: str, window: str, text: str) -> Record:
    return Record(source="screen", external_id=ext, kind="screenshot", timestamp=at, text=text,
                  title=window, meta={"app": app, "window": window, "monitor": 0})


def _ingest_day(vault: Any) -> dict[str, int]:
    from tests.helpers import message

    t = fmt.day_start(DAY) + timedelta(hours=10)
    records = [
        _frame("f1", t, "firefox", "Release notes", "Release notes draft"),
        _frame("f2", t + timedelta(minutes=1), "firefox", "Release notes", "Release notes draft with the fixes listed"),
        _frame("f3", t + timedelta(minutes=2), "firefox", "Release notes", "Release notes draft fixes"),
        replace(message("m1", "Lunch at noon?"), timestamp=t + timedelta(minutes=3)),
        _frame("f4", t + timedelta(minutes=4), "firefox", "Release notes", "Release notes again"),
        _frame("f5", t + timedelta(minutes=5), "gnome-terminal", "~/src", "pytest passed"),
        _frame("f6", t + timedelta(minutes=30), "gnome-terminal", "~/src", "git push"),
    ]
    vault.ingest(records, embed=False)
    start, end = fmt.day_bounds(DAY)
    return {i.external_id: int(i.id) for i in vault.items_between(start, end, limit=50)}


def test_consecutive_frames_of_one_window_are_one_card_with_a_scrubber(unlocked: Any, qtbot: Any) -> None:
    window = unlocked
    ids = _ingest_day(window.session.vault)
    timeline = window.timeline()
    timeline.show_day(DAY)
    model = timeline.model
    qtbot.waitUntil(lambda: model.exhausted and not model.loading and model.rowCount() > 0, timeout=15000)
    # f1–f4 fold into one card (a chat message meanwhile does not end it; it gets its own row);
    # another window ends a session, and so does a 25-minute gap
    cards = [[f.external_id for f in model.session(r).frames] for r in range(model.rowCount())]
    assert cards == [["f1", "f2", "f3", "f4"], ["m1"], ["f5"], ["f6"]]
    first = model.index(0, 0)
    assert first.data(SESSION_ROLE).best.external_id == "f2"  # the frame with the most words names the card
    assert "4 screens" in first.data(Qt.ItemDataRole.AccessibleTextRole)
    assert model.timestamps() == sorted(model.timestamps()) and len(model.timestamps()) == 7  # every frame on the strip

    timeline._select_row(0)
    qtbot.waitUntil(lambda: timeline.current_item() is not None and timeline.current_item().external_id == "f2",
                    timeout=10000)
    # "around this moment" lists what else happened, not the same window's other frames again
    around = timeline.moment.around_model()
    qtbot.waitUntil(lambda: around.rowCount() > 0, timeout=10000)
    assert [i.external_id for i in around.items()] == ["m1", "f5"]  # not f1, f3, f4: the same window
    bar = timeline.session_bar
    assert not bar.isHidden() and "4 screens" in bar.title.text() and bar.slider.maximum() == 3
    bar.slider.setValue(0)  # scrub to the first frame of the session
    assert timeline.current_item().external_id == "f1"
    assert bar.position.text().startswith("1 of 4")

    # a single moment has no scrubber
    timeline._select_row(1)
    qtbot.waitUntil(lambda: timeline.current_item().external_id == "m1", timeout=10000)
    assert bar.isHidden()

    # opening one frame (a search hit, a citation) shows that frame inside its card
    timeline.open_item(ids["f3"])
    qtbot.waitUntil(lambda: timeline.current_item().external_id == "f3", timeout=10000)
    assert timeline.day_list.currentIndex().row() == 0 and bar.slider.value() == 2

    # scrubbing the hour strip inside the session's span shows the frame at that time
    timeline._scrubbed(fmt.day_start(DAY) + timedelta(hours=10, seconds=10))
    assert timeline.current_item().external_id == "f1"


def test_screen_only_makes_the_screenshot_the_page(unlocked: Any, qtbot: Any) -> None:
    window = unlocked
    timeline = window.timeline()
    view = timeline.day_view
    before = timeline.moment.width()
    qtbot.keyClick(timeline, Qt.Key.Key_B, Qt.KeyboardModifier.ControlModifier)
    assert view.screen_only.isChecked() and view.right.isHidden()
    assert timeline.moment._around_title.isHidden()
    qtbot.waitUntil(lambda: timeline.moment.width() > before * 1.3, timeout=5000)  # the moment takes the page
    timeline.step(1)  # scrubbing still works with the list hidden
    view.screen_only.click()
    assert not view.right.isHidden() and not timeline.moment._around_title.isHidden()


def test_two_monitors_keep_one_session_each() -> None:
    from core.store.browse import ItemView
    from ui.timeline.sessions import AppSession, group

    t = fmt.day_start(DAY) + timedelta(hours=9)

    def frame(n: int, minutes: float, window: str, monitor: int) -> ItemView:
        return ItemView(id=n, source="screen", kind="screenshot", timestamp=t + timedelta(minutes=minutes),
                        text="x", title=window, meta={"app": "firefox", "window": window, "monitor": monitor})

    sessions: list[AppSession] = []
    # the editor on monitor 0 and the docs on monitor 1, captured in turns; then another window on monitor 0
    group(sessions, [frame(1, 0, "Editor", 0), frame(2, 0.1, "Docs", 1), frame(3, 1, "Editor", 0),
                     frame(4, 1.1, "Docs", 1), frame(5, 2, "Mail", 0)])
    grown = group(sessions, [frame(6, 2.1, "Docs", 1), frame(7, 3, "Editor", 0)])  # the next page
    assert [[int(f.id) for f in s.frames] for s in sessions] == [[1, 3], [2, 4, 6], [5], [7]]
    assert grown == {1}  # an earlier row grew: the model repaints it


def test_the_demos_editing_run_is_one_app_session_card(unlocked: Any, qtbot: Any) -> None:
    """The demo has a run of near-identical frames (a few minutes in one editor window): a new user meets the card."""
    window = unlocked
    vault = window.session.vault
    from tests.ui.conftest import demo_now

    now = demo_now(vault)
    frames = [i for i in vault.items_between(now - timedelta(days=60), now, limit=500, kinds=("screenshot",))
              if (i.external_id or "").startswith("demo-frame:sync-code")]
    assert len(frames) == 5
    timeline = window.timeline()
    timeline.show_day(frames[0].timestamp.astimezone().date())
    model = timeline.model
    qtbot.waitUntil(lambda: model.exhausted and not model.loading and model.rowCount() > 0, timeout=15000)
    cards = [model.session(r) for r in range(model.rowCount())]
    editing = [c for c in cards if any((f.external_id or "").startswith("demo-frame:sync-code") for f in c.frames)]
    assert len(editing) == 1 and len(editing[0].frames) == 5  # one card, all five frames in it
    row = cards.index(editing[0])
    assert "5 screens" in model.index(row, 0).data(Qt.ItemDataRole.AccessibleTextRole)
