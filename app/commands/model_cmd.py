"""``cairn model list | get ID | use ID|default|PATH``: the curated model catalogue from the command line.

``get`` is the one command that goes to the network, and only for the file
asked for; Ctrl-C cancels and keeps what arrived, so running it again resumes.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from app.commands.vault_cmd import HomeOption
from app.context import console, fail, open_vault, vault_paths


def register(app: typer.Typer) -> None:
    model = typer.Typer(help="Choose the language model: the built-in one or a better one from the catalogue.",
                        no_args_is_help=True)
    model.command("list")(list_models)
    model.command("get")(get)
    model.command("use")(use)
    app.add_typer(model, name="model")


def list_models(home: HomeOption = None) -> None:
    """The catalogue: size, RAM needed, licence, source, and which one answers now."""
    from core.llm.catalogue.choice import model_states
    from core.llm.catalogue.entries import load_catalogue

    with open_vault(home, embedder=None) as vault:
        current = vault.settings().model_path
        models_dir = vault.paths.models_dir
    out = console()
    mark = "[green]●[/] " if current is None else "  "
    out.print(f"{mark}[bold]default[/]  Gemma 3 270M (built in, offline){'  [green]in use[/]' if current is None else ''}")
    for state in model_states(load_catalogue(), models_dir, current):
        e = state.entry
        status = ("[green]in use[/]" if state.active else "downloaded" if state.downloaded
                  else f"partly downloaded ({state.partial_bytes / 1e6:,.0f} MB)" if state.partial_bytes
                  else "not downloaded")
        out.print(f"{'[green]●[/] ' if state.active else '  '}[bold]{e.id}[/]  {e.name}  —  {status}")
        out.print(f"      {e.size_mb:,} MB download, ~{e.ram_gb:g} GB RAM, {e.licence}; {e.note}", style="dim")
        out.print(f"      {e.url}", style="dim")
    if current is not None and not any(s.active for s in model_states(load_catalogue(), models_dir, current)):
        out.print(f"[green]●[/] in use: your own GGUF {current}")


def get(
    model_id: Annotated[str, typer.Argument(help="A catalogue id, as `cairn model list` shows it.")],
    home: HomeOption = None,
) -> None:
    """Download one catalogue model (resumable; verified against its published sha256)."""
    from rich.progress import BarColumn, DownloadColumn, Progress, TimeRemainingColumn, TransferSpeedColumn

    from core.llm.catalogue.choice import get_model
    from core.llm.catalogue.download import DownloadCancelled
    from core.llm.catalogue.entries import find_entry, load_catalogue

    entry = find_entry(load_catalogue(), model_id)
    models_dir = vault_paths(home).models_dir
    if entry.is_downloaded(models_dir):
        console().print(f"{entry.name} is already downloaded: {entry.path_in(models_dir)}")
        return
    err = console(stderr=True)
    err.print(f"Downloading {entry.name} from {entry.url}")
    with Progress("{task.description}", BarColumn(), DownloadColumn(), TransferSpeedColumn(), TimeRemainingColumn(),
                  console=err, transient=True) as bar:
        task = bar.add_task(entry.id, total=None)
        try:
            path = get_model(entry, models_dir, progress=lambda done, total: bar.update(task, completed=done,
                                                                                         total=total))
        except KeyboardInterrupt:
            raise fail("cancelled; run the same command again to resume", code=130) from None
        except DownloadCancelled as exc:
            raise fail(str(exc), code=130) from None
    console().print(f"{entry.name} downloaded and verified: {path}")
    console().print(f"use it with: cairn model use {entry.id}")


def use(
    choice: Annotated[str, typer.Argument(help="'default', a downloaded catalogue id, or the path of a GGUF file.")],
    home: HomeOption = None,
) -> None:
    """Answer with this model from the next question on (no restart)."""
    from core.llm.catalogue.choice import model_path_for
    from core.llm.catalogue.entries import load_catalogue

    with open_vault(home, embedder=None) as vault:
        path = model_path_for(choice, load_catalogue(), vault.paths.models_dir)
        vault.update_settings(model_path=path)
    console().print(f"answers now use {'the built-in Gemma 3 270M' if path is None else Path(path).name}")
