"""Autofill's reads: the confirmed profile, and the form in the focused window with what would go where.

Each function returns a ``ui.operations.QueryOp``; the action adds what to
show and runs it.  Reading a form grabs the focused window's pixels (in
memory only) and OCRs them, about half a second, so it runs on a worker too.

Threads: build on the GUI thread; the work runs on a worker.
Errors: ``read_form`` fails with ``CairnError`` when there is no focused
window or no labelled field in it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from ui.operations import QueryOp
from ui.session import Session

if TYPE_CHECKING:
    from core.memory.profile.autofill import AutofillPlan
    from core.memory.profile.profile import Profile
    from core.screen_form import WindowBox
    from core.vault import Vault


@dataclass(frozen=True, slots=True)
class FormReading:
    """The focused window, where each field's input is (window coordinates), and what would fill it."""

    box: WindowBox
    targets: dict[str, tuple[int, int]]
    plan: AutofillPlan


def _profile(vault: Vault) -> Profile:
    from core.memory.profile.profile import load_profile  # late: the memory layer loads on first use

    return load_profile(vault.read())


def load_profile(session: Session) -> QueryOp[Profile]:
    """The user's confirmed profile values (what the picker offers)."""
    return QueryOp(session, _profile, label="load profile")


def read_form(session: Session) -> QueryOp[FormReading]:
    """OCR the focused window's form and plan which confirmed value goes into which field."""

    def work(vault: Vault) -> FormReading:
        from core.errors import CairnError
        from core.memory.profile.autofill import plan_autofill
        from core.screen_form import find_form, grab_window, window_box

        box = window_box()
        if box is None:
            raise CairnError("no focused window to fill")
        located = find_form(grab_window(box))
        if not located:
            raise CairnError("no labelled form fields found in the focused window")
        plan = plan_autofill(_profile(vault), [f.field for f in located])
        return FormReading(box, {f.field.field_id: f.target for f in located}, plan)

    return QueryOp(session, work, label="read form")
