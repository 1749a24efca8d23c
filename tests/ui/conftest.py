"""UI tests: the real widgets against a real, temporary, encrypted vault holding the demo memory.

Qt renders offscreen.  The demo vault is built once per session (import +
embeddings take a few seconds) and copied for each test, so every test gets
its own vault files and can lock, change settings or passphrases freely.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from core.paths import VaultPaths
from tests.conftest import TEST_PASSPHRASE


@pytest.fixture(scope="session")
def demo_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from core.demo import load_demo_memory
    from core.vault import Vault

    home = tmp_path_factory.mktemp("ui-demo-template")
    vault = Vault.create(VaultPaths(home), TEST_PASSPHRASE, use_keyring=False)
    load_demo_memory(vault)
    vault.close()
    return home


@pytest.fixture()
def demo_paths(demo_template: Path, tmp_path: Path) -> VaultPaths:
    home = tmp_path / "home"
    shutil.copytree(demo_template, home)
    return VaultPaths(home)


@pytest.fixture(scope="session")
def theme(qapp: Any) -> Any:
    from PySide6.QtCore import QStandardPaths

    from ui.theme import Theme

    QStandardPaths.setTestModeEnabled(True)  # window geometry goes to a test location
    existing = qapp.property("cairn_theme")
    return existing if existing is not None else Theme(qapp)


@pytest.fixture()
def window(qtbot: Any, theme: Any, demo_paths: VaultPaths) -> Iterator[Any]:
    from ui.session import Session
    from ui.shell.main_window import MainWindow

    session = Session(demo_paths)
    win = MainWindow(session)
    qtbot.addWidget(win)
    win.resize(1280, 820)
    win.show()
    yield win
    win._quitting = True
    session.close_now()


@pytest.fixture()
def unlocked(window: Any, qtbot: Any) -> Any:
    """The window after a real passphrase unlock, with the timeline's first page loaded."""
    window.lock_page.passphrase.setText(TEST_PASSPHRASE)
    window.lock_page.unlock()
    qtbot.waitUntil(lambda: window.session.is_unlocked, timeout=20000)
    timeline = window.timeline()
    qtbot.waitUntil(lambda: timeline.model.rowCount() > 0 and timeline.current_item() is not None, timeout=20000)
    return window


def demo_now(vault: Any) -> Any:
    """A day after the vault's newest memory, or now if that is later: the end of a window that holds the demo.

    The demo's newest memory lies in the past week (``core.demo.demo_shift``); a day's margin covers a test run
    that crosses midnight."""
    from datetime import datetime, timedelta

    now = datetime.now().astimezone()
    newest = vault.stats().last_item_at
    return max(now, newest.astimezone() + timedelta(days=1)) if newest is not None else now


def wait_idle(qtbot: Any, window: Any, timeout: int = 20000) -> None:
    qtbot.waitUntil(lambda: window.session.tasks.running == 0, timeout=timeout)
