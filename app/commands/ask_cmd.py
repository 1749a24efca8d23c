"""``cairn ask`` (answers with citations) and ``cairn mcp`` (read-only tools for other programs)."""

from __future__ import annotations

import json
import sys
from typing import TYPE_CHECKING, Annotated, Any

import typer

from app.commands.vault_cmd import HomeOption
from app.context import console, open_vault

if TYPE_CHECKING:
    pass


def register(app: typer.Typer) -> None:
    app.command("ask")(ask)
    app.command("mcp")(mcp)


def ask(
    question: Annotated[str, typer.Argument(help="A question about your past, e.g. 'what did Lukas send last week?'")],
    model: Annotated[bool, typer.Option(help="Let the local LLM phrase the answer (else quote the memories).")] = True,
    explain: Annotated[bool, typer.Option("--explain", help="Show the time range, snippets, prompt size and timings.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the final answer as one JSON object.")] = False,
    home: HomeOption = None,
) -> None:
    """Answer from your memories, citing each claim; says so when it does not know."""
    from core.answer import Answer, StageEvent, TokenEvent
    from core.assistant import Assistant

    err = console(stderr=True)
    drafting = not as_json and err.is_terminal
    with open_vault(home) as vault:
        assistant = Assistant(vault, use_model=model)
        final: Answer | None = None
        try:
            for event in assistant.answerer().ask(question):
                if isinstance(event, TokenEvent) and drafting:
                    err.print(f"[dim]{event.text}[/]", end="")
                elif isinstance(event, StageEvent) and drafting and event.stage == "generating":
                    err.print("[dim]drafting: [/]", end="")
                elif isinstance(event, Answer):
                    final = event
        finally:
            assistant.close()
    if drafting:
        err.print()
    assert final is not None
    if as_json:
        print(json.dumps(answer_json(final), ensure_ascii=False))
        return
    print_answer(final, explain)


def answer_json(answer: Any) -> dict[str, Any]:
    from app.json_views import citation_json, range_json

    return {
        "question": answer.question, "answer": answer.text, "mode": answer.mode,
        "citations": [citation_json(c) for c in answer.citations],
        "best_matches": [citation_json(c) for c in answer.best_matches],
        "time_range": range_json(answer.applied_range),
        "notes": list(answer.notes), "model": answer.model,
        "timings": {k: getattr(answer.timings, k) for k in ("understand", "retrieve", "context", "generate", "first_token", "total")},
    }


def print_answer(answer: Any, explain: bool) -> None:
    out = console()
    out.print(f"[bold]{answer.text}[/]")
    label = {"llm": "answered by the local model, checked against the cited memories",
             "extractive": "quoted from your memories", "not_found": "not found"}.get(answer.mode, answer.mode)
    out.print(f"[dim]({label})[/]")
    for c in answer.citations or answer.best_matches:
        who = f" · {c.speaker}" if c.speaker else ""
        out.print(f"  [cyan][{c.number}][/] {c.timestamp.astimezone().strftime('%Y-%m-%d %H:%M')} [green]{c.source}{who}[/]: "
                  f"{' '.join(c.text.split())[:200]}")
    for note in answer.notes:
        out.print(f"[yellow]note: {note}[/]")
    if explain:
        u = answer.understanding
        r = answer.applied_range
        out.print(f"\n[bold]explain[/] answer type: {u.answer_type}; search text: {u.query!r}")
        out.print(f"  time range: {'none' if r is None else f'{r.start} → {r.end}'} ({u.time_phrase or 'no time phrase'})")
        out.print(f"  prompt tokens: {answer.prompt_tokens}; model: {answer.model or 'none'}; prompt version: {answer.prompt_version}")
        t = answer.timings
        first = f"{t.first_token:.2f}" if t.first_token is not None else "-"
        out.print(f"  timings (s): understand {t.understand:.2f}, retrieve {t.retrieve:.2f}, context {t.context:.2f}, "
                  f"generate {t.generate:.2f}, first token {first}, total {t.total:.2f}")
        for s in answer.snippets:
            out.print(f"  [{s.number}] {'hit' if s.is_hit else 'ctx'} {s.timestamp:%Y-%m-%d %H:%M} {s.speaker or ''}: {s.text[:120]}")
        if answer.model_text:
            out.print(f"  raw model output: {answer.model_text[:500]!r}")
        for d in answer.dropped:
            out.print(f"  dropped: {d}")


def mcp(
    home: HomeOption = None,
    force: Annotated[bool, typer.Option(help="Run even if the MCP server is off in settings.")] = False,
    model: Annotated[bool, typer.Option(help="Let `ask` use the local LLM.")] = True,
) -> None:
    """Serve read-only `search` and `ask` tools over MCP (stdio). Off by default: enable it in settings."""
    from app.mcp_server import serve

    serve(home, force=force, use_model=model)
    sys.exit(0)
