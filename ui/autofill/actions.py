"""The two user actions that may fill anything: the picker and "fill the form in the focused window".

Both start from an explicit user gesture (tray menu); neither captured text
nor the LLM can reach them.  The work (profile load, window grab, OCR) runs
on the session's workers (``ui.autofill.operations``); widgets are created
on the GUI thread.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtWidgets import QMessageBox, QWidget

from ui.autofill.operations import FormReading, load_profile, read_form

if TYPE_CHECKING:
    from core.memory.profile.profile import Profile
    from ui.session import Session


def show_picker(session: Session, parent: QWidget) -> None:
    """The picker of confirmed profile values at the cursor; choosing one types it into the focused field."""
    if session.vault is None:
        parent.bring_to_front()  # type: ignore[attr-defined]
        return

    def show(profile: Profile) -> None:
        from ui.autofill.picker import AutofillPicker, FocusedFieldSink

        picker = AutofillPicker(profile, FocusedFieldSink())
        parent._autofill_picker = picker  # type: ignore[attr-defined]  # keep it alive while shown
        picker.popup_at_cursor()

    load_profile(session).success(show).owned_by(parent).run()


def fill_focused_form(session: Session, parent: QWidget) -> None:
    """OCR the focused window's form, show what would go where, fill only after the user confirms."""
    if session.vault is None:
        parent.bring_to_front()  # type: ignore[attr-defined]
        return

    def show(form: FormReading) -> None:
        from ui.autofill.dialog import AutofillDialog
        from ui.autofill.form_fill import XdotoolSink

        dialog = AutofillDialog(form.plan, XdotoolSink(form.box, form.targets), parent)
        parent._autofill_dialog = dialog  # type: ignore[attr-defined]
        dialog.present()  # in front of the form, though the form's app has the focus

    def failed(exc: BaseException) -> None:
        QMessageBox.information(parent, "Fill form", str(exc))

    read_form(session).success(show).failure(failed).owned_by(parent).run()
