"""Core calls as operations: a mutation says what it changed, and the session tells every view (Anki's CollectionOp).

``CollectionOp(session, op)`` runs ``op(vault)`` on a worker.  ``op`` returns
a ``Changes`` or an ``Outcome`` (a value and its changes); on success
``success`` gets the value, then the session emits ``changed`` with exactly
those changes.  ``QueryOp(session, op)`` is the read-only twin: nothing is
announced.  Each UI area keeps its operations in its own ``operations.py``,
so pages hold no inline core calls for edits.

Threads: build and ``run()`` on the GUI thread; ``op`` runs on a worker and
must not touch widgets; ``success``/``failure`` run back on the GUI thread
(``ui.tasks``).  Errors: ``op``'s exception goes to ``failure`` (default: the
task manager's error signal, shown in the status bar); with no vault
(locked) ``run()`` fails with ``VaultLocked`` the same way.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from PySide6.QtCore import QObject

from core.changes import Changes, Outcome
from ui.session import Session

if TYPE_CHECKING:
    from core.vault import Vault

T = TypeVar("T")


class QueryOp(Generic[T]):
    """A read off the GUI thread: ``op(vault)``'s value goes to ``success``."""

    def __init__(self, session: Session, op: Callable[[Vault], T], *, label: str = "query") -> None:
        self._session = session
        self._op = op
        self._label = label
        self._success: Callable[[T], Any] | None = None
        self._failure: Callable[[BaseException], Any] | None = None
        self._owner: QObject | None = None

    def success(self, success: Callable[[T], Any]) -> QueryOp[T]:
        self._success = success
        return self

    def failure(self, failure: Callable[[BaseException], Any]) -> QueryOp[T]:
        self._failure = failure
        return self

    def owned_by(self, owner: QObject) -> QueryOp[T]:
        """Drop the result when ``owner`` is gone (a closed page)."""
        self._owner = owner
        return self

    def run(self) -> None:
        vault = self._session.vault
        if vault is None:
            from core.errors import VaultLocked

            self._fail(VaultLocked("Cairn is locked: unlock it to see your memory."))
            return
        op = self._op
        self._session.run(lambda: op(vault), on_success=self._done, on_failure=self._failure,
                          owner=self._owner, label=self._label)

    def _fail(self, exc: BaseException) -> None:
        if self._failure is not None:
            self._failure(exc)
        else:
            self._session.tasks.error.emit(exc)

    def _done(self, value: Any) -> None:
        if self._success is not None:
            self._success(value)


class CollectionOp(QueryOp[Any]):
    """A mutation off the GUI thread whose returned changes the session announces."""

    def __init__(self, session: Session, op: Callable[[Vault], Changes | Outcome[Any]], *,
                 label: str = "change") -> None:
        super().__init__(session, op, label=label)

    def _done(self, result: Changes | Outcome[Any]) -> None:
        value, changed = (result.value, result.changes) if isinstance(result, Outcome) else (result, result)
        try:
            if self._success is not None:
                self._success(value)
        finally:  # as Anki does: the caller's own follow-up first, then every view hears what changed
            if changed:
                self._session.changed.emit(changed)
