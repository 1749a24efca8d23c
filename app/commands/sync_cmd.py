"""``cairn sync setup | now | status | pair | remove | leave``: end-to-end-encrypted sync between your devices."""

from __future__ import annotations

import sys
from datetime import datetime
from typing import Annotated, Any

import typer

from app.context import HomeOption, console, fail, open_vault
from core import env as env_switch


def register(app: typer.Typer) -> None:
    sync = typer.Typer(help="Sync your memory between devices through a folder, WebDAV or S3 (only ciphertext leaves).",
                       no_args_is_help=True)
    sync.command("setup")(setup_cmd)
    sync.command("now")(now)
    sync.command("status")(status)
    sync.command("pair")(pair)
    sync.command("remove")(remove)
    sync.command("leave")(leave)
    app.add_typer(sync, name="sync")


def _secret(prompt: str, switch: env_switch.Switch, *, confirm: bool = False) -> str:
    value = switch.get()
    if value:
        return value
    if not sys.stdin.isatty():
        raise fail(f"set {switch.name} or run in a terminal")
    return str(typer.prompt(prompt, hide_input=True, confirmation_prompt=confirm))


def setup_cmd(
    kind: Annotated[str, typer.Argument(help="folder, webdav or s3")],
    where: Annotated[str, typer.Argument(help="a folder path, https://… WebDAV address, or s3://bucket/prefix")],
    user: Annotated[str | None, typer.Option(help="WebDAV user name or S3 access key id")] = None,
    endpoint: Annotated[str | None, typer.Option(help="S3-compatible endpoint (MinIO, B2, R2…); empty for AWS")] = None,
    code: Annotated[str | None, typer.Option(help="join with a pairing code shown by `cairn sync pair`")] = None,
    name: Annotated[str | None, typer.Option(help="this device's name (default: the host name)")] = None,
    home: HomeOption = None,
) -> None:
    """Start syncing this vault with a target, or join the vault already synced there."""
    from core.sync import setup
    from core.sync.credentials import save_credentials
    from core.sync.target import Credentials, open_target, parse_target

    if kind == "s3" and endpoint:
        where = f"{where}?endpoint={endpoint}"
    spec = parse_target(kind, where)
    credentials = None
    if spec.needs_credentials:
        if not user:
            raise fail(f"{kind} needs --user (the {'user name' if kind == 'webdav' else 'access key id'})")
        credentials = Credentials(user, _secret("Password" if kind == "webdav" else "Secret key", env_switch.SYNC_SECRET))
    with open_vault(home, embedder=None) as vault:
        target = open_target(spec, credentials)
        passphrase = None if code else _secret("Sync passphrase (your other devices join with it)",
                                              env_switch.SYNC_PASSPHRASE, confirm=True)
        if credentials is not None:
            save_credentials(spec, credentials)  # before joining: a vault never points at credentials it lacks
        _, created = setup.join(vault, spec, target, passphrase=passphrase, code=code, device_name=name)  # type: ignore[arg-type]
    out = console()
    verb = "Started a synced vault" if created else "Joined the synced vault"
    out.print(f"{verb} at [bold]{spec.url}[/]. Run `cairn sync now`, or let the daemon and the app sync by themselves.")


def now(home: HomeOption = None) -> None:
    """Sync now: upload what changed here, apply what other devices wrote."""
    from core.sync.service import sync_pass

    with open_vault(home, embedder="default") as vault:
        report = sync_pass(vault, consolidate=lambda: vault.consolidate())  # type: ignore[arg-type, attr-defined]
    out = console()
    applied = report.applied
    out.print(f"Sent {report.uploaded_ops} change(s) in {report.uploaded_segments} segment(s) and "
              f"{report.uploaded_media} media object(s); received {applied.items} memories, {applied.forgotten} "
              f"forgotten, {applied.facts} fact edit(s), {applied.graph} graph edit(s), {applied.settings} setting(s) from "
              f"{report.applied_segments} segment(s).")
    if report.waiting:
        out.print(f"  {report.waiting} segment(s) wait for their media to reach the target.")
    if report.compacted:
        out.print(f"  Rewrote {report.compacted} segment(s) without the text of forgotten memories.")
    for reason in report.rejected:
        out.print(f"  [yellow]{reason}[/]")


