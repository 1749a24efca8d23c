"""``cairn import PATH``: chat exports and Cairn JSON Lines into the vault."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from app.commands.vault_cmd import HomeOption
from app.context import console, open_vault
from core.errors import CairnError, DiskFull


def register(app: typer.Typer) -> None:
    app.command("import")(import_path)
    app.command("embed")(embed)
    app.command("formats")(formats)
    app.command("consolidate")(consolidate_cmd)


def consolidate_cmd(
    model: Annotated[bool, typer.Option(help="Let the local LLM write summaries (slow; extractive otherwise).")] = False,
    home: HomeOption = None,
) -> None:
    """Build episodes, summaries, entities, facts and the memory graph (resumable after a kill)."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    err = console(stderr=True)
    with open_vault(home) as vault, Progress(TextColumn("consolidating"), BarColumn(), MofNCompleteColumn(),
                                              TimeElapsedColumn(), console=err, transient=True,
                                              disable=not err.is_terminal) as bar:
        task = bar.add_task("consolidate", total=None)
        llm = None
        if model:
            from core.assistant import open_backend

            llm = open_backend(vault.settings(), vault.paths.models_dir)
        try:
            report = vault.consolidate(  # type: ignore[attr-defined]
                lambda done, total: bar.update(task, completed=done, total=total), llm=llm)
        finally:
            if llm is not None:
                llm.close()
    out = console()
    out.print(f"{report.items_processed} memories processed, {report.episodes_changed} episodes updated, "
              f"{report.summaries_written + report.day_summaries_written} summaries, {report.facts_observed} facts, "
              f"{report.merge_proposals} merge proposals")
    for item_id, reason in report.items_failed[:10]:
        out.print(f"  [red]failed[/] memory {item_id}: {reason}")
    if report.remaining:
        out.print(f"  {report.remaining} memories left for the next run")


def formats() -> None:
    """List the import formats `cairn import --format` accepts (auto-detected by default)."""
    from core.capture.chats.formats import available_readers

    out = console()
    for reader in available_readers():
        out.print(f"  [bold]{reader.name:<10}[/] {reader.description}")


def import_path(
    path: Annotated[Path, typer.Argument(help="An export file or zip (WhatsApp, Telegram, Slack, …, Cairn JSON Lines).")],
    fmt: Annotated[str, typer.Option("--format", help="auto, or one of the formats in `cairn formats`.")] = "auto",
    date_order: Annotated[str | None, typer.Option(help="DMY, MDY or YMD for exports with ambiguous dates.")] = None,
    timezone: Annotated[str | None, typer.Option(help="IANA zone for exports with local times (default: this machine's).")] = None,
    embed: Annotated[bool, typer.Option(help="Compute vectors now (else later with `cairn embed`).")] = True,
    consolidate: Annotated[bool, typer.Option(help="Update episodes, entities and the memory graph afterwards.")] = True,
    as_json: Annotated[bool, typer.Option("--json", help="Print the summary as JSON.")] = False,
    home: HomeOption = None,
) -> None:
    """Import messages; re-importing the same export adds nothing new."""
    import json

    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    from core.capture.chats.reader import ImportOptions

    options = ImportOptions(date_order=date_order.upper() if date_order else None, timezone=timezone)
    out = console(stderr=True)
    with open_vault(home, embedder="default" if embed else None) as vault, Progress(
        TextColumn("[progress.description]{task.description}"), BarColumn(), TextColumn("{task.completed} records"),
        TimeElapsedColumn(), console=out, transient=True, disable=as_json or not out.is_terminal,
    ) as bar:
        task = bar.add_task(f"importing {path.name}", total=None)
        report = vault.import_path(  # type: ignore[attr-defined]
            path, fmt=fmt, options=options, embed=embed, progress=lambda done, total: bar.update(task, completed=done)
        )
        if consolidate and (report.imported or report.updated):
            bar.update(task, description="updating memory")
            # summaries get their vectors later (`cairn embed`, or the capture host when idle): cost stays ~import's
            try:
                vault.consolidate(embed_summaries=False)  # type: ignore[attr-defined]
            except DiskFull as full:
                raise _import_then_full(path, report.imported + report.updated, full) from full.__cause__
    summary = {
        "file": str(path), "format": report.format, "imported": report.imported, "updated": report.updated,
        "duplicate": report.duplicate, "skipped": report.skipped,
        "failed": [{"where": w, "reason": r} for w, r in report.failed], "notes": report.notes,
    }
    if as_json:
        print(json.dumps(summary, ensure_ascii=False))
    else:
        o = console()
        o.print(f"[bold]{path.name}[/] ({report.format}): {report.imported} imported, {report.updated} updated, "
                f"{report.duplicate} duplicate, {sum(report.skipped.values())} skipped, {report.failed_count} failed")
        for reason, n in sorted(report.skipped.items()):
            o.print(f"  skipped {n}: {reason}")
        for where, reason in report.failed[:20]:
            o.print(f"  [red]failed[/] {where}: {reason}")
        if report.failed_count > 20:
            o.print(f"  … and {report.failed_count - 20} more failures (use --json for all)")
        for note in report.notes:
            o.print(f"  note: {note}")
    if report.failed_count:
        raise typer.Exit(3)


def _import_then_full(path: Path, imported: int, full: DiskFull) -> CairnError:
    """The import finished; updating memory afterwards found the disk full: say both, and how to finish."""
    of = f" of {full.total:,}" if full.total is not None else ""
    return CairnError(
        f"{path}: all {imported:,} new or changed messages were imported, then the disk filled while updating"
        f" memory ({full.stored:,}{of} memories consolidated); nothing stored is lost. Free some space and run"
        " `cairn consolidate` to finish")


def embed(home: HomeOption = None) -> None:
    """Compute vectors for everything imported with --no-embed."""
    with open_vault(home) as vault:
        n = vault.embed_pending().value  # type: ignore[attr-defined]
    console().print(f"embedded {n} chunk texts")
