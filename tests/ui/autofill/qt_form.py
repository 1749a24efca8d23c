"""A real Qt form with labelled fields for the autofill Xvfb test, driven over stdin.

Run: ``python -m tests.ui.autofill.qt_form``.  Prints ``ready <window id> <x> <y> <w> <h>`` once shown;
stdin commands: ``dump`` (prints the fields as one JSON line), ``clear LABEL`` (empties a field, as if
its keystrokes were lost; prints ``cleared``), ``set LABEL=TEXT`` (text already in a field; prints ``set``), ``sync`` (paints what the window shows
and makes sure the X server has drawn it, then prints ``synced``), ``quit``.
"""

from __future__ import annotations

import json
import sys
import threading

LABELS = ("Full name", "E-mail", "Phone", "Street", "Postcode", "City", "Comments")


def main() -> None:
    from PySide6.QtCore import QObject, QTimer, Signal
    from PySide6.QtGui import QFont, QGuiApplication
    from PySide6.QtWidgets import QApplication, QFormLayout, QLabel, QLineEdit, QWidget

    app = QApplication(["cairn-test-form"])
    font = QFont("DejaVu Sans")
    font.setPixelSize(18)
    app.setFont(font)
    window = QWidget()
    window.setWindowTitle("Registration")
    layout = QFormLayout(window)
    layout.setHorizontalSpacing(24)
    layout.setVerticalSpacing(14)
    edits: dict[str, QLineEdit] = {}
    for label in LABELS:
        edit = QLineEdit()
        edit.setMinimumWidth(380)
        edits[label] = edit
        layout.addRow(QLabel(label + ":"), edit)
    window.setGeometry(60, 60, 640, 420)
    window.show()

    class Bridge(QObject):
        command = Signal(str)

    bridge = Bridge()

    def settle() -> None:
        QGuiApplication.sync()  # a round trip: pending expose events are in Qt's queue now
        app.processEvents()
        window.repaint()
        QGuiApplication.sync()  # and the server has drawn what was painted

    def handle(line: str) -> None:
        if line.startswith("set "):
            label, _, value = line.removeprefix("set ").partition("=")
            edits[label].setText(value)
            settle()
            print("set", flush=True)
        elif line.startswith("clear "):
            edits[line.removeprefix("clear ")].clear()
            settle()
            print("cleared", flush=True)
        elif line == "sync":
            settle()
            print("synced", flush=True)
        elif line == "dump":
            settle()  # keystrokes the X server already delivered are in the fields before they are read
            print(json.dumps({k: e.text() for k, e in edits.items()}), flush=True)
        elif line == "quit":
            app.quit()

    bridge.command.connect(handle)

    def announce() -> None:
        g = window.geometry()
        print(f"ready {int(window.winId())} {g.x()} {g.y()} {g.width()} {g.height()}", flush=True)

    def read_stdin() -> None:
        for raw in sys.stdin:
            bridge.command.emit(raw.strip())
        bridge.command.emit("quit")

    threading.Thread(target=read_stdin, daemon=True).start()
    QTimer.singleShot(0, announce)
    app.exec()


if __name__ == "__main__":
    main()
