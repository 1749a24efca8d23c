"""The forget reads and writes: a preview count, then the deletion (announced as changed items)."""

from __future__ import annotations

from ui.forget.scope import ForgetScope
from ui.operations import CollectionOp, QueryOp
from ui.session import Session


def count_scope(session: Session, scope: ForgetScope) -> QueryOp[int]:
    """How many memories forgetting ``scope`` would delete."""
    if scope.demo:
        from core.demo import count_demo_memory

        return QueryOp(session, count_demo_memory, label="forget preview")
    return QueryOp(session, lambda v: v.count_forget(**scope.arguments()), label="forget preview")


def forget_scope(session: Session, scope: ForgetScope) -> CollectionOp[int]:
    """Forget ``scope`` for real; the value is how many memories went."""
    if scope.demo:
        from core.demo import remove_demo_memory

        return CollectionOp(session, remove_demo_memory, label="forget")
    return CollectionOp(session, lambda v: v.forget(**scope.arguments()), label="forget")


def never_capture(session: Session, app: str) -> CollectionOp[object]:
    """Add ``app`` to the apps screen capture skips (Settings → Privacy shows it)."""

    def exclude(vault: object) -> object:
        current = tuple(vault.settings().excluded_apps)  # type: ignore[attr-defined]
        if app.lower() in {a.lower() for a in current}:
            return vault.update_settings(excluded_apps=current)  # type: ignore[attr-defined]
        return vault.update_settings(excluded_apps=(*current, app.lower()))  # type: ignore[attr-defined]

    return CollectionOp(session, exclude, label="never capture")  # type: ignore[arg-type]
