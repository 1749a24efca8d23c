"""The desktop app: ``python -m app.main [--home DIR] [--passphrase-env] [--show]``.

Start-up does the least possible before the window is on screen: parse the
arguments, create the QApplication and the theme, show the main window (lock
screen), then first-run or unlock in the background.  A second launch does
not start a second app: it asks the running one to come to the front
(``--show``; bind it to a desktop shortcut for a global "open Cairn" key).

Threads: the GUI thread; background work goes through ``ui.tasks``.
"""

from __future__ import annotations

import argparse
import hashlib
import logging
import sys
from pathlib import Path
from typing import Any

INSTANCE_PREFIX = "cairn-app-"


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="cairn-app", description="Cairn, your encrypted personal memory.")
    parser.add_argument("--home", type=Path, default=None,
                        help="data directory (default: $CAIRN_HOME or the platform's user data folder)")
    parser.add_argument("--passphrase-env", action="store_true",
                        help="unlock with $CAIRN_PASSPHRASE instead of asking (demo and scripted use)")
    parser.add_argument("--show", action="store_true",
                        help="bring a running Cairn window to the front (for a desktop shortcut)")
    parser.add_argument("--no-capture", action="store_true",
                        help="do not run screen capture inside the app (e.g. when `cairn daemon` runs)")
    parser.add_argument("--tray", action="store_true",
                        help="start in the tray without showing the window (login autostart); "
                             "shows the window where there is no tray")
    parser.add_argument("--demo", action="store_true",
                        help="the demo vault (`make run`): says so, and that capturing is off until turned on")
    parser.add_argument("--page", choices=("timeline", "search", "ask", "graph"), default=None,
                        help="page to open after unlocking")
    return parser.parse_args(argv)


def instance_name(home: Path) -> str:
    """A per-vault local socket name that does not reveal the path."""
    digest = hashlib.sha256(str(home.resolve()).encode("utf-8")).hexdigest()[:16]
    return INSTANCE_PREFIX + digest


def main(argv: list[str] | None = None) -> int:
    from core.process_env import disable_telemetry

    disable_telemetry()  # before any dependency is imported: nothing leaves the machine
    args = parse_args(sys.argv[1:] if argv is None else argv)
    from core import env as env_switch

    logging.basicConfig(level=(env_switch.LOG.get() or "WARNING").upper(),
                        format="%(asctime)s %(name)s %(levelname)s %(message)s")
    from core.paths import VaultPaths, default_home

    home = (args.home or default_home()).expanduser()
    app = make_application()
    if forward_to_running(home):
        return 0
    if args.show:
        print("Cairn is not running.", file=sys.stderr)
        return 1
    from core.capture.screen.own_windows import OwnProcesses

    paths = VaultPaths(home)
    own = OwnProcesses(paths.runtime_dir)
    own.register()  # a `cairn daemon` on this vault never captures this app's windows
    try:
        window, session = open_window(paths, passphrase_env=args.passphrase_env, page=args.page,
                                      run_capture=not args.no_capture, hidden=args.tray)
        if args.demo:
            from ui.shell.main_window import DEMO_CAPTURE_OFF

            window.demo = True
            window.setWindowTitle(f"Cairn — {DEMO_CAPTURE_OFF} until you turn it on")
        code = app.exec()
        session.close_now()
    finally:
        own.unregister()
    return int(code)


def make_application() -> Any:
    """The QApplication with Cairn's names and theme (following the system's light/dark)."""
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QGuiApplication
    from PySide6.QtWidgets import QApplication

    from ui.shell.ram import limit_malloc_arenas
    from ui.theme import Theme

    limit_malloc_arenas()  # before Qt and the task pool start threads: less idle RSS
    QGuiApplication.setHighDpiScaleFactorRoundingPolicy(Qt.HighDpiScaleFactorRoundingPolicy.PassThrough)
    app = QApplication.instance() or QApplication([sys.argv[0]])
    app.setApplicationName("Cairn")
    app.setOrganizationName("Cairn")
    app.setApplicationDisplayName("Cairn")
    app.setDesktopFileName("cairn")
    app.setQuitOnLastWindowClosed(False)  # the tray keeps Cairn running
    if app.property("cairn_theme") is None:
        Theme(app)
    return app


def forward_to_running(home: Path) -> bool:
    """If a Cairn for this vault runs already, ask it to come to the front and return True."""
    from PySide6.QtNetwork import QLocalSocket

    probe = QLocalSocket()
    probe.connectToServer(instance_name(home))
    if not probe.waitForConnected(300):
        return False
    probe.write(b"show\n")
    probe.waitForBytesWritten(300)
    probe.disconnectFromServer()
    return True


def open_window(paths: Any, *, passphrase_env: bool = False, page: str | None = None,
                run_capture: bool = True, hidden: bool = False) -> tuple[Any, Any]:
    """Show the main window (lock screen first) and start first-run or unlock; returns (window, session).

    ``hidden`` keeps the window closed when a tray icon can bring it back (a login start); the vault
    still unlocks from the keyring in the background, so capture starts.
    """
    from PySide6.QtNetwork import QLocalServer

    from ui.session import Session
    from ui.shell.main_window import MainWindow

    session = Session(paths)
    window = MainWindow(session, allow_env_passphrase=passphrase_env, run_capture=run_capture)
    if page:
        session.unlocked.connect(lambda: window.show_page(page))
    name = instance_name(paths.home)
    server = QLocalServer(window)
    QLocalServer.removeServer(name)  # a stale socket left by a crash
    if server.listen(name):
        def incoming() -> None:
            sock = server.nextPendingConnection()
            if sock is not None:
                sock.readyRead.connect(lambda: (sock.readAll(), window.bring_to_front()))
                sock.disconnected.connect(sock.deleteLater)

        server.newConnection.connect(incoming)
    if not (hidden and window.tray.available()):
        window.show()
    window.start()
    return window, session


if __name__ == "__main__":
    sys.exit(main())
