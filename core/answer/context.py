"""Search hits → a compact, numbered context the model (and the user) can cite.

Each hit brings its neighbourhood (the messages just before and after it in
the same conversation, or its screen episode), so "yes, at 6" arrives with
the question it answers.  Groups are added in hit rank order until the token
budget is spent; the first hit always gets in (cut short if it must).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import datetime, tzinfo

from core.answer.types import Neighbours, Snippet
from core.normalize.markdown_plain import is_markdown
from core.retrieve.snippets import readable_text
from core.retrieve.types import Hit

TokenCounter = Callable[[str], int]


def approx_tokens(text: str) -> int:
    """A model-free estimate (about 4 characters per token for English)."""
    return len(text) // 4 + 1


def source_label(source: str, app: str | None = None, title: str | None = None) -> str:
    """'chat:whatsapp' → 'whatsapp chat', 'screen' → 'screen (firefox)', 'file' → 'file "x.pdf"'."""
    if source.startswith("chat:"):
        fmt = source.split(":", 1)[1]
        return "chat" if fmt in ("jsonl", "json", "cairn") else f"{fmt} chat"
    if source == "screen":
        return f"screen ({app})" if app else "screen"
    if source == "file" and title:
        return f'file "{title}"'
    return source


def format_when(moment: datetime, tz: tzinfo | None = None) -> str:
    local = moment.astimezone(tz) if tz is not None else moment
    return f"{local:%a} {local.day} {local:%b %Y, %H:%M}"


def format_snippet(snippet: Snippet, tz: tzinfo | None = None) -> str:
    """One context line: ``[n] Mon 8 May 2023, 13:56, chat, Caroline: text``."""
    who = f", {snippet.speaker}" if snippet.speaker else ""
    return f"[{snippet.number}] {format_when(snippet.timestamp, tz)}, {source_label(snippet.source, None, snippet.title)}{who}: {snippet.text}"


def _clip(text: str, max_chars: int, lines: bool = False) -> str:
    """``text`` in single spaces, cut at a word before ``max_chars``; ``lines``: its line breaks kept."""
    text = "\n".join(" ".join(line.split()) for line in text.splitlines()) if lines else " ".join(text.split())
    if len(text) <= max_chars:
        return text
    cut = text.rfind(" ", 0, max_chars)
    return text[: cut if cut > max_chars // 2 else max_chars] + " …"


def _by_lines(kind: str | None, external_id: str | None, title: str | None,
              meta: dict[str, object] | None = None) -> bool:
    """Keep a memory's line breaks in its snippet: a Markdown note's blocks and a screenshot's lines are its
    sentences (sentence and clause splitters cut at them), so a quote is the lines around the question's words
    ("Plan: Lunch at Mum's at 13:00"), not the whole note or screenful."""
    return kind == "screenshot" or is_markdown(external_id, title, meta=meta)


def build_snippets(
    hits: Sequence[Hit],
    neighbours: Neighbours | None,
    *,
    budget_tokens: int,
    count_tokens: TokenCounter = approx_tokens,
    tz: tzinfo | None = None,
    max_hits: int = 8,
    window: int = 1,
    max_chars: int = 500,
) -> list[Snippet]:
    """Numbered snippets for ``hits`` (best first) within ``budget_tokens``.

    ``neighbours`` may be ``None`` (no expansion).  Errors from it are not
    caught: a vault that cannot read its own items should say so.
    """
    seen: set[int] = set()
    groups: list[list[Snippet]] = []
    for rank, hit in enumerate(hits[:max_hits]):
        if hit.item_id in seen:
            continue
        main = Snippet(
            number=0, item_id=hit.item_id, timestamp=hit.timestamp, source=hit.source,
            text=_clip(hit.reading if hit.reading is not None else
                       readable_text(hit.text, hit.kind, title=hit.title, external_id=hit.external_id), max_chars,
                       lines=_by_lines(hit.kind, hit.external_id, hit.title)), speaker=hit.speaker, conversation=hit.conversation,
            title=hit.title, external_id=hit.external_id, rank=rank, score=hit.score, is_hit=True,
            cosine=hit.signals.get("cosine"),
        )
        group = [main]
        seen.add(hit.item_id)
        if neighbours is not None and window > 0:
            around = list(neighbours(hit.item_id, window, window))
            position = next((i for i, item in enumerate(around) if item.id == hit.item_id), None)
            before: list[Snippet] = []
            after: list[Snippet] = []
            for index, item in enumerate(around):
                if item.id in seen or item.id == hit.item_id or not item.text.strip():
                    continue
                seen.add(item.id)
                neighbour = Snippet(
                    number=0, item_id=item.id, timestamp=item.timestamp, source=item.source,
                    text=_clip(readable_text(item.text, getattr(item, "kind", None), title=item.title,
                                             external_id=getattr(item, "external_id", None),
                                             meta=getattr(item, "meta", None)), max_chars // 2,
                               lines=_by_lines(getattr(item, "kind", None), getattr(item, "external_id", None),
                                               item.title, getattr(item, "meta", None))), speaker=item.speaker,
                    conversation=item.conversation, title=item.title,
                    external_id=getattr(item, "external_id", None), rank=rank, score=hit.score,
                    is_hit=False,
                )
                # Keep conversation order; messages of one session may share a timestamp,
                # then ids (import order) tell which came first.
                if position is not None:
                    is_before = index < position
                else:
                    is_before = (item.timestamp, int(item.id)) < (hit.timestamp, int(hit.item_id))
                (before if is_before else after).append(neighbour)
            group = [*before, main, *after]
        groups.append(group)

    chosen: list[Snippet] = []
    used = 0
    for group in groups:
        cost = sum(count_tokens(format_snippet(s, tz)) for s in group)
        if used + cost <= budget_tokens:
            chosen.extend(group)
            used += cost
            continue
        hit_only = [s for s in group if s.is_hit]
        cost = sum(count_tokens(format_snippet(s, tz)) for s in hit_only)
        if used + cost <= budget_tokens:
            chosen.extend(hit_only)
            used += cost
        elif not chosen:  # the best hit always gets in, shortened to fit
            first = hit_only[0]
            chars = max(80, budget_tokens * 3)
            chosen.append(replace(first, text=_clip(first.text, chars)))
            break
    return [replace(s, number=i + 1) for i, s in enumerate(chosen)]
