"""``cairn autostart on|off|status``: start Cairn when you log in (the app in the tray, or the capture daemon)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from app.commands.vault_cmd import HomeOption
from app.context import console, vault_paths
from core import env as env_switch

if TYPE_CHECKING:
    from core.autostart.manager import AutostartState, SystemdUser


def register(app: typer.Typer) -> None:
    group = typer.Typer(help="Start Cairn when you log in: the app in the tray, or the capture daemon.",
                        no_args_is_help=True)
    group.command("on")(on)
    group.command("off")(off)
    group.command("status")(status)
    group.command("key-available", hidden=True)(key_available)
    app.add_typer(group, name="autostart")


def _systemd() -> SystemdUser:
    from core.autostart.manager import NoSystemd, Systemctl

    return NoSystemd() if env_switch.SYSTEMCTL.get() == "off" else Systemctl()


def _home(home: Path | None) -> Path | None:
    # Bake the data folder into the entry when it is not the default: the login session has no $CAIRN_HOME.
    configured = env_switch.HOME.get()
    return home or (Path(configured) if configured else None)


def _print_state(state: AutostartState, file_prefix: str = "", note_prefix: str = "") -> None:
    out = console()
    out.print(f"Autostart {state.describe()}")
    for path in state.files:
        out.print(f"  {file_prefix}{path}")
    for note in state.notes:
        out.print(f"  {note_prefix}{note}")


def on(
    mode: Annotated[str, typer.Option(help="app: the desktop app starts in the tray (XDG autostart); "
                                           "daemon: `cairn daemon` as a systemd --user service.")] = "app",
    home: HomeOption = None,
) -> None:
    """Start Cairn with your desktop session (replaces the other mode if it was on)."""
    from core.autostart.launcher import find_launcher
    from core.autostart.manager import MODES, AutostartPlaces, enable

    if mode not in MODES:
        raise typer.BadParameter(f"choose one of {', '.join(MODES)}", param_hint="--mode")
    state = enable(mode, find_launcher(_home(home)), AutostartPlaces.for_user(), _systemd())  # type: ignore[arg-type]
    _print_state(state, file_prefix="wrote ", note_prefix="note: ")


def off() -> None:
    """Stop starting Cairn at login; removes exactly what `cairn autostart on` installed."""
    from core.autostart.manager import AutostartPlaces, disable, status

    places = AutostartPlaces.for_user()
    before = status(places)
    state = disable(places, _systemd())
    out = console()
    out.print("Autostart off" + (f" (removed {', '.join(str(p) for p in before.files)})" if before.files else ""))
    for note in state.notes:
        out.print(f"  note: {note}")


def status(as_json: Annotated[bool, typer.Option("--json", help="Machine-readable output.")] = False) -> None:
    """Whether Cairn starts at login, how, and from which files."""
    from core.autostart.manager import AutostartPlaces
    from core.autostart.manager import status as read_status

    state = read_status(AutostartPlaces.for_user(), _systemd())
    if as_json:
        print(json.dumps({"mode": state.mode, "files": [str(p) for p in state.files], "notes": list(state.notes)}))
        return
    _print_state(state)


def key_available(home: HomeOption = None) -> None:
    """Exit 0 when the vault can be opened now without a prompt (the daemon unit's start condition)."""
    from core.crypto.keys import unlock_data_key
    from core.errors import CairnError
    from core.vault import lock_flag

    paths = vault_paths(home)
    if not paths.keyfile.exists() or lock_flag(paths).exists():
        raise typer.Exit(1)
    try:
        unlock_data_key(paths, env_switch.PASSPHRASE.get())
    except CairnError:
        raise typer.Exit(1) from None
