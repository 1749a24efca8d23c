"""``cairn search``: hybrid search from the terminal, for people (--json and --batch for tools)."""

from __future__ import annotations

import json
import sys
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from app.commands.vault_cmd import HomeOption
from app.context import console, fail, open_vault

if TYPE_CHECKING:
    from core.vault import Vault


WEAK_SHOWN = 3  # weak matches listed after the good ones


def register(app: typer.Typer) -> None:
    app.command("search")(search)


def parse_when(text: str | None, now: datetime) -> datetime | None:
    """A --since/--until value: ISO date/time or a phrase such as 'last week' / '3 days ago'."""
    if not text:
        return None
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        import dateparser

        moment = dateparser.parse(text, settings={"RELATIVE_BASE": now.replace(tzinfo=None), "PREFER_DATES_FROM": "past"})
        if moment is None:
            raise fail(f"cannot understand the date {text!r}") from None
    return moment if moment.tzinfo else moment.astimezone()


def hit_json(hit: Any, explain: bool = False) -> dict[str, Any]:
    out = {
        "item_id": int(hit.item_id), "external_id": hit.external_id, "conversation": hit.conversation,
        "timestamp": hit.timestamp.isoformat(), "score": round(hit.score, 6), "text": hit.text, "snippet": hit.snippet,
        "source": hit.source, "kind": hit.kind, "speaker": hit.speaker, "title": hit.title, "page": hit.page,
        "app": hit.app, "deleted": hit.deleted, "good_match": not hit.weak,
    }
    if explain:
        out["signals"] = {k: round(v, 4) for k, v in hit.signals.items()}
    return out


def _request(query: str, k: int, since: datetime | None, until: datetime | None, sources: list[str],
             speakers: list[str], conversations: list[str], apps: list[str], parse_time: bool) -> Any:
    from core.retrieve.types import SearchRequest
    from core.types import TimeRange

    explicit = TimeRange(since, until) if (since or until) else None
    return SearchRequest(query=query, k=k, time_range=explicit, sources=tuple(sources), speakers=tuple(speakers),
                         conversations=tuple(conversations), apps=tuple(apps), parse_time=parse_time)


