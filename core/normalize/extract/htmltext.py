"""HTML: the readable text of a page, split at its headings; never the markup.

Scripts, styles, templates, navigation and embedded objects are dropped;
block elements end lines, table cells are separated by `` | ``, list items
start with ``- ``, ``<pre>`` keeps its whitespace.  The walk is iterative, so
absurdly deep nesting cannot exhaust the Python stack.
"""

from __future__ import annotations

import re
from typing import Any

from core.normalize.extract.base import Extraction, ExtractLimits, TextBudget, build_sections
from core.normalize.extract.textdecode import bom_encoding, decode_text
from core.types import Section

_SKIP = frozenset({
    "script", "style", "noscript", "template", "svg", "math", "head", "iframe", "object",
    "embed", "canvas", "nav", "select", "button", "-comment",
})
_BLOCK = frozenset({
    "p", "div", "section", "article", "header", "footer", "main", "aside", "ul", "ol", "dl", "dt", "dd",
    "table", "thead", "tbody", "tfoot", "tr", "caption", "pre", "blockquote", "figure", "figcaption",
    "address", "form", "fieldset", "details", "summary", "hr", "br", "body", "li",
})
_HEADINGS = {"h1": 1, "h2": 2, "h3": 3, "h4": 4, "h5": 5, "h6": 6}
_SPACE = re.compile(r"\s+")
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.IGNORECASE)
_CELL_TAIL = re.compile(r"[ \t]*\|[ \t]*$", re.MULTILINE)


def declared_charset(data: bytes) -> str | None:
    m = _META_CHARSET.search(data[:4096])
    return m.group(1).decode("ascii", "replace") if m else None


def _clean(text: str) -> str:
    return _SPACE.sub(" ", text).strip()


class _Walker:
    """Collects sections while walking the DOM in document order."""

    def __init__(self) -> None:
        self.sections: list[Section] = []
        self.body: list[str] = []
        self.path: list[tuple[int, str]] = []
        self.first_h1: str | None = None

    def newline(self) -> None:
        if self.body and not self.body[-1].endswith("\n"):
            self.body.append("\n")

    def flush(self) -> None:
        text = _CELL_TAIL.sub("", "".join(self.body))
        if text.strip():
            heading = " › ".join(h for _, h in self.path) or None
            self.sections.append(Section(text, heading=heading))
        self.body.clear()

    def heading(self, level: int, text: str) -> None:
        self.flush()
        while self.path and self.path[-1][0] >= level:
            self.path.pop()
        self.path.append((level, text))
        if level == 1 and self.first_h1 is None:
            self.first_h1 = text
        self.body.append(text + "\n")

    def walk(self, root: Any) -> None:
        # Stack items: (node, False) to enter, (tag, True) to leave an element.
        stack: list[tuple[Any, bool]] = [(root, False)]
        pre_depth = 0
        while stack:
            node, leaving = stack.pop()
            if leaving:
                tag = node
                if tag == "pre":
                    pre_depth -= 1
                if tag in ("td", "th"):
                    self.body.append(" | ")
                elif tag in _BLOCK:
                    self.newline()
                continue
            if node.is_text_node:
                raw = node.text_content or ""
                if not pre_depth:
                    raw = _SPACE.sub(" ", raw)
                    if not self.body or self.body[-1].endswith(("\n", " ")):
                        raw = raw.lstrip()
                if raw:
                    self.body.append(raw)
                continue
            tag = node.tag
            if tag in _SKIP or (node.attributes or {}).get("role") == "navigation":
                continue
            if tag in _HEADINGS:
                text = _clean(node.text(deep=True, separator=" "))
                if text:
                    self.heading(_HEADINGS[tag], text)
                continue
            if tag in _BLOCK:
                self.newline()
            if tag == "li":
                self.body.append("- ")
            if tag == "pre":
                pre_depth += 1
            if tag == "img":
                alt = _clean((node.attributes or {}).get("alt") or "")
                if alt:
                    self.body.append(f" {alt} ")
            stack.append((tag, True))
            children = list(node.iter(include_text=True))
            stack.extend((child, False) for child in reversed(children))


_TAG = re.compile(r"<(/?)([a-zA-Z][a-zA-Z0-9]*)[^>]*?(/?)>")
# Elements with no end tag, or whose end tag the parser implies: they do not nest.
_NO_NESTING = frozenset({
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr",
    "p", "li", "dt", "dd", "tr", "td", "th", "option", "thead", "tbody", "tfoot", "colgroup", "rp", "rt",
})
MAX_NESTING = 2000
_SCRIPT_STYLE = re.compile(r"<(script|style|template|noscript)\b.*?</\1\s*>", re.IGNORECASE | re.DOTALL)
_ANY_TAG = re.compile(r"<[^>]*>")
_BLOCK_TAG = re.compile(r"</?(?:p|div|br|li|tr|h[1-6]|section|article|table|ul|ol|pre|blockquote)\b[^>]*>",
                        re.IGNORECASE)


def nesting_depth(html: str, stop_at: int) -> int:
    """Deepest element nesting (approximate, from tags); stops counting past ``stop_at``.

    HTML parsers slow down quadratically on pathological nesting (100,000
    ``<div>`` deep), so such pages are read without building a tree.
    """
    depth = deepest = 0
    for match in _TAG.finditer(html):
        closing, name, self_closing = match.groups()
        if name.lower() in _NO_NESTING or self_closing:
            continue
        depth = max(0, depth - 1) if closing else depth + 1
        if depth > deepest:
            deepest = depth
            if deepest > stop_at:
                break
    return deepest


def _flat_text(html: str) -> str:
    import html as html_lib

    text = _SCRIPT_STYLE.sub(" ", html)
    text = _BLOCK_TAG.sub("\n", text)
    text = _ANY_TAG.sub(" ", text)
    return "\n".join(_SPACE.sub(" ", line).strip() for line in html_lib.unescape(text).split("\n"))


def html_to_sections(html: str) -> tuple[str | None, list[Section]]:
    """(title, sections) of an HTML document given as text."""
    from selectolax.lexbor import LexborHTMLParser

    if nesting_depth(html, MAX_NESTING) > MAX_NESTING:
        return None, [Section(_flat_text(html), heading="(nested too deeply: text without structure)")]

    tree = LexborHTMLParser(html)
    title_node = tree.css_first("title")
    title = _clean(title_node.text()) if title_node is not None else None
    walker = _Walker()
    root = tree.body if tree.body is not None else tree.root
    if root is not None:
        walker.walk(root)
    walker.flush()
    lines_fixed = [Section(_tidy_lines(s.text), s.page, s.heading) for s in walker.sections]
    return title or walker.first_h1, lines_fixed


def _tidy_lines(text: str) -> str:
    return "\n".join(line.rstrip() for line in text.split("\n"))


def extract(data: bytes, name: str, limits: ExtractLimits) -> Extraction:
    declared = None if bom_encoding(data) else declared_charset(data)
    decoded = decode_text(data, declared)
    title, sections = html_to_sections(decoded.text)
    budget = TextBudget(limits.max_chars)
    return Extraction(
        sections=build_sections(sections, budget),
        mime="text/html",
        title=title,
        notes=decoded.notes + budget.notes(),
        meta={"encoding": decoded.encoding},
    )
