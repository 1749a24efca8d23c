"""``cairn settings [show] | set KEY VALUE``: every setting, typed, with its help text."""

from __future__ import annotations

import json
from dataclasses import fields
from typing import Annotated, Any

import typer

from app.commands.vault_cmd import HomeOption
from app.context import console, fail, open_vault

READ_ONLY = ("version",)


def register(app: typer.Typer) -> None:
    settings = typer.Typer(help="Show or change Cairn's settings (stored encrypted in the vault).",
                           invoke_without_command=True)
    settings.callback()(show_default)
    settings.command("show")(show)
    settings.command("set")(set_setting)
    app.add_typer(settings, name="settings")


def show_default(ctx: typer.Context, home: HomeOption = None,
                 as_json: Annotated[bool, typer.Option("--json", help="One JSON object.")] = False) -> None:
    """Every setting with its value and what it does."""
    if ctx.invoked_subcommand is None:
        show(home, as_json)


def show(home: HomeOption = None,
         as_json: Annotated[bool, typer.Option("--json", help="One JSON object.")] = False) -> None:
    """Every setting with its value and what it does."""
    from core.settings import Settings

    with open_vault(home, embedder=None) as vault:
        current = vault.settings()
    if as_json:
        print(json.dumps(current.to_dict(), ensure_ascii=False))
        return
    out = console()
    for f in fields(Settings):
        value = getattr(current, f.name)
        shown = ", ".join(map(str, value)) if isinstance(value, tuple) else ("" if value is None else str(value))
        out.print(f"[bold]{f.name}[/] = {shown}")
        out.print(f"    {f.metadata['help']}", style="dim")


def set_setting(
    key: Annotated[str, typer.Argument(help="A setting's name, as `cairn settings` lists it.")],
    value: Annotated[str, typer.Argument(help="Its new value; lists comma-separated; empty for none.")],
    home: HomeOption = None,
) -> None:
    """Change one setting."""
    from core.settings import Settings

    known = {f.name: f for f in fields(Settings)}
    if key not in known or key in READ_ONLY:
        raise fail(f"no setting {key!r}; `cairn settings` lists them", code=2)
    parsed = parse_value(str(known[key].type), value)
    with open_vault(home, embedder=None) as vault:
        vault.update_settings(**{key: parsed})
    console().print(f"{key} = {value}")


def parse_value(kind: str, text: str) -> Any:
    """``text`` as the field type ``kind`` names (bool, int, float, str | None, tuple[...])."""
    text = text.strip()
    try:
        if kind.startswith("tuple["):
            item = int if kind.startswith("tuple[int") else str
            return tuple(item(part.strip()) for part in text.split(",") if part.strip())
        if kind.endswith("| None") and not text:
            return None
        if kind == "bool":
            if text.lower() not in ("true", "false", "yes", "no", "on", "off", "1", "0"):
                raise ValueError(text)
            return text.lower() in ("true", "yes", "on", "1")
        if kind == "int":
            return int(text)
        if kind == "float":
            return float(text)
    except ValueError:
        raise fail(f"{text!r} is not a {kind}", code=2) from None
    return text
