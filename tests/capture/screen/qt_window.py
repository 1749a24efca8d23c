"""A real Qt window for the Xvfb tests, driven over stdin.

Run: ``python -m tests.capture.screen.qt_window --app NAME --title TITLE --geometry X,Y,W,H TEXT...``.
Commands on stdin, one per line: ``text <new text with \\n escapes>``, ``append <line>``,
``scroll <lines>``, ``title <new title>``, ``visible`` (answers with the fully visible lines as
JSON), ``raise``, ``quit``.  Each is answered by one line ``done <verb> [payload]``.
Prints ``ready <window id>`` once shown.  Lines do not wrap.
"""

from __future__ import annotations

import argparse
import json
import sys
import threading


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--app", required=True)
    parser.add_argument("--title", required=True)
    parser.add_argument("--geometry", default="0,0,900,600")
    parser.add_argument("--font-px", type=int, default=22)
    parser.add_argument("text", nargs="*")
    args = parser.parse_args()

    from PySide6.QtCore import QObject, Signal
    from PySide6.QtGui import QFont, QGuiApplication
    from PySide6.QtWidgets import QApplication, QPlainTextEdit

    QApplication.setApplicationName(args.app)
    QApplication.setDesktopFileName(args.app)
    app = QApplication([args.app])
    editor = QPlainTextEdit()
    editor.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
    font = QFont("DejaVu Sans")
    font.setPixelSize(args.font_px)
    editor.setFont(font)
    editor.setPlainText("\n".join(args.text))
    editor.setWindowTitle(args.title)
    x, y, w, h = (int(v) for v in args.geometry.split(","))
    editor.setGeometry(x, y, w, h)
    editor.show()

    class Bridge(QObject):
        command = Signal(str)

    bridge = Bridge()

    def visible_lines() -> list[str]:
        lines = []
        block = editor.firstVisibleBlock()
        offset = editor.contentOffset()
        height = editor.viewport().height()
        while block.isValid():
            geometry = editor.blockBoundingGeometry(block).translated(offset)
            if geometry.top() >= height:
                break
            if geometry.top() >= 0 and geometry.bottom() <= height:
                lines.append(block.text())
            block = block.next()
        return lines

    def settle() -> None:
        """Make what the window shows final on the X server before answering (no sleeps in tests).

        ``sync`` is a round trip: every expose event the server sent is in
        Qt's queue afterwards; processing them and painting now puts the
        pixels into the server's frame buffer, and a last round trip makes
        sure the server has drawn them before a test grabs the screen.
        """
        QGuiApplication.sync()
        app.processEvents()
        editor.viewport().repaint()
        editor.repaint()
        QGuiApplication.sync()

    def run(command: str) -> None:
        verb, _, rest = command.partition(" ")
        payload = ""
        if verb == "text":
            editor.setPlainText(rest.replace("\\n", "\n"))
        elif verb == "append":
            editor.appendPlainText(rest)
            bar = editor.verticalScrollBar()
            bar.setValue(bar.maximum())
        elif verb == "scroll":
            bar = editor.verticalScrollBar()
            bar.setValue(bar.value() + int(rest))
        elif verb == "visible":
            app.processEvents()
            payload = " " + json.dumps(visible_lines())
        elif verb == "title":
            editor.setWindowTitle(rest)
        elif verb == "raise":
            editor.raise_()
            editor.activateWindow()
        elif verb == "quit":
            app.quit()
        if verb != "quit":
            settle()  # "sync" does only this: after the window manager raised or moved the window
        print(f"done {verb}{payload}", flush=True)

    bridge.command.connect(run)

    def read_stdin() -> None:
        for line in sys.stdin:
            bridge.command.emit(line.rstrip("\n"))
        bridge.command.emit("quit")

    threading.Thread(target=read_stdin, daemon=True).start()
    settle()
    print(f"ready {int(editor.winId())}", flush=True)
    app.exec()


if __name__ == "__main__":
    main()
