"""Unlocking with the passphrase, refusing a wrong one, and locking again."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt

from tests.conftest import TEST_PASSPHRASE
from tests.ui.conftest import wait_idle


def test_wrong_passphrase_is_refused_then_the_right_one_unlocks(window: Any, qtbot: Any) -> None:
    page = window.lock_page
    assert window.root.currentWidget() is page
    qtbot.keyClicks(page.passphrase, "not the passphrase")
    qtbot.keyClick(page.passphrase, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: "does not unlock" in page.message.text(), timeout=15000)
    assert not window.session.is_unlocked

    page.passphrase.clear()
    qtbot.keyClicks(page.passphrase, TEST_PASSPHRASE)
    qtbot.keyClick(page.passphrase, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: window.session.is_unlocked, timeout=15000)
    assert window.root.currentWidget() is window.shell
    timeline = window.timeline()
    qtbot.waitUntil(lambda: timeline.model.rowCount() > 0, timeout=15000)
    # The timeline opens on the most recent day that has memories.
    newest = max(timeline.model.item(r).timestamp for r in range(timeline.model.rowCount()))
    stats = window.session.vault.stats()
    assert newest == stats.last_item_at
    qtbot.waitUntil(lambda: "memories" in window.count_label.text(), timeout=10000)
    assert window.count_label.text().startswith(f"{stats.items:,}")


def test_lock_closes_the_vault_and_forgets_decrypted_images(unlocked: Any, qtbot: Any) -> None:
    window = unlocked
    timeline = window.timeline()
    rows = [timeline.model.item(r) for r in range(timeline.model.rowCount())]
    vault = window.session.vault
    shot = next((r for r in rows if r.kind == "screenshot"), None)
    if shot is None:  # the newest day may have no screenshot: take one that does
        shot = next(i for i in vault.items_between(*_all_time(), limit=500) if i.kind == "screenshot")
    timeline.open_item(int(shot.id))
    qtbot.waitUntil(lambda: timeline.current_item() is not None and int(timeline.current_item().id) == int(shot.id),
                    timeout=15000)
    qtbot.waitUntil(lambda: timeline.moment.image_view().has_image(), timeout=15000)
    assert window.media._images  # decrypted pixels live in memory while unlocked

    qtbot.keyClick(window, Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: not window.session.is_unlocked, timeout=5000)
    wait_idle(qtbot, window)
    assert window.root.currentWidget() is window.lock_page
    assert vault.locked
    assert not window.media._images
    assert timeline.model.rowCount() == 0
    from core.vault import lock_flag

    assert lock_flag(window.session.paths).exists()  # keyring auto-unlock is refused until a passphrase unlock

    window.lock_page.passphrase.setText(TEST_PASSPHRASE)
    window.lock_page.unlock()
    qtbot.waitUntil(lambda: window.session.is_unlocked, timeout=15000)
    assert not lock_flag(window.session.paths).exists()


def test_locked_status_is_shown_in_the_status_bar(window: Any, qtbot: Any) -> None:
    qtbot.waitUntil(lambda: window.health.last is not None, timeout=10000)
    assert window.health_bar.text().startswith("Locked")


def _all_time() -> tuple[Any, Any]:
    from datetime import datetime, timedelta

    now = datetime.now().astimezone()
    return now - timedelta(days=400), now + timedelta(days=1)
