"""``cairn init | unlock | lock | passwd | status``: the vault's life cycle."""

from __future__ import annotations

from typing import Annotated

import typer

from app.context import PASSPHRASE_ENV, HomeOption, console, fail, passphrase_from_env_or_prompt, vault_paths
from core import env as env_switch


def register(app: typer.Typer) -> None:
    app.command("init")(init)
    app.command("unlock")(unlock)
    app.command("lock")(lock)
    app.command("passwd")(passwd)
    app.command("rekey")(rekey)
    app.command("status")(status)


def init(
    home: HomeOption = None,
    keyring: Annotated[bool, typer.Option(help="Also keep the key in the OS keyring (when a trusted one exists).")] = True,
) -> None:
    """Create a new encrypted vault (a fresh random key for this install)."""
    from core.errors import KeyringUnavailable
    from core.vault import Vault

    paths = vault_paths(home)
    out = console()
    passphrase = passphrase_from_env_or_prompt(paths, confirm=True, needed=not keyring)
    try:
        vault = Vault.create(paths, passphrase, use_keyring=keyring, embedder=None)
    except KeyringUnavailable as exc:
        if passphrase:
            raise
        raise fail(f"{exc}. Set {PASSPHRASE_ENV} or run `cairn init` in a terminal to choose a passphrase.") from exc
    vault.close()
    out.print(f"Created an encrypted vault at [bold]{paths.home}[/].")
    for note in vault.creation_notes:
        out.print(f"  note: {note}")
    if passphrase and not any("OS keyring" in n and "also" in n for n in vault.creation_notes):
        out.print(f"  Unlocks with your passphrase (prompted, or from ${PASSPHRASE_ENV} for headless use).")


def unlock(home: HomeOption = None) -> None:
    """Check your passphrase and clear a lock set by `cairn lock`."""
    from core.crypto.keys import unlock_data_key
    from core.vault import lock_flag

    paths = vault_paths(home)
    unlock_data_key(paths, passphrase_from_env_or_prompt(paths, needed=lock_flag(paths).exists()))
    lock_flag(paths).unlink(missing_ok=True)
    console().print("Unlocked. The daemon and the app may open the vault again.")


def lock(home: HomeOption = None) -> None:
    """Lock the vault: running Cairn processes drop their keys; the passphrase is needed again."""
    from core.vault import lock_flag

    paths = vault_paths(home)
    if not paths.keyfile.exists():
        raise fail(f"no Cairn vault at {paths.home}")
    paths.ensure()
    from core.private_file import write_private

    write_private(lock_flag(paths), b"locked\n")
    console().print("Locked. Running Cairn processes close the vault within a few seconds.")


def passwd(home: HomeOption = None) -> None:
    """Change the passphrase: the key is re-wrapped instantly, no data is re-encrypted."""
    import sys

    from core.crypto.keys import change_passphrase

    paths = vault_paths(home)
    current = passphrase_from_env_or_prompt(paths)
    new = env_switch.NEW_PASSPHRASE.get()
    if not new:
        if not sys.stdin.isatty():
            raise fail(f"set {env_switch.NEW_PASSPHRASE.name} or run in a terminal")
        new = typer.prompt("New passphrase", hide_input=True, confirmation_prompt=True)
    change_passphrase(paths, current, new)
    console().print("Passphrase changed.")


def rekey(home: HomeOption = None) -> None:
    """A new data key for everything (database and media re-encrypted): old key-file backups open nothing."""
    from core.crypto.keys import KeyFile
    from core.host.capture_lock import CaptureLock
    from core.rekey import rekey as move_to_new_key

    paths = vault_paths(home)
    current = passphrase_from_env_or_prompt(paths, needed="passphrase" in KeyFile.load(paths).wraps)
    lock = CaptureLock(paths.runtime_dir, "cairn rekey")
    lock.acquire()  # refuses while `cairn daemon` or the app captures into this vault
    try:
        move_to_new_key(paths, current, say=lambda line: console().print(f"  {line}"))
    finally:
        lock.release()
    console().print("Rekeyed: a new data key encrypts the vault; old copies of keys.json no longer open it.")


def status(
    home: HomeOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="Machine-readable output.")] = False,
) -> None:
    """What is stored, what capture is doing, and when something was last indexed."""
    import json
    from datetime import UTC, datetime

    from app.context import open_vault
    from app.status import daemon_status, today_coverage

    paths = vault_paths(home)
    with open_vault(home, embedder=None) as vault:
        stats = vault.stats()  # type: ignore[attr-defined]
        today = today_coverage(vault)  # type: ignore[arg-type]
        budget = vault.storage_budget()  # type: ignore[attr-defined]
    capture = daemon_status(paths)
    ago = None
    if stats.last_item_at is not None:
        ago = (datetime.now(UTC) - stats.last_item_at).total_seconds()
    if as_json:
        print(json.dumps({
            "home": str(paths.home), "items": stats.items, "chunks": stats.chunks, "vectors": stats.vectors,
            "media_files": stats.media_files, "media_bytes": stats.media_bytes, "by_source": stats.by_source,
            "bytes_by_source": {k: {"text": t, "media": m} for k, (t, m) in stats.bytes_by_source.items()},
            "database_bytes": stats.database_bytes, "last_item_seconds_ago": ago, "capture": capture,
            "today": {"minutes": today.minutes, "captured": today.captured, "by_state": today.by_state,
                      "gaps": [{"start": g.start, "end": g.end, "state": g.state, "reason": g.reason()}
                               for g in today.gaps]},
            "storage": {"budget_bytes": budget.budget, "auto": budget.auto, "used_bytes": budget.used,
                        "pixels_per_day": budget.pixels_per_day, "pixel_days": budget.pixel_days(),
                        "low_disk": budget.low_disk, "forecast": budget.forecast()},
        }))
        return
    out = console()
    out.print(f"Vault: [bold]{paths.home}[/] (encrypted)")
    out.print(f"  {stats.items} memories, {stats.chunks} chunks, {stats.vectors} vectors; "
              f"database {stats.database_bytes / 1e6:.1f} MB, media {stats.media_files} files / {stats.media_bytes / 1e6:.1f} MB")
    for source, n in sorted(stats.by_source.items()):
        text_b, media_b = stats.bytes_by_source.get(source, (0, 0))
        out.print(f"    {source}: {n} ({text_b / 1e6:.1f} MB text, {media_b / 1e6:.1f} MB media)")
    if ago is not None:
        out.print(f"  newest memory is from {_age_words(ago)}")
    out.print(f"  capture: {capture.get('summary', 'not running')}")
    for line in capture.get("details", []):
        out.print(f"    {line}")
    out.print(f"  storage: {budget.forecast()}")
    if budget.low_disk:
        out.print(f"  [bold red]{budget.low_disk}[/]")
    out.print(f"  today: {today.summary()}")
    gaps = today.last_gaps()
    if gaps:
        out.print("  last gaps: " + gaps[0])
        for line in gaps[1:]:
            out.print(f"             {line}")


def _age_words(seconds: float) -> str:
    """'just now', '5 minutes ago', '3 hours ago', '242 days ago' — never a raw count of seconds."""
    for unit, size in (("day", 86400), ("hour", 3600), ("minute", 60)):
        if seconds >= size:
            n = int(seconds // size)
            return f"{n} {unit}{'s' if n != 1 else ''} ago"
    return "just now"
