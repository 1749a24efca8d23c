"""The settings' operations: save changed settings, change the passphrase.

Threads: build on the GUI thread; the work runs on a worker.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from ui.operations import CollectionOp
from ui.session import Session

if TYPE_CHECKING:
    from core.settings import Settings


def save_settings(session: Session, values: dict[str, Any],
                  done: Callable[[Settings], Any] | None = None) -> CollectionOp:
    """Store ``values``; the session takes the new settings (``settings_changed``) before views hear of it."""

    def saved(settings: Settings) -> None:
        session.settings_saved(settings)
        if done is not None:
            done(settings)

    op = CollectionOp(session, lambda v: v.update_settings(**values), label="save settings")
    return op.success(saved)


def change_passphrase(session: Session, current: str | None, new: str) -> CollectionOp:
    """Re-wrap the data key under ``new`` (nothing is re-encrypted; no view changes)."""
    return CollectionOp(session, lambda v: v.change_passphrase(current, new), label="change passphrase")
