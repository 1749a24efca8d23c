"""A Markdown note as plain prose, for quoting it: "## Numbers\\n- p95 340 ms" → "Numbers: p95 340 ms."

An answer quotes a sentence of its memory and the Ask page lists the memory
under the answer; neither should show "##", "- ", "**" or "[text](url)".
markdown-it parses the note (CommonMark, raw HTML off), and each block
becomes one line of its text: a heading ends with ":" when text follows it
and starts the line of the first block it heads (it reads as that text's
label); a block without an end mark gets a full stop.  The lines are kept:
sentence and clause splitters treat a line as one ("Plan: Lunch at Mum's at
13:00" stays apart from the card's text before it).
A link keeps its address after its text: a web address is often the answer.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from typing import Any

MARKDOWN_SUFFIXES = (".md", ".markdown", ".mdown", ".mkd")
_ENDS = (".", "!", "?", ":", ";", "…")
_CLOSERS = "\"'”’)]»"


def is_markdown(*names: str | None, meta: Mapping[str, Any] | None = None) -> bool:
    """The memory is a Markdown file: its meta's MIME type says so, or one of ``names`` (path, title) ends in .md."""
    if meta is not None and meta.get("mime") == "text/markdown":
        return True
    return any(name.lower().endswith(MARKDOWN_SUFFIXES) for name in names if name)


def _inline_text(children: list[Any]) -> str:
    out: list[str] = []
    href: str | None = None
    link_text: list[str] = []
    for child in children:
        piece = ""
        if child.type in ("text", "code_inline"):
            piece = child.content
        elif child.type in ("softbreak", "hardbreak"):
            piece = " "
        elif child.type == "image":
            piece = child.content  # the alt text
        elif child.type == "link_open":
            href, link_text = str(child.attrs.get("href") or ""), []
            continue
        elif child.type == "link_close":
            words = "".join(link_text)
            shown = href if href and words.strip() in (href, href.removeprefix("mailto:")) else words
            piece = f"{shown} ({href})" if href and shown != href and href.startswith(("http", "www")) else shown
            href = None
            out.append(piece)
            continue
        (link_text if href is not None else out).append(piece)
    return "".join(out).strip()


def _ended(line: str, mark: str) -> str:
    return line if line.rstrip(_CLOSERS).endswith(_ENDS) else line + mark


@functools.lru_cache(maxsize=1)
def _parser() -> Any:
    """One CommonMark parser (raw HTML off) for the process: building one costs more than parsing a chunk, and
    ``parse`` keeps its state per call, so threads may share it."""
    from markdown_it import MarkdownIt  # late: only when a Markdown memory is read

    return MarkdownIt("commonmark", {"html": False})


# Search rows read every Markdown hit through this, and search-as-you-type asks for the same chunks again.
@functools.lru_cache(maxsize=2048)
def plain_markdown(text: str) -> str:
    """``text`` (Markdown) as plain lines, one a block; the text itself when it has no Markdown blocks."""
    blocks: list[tuple[bool, str]] = []  # (is a heading, its text)
    heading = False
    for token in _parser().parse(text):
        if token.type == "heading_open":
            heading = True
        elif token.type == "heading_close":
            heading = False
        elif token.type == "inline":
            line = _inline_text(token.children or [])
            if line:
                blocks.append((heading, line))
        elif token.type in ("fence", "code_block") and token.content.strip():
            blocks.append((False, " ".join(token.content.split())))
    if not blocks:
        return text
    lines: list[str] = []
    label = ""  # a heading waiting for the text it heads: "Numbers:" + its first block make one line
    for i, (is_heading, line) in enumerate(blocks):
        if is_heading and i + 1 < len(blocks) and not blocks[i + 1][0]:
            label = _ended(line, ":") + " "
            continue
        lines.append(label + _ended(line, "."))
        label = ""
    return "\n".join(lines)
