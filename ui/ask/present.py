"""How an answer reads: Markdown rendered, citations numbered from 1 in reading order, sources named.

The answerer numbers its snippets by retrieval rank, so a reply may cite
[2], [5], [8]; a reader expects [1], [2], [3].  ``renumber`` renumbers the
citations by their first appearance in the text (uncited sources follow) and
rewrites the references.  ``answer_html`` renders the answer's Markdown
(headings, lists, emphasis — never shown as raw "#" and "**") with citation
links; ``plain_snippet`` flattens a Markdown snippet into one readable line;
``source_label`` names where a memory came from the way the user knows it
(the conversation, the file, the app and window), not the importer's id.
``user_notes`` keeps the notes that tell the user something about their
question and drops the machinery ("the model's answer had no valid …").

Pure functions; safe on any thread.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from core.memory.extraction.apps import app_name
from ui import fmt

CITE = re.compile(r"\[(\d{1,2}(?:\s*,\s*\d{1,2})*)\]")
_MD_LINE = re.compile(r"^\s{0,3}(?:#{1,6}\s+|[-*+]\s+|\d+[.)]\s+|>\s?)", re.MULTILINE)
_MD_INLINE = re.compile(r"(\*\*|__|`)")
_MD_HEADING_INLINE = re.compile(r"(?:(?<=\s)|^)#{1,6}\s+(?=\S)")  # a flattened "… December ## Present"
_MACHINERY = re.compile(r"(?i)^(?:the model|model unavailable|no language model)")
_ITEM_REF = re.compile(r"\s*\(item \d+\)")


def renumber(text: str, citations: Sequence[Any]) -> tuple[str, list[Any]]:
    """Citations numbered 1…n in the order the text first cites them (then the uncited), text rewritten.

    ``citations`` are objects with a ``number`` (dataclasses: copied with the new number).
    """
    by_number = {int(c.number): c for c in citations}
    order: list[int] = []
    for match in CITE.finditer(text):
        for n in (int(x) for x in re.findall(r"\d+", match.group(1))):
            if n in by_number and n not in order:
                order.append(n)
    order.extend(n for n in by_number if n not in order)
    new_number = {old: i for i, old in enumerate(order, start=1)}

    def rewrite(match: re.Match[str]) -> str:
        found = [int(x) for x in re.findall(r"\d+", match.group(1))]
        if not found or any(n not in new_number for n in found):
            return match.group(0)
        return "".join(f"[{new_number[n]}]" for n in found)

    return CITE.sub(rewrite, text), [replace(by_number[old], number=new_number[old]) for old in order]


def answer_html(text: str, link_colour: str, href: str, valid: set[int]) -> str:
    """The answer's Markdown as HTML; each citation "[n]" of ``valid`` becomes a link to ``href.format(n=n)``."""
    from markdown_it import MarkdownIt  # late: only once an answer is shown

    # a quote flattened to one line keeps its headings as marks: break the line there so they render
    text = _MD_HEADING_INLINE.sub(lambda m: "\n\n" + m.group(0).lstrip(), text)
    rendered = MarkdownIt("commonmark", {"html": False}).render(text)

    def link(match: re.Match[str]) -> str:
        numbers = [int(x) for x in re.findall(r"\d+", match.group(1))]
        if any(n not in valid for n in numbers):
            return match.group(0)
        return "".join(f"<a href='{href.format(n=n)}' style='color:{link_colour}; font-weight:600;"
                       f" text-decoration:none'>[{n}]</a>" for n in numbers)

    return CITE.sub(link, rendered)


def plain_snippet(text: str, width: int = 180) -> str:
    """A Markdown memory as one readable line ("# Grandpa's 85th — 3 December ## Present" → without marks)."""
    text = _MD_LINE.sub("", text)
    text = _MD_HEADING_INLINE.sub("", text)
    text = _MD_INLINE.sub("", text)
    return fmt.one_line(text, width)


def source_label(source: str, *, conversation: str | None = None, title: str | None = None,
                 app: str | None = None, speaker: str | None = None) -> str:
    """Where a memory is from, as the user knows it: 'Chat with Priya', 'grandpa-85th-birthday.md',
    'Firefox — Boulderhaus Berlin'."""
    base = source.partition(":")[0]
    if base == "chat":
        where = conversation or speaker
        service = fmt.source_name(source)
        named = f"{where} ({service})" if where and service not in ("Chat", "Demo") else where
        return named or service
    if base == "file":
        return title or (conversation or "a file")
    if base == "screen":
        window = (title or "").split(" — ")[0].split(" - ")[0].strip()
        return " — ".join(p for p in (app_name(app) if app else "", window) if p) or "Screen"
    if base == "summary":
        return "Summary of the day"
    return fmt.source_name(source)


def user_notes(notes: Sequence[str]) -> list[str]:
    """The notes that are about the user's question, in plain words; the machinery's are dropped."""
    out = []
    for note in notes:
        if _MACHINERY.search(note):
            continue
        out.append(_ITEM_REF.sub("", note))
    return out
