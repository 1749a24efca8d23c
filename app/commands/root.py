"""The ``cairn`` typer application: the root options (``--version``) and every command group."""

from __future__ import annotations

from typing import Annotated

import typer

from app.commands import (
    ask_cmd,
    autostart_cmd,
    build_info_cmd,
    capture_cmd,
    files_cmd,
    import_cmd,
    model_cmd,
    search_cmd,
    settings_cmd,
    sync_cmd,
    vault_cmd,
)


def print_version(value: bool) -> None:
    if value:
        from core.version import version

        print(f"cairn {version()}")
        raise typer.Exit()


def root(
    _version: Annotated[bool, typer.Option("--version", callback=print_version, is_eager=True,
                                           help="Print Cairn's version and exit.")] = False,
) -> None:
    """Cairn remembers what you saw, read and said — encrypted on this device."""


def build_app() -> typer.Typer:
    app = typer.Typer(
        name="cairn",
        help="Cairn remembers what you saw, read and said — encrypted on this device.",
        no_args_is_help=True,
        add_completion=False,
        pretty_exceptions_enable=False,
    )
    app.callback()(root)
    for module in (vault_cmd, import_cmd, search_cmd, ask_cmd, files_cmd, capture_cmd, settings_cmd, autostart_cmd,
                   model_cmd, build_info_cmd, sync_cmd):
        module.register(app)
    return app
