"""The profile page's reads and changes: the profile with its suggestions; confirm, correct, remove, add.

Each function returns a ``ui.operations`` op; the page adds what to do next
and runs it.  Changes report ``facts`` and ``profile`` so every view (the
graph panel, the autofill picker) hears of them.

Threads: build on the GUI thread; the work runs on a worker.
Errors: ``add_value`` and ``correct`` fail with ``ValueError`` for an empty value.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ui.operations import CollectionOp, QueryOp
from ui.session import Session

if TYPE_CHECKING:
    from core.memory.profile.profile import Profile
    from core.memory.service import MemoryService
    from core.vault import Vault


def _service(vault: Vault) -> MemoryService:
    from core.memory.service import MemoryService  # late: the memory layer loads with the page

    return MemoryService(vault)


def load(session: Session) -> QueryOp[Profile]:
    """Confirmed values (what autofill types) and suggestions (found in memories, not yet confirmed)."""

    def work(vault: Vault) -> Profile:
        from core.memory.profile.profile import load_profile

        return load_profile(vault.read())

    return QueryOp(session, work, label="load profile")


def confirm(session: Session, fact_id: int) -> CollectionOp:
    return CollectionOp(session, lambda v: _service(v).confirm_fact(fact_id), label="confirm value")


def correct(session: Session, fact_id: int, value: str) -> CollectionOp:
    """The old value is kept in history as wrong; the typed one is confirmed."""
    return CollectionOp(session, lambda v: _service(v).edit_fact(fact_id, value), label="correct value")


def remove(session: Session, fact_id: int) -> CollectionOp:
    """Wrong or unwanted: it leaves the profile and is never suggested again."""
    return CollectionOp(session, lambda v: _service(v).reject_fact(fact_id), label="remove value")


def add_value(session: Session, field: str, value: str) -> CollectionOp:
    """A value the user types: confirmed at once."""
    return CollectionOp(session, lambda v: _service(v).set_my_fact(field, value), label="add value")
