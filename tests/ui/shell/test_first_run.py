"""First run: the wizard's choices create an encrypted vault with settings and the demo memory."""

from __future__ import annotations

from typing import Any

from core.paths import VaultPaths


def test_wizard_creates_the_vault_with_choices_and_demo(qtbot: Any, theme: Any, tmp_path: Any) -> None:
    from core.vault import Vault
    from ui.session import Session
    from ui.shell.first_run import FirstRunWizard
    from ui.shell.main_window import MainWindow

    paths = VaultPaths(tmp_path / "fresh")
    session = Session(paths)
    window = MainWindow(session)
    qtbot.addWidget(window)
    window.show()

    wizard = FirstRunWizard(window, keyring=(False, "no keyring here"))
    qtbot.addWidget(wizard)
    wizard.show()
    assert not wizard.protect.keyring.isEnabled()  # no trusted keyring: passphrase only
    wizard.next()
    wizard.protect.passphrase.setText("short")
    wizard.protect.confirm.setText("short")
    assert not wizard.protect.isComplete()
    wizard.protect.passphrase.setText("first run passphrase")
    wizard.protect.confirm.setText("first run passphrase")
    assert wizard.protect.isComplete()
    wizard.next()
    wizard.capture.interval.setValue(4.0)
    wizard.capture.folders.add(str(tmp_path / "notes"))
    wizard.next()
    assert wizard.demo.demo.isChecked()
    wizard.next()  # the last step says capture starts now, how to pause, and locks after 15 minutes by default
    assert "Capture starts now" in wizard.start.title() and wizard.start.lock.currentData() == 15
    wizard.start.lock.setCurrentIndex(wizard.start.lock.findData(30))
    choices = wizard.choices()
    assert choices.passphrase == "first run passphrase" and not choices.use_keyring
    wizard.close()

    window.setup_with(choices)
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
        assert vault.stats().media_files == 11


def test_demo_memory_loads_idempotently(tmp_path: Any) -> None:
    from datetime import datetime

    from core.demo import load_demo_memory
    from core.vault import Vault

    vault = Vault.create(VaultPaths(tmp_path / "v"), "demo passphrase", use_keyring=False, embedder=None)
    now = datetime.now().astimezone()
    first = load_demo_memory(vault, now, embed=False)
    second = load_demo_memory(vault, now, embed=False)
    assert (first.screenshots, first.documents) == (11, 4)
    assert (second.chats, second.screenshots, second.documents) == (0, 0, 0)
    stats = vault.stats()
    assert stats.media_files == 11
    assert set(stats.by_source) == {"chat:demo", "screen:demo", "file:demo", "summary"}  # summaries: consolidation ran
    newest = stats.last_item_at.astimezone().date()
    assert (now.date() - newest).days in (0, 1, 2)  # shifted so the demo is recent
    vault.close()


def test_cancelling_the_wizard_asks_before_quitting_and_no_lock_screen_is_behind_it(
        qtbot: Any, theme: Any, tmp_path: Any, monkeypatch: Any) -> None:
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication, QMessageBox

    from ui.session import Session
    from ui.shell import startup as startup_mod
    from ui.shell.first_run import FirstRunWizard
    from ui.shell.main_window import MainWindow

    window = MainWindow(Session(VaultPaths(tmp_path / "fresh")))
    qtbot.addWidget(window)
    window.show()
    real_confirm = startup_mod.confirm_quit_setup
    shown_behind: list[Any] = []
    answers = iter([False, True])  # "Back to setup", then "Quit"
    monkeypatch.setattr(FirstRunWizard, "exec", lambda self: (
        shown_behind.append(window.startup._root.currentWidget()), FirstRunWizard.DialogCode.Rejected)[1])
    monkeypatch.setattr(startup_mod, "confirm_quit_setup", lambda _parent: next(answers))
    quits: list[bool] = []
    monkeypatch.setattr(window.startup, "_quit", lambda: quits.append(True))
    window.startup.run_first_run()
    assert len(shown_behind) == 2 and quits == [True]  # asked twice; quit only when the user said so
    assert all(w is window.startup.setup_page for w in shown_behind)  # a welcome behind it, not the lock screen

    def answer_back() -> None:
        box = QApplication.activeModalWidget()
        assert isinstance(box, QMessageBox) and "nothing has been stored" in box.text()
        next(b for b in box.buttons() if b.text() == "Back to setup").click()

    QTimer.singleShot(0, answer_back)
    assert real_confirm(window) is False
