"""Which commands start this copy of Cairn: the installed launchers, a virtual environment's, or ``python -m``.

An autostart entry must name a command that still works at the next login,
so it prefers the stable names on ``PATH`` (``/usr/bin/cairn`` from the
.deb) when they lead to this very copy, then the launchers beside the
running interpreter or bundle, then ``python -m`` on this interpreter.

Pure reads of the file system and ``sys``; safe from any thread; raises nothing.
"""

from __future__ import annotations

import os
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path

CLI_NAME = "cairn"
APP_NAME = "cairn-app"
_MODULES = {CLI_NAME: "app.cli", APP_NAME: "app.main"}


@dataclass(frozen=True, slots=True)
class Launcher:
    """The argv prefixes that run the CLI and the desktop app, and the vault they should open."""

    cli: tuple[str, ...]
    app: tuple[str, ...]
    home: Path | None = None  # None: the default data folder at start time

    def home_args(self) -> tuple[str, ...]:
        return ("--home", str(self.home)) if self.home is not None else ()


def _command(name: str, bin_dir: Path, frozen: bool) -> tuple[str, ...]:
    beside = bin_dir / name
    if beside.is_file() and os.access(beside, os.X_OK):
        on_path = shutil.which(name)
        if on_path and Path(on_path).resolve() == beside.resolve():
            return (on_path,)  # /usr/bin/cairn → /opt/cairn/cairn: the name that survives upgrades
        return (str(beside),)
    if frozen:
        return (str(beside),)  # a bundle always has both launchers side by side
    return (sys.executable, "-m", _MODULES[name])


def find_launcher(home: Path | None = None) -> Launcher:
    """The launchers of the running copy of Cairn (a frozen bundle, a venv, or a plain interpreter)."""
    frozen = bool(getattr(sys, "frozen", False))
    bin_dir = Path(sys.executable).parent  # not resolved: a venv's python is a symlink to the base one
    return Launcher(cli=_command(CLI_NAME, bin_dir, frozen), app=_command(APP_NAME, bin_dir, frozen),
                    home=home.expanduser().resolve() if home is not None else None)
