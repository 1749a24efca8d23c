"""First run: the steps' choices create an encrypted vault with settings and the demo memory."""

from __future__ import annotations

from typing import Any

from core.paths import VaultPaths


def test_first_run_steps_in_the_window_create_the_vault_with_choices_and_demo(
        qtbot: Any, theme: Any, tmp_path: Any, monkeypatch: Any) -> None:
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QDialog

    from core.vault import Vault
    from ui.session import Session
    from ui.shell import first_run
    from ui.shell.main_window import MainWindow

    monkeypatch.setattr(first_run, "keyring_status", lambda: (False, "no keyring here"))
    paths = VaultPaths(tmp_path / "fresh")
    session = Session(paths)
    window = MainWindow(session)
    qtbot.addWidget(window)
    window.show()
    window.start()  # what app.main does after showing the window
    qtbot.waitUntil(lambda: window.startup.flow is not None, timeout=10000)  # no vault yet: the first run
    flow = window.startup.flow
    assert window.root.currentWidget() is flow  # a page of the window: no dialog, no lock screen behind it
    assert not isinstance(flow, QDialog) and flow.window() is window
    assert not flow.back_button.isVisible()  # nothing to go back to on the first step
    assert not flow.protect.keyring.isEnabled()  # no trusted keyring: passphrase only
    qtbot.mouseClick(flow.next_button, Qt.MouseButton.LeftButton)
    assert flow.current() is flow.protect and flow.back_button.isVisible()
    flow.protect.passphrase.setText("short")
    flow.protect.confirm.setText("short")
    assert not flow.protect.is_complete() and not flow.next_button.isEnabled()
    flow.next()
    assert flow.current() is flow.protect  # an incomplete step stays
    flow.protect.passphrase.setText("first run passphrase")
    flow.protect.confirm.setText("first run passphrase")
    assert flow.next_button.isEnabled()
    qtbot.keyClick(flow.protect.confirm, Qt.Key.Key_Return)  # Enter continues
    assert flow.current() is flow.capture
    flow.capture.interval.setValue(4.0)
    flow.capture.folders.add(str(tmp_path / "notes"))
    flow.next()
    assert flow.demo.demo.isChecked()
    flow.next()  # the last step says capture starts now, how to pause, and locks after 15 minutes by default
    assert "Capture starts now" in flow.start.title() and flow.start.lock.currentData() == 15
    assert flow.next_button.text() == "Create my vault"
    flow.start.lock.setCurrentIndex(flow.start.lock.findData(30))
    choices = flow.choices()
    assert choices.passphrase == "first run passphrase" and not choices.use_keyring

    qtbot.mouseClick(flow.next_button, Qt.MouseButton.LeftButton)  # Create my vault
    qtbot.waitUntil(lambda: session.is_unlocked, timeout=60000)
    timeline = window.timeline()
    qtbot.waitUntil(lambda: timeline.model.rowCount() > 0, timeout=20000)
    assert session.vault.stats().items >= 50  # chats, documents and screenshots of the demo
    window._quitting = True
    session.close_now()
    with Vault.open(paths, "first run passphrase", embedder=None) as vault:
        settings = vault.settings()
        assert settings.capture_interval_s == 4.0 and settings.auto_lock_minutes == 30
        assert settings.watched_folders == (str(tmp_path / "notes"),)
        assert vault.stats().media_files == 15


def test_demo_memory_loads_idempotently(tmp_path: Any) -> None:
    from datetime import datetime

    from core.demo import load_demo_memory
    from core.vault import Vault

    vault = Vault.create(VaultPaths(tmp_path / "v"), "demo passphrase", use_keyring=False, embedder=None)
    now = datetime.now().astimezone()
    first = load_demo_memory(vault, now, embed=False)
    second = load_demo_memory(vault, now, embed=False)
    assert (first.screenshots, first.documents) == (15, 4)
    assert (second.chats, second.screenshots, second.documents) == (0, 0, 0)
    stats = vault.stats()
    assert stats.media_files == 15
    assert set(stats.by_source) == {"chat:demo", "screen:demo", "file:demo", "summary"}  # summaries: consolidation ran
    newest = stats.last_item_at.astimezone().date()
    # in the past week, and never in the future (tests/memory/test_demo_dates.py tries other days of the year)
    assert 1 <= (now.date() - newest).days <= 8
    vault.close()


def test_quit_setup_asks_before_quitting(qtbot: Any, theme: Any, tmp_path: Any, monkeypatch: Any) -> None:
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication, QMessageBox

    from ui.session import Session
    from ui.shell import startup as startup_mod
    from ui.shell.main_window import MainWindow

    window = MainWindow(Session(VaultPaths(tmp_path / "fresh")))
    qtbot.addWidget(window)
    window.show()
    window.start()  # what app.main does after showing the window
    qtbot.waitUntil(lambda: window.startup.flow is not None, timeout=10000)
    flow = window.startup.flow
    real_confirm = startup_mod.confirm_quit_setup
    answers = iter([False, True])  # "Back to setup", then "Quit"
    monkeypatch.setattr(startup_mod, "confirm_quit_setup", lambda _parent: next(answers))
    quits: list[bool] = []
    monkeypatch.setattr(window.startup, "_quit", lambda: quits.append(True))
    flow.quit_button.click()
    assert quits == [] and window.root.currentWidget() is flow  # back to the setup, where it was
    flow.quit_button.click()
    assert quits == [True]  # quit only when the user said so

    def answer_back() -> None:
        box = QApplication.activeModalWidget()
        assert isinstance(box, QMessageBox) and "nothing has been stored" in box.text()
        next(b for b in box.buttons() if b.text() == "Back to setup").click()

    QTimer.singleShot(0, answer_back)
    assert real_confirm(window) is False
