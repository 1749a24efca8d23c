"""The UI's one handle on the core: the unlocked vault (or none), tasks and change events.

Every page gets the same :class:`Session`.  Pages never import the store or the
retriever: they call the core through operations (``ui.operations``: each
area's ``operations.py``; ``session.run`` is for work that needs no vault,
such as unlocking).  A mutation
returns what it changed (``core.changes``), the operation announces it
through ``changed`` (a set of names such as ``{"items"}`` or
``{"settings"}``) and views refresh from that (Anki's ``OpChanges``).

Threads: a Session is used on the GUI thread.  The ``Vault`` object it hands
out may be used from any thread (its own contract).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Signal

from ui.tasks import TaskHandle, TaskManager

if TYPE_CHECKING:
    from core.host.control import CaptureControl
    from core.paths import VaultPaths
    from core.settings import Settings
    from core.vault import Vault

log = logging.getLogger(__name__)


class Session(QObject):
    """Lock state, the vault and the background task manager of one window."""

    unlocked = Signal()
    locked = Signal()
    changed = Signal(object)  # frozenset[str]: what changed ("items", "settings", "media")
    settings_changed = Signal(object)  # Settings
    open_item = Signal(object)  # ItemId: "show this memory in the timeline"
    status_message = Signal(str)

    def __init__(self, paths: VaultPaths, tasks: TaskManager | None = None,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.paths = paths
        self.tasks = tasks or TaskManager(self)
        self._vault: Vault | None = None
        self._settings: Settings | None = None
        self.capture: CaptureControl | None = None
        self._before_close: list[Callable[[], None]] = []

    def add_before_close(self, hook: Callable[[], None]) -> None:
        """``hook()`` runs on a worker just before the vault closes (lock, exit), e.g. to stop capture."""
        self._before_close.append(hook)

    # -- vault ------------------------------------------------------------------
    @property
    def vault(self) -> Vault | None:
        return self._vault

    @property
    def is_unlocked(self) -> bool:
        return self._vault is not None

    def require_vault(self) -> Vault:
        from core.errors import VaultLocked

        if self._vault is None:
            raise VaultLocked("Cairn is locked: unlock it to see your memory.")
        return self._vault

    @property
    def settings(self) -> Settings:
        from core.settings import Settings

        return self._settings or Settings()

    def attach(self, vault: Vault, settings: Settings | None = None) -> None:
        """Take an unlocked vault (opened in a background task) and tell every page."""
        self._vault = vault
        self._settings = settings
        # Vectors load in the background, newest first; searches meanwhile say how far it got.
        vault.partial_vector_search = True
        self.run(vault.start_index_load, label="load the search index")
        self.unlocked.emit()
        if settings is None:
            self.run(vault.settings, on_success=self._settings_loaded, label="load settings")

    def lock(self) -> None:
        """Drop the keys: close the vault and blank every view.  Safe to call twice."""
        vault, self._vault = self._vault, None
        self._settings = None
        if vault is None:
            return
        self.locked.emit()
        hooks = list(self._before_close)

        def close() -> None:
            _run_hooks(hooks)
            vault.close()

        # close() may wait for running reads; it must not block the GUI thread.
        self.tasks.run(close, label="lock", on_failure=lambda exc: log.warning("lock: %s", exc))

    def close_now(self) -> None:
        """Close the vault synchronously (application exit)."""
        vault, self._vault = self._vault, None
        if vault is not None:
            _run_hooks(list(self._before_close))
            self.tasks.wait_idle(5000)
            try:
                vault.close()
            except Exception:
                log.warning("closing the vault failed", exc_info=True)

    # -- helpers ------------------------------------------------------------------
    def run(self, fn: Callable[[], Any], *, on_success: Callable[[Any], None] | None = None,
            on_failure: Callable[[BaseException], None] | None = None, owner: QObject | None = None,
            label: str = "task") -> TaskHandle:
        return self.tasks.run(fn, on_success=on_success, on_failure=on_failure, owner=owner, label=label)

    def settings_saved(self, settings: Settings) -> None:
        """New settings were stored (``ui.settings.operations.save_settings``): every page hears of them."""
        self._settings_loaded(settings)

    def _settings_loaded(self, settings: Settings) -> None:
        self._settings = settings
        self.settings_changed.emit(settings)


def _run_hooks(hooks: list[Callable[[], None]]) -> None:
    for hook in hooks:
        try:
            hook()
        except Exception:
            log.warning("a before-close hook failed", exc_info=True)
