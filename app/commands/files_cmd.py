"""``cairn index PATH`` and ``cairn watch add|remove|list``: documents in folders."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from app.commands.vault_cmd import HomeOption
from app.context import console, open_vault


def register(app: typer.Typer) -> None:
    app.command("index")(index)
    watch = typer.Typer(help="Folders Cairn keeps indexed while the daemon runs.", no_args_is_help=True)
    watch.command("add")(watch_add)
    watch.command("remove")(watch_remove)
    watch.command("list")(watch_list)
    app.add_typer(watch, name="watch")


def index(
    path: Annotated[Path, typer.Argument(help="A folder (indexed recursively) or a single file.")],
    force: Annotated[bool, typer.Option(help="Re-extract files even when unchanged.")] = False,
    embed: Annotated[bool, typer.Option(help="Compute vectors now (else later with `cairn embed`).")] = True,
    as_json: Annotated[bool, typer.Option("--json", help="Print the summary as one JSON object (no progress).")] = False,
    home: HomeOption = None,
) -> None:
    """Index documents once (text, code, PDF, office files, e-mail, images and scans via OCR) with a summary."""
    import json

    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from core.capture.files.service import index_path, report_json, report_lines

    err = console(stderr=True)
    live = err.is_terminal and not as_json
    with open_vault(home, embedder="default" if embed else None) as vault, Progress(
        TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(), console=err,
        transient=True, disable=not live,
    ) as bar:
        task = bar.add_task("indexing", total=None)

        def files(done: int, total: int | None) -> None:  # a file finished: its page line is over
            bar.update(task, completed=done, total=total, description="indexing")

        def pages(file: Path, page: int, count: int) -> None:
            line = ocr_line(file, page, count)
            if live:  # one updating line
                bar.update(task, description=f"indexing · {line}")
            elif not as_json and periodic(page, count):  # a log or a pipe: a line now and then
                err.print(line)

        report = index_path(vault, path, force=force, embed=embed, progress=files, pages=pages)
    if as_json:
        print(json.dumps(report_json(report), ensure_ascii=False))
    else:
        out = console()
        for line in report_lines(report):
            out.print(line)
    if report.failed:
        raise typer.Exit(3)


def ocr_line(file: Path, page: int, pages: int) -> str:
    """``scan.pdf: OCR page 37 of 200``."""
    return f"{file.name}: OCR page {page} of {pages}"


def periodic(page: int, pages: int, every: int = 10) -> bool:
    """Whether a non-terminal output gets this page's line: for files of several pages, the first,
    every ``every``-th and the last (a single picture says nothing: the summary names it)."""
    return pages > 1 and (page == 1 or page == pages or page % every == 0)


def watch_add(path: Annotated[Path, typer.Argument(help="Folder to watch.")], home: HomeOption = None) -> None:
    """Watch a folder: its documents are indexed now and kept up to date by the daemon."""
    from core.capture.files.service import watch_add as add

    with open_vault(home, embedder=None) as vault:
        folder = add(vault, path).value
    console().print(f"watching {folder}; the daemon indexes it (run `cairn index {folder}` to index it now)")


def watch_remove(path: Annotated[Path, typer.Argument(help="Folder to stop watching.")], home: HomeOption = None) -> None:
    """Stop watching a folder (what was indexed stays searchable until you forget it)."""
    from core.capture.files.service import watch_remove as remove

    with open_vault(home, embedder=None) as vault:
        folder = remove(vault, path).value
    console().print(f"no longer watching {folder}")


def watch_list(home: HomeOption = None) -> None:
    """The watched folders and what is indexed from each."""
    from core.capture.files.service import watch_list as listing

    with open_vault(home, embedder=None) as vault:
        folders = listing(vault)
    out = console()
    if not folders:
        out.print("no watched folders (add one with `cairn watch add PATH`)")
    for f in folders:
        state = "" if f.exists else " [red](missing)[/]"
        out.print(f"{f.path}{state}: {f.indexed} indexed, {f.failed} failed, {f.skipped} skipped, {f.deleted} deleted")
