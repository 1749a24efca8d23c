"""Markdown: one section per heading, with the heading path as the section's heading.

ATX (``# Title``) and setext (``Title`` over ``===``) headings open sections;
lines inside fenced code blocks are never headings.  A YAML front-matter
``title:`` names the document; otherwise the first top-level heading does.
"""

from __future__ import annotations

import re

from core.normalize.extract.base import Extraction, ExtractLimits, TextBudget, build_sections
from core.normalize.extract.textdecode import decode_text
from core.types import Section

_ATX = re.compile(r"^ {0,3}(#{1,6})[ \t]+(.+?)[ \t#]*$")
_SETEXT = re.compile(r"^ {0,3}(=+|-+)[ \t]*$")
_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
_FRONT_TITLE = re.compile(r"^title:\s*[\"']?(.*?)[\"']?\s*$", re.IGNORECASE)


def _front_matter(lines: list[str]) -> tuple[str | None, int]:
    """The front-matter title and the number of lines the front matter takes."""
    if not lines or lines[0].strip() != "---":
        return None, 0
    for i in range(1, min(len(lines), 200)):
        if lines[i].strip() in ("---", "..."):
            title = None
            for line in lines[1:i]:
                m = _FRONT_TITLE.match(line.strip())
                if m and m.group(1):
                    title = m.group(1)
            return title, i + 1
    return None, 0


def split_markdown(text: str) -> tuple[str | None, list[Section]]:
    """(title, sections) of a Markdown document."""
    lines = text.split("\n")
    title, start = _front_matter(lines)
    sections: list[Section] = []
    path: list[tuple[int, str]] = []  # (level, heading) from the top level down
    body: list[str] = []
    fence: str | None = None

    def flush() -> None:
        if any(line.strip() for line in body):
            heading = " › ".join(h for _, h in path) or None
            sections.append(Section("\n".join(body), heading=heading))
        body.clear()

    def open_heading(level: int, heading: str) -> None:
        nonlocal title
        flush()
        while path and path[-1][0] >= level:
            path.pop()
        path.append((level, heading))
        if title is None and level == 1:
            title = heading
        body.append(heading)

    i = start
    while i < len(lines):
        line = lines[i]
        fence_match = _FENCE.match(line)
        if fence_match:
            marker = fence_match.group(1)
            if fence is None:
                fence = marker[0] * 3
            elif line.strip().startswith(fence):
                fence = None
            body.append(line)
        elif fence is None and (atx := _ATX.match(line)):
            open_heading(len(atx.group(1)), atx.group(2).strip())
        elif (
            fence is None
            and line.strip()
            and i + 1 < len(lines)
            and _SETEXT.match(lines[i + 1])
            and not (body and body[-1].strip())  # a setext heading starts a paragraph
        ):
            open_heading(1 if lines[i + 1].strip().startswith("=") else 2, line.strip())
            i += 1
        else:
            body.append(line)
        i += 1
    flush()
    return title, sections


def extract(data: bytes, name: str, limits: ExtractLimits) -> Extraction:
    decoded = decode_text(data)
    text = decoded.text.replace("\r\n", "\n").replace("\r", "\n")
    title, sections = split_markdown(text)
    budget = TextBudget(limits.max_chars)
    return Extraction(
        sections=build_sections(sections, budget),
        mime="text/markdown",
        title=title,
        notes=decoded.notes + budget.notes(),
        meta={"encoding": decoded.encoding},
    )
