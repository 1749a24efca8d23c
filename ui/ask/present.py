"""How an answer reads: Markdown rendered, citations numbered from 1 in reading order, sources named.

The answerer numbers its snippets by retrieval rank, so a reply may cite
[2], [5], [8]; a reader expects [1], [2], [3].  ``renumber`` renumbers the
citations by their first appearance in the text (uncited sources follow) and
rewrites the references.  ``answer_html`` renders the answer's Markdown
(headings, lists, emphasis — never shown as raw "#" and "**") with citation
links; ``cited_preview`` shows of a source the line the answer took its value from;
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


_CLAIM_WORD = re.compile(r"\w+", re.UNICODE)
_PIECE = re.compile(r"[^\n]+?(?:[.!?](?=\s)|\n|$)")  # a line, or a sentence of a long line


def _claim_words(text: str) -> set[str]:
    return {w for w in (m.lower() for m in _CLAIM_WORD.findall(text)) if (len(w) > 1 or w.isdigit())
            and w not in fmt.STOP_WORDS}


def claim_of(answer: str, number: int) -> str:
    """The part of ``answer`` that ``[number]`` backs: the text since the citation before it ("24 December
    2026, 13:00 at Mum's [1]" → "24 December 2026, 13:00 at Mum's")."""
    parts = []
    last = 0
    for match in CITE.finditer(answer):
        if number in (int(x) for x in re.findall(r"\d+", match.group(1))):
            parts.append(answer[last:match.start()])
        last = match.end()
    return " ".join(parts)


def cited_preview(snippet: str, answer: str, number: int, question: str = "",
                  width: int = 180) -> tuple[str, str, str]:
    """What a source row shows of its memory: (before, cited, after), one line of about ``width`` characters.

    ``cited`` is the line (or sentence) the answer took its value from: the one holding most of the words of
    the answer's part that cites ``number`` (the question's words break ties), so "24 December 2026, 13:00 at
    Mum's [1]" shows the note's "Plan: Lunch at Mum's at 13:00 …", not its title.  When nothing of the answer
    is in the memory (a model's paraphrase), the memory's beginning is shown as before: ("", "", beginning).
    """
    pieces = [m.group(0).strip() for m in _PIECE.finditer(snippet) if m.group(0).strip()]
    claim, asked = _claim_words(claim_of(answer, number)), _claim_words(question)
    scored = [(len(claim & _claim_words(p)), len(asked & _claim_words(p)), -i) for i, p in enumerate(pieces)]
    best = max(range(len(pieces)), key=lambda i: scored[i], default=None)
    if best is None or scored[best][0] == 0:
        return "", "", fmt.one_line(snippet, width)
    cited = fmt.one_line(pieces[best], width)
    rest = width - len(cited)
    after = fmt.one_line(" ".join(pieces[best + 1:]), rest) if rest > 12 and best + 1 < len(pieces) else ""
    return ("… " if best > 0 else ""), cited, (" " + after if after else "")


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
