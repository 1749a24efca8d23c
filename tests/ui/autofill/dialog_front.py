"""Cairn's side of the z-order test: the fill-form confirmation shown while another app's window has focus.

Run: ``python -m tests.ui.autofill.dialog_front [--plain-show]`` under an X server.  Cairn's main window
is shown first (``main <window id>``) and then covered by the form the user is filling; ``go`` on stdin
shows the dialog (``shown <window id>``), as "Fill form" from the tray or a shortcut does; ``quit`` ends it.
"""

from __future__ import annotations

import sys


def main() -> None:
    import threading

    from PySide6.QtCore import QObject, Signal
    from PySide6.QtWidgets import QApplication, QWidget

    from core.memory.profile.autofill import AutofillPlan, PlannedFill
    from ui.autofill.dialog import AutofillDialog

    app = QApplication(["cairn-dialog-front"])
    main_window = QWidget()  # Cairn's main window, open somewhere behind the form
    main_window.setWindowTitle("Cairn")
    main_window.setGeometry(300, 200, 500, 400)
    main_window.show()
    app.processEvents()
    print(f"main {int(main_window.winId())}", flush=True)
    fill = PlannedFill("f1", "E-mail", "email", "", "anna@example.com", "anna@example.com", 1, 1.0)
    dialog = AutofillDialog(AutofillPlan((fill,), (), "digest"), sink=None, parent=main_window)  # type: ignore[arg-type]

    def show() -> None:
        if "--plain-show" in sys.argv:
            dialog.show()
        else:
            dialog.present()
        app.processEvents()
        print(f"shown {int(dialog.winId())}", flush=True)

    class Commands(QObject):
        go = Signal()

    commands = Commands()
    commands.go.connect(show)

    def read() -> None:
        for line in sys.stdin:
            if line.strip() == "go":
                commands.go.emit()
            elif line.strip() == "quit":
                break
        app.quit()

    threading.Thread(target=read, daemon=True).start()
    app.exec()


if __name__ == "__main__":
    main()