def _when(epoch: float | None) -> str:
    return "never" if not epoch else datetime.fromtimestamp(epoch).astimezone().strftime("%Y-%m-%d %H:%M")


def status(
    home: HomeOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="Machine-readable output.")] = False,
) -> None:
    """Last sync, pending changes, devices seen, recent errors."""
    import dataclasses
    import json

    from core.sync import setup
    from core.sync.service import configured_target

    with open_vault(home, embedder=None) as vault:
        target: Any = None
        try:
            target = configured_target(vault)  # type: ignore[arg-type]
        except Exception:
            target = None  # offline or no credentials: the local part of the status still shows
        state = setup.status(vault, target)  # type: ignore[arg-type]
    if as_json:
        print(json.dumps(dataclasses.asdict(state), default=str))
        return
    out = console()
    if not state.configured:
        out.print("Sync is not set up. `cairn sync setup folder PATH | webdav URL | s3 s3://bucket/prefix`")
        return
    assert state.target is not None
    out.print(f"Syncing with [bold]{state.target.kind}[/] {state.target.url} as {state.device_name} ({state.device})")
    out.print(f"  last sync: {_when(state.last_sync)}; pending: {state.pending_changes} change(s), "
              f"{state.pending_segments} segment(s) to upload; key epoch {state.epoch}")
    for d in state.devices:
        mark = " (this device)" if d.this_device else ""
        removed = f", removed {_when(d.removed)}" if d.removed else ""
        seen = f"last change applied here {_when(d.last_applied_at)}" if d.last_applied_at else "nothing applied yet"
        out.print(f"  device {d.name}{mark} [{d.device}]: {seen}{removed}")
    for ts, message in state.errors:
        out.print(f"  [yellow]{_when(ts)} {message}[/]")


def pair(home: HomeOption = None) -> None:
    """Show a one-time pairing code (15 minutes) another device can join with instead of the passphrase."""
    from core.sync import setup
    from core.sync.service import configured_target

    with open_vault(home, embedder=None) as vault:
        code = setup.pairing_code(vault, configured_target(vault))  # type: ignore[arg-type]
    console().print(f"Pairing code: [bold]{code}[/]\nOn the other device: `cairn sync setup KIND WHERE --code {code}` "
                    "(valid 15 minutes, once).")


def remove(
    device: Annotated[str, typer.Argument(help="the device's name or id (see `cairn sync status`)")],
    home: HomeOption = None,
) -> None:
    """Remove a device: keys rotate, a new sync passphrase is set, and it can no longer read new changes."""
    from core.sync import setup
    from core.sync.service import configured_target

    new = _secret("New sync passphrase (the removed device knew the old one)", env_switch.NEW_SYNC_PASSPHRASE,
                  confirm=True)
    with open_vault(home, embedder=None) as vault:
        setup.remove_device(vault, configured_target(vault), device, new)  # type: ignore[arg-type]
    console().print(f"Removed {device}. Keys rotated: it cannot read anything synced from now on.")


def leave(home: HomeOption = None) -> None:
    """Stop syncing on this device (its memories stay; the keyring entry for the target is deleted)."""
    from core.sync import setup
    from core.sync.credentials import delete_credentials

    with open_vault(home, embedder=None) as vault:
        spec = setup.spec_of(vault.read())  # type: ignore[attr-defined]
        setup.leave(vault)  # type: ignore[arg-type]
    if spec is not None:
        delete_credentials(spec)
    console().print("This device no longer syncs. Its memories stay here.")
