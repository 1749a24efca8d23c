"""What every CLI command needs: the data directory, the passphrase, an open vault."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from core import env as env_switch
from core.errors import CairnError
from core.paths import VaultPaths, default_home

PASSPHRASE_ENV = env_switch.PASSPHRASE.name
HomeOption = Annotated[Path | None, typer.Option("--home", help="Data directory (default: $CAIRN_HOME or the user data folder).")]


def console(stderr: bool = False) -> Console:
    return Console(stderr=stderr, highlight=False, soft_wrap=True)


def vault_paths(home: Path | None) -> VaultPaths:
    return VaultPaths(home or default_home())


def passphrase_from_env_or_prompt(paths: VaultPaths, *, confirm: bool = False, needed: bool = False) -> str | None:
    """``$CAIRN_PASSPHRASE``, else a prompt when a terminal is attached and one is needed."""
    env = env_switch.PASSPHRASE.get()
    if env:
        return env
    if not needed:
        from core.crypto.keys import KeyFile

        try:
            if "keyring" in KeyFile.load(paths).wraps:
                return None
        except CairnError:
            return None
    if not sys.stdin.isatty():
        raise CairnError(f"a passphrase is needed: set {PASSPHRASE_ENV} or run in a terminal")
    return str(typer.prompt("Passphrase", hide_input=True, confirmation_prompt=confirm))


@contextmanager
def open_vault(home: Path | None, *, embedder: str | None = "default") -> Iterator[object]:
    from core.vault import Vault

    paths = vault_paths(home)
    vault = Vault.open(paths, passphrase_from_env_or_prompt(paths), embedder=embedder)
    try:
        yield vault
    finally:
        vault.close()


def fail(message: str, code: int = 1) -> typer.Exit:
    console(stderr=True).print(f"[bold red]error:[/] {message}")
    return typer.Exit(code)
