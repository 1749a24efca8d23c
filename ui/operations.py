"""Core calls as operations: a mutation says what it changed, and the session tells every view (Anki's CollectionOp).

``CollectionOp(session, op)`` runs ``op(vault)`` on a worker.  ``op`` returns
what a vault mutation returns: a ``Changes``, an ``Outcome`` (a value and
its changes) or a report with a ``changes`` property (``ImportReport``); on
success ``success`` gets the value (the report itself for a report), then
the session emits ``changed`` with exactly those changes.  ``QueryOp(session, op)`` is the read-only twin: nothing is
announced.  ``StreamOp(session, op)`` consumes the iterable ``op(vault)``
returns on a worker and hands each value to ``each`` on the GUI thread (the
Ask page's answer events).  ``WorkOp(session, fn)`` runs ``fn()`` that needs
no vault (the capture host, its health file) the same way.  Each UI area keeps its operations in its own
``operations.py`` (timeline, search, ask, autofill, graph, settings; the
reads shared by pages in ``ui.widgets.operations``), so pages hold no inline
core calls.  ``run()`` returns the task's handle (to cancel it), or None
when the vault is locked.

Threads: build and ``run()`` on the GUI thread; ``op`` runs on a worker and
must not touch widgets; ``success``/``failure`` run back on the GUI thread
(``ui.tasks``).  Errors: ``op``'s exception goes to ``failure`` (default: the
task manager's error signal, shown in the status bar); with no vault
(locked) ``run()`` fails with ``VaultLocked`` the same way.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any, Generic, Self, TypeVar

from PySide6.QtCore import QObject

from core.changes import Changed, Changes, changes_of, value_of
from ui.session import Session
from ui.tasks import TaskHandle

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

    def success(self, success: Callable[[T], Any]) -> Self:
        self._success = success
        return self

    def failure(self, failure: Callable[[BaseException], Any]) -> Self:
        self._failure = failure
        return self

    def quietly(self) -> Self:
        """Drop a failure without a word (a best-effort read whose absence the view shows anyway)."""
        self._failure = _ignore
        return self

    def owned_by(self, owner: QObject) -> Self:
        """Drop the result when ``owner`` is gone (a closed page)."""
        self._owner = owner
        return self

    def run(self) -> TaskHandle | None:
        vault = self._session.vault
        if vault is None:
            from core.errors import VaultLocked

            self._fail(VaultLocked("Cairn is locked: unlock it to see your memory."))
            return None
        return self._start(vault)

    def _start(self, vault: Vault) -> TaskHandle:
        op = self._op
        return self._session.run(lambda: op(vault), on_success=self._done, on_failure=self._failure,
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

    def __init__(self, session: Session, op: Callable[[Vault], Changes | Changed], *,
                 label: str = "change") -> None:
        super().__init__(session, op, label=label)

    def _done(self, result: Changes | Changed) -> None:
        value, changed = value_of(result), changes_of(result)
        try:
            if self._success is not None:
                self._success(value)
        finally:  # as Anki does: the caller's own follow-up first, then every view hears what changed
            if changed:
                self._session.changed.emit(changed)


class StreamOp(QueryOp[Iterable[T]]):
    """A stream off the GUI thread: each value of ``op(vault)`` goes to ``each``; ``finished`` follows the last."""

    def __init__(self, session: Session, op: Callable[[Vault], Iterable[T]], *, label: str = "stream") -> None:
        super().__init__(session, op, label=label)
        self._each: Callable[[T], Any] = lambda _value: None
        self._finished: Callable[[], Any] | None = None

    def each(self, each: Callable[[T], Any]) -> Self:
        self._each = each
        return self

    def finished(self, finished: Callable[[], Any]) -> Self:
        """After the last value, and after ``cancel()`` too; not after a failure."""
        self._finished = finished
        return self

    def _start(self, vault: Vault) -> TaskHandle:
        op = self._op
        return self._session.tasks.stream(lambda: op(vault), on_item=self._each, on_done=self._finished,
                                          on_failure=self._failure, owner=self._owner, label=self._label)


class WorkOp(QueryOp[T]):
    """Work off the GUI thread that needs no vault (the capture host, its status file): ``fn()``'s value to ``success``."""

    def __init__(self, session: Session, fn: Callable[[], T], *, label: str = "work") -> None:
        super().__init__(session, lambda _vault: fn(), label=label)
        self._fn = fn

    def run(self) -> TaskHandle:
        return self._session.run(self._fn, on_success=self._done, on_failure=self._failure, owner=self._owner,
                                 label=self._label)


def _ignore(_exc: BaseException) -> None:
    return None
