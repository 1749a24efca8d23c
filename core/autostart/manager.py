"""Turn autostart on, off, or report it: one of two modes, written only under the user's XDG config folder.

``app`` writes ``$XDG_CONFIG_HOME/autostart/cairn.desktop`` (the desktop
app starts in the tray at login).  ``daemon`` writes
``$XDG_CONFIG_HOME/systemd/user/cairn-daemon.service`` and enables it the
way ``systemctl --user enable`` does (a symlink in the target's ``.wants``
folder), so it works even when no user manager is running right now; the
running manager, if any, is then told through :class:`SystemdUser`.  The
modes exclude each other (two capture hosts on one vault make no sense);
turning autostart off removes every file Cairn wrote and nothing else.

Threads: any; not safe to run twice at once for one user.  Errors: ``OSError``
from the file system; a missing or unreachable systemd is a note, not an error.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal, Protocol

from core.autostart.entries import DESKTOP_FILE, MARKER, UNIT_NAME, WANTED_BY, desktop_entry, systemd_unit
from core.autostart.launcher import Launcher

Mode = Literal["app", "daemon"]
MODES: tuple[Mode, ...] = ("app", "daemon")


class SystemdUser(Protocol):
    """The user's service manager: ``run(["daemon-reload"])`` returns (ok, output)."""

    def run(self, args: Sequence[str]) -> tuple[bool, str]: ...


class Systemctl:
    """``systemctl --user`` as a subprocess; absent or unreachable managers answer (False, why)."""

    def run(self, args: Sequence[str]) -> tuple[bool, str]:
        import os

        from core.process_env import child_env

        # systemctl reaches the user manager over the session bus: that address, and no passphrase.
        bus = {k: os.environ[k] for k in ("DBUS_SESSION_BUS_ADDRESS",) if k in os.environ}
        try:
            done = subprocess.run(["systemctl", "--user", *args], capture_output=True, text=True, timeout=20,
                                  check=False, env=child_env(bus))
        except (OSError, subprocess.TimeoutExpired) as exc:
            return False, str(exc)
        return done.returncode == 0, (done.stdout + done.stderr).strip()


class NoSystemd:
    """For places that must not reach a real user manager (tests, a headless setup)."""

    def run(self, args: Sequence[str]) -> tuple[bool, str]:
        return False, "systemd --user not consulted"


@dataclass(frozen=True, slots=True)
class AutostartPlaces:
    """The files of both modes under one XDG config folder."""

    config_home: Path

    @classmethod
    def for_user(cls) -> AutostartPlaces:
        configured = os.environ.get("XDG_CONFIG_HOME")
        base = Path(configured) if configured and Path(configured).is_absolute() else Path.home() / ".config"
        return cls(base)

    @property
    def desktop_entry(self) -> Path:
        return self.config_home / "autostart" / DESKTOP_FILE

    @property
    def unit(self) -> Path:
        return self.config_home / "systemd" / "user" / UNIT_NAME

    @property
    def wants_link(self) -> Path:
        return self.config_home / "systemd" / "user" / f"{WANTED_BY}.wants" / UNIT_NAME


@dataclass(frozen=True, slots=True)
class AutostartState:
    """What is installed: the mode (or None), its files, and what the service manager said, if asked."""

    mode: Mode | None
    files: tuple[Path, ...]
    notes: tuple[str, ...] = field(default=())

    def describe(self) -> str:
        if self.mode is None:
            return "off"
        what = "the app in the tray (XDG autostart)" if self.mode == "app" else "the capture daemon (systemd --user)"
        return f"on: {what}"


def _ours(path: Path) -> bool:
    try:
        return MARKER in path.read_text("utf-8", errors="replace")
    except OSError:
        return False


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(text, "utf-8")
    tmp.chmod(0o644)
    os.replace(tmp, path)


def status(places: AutostartPlaces, systemd: SystemdUser | None = None) -> AutostartState:
    notes: list[str] = []
    if _ours(places.unit) and places.wants_link.is_symlink():
        if systemd is not None:
            ok, out = systemd.run(["is-active", UNIT_NAME])
            notes.append(f"systemd --user: {out or ('active' if ok else 'not reachable')}")
        return AutostartState("daemon", (places.unit, places.wants_link), tuple(notes))
    if _ours(places.desktop_entry):
        return AutostartState("app", (places.desktop_entry,), tuple(notes))
    return AutostartState(None, ())


def disable(places: AutostartPlaces, systemd: SystemdUser) -> AutostartState:
    """Remove whatever Cairn installed (both modes); a running daemon unit is stopped first."""
    notes: list[str] = []
    if _ours(places.unit):
        ok, out = systemd.run(["disable", "--now", UNIT_NAME])
        if not ok:
            notes.append(f"systemd --user did not stop the unit ({out or 'no answer'}); it will not start again")
        if places.wants_link.is_symlink():
            places.wants_link.unlink()
        places.unit.unlink(missing_ok=True)
        systemd.run(["daemon-reload"])
    if _ours(places.desktop_entry):
        places.desktop_entry.unlink(missing_ok=True)
    for folder in (places.wants_link.parent, places.unit.parent, places.unit.parent.parent,
                   places.desktop_entry.parent):
        with contextlib.suppress(OSError):
            folder.rmdir()  # only when empty: never a folder that holds anything else
    return AutostartState(None, (), tuple(notes))


def enable(mode: Mode, launcher: Launcher, places: AutostartPlaces, systemd: SystemdUser) -> AutostartState:
    """Install ``mode`` (and remove the other one); returns the new state with notes for the user."""
    disable(places, systemd)
    if mode == "app":
        _write(places.desktop_entry, desktop_entry(launcher))
        return AutostartState("app", (places.desktop_entry,))
    _write(places.unit, systemd_unit(launcher))
    places.wants_link.parent.mkdir(parents=True, exist_ok=True)
    places.wants_link.unlink(missing_ok=True)
    places.wants_link.symlink_to(places.unit)
    notes: list[str] = []
    ok, out = systemd.run(["daemon-reload"])
    if not ok:
        notes.append("systemd --user is not reachable now; the daemon starts with your next graphical login"
                     f" ({out or 'no answer'})")
    else:
        ok, out = systemd.run(["start", UNIT_NAME])  # now too; its ExecCondition skips it without a key
        notes.append("started now" if ok else f"starts with your next graphical login ({out or 'no answer'})")
    return AutostartState("daemon", (places.unit, places.wants_link), tuple(notes))
