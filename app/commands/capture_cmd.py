"""``cairn daemon | pause | resume | forget``: capture and what it keeps."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Annotated

import typer

from app.commands.vault_cmd import HomeOption
from app.context import console, fail, open_vault, vault_paths


def register(app: typer.Typer) -> None:
    app.command("daemon")(daemon)
    app.command("pause")(pause)
    app.command("resume")(resume)
    app.command("forget")(forget)


def parse_duration(text: str) -> timedelta:
    """'30m', '2h', '90s', '1h30m' → timedelta."""
    parts = re.findall(r"(\d+(?:\.\d+)?)\s*([hms])", text.strip().lower())
    if not parts or "".join(n + u for n, u in parts) != re.sub(r"\s+", "", text.strip().lower()):
        raise fail(f"cannot read the duration {text!r}; use e.g. 30m, 2h, 1h30m")
    unit = {"h": 3600, "m": 60, "s": 1}
    return timedelta(seconds=sum(float(n) * unit[u] for n, u in parts))


def daemon(
    home: HomeOption = None,
    screen: Annotated[bool, typer.Option(help="Capture the screen (when enabled in settings).")] = True,
    files: Annotated[bool, typer.Option(help="Watch the folders from `cairn watch add`.")] = True,
    inbox: Annotated[bool, typer.Option(help="Import chat exports dropped into the inbox folder.")] = True,
) -> None:
    """Capture in the foreground until stopped (Ctrl-C) or until the vault is locked."""
    import threading

    from app.daemon import install_signal_handlers, run_daemon
    from core.host.host import HostOptions

    out = console()
    stop = threading.Event()
    install_signal_handlers(stop)
    with open_vault(home) as vault:
        out.print(f"Cairn daemon on {vault.paths.home} (Ctrl-C to stop; `cairn status` shows what it does)")  # type: ignore[attr-defined]
        reason = run_daemon(vault, HostOptions(screen=screen, files=files, inbox=inbox, holder="cairn daemon"), stop,
                            lambda line: out.print(line))
    out.print(f"daemon {reason}")


def pause(
    duration: Annotated[str | None, typer.Option("--for", help="Resume by itself after e.g. 30m or 2h.")] = None,
    home: HomeOption = None,
) -> None:
    """Pause screen capture (no vault access needed)."""
    from core.capture.screen.privacy import PauseControl

    paths = vault_paths(home)
    paths.ensure()
    state = PauseControl(paths.runtime_dir).pause(parse_duration(duration) if duration else None)
    until = state.until
    console().print("screen capture paused" + (f" until {until:%H:%M}" if until else " until `cairn resume`"))


def resume(home: HomeOption = None) -> None:
    """Resume screen capture."""
    from core.capture.screen.privacy import PauseControl

    paths = vault_paths(home)
    paths.ensure()
    PauseControl(paths.runtime_dir).resume()
    console().print("screen capture resumed")


def forget(
    since: Annotated[str | None, typer.Option(help="From this time (ISO date or phrase).")] = None,
    until: Annotated[str | None, typer.Option(help="Before this time (ISO date or phrase).")] = None,
    app_name: Annotated[str | None, typer.Option("--app", help="Only screenshots of this app.")] = None,
    source: Annotated[str | None, typer.Option(help="Only this source: chat, file, screen, chat:slack, …")] = None,
    yes: Annotated[bool, typer.Option("--yes", help="Do not ask for confirmation.")] = False,
    home: HomeOption = None,
) -> None:
    """Delete memories for real: rows, full-text index, vectors and media files."""
    from datetime import datetime

    from app.commands.search_cmd import parse_when
    from core.types import TimeRange

    now = datetime.now().astimezone()
    start, end = parse_when(since, now), parse_when(until, now)
    if not (start or end or app_name or source):
        raise fail("say what to forget: --since/--until, --app and/or --source")
    if not yes and not typer.confirm("Delete these memories for good?", default=False):
        raise typer.Exit(1)
    with open_vault(home, embedder=None) as vault:
        n = vault.forget(TimeRange(start, end) if (start or end) else None, source=source,  # type: ignore[attr-defined]
                         app=app_name).value
    console().print(f"forgot {n} memories")
