"""The ``cairn`` command line.  Exit codes: 0 ok, 1 error, 2 usage, 3 partial (some records failed)."""

from __future__ import annotations

import typer

from app.commands import (
    ask_cmd,
    capture_cmd,
    files_cmd,
    import_cmd,
    search_cmd,
    settings_cmd,
    sync_cmd,
    vault_cmd,
)

HOME_HELP = "Data directory (default: $CAIRN_HOME or the platform's user data folder)."


def build_app() -> typer.Typer:
    app = typer.Typer(
        name="cairn",
        help="Cairn remembers what you saw, read and said — encrypted on this device.",
        no_args_is_help=True,
        add_completion=False,
        pretty_exceptions_enable=False,
    )
    for module in (vault_cmd, import_cmd, search_cmd, ask_cmd, files_cmd, capture_cmd, settings_cmd, sync_cmd):
        module.register(app)
    return app


def main() -> None:
    from core.errors import CairnError

    app = build_app()
    try:
        app()
    except CairnError as exc:
        from app.context import console

        console(stderr=True).print(f"[bold red]error:[/] {exc}")
        raise SystemExit(1) from None


if __name__ == "__main__":
    main()
