"""The two user actions that may fill anything: the picker and "fill the form in the focused window".

Both start from an explicit user gesture (tray menu); neither captured text
nor the LLM can reach them.  The work (profile load, window grab, OCR) runs
on the session's workers; widgets are created on the GUI thread.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import QMessageBox, QWidget


def show_picker(session: Any, parent: QWidget) -> None:
    """The picker of confirmed profile values at the cursor; choosing one types it into the focused field."""
    vault = session.vault
    if vault is None:
        parent.bring_to_front()  # type: ignore[attr-defined]
        return

    def load() -> object:
        from core.memory.profile.profile import load_profile

        return load_profile(vault.read())

    def show(profile: object) -> None:
        from ui.autofill.picker import AutofillPicker, FocusedFieldSink

        picker = AutofillPicker(profile, FocusedFieldSink())  # type: ignore[arg-type]
        parent._autofill_picker = picker  # type: ignore[attr-defined]  # keep it alive while shown
        picker.popup_at_cursor()

    session.run(load, on_success=show, owner=parent, label="load profile")


def fill_focused_form(session: Any, parent: QWidget) -> None:
    """OCR the focused window's form, show what would go where, fill only after the user confirms."""
    vault = session.vault
    if vault is None:
        parent.bring_to_front()  # type: ignore[attr-defined]
        return

    def prepare() -> tuple[object, dict[str, tuple[int, int]], object]:
        from core.errors import CairnError
        from core.memory.profile.autofill import plan_autofill
        from core.memory.profile.profile import load_profile
        from ui.autofill.form_fill import find_form, grab_window, window_box

        box = window_box()
        if box is None:
            raise CairnError("no focused window to fill")
        located = find_form(grab_window(box))
        if not located:
            raise CairnError("no labelled form fields found in the focused window")
        plan = plan_autofill(load_profile(vault.read()), [f.field for f in located])
        return box, {f.field.field_id: f.target for f in located}, plan

    def show(result: tuple[object, dict[str, tuple[int, int]], object]) -> None:
        from ui.autofill.dialog import AutofillDialog
        from ui.autofill.form_fill import XdotoolSink

        box, targets, plan = result
        dialog = AutofillDialog(plan, XdotoolSink(box, targets), parent)  # type: ignore[arg-type]
        parent._autofill_dialog = dialog  # type: ignore[attr-defined]
        dialog.show()

    def failed(exc: BaseException) -> None:
        QMessageBox.information(parent, "Fill form", str(exc))

    session.run(prepare, on_success=show, on_failure=failed, owner=parent, label="read form")
