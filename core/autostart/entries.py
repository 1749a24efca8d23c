"""The text of the two autostart artefacts: the XDG autostart desktop entry and the systemd --user unit.

Both name absolute commands from a :class:`~core.autostart.launcher.Launcher`
and carry a marker line so that ``off`` removes only files Cairn wrote.
Pure functions; raise nothing.
"""

from __future__ import annotations

from core.autostart.launcher import Launcher

MARKER = "X-Cairn-Autostart"
DESKTOP_FILE = "cairn.desktop"
UNIT_NAME = "cairn-daemon.service"
WANTED_BY = "graphical-session.target"
_DESKTOP_RESERVED = set(' \t\n"\'\\><~|&;$*?#()`=%')


def _desktop_arg(arg: str) -> str:
    # Desktop Entry spec, "The Exec key": quote reserved characters, escape " ` $ \ inside the quotes,
    # then escape every backslash once more because the value is itself a string.
    if arg and not (set(arg) & _DESKTOP_RESERVED):
        return arg.replace("%", "%%")
    inner = "".join("\\" + c if c in '"`$\\' else c for c in arg).replace("%", "%%")
    return ('"' + inner + '"').replace("\\", "\\\\")


def _systemd_arg(arg: str) -> str:
    # systemd.service "Command lines": % starts a specifier and $ a variable; quote words with blanks.
    escaped = arg.replace("%", "%%").replace("$", "$$")
    if escaped and not any(c in escaped for c in ' \t"\'\\;'):
        return escaped
    return '"' + escaped.replace("\\", "\\\\").replace('"', '\\"') + '"'


def desktop_entry(launcher: Launcher) -> str:
    """An XDG autostart entry that opens the app in the tray at login (``TryExec``: inert once uninstalled)."""
    argv = (*launcher.app, "--tray", *launcher.home_args())
    lines = [
        "[Desktop Entry]",
        "Type=Application",
        "Name=Cairn",
        "Comment=Start Cairn in the tray when you log in",
        f"Exec={' '.join(_desktop_arg(a) for a in argv)}",
        f"TryExec={launcher.app[0]}",
        "Icon=cairn",
        "Terminal=false",
        "Categories=Utility;",
        "X-GNOME-Autostart-enabled=true",
        f"{MARKER}=app",
    ]
    return "\n".join(lines) + "\n"


def systemd_unit(launcher: Launcher) -> str:
    """A user unit running ``cairn daemon`` in the graphical session, only when a key is at hand."""
    def command(*args: str) -> str:
        return " ".join(_systemd_arg(a) for a in (*launcher.cli, *args, *launcher.home_args()))

    lines = [
        f"# {MARKER}=daemon (written by `cairn autostart on --mode daemon`; `cairn autostart off` removes it)",
        "[Unit]",
        "Description=Cairn capture daemon (screen, watched folders, chat inbox)",
        f"PartOf={WANTED_BY}",
        f"After={WANTED_BY}",
        f"ConditionPathExists={launcher.cli[0]}",
        "",
        "[Service]",
        "Type=simple",
        "# Skip the start (not a failure) when the vault is locked or no key is at hand without a prompt.",
        f"ExecCondition={command('autostart', 'key-available')}",
        f"ExecStart={command('daemon')}",
        "# `cairn lock` makes the daemon exit 0: not a failure, so it stays stopped until the next login.",
        "Restart=on-failure",
        "RestartSec=15",
        "",
        "[Install]",
        f"WantedBy={WANTED_BY}",
    ]
    return "\n".join(lines) + "\n"