def search(
    query: Annotated[str | None, typer.Argument(help="What to look for; time phrases like 'last week' filter by time.")] = None,
    k: Annotated[int, typer.Option("-k", help="How many results.")] = 10,
    since: Annotated[str | None, typer.Option(help="Only from this time on (ISO date or phrase).")] = None,
    until: Annotated[str | None, typer.Option(help="Only before this time (ISO date or phrase).")] = None,
    source: Annotated[list[str] | None, typer.Option(help="chat, file, screen, or a precise source like chat:slack.")] = None,
    speaker: Annotated[list[str] | None, typer.Option(help="Only messages from this person.")] = None,
    conversation: Annotated[list[str] | None, typer.Option(help="Only this conversation / channel.")] = None,
    app_name: Annotated[list[str] | None, typer.Option("--app", help="Only screenshots of this app.")] = None,
    no_time: Annotated[bool, typer.Option("--no-time-parse", help="Do not treat time phrases in the query as a filter.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="One JSON object per hit.")] = False,
    explain: Annotated[bool, typer.Option("--explain", help="Also show how the search ranked and judged the hits.")] = False,
    batch: Annotated[Path | None, typer.Option(help="JSON Lines of queries ({query, k, conversation, …}); one result line each.")] = None,
    home: HomeOption = None,
) -> None:
    """Search your memories (full text + meaning, fused)."""
    now = datetime.now().astimezone()
    with open_vault(home) as vault:
        _show_index_rebuild(vault)
        if batch is not None:
            _run_batch(vault, batch, now)
            return
        if not query:
            raise fail("give a query, or --batch FILE")
        request = _request(query, k, parse_when(since, now), parse_when(until, now), source or [], speaker or [],
                           conversation or [], app_name or [], not no_time)
        # --json prints the hits only: the nearest match outside the filters (a second search) is for people
        result = vault.search(request, now=now, nearest=not as_json)  # type: ignore[attr-defined]
        folders = {} if as_json else _file_folders(vault, [*result.hits, *([result.nearest] if result.nearest else [])])
    if as_json:
        for hit in result.hits:
            print(json.dumps(hit_json(hit, explain), ensure_ascii=False))
        return
    _print_human(result, query, explain, folders)


def _file_folders(vault: Vault, hits: list[Any]) -> dict[str, str]:
    """Each file hit's folder key → the folder as people may see it (a secret in its name redacted, never sealed)."""
    from core.capture.files.real_path import shown_key

    keys = {h.conversation for h in hits if h.source == "file" and h.conversation}
    return {key: shown_key(vault.derived_key, key) for key in keys}


def _show_index_rebuild(vault: Vault) -> None:
    """A search that has to rebuild the meaning index (missing, damaged or stale) says so on stderr, with progress."""
    service = vault.ann()
    if service is None:
        return

    def report(done: int, total: int) -> None:
        why = f" ({service.problem})" if service.problem else ""
        end = "\n" if done >= total else ""
        print(f"\rrebuilding the meaning index{why}: {done:,} of {total:,} passages", end=end, file=sys.stderr,
              flush=True)

    service.on_progress = report


def _run_batch(vault: Vault, path: Path, now: datetime) -> None:
    stream = sys.stdin if str(path) == "-" else path.open("r", encoding="utf-8")
    with stream:
        for number, line in enumerate(stream, start=1):
            if not line.strip():
                continue
            try:
                spec = json.loads(line)
                request = _request(
                    str(spec["query"]), int(spec.get("k", 10)), parse_when(spec.get("since"), now),
                    parse_when(spec.get("until"), now), _list(spec.get("source")), _list(spec.get("speaker")),
                    _list(spec.get("conversation")), _list(spec.get("app")), bool(spec.get("parse_time", True)),
                )
                result = vault.search(request, now=now, nearest=False)  # the lines carry the hits only
                out = {"query": spec["query"], "results": [hit_json(h) for h in result.hits]}
            except (ValueError, KeyError, TypeError) as exc:
                out = {"query": None, "error": f"line {number}: {exc}", "results": []}
            print(json.dumps(out, ensure_ascii=False), flush=True)


def _list(value: Any) -> list[str]:
    if value is None:
        return []
    return [str(v) for v in value] if isinstance(value, list) else [str(value)]


def _print_human(result: Any, query: str, explain: bool, folders: dict[str, str] | None = None) -> None:
    from rich.markup import escape

    from core.index.fulltext import query_terms

    out = console()
    if result.applied_range is not None:
        r = result.applied_range
        out.print(f"[dim]time filter {result.range_phrase!r}: "
                  f"{r.start.isoformat(' ', 'minutes') if r.start else '…'} → {r.end.isoformat(' ', 'minutes') if r.end else '…'}[/]")
    for note in result.notes:
        out.print(f"[yellow]{escape(note)}[/]")
    if explain:
        for line in result.diagnostics:
            out.print(f"[dim]{escape(line)}[/]")
    if not result.hits:
        out.print("No memories match.")
        return
    good = result.good_hits
    terms = query_terms(result.query_text)
    folders = folders or {}
    if not good:
        out.print(f"[bold]No good matches for {escape(repr(query))}.[/] Try other words, a name, or a wider time range.")
        if result.nearest is not None:
            out.print("Outside your filters, the nearest good match:")
            _print_hits(out, [result.nearest], terms, 1, folders, explain)
        out.print("The closest memories within them, all weak matches:")
    # Good matches first; the best weak ones stay visible under their own heading (never hidden
    # behind a flag), the long tail only under --explain.
    weak = result.weak_hits if explain else result.weak_hits[:WEAK_SHOWN]
    if good:
        _print_hits(out, good, terms, 1, folders, explain)
        if weak:
            out.print("[dim]Weaker matches:[/]")
    _print_hits(out, weak, terms, len(good) + 1, folders, explain)
    hidden = len(result.hits) - len(good) - len(weak)
    if hidden:
        out.print(f"[dim]{hidden} more weak match{'es' if hidden != 1 else ''} (--explain shows them)[/]")


def _print_hits(out: Any, hits: list[Any], terms: list[str], first: int, folders: dict[str, str],
                explain: bool = False) -> None:
    from rich.markup import escape
    from rich.text import Text

    from core.retrieve.snippets import highlight_spans

    for n, hit in enumerate(hits, start=first):
        if hit.source == "file":
            where = f"file · {hit.title} (in {folders.get(hit.conversation or '', hit.conversation)})"
        elif hit.source == "screen":
            where = " · ".join(p for p in ("screen", hit.app, hit.title) if p)
        else:
            where = " · ".join(p for p in (hit.source, hit.conversation or hit.title, hit.speaker) if p)
        page = f" p.{hit.page}" if hit.page else ""
        deleted = " [deleted]" if hit.deleted else ""
        out.print(f"[bold cyan]{n:>2}[/] {hit.timestamp.astimezone().strftime('%Y-%m-%d %H:%M')}  "
                  f"[green]{escape(where)}[/]{page}{deleted}")
        snippet = Text("    " + hit.snippet)
        for start, end in highlight_spans(hit.snippet, terms):
            snippet.stylize("bold yellow", start + 4, end + 4)
        out.print(snippet)
        if explain and hit.signals:
            out.print("[dim]    " + ", ".join(f"{k} {v:.3f}" for k, v in sorted(hit.signals.items())) + "[/]")
