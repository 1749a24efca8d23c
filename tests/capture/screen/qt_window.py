"""A real Qt window for the Xvfb tests, driven over stdin.

Run: ``python -m tests.capture.screen.qt_window --app NAME --title TITLE --geometry X,Y,W,H TEXT...``.
Commands on stdin, one per line: ``text <new text with \\n escapes>``, ``append <line>``,
``scroll <lines>``, ``title <new title>``, ``visible`` (answers with the fully visible lines as
JSON), ``raise``, ``quit``.  Each is answered by one line ``done <verb> [payload]``.
Prints ``ready <window id>`` once shown.  Lines do not wrap.  ``--widget rich`` shows a QTextEdit
instead of a QPlainTextEdit (Qt's accessibility gives a QTextEdit's line positions; for a
QPlainTextEdit it reports each line as if it were the first, so only the text is exact).
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
    parser.add_argument("--widget", choices=("plain", "rich"), default="plain")
    parser.add_argument("text", nargs="*")
    args = parser.parse_args()

    from PySide6.QtCore import QObject, Signal
    from PySide6.QtGui import QFont, QGuiApplication
    from PySide6.QtWidgets import QApplication, QPlainTextEdit, QTextEdit

    QApplication.setApplicationName(args.app)
    QApplication.setDesktopFileName(args.app)
    app = QApplication([args.app])
    rich = args.widget == "rich"
    editor: QPlainTextEdit | QTextEdit = QTextEdit() if rich else QPlainTextEdit()
    editor.setLineWrapMode(QTextEdit.LineWrapMode.NoWrap if rich else QPlainTextEdit.LineWrapMode.NoWrap)
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

    def block_top_bottom(block: object) -> tuple[float, float]:
        if isinstance(editor, QTextEdit):
            rect = editor.document().documentLayout().blockBoundingRect(block)
            top = rect.top() - editor.verticalScrollBar().value()
            return top, top + rect.height()
        geometry = editor.blockBoundingGeometry(block).translated(editor.contentOffset())
        return geometry.top(), geometry.bottom()

    def visible_lines() -> list[str]:
        if isinstance(editor, QTextEdit):
            height = editor.viewport().height()
            lines = []
            block = editor.document().begin()
            while block.isValid():
                top, bottom = block_top_bottom(block)
                if top >= height:
                    break
                if top >= 0 and bottom <= height:
                    lines.append(block.text())
                block = block.next()
            return lines
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
            editor.append(rest) if isinstance(editor, QTextEdit) else editor.appendPlainText(rest)
            bar = editor.verticalScrollBar()
            bar.setValue(bar.maximum())
        elif verb == "scroll":
            bar = editor.verticalScrollBar()
            # A QPlainTextEdit scrolls by lines, a QTextEdit by pixels: one line is one block's height.
            step = 1 if isinstance(editor, QPlainTextEdit) else round(block_top_bottom(editor.document().begin())[1]
                                                                     - block_top_bottom(editor.document().begin())[0])
            bar.setValue(bar.value() + int(rest) * step)
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
