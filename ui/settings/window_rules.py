"""Private-window rules in plain words: a stored title pattern ↔ the name the Privacy tab shows.

The settings keep regular expressions (``Settings.private_window_patterns``);
people see "Chrome and Brave incognito windows" or "Window titles containing
“Banking”", and add a rule by typing words, stored as an escaped,
case-insensitive literal.  Only a hand-written pattern that is not a plain
literal is shown as a pattern, and then labelled as one.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from types import MappingProxyType

KNOWN_RULES: Mapping[str, str] = MappingProxyType({
    r"incognito": "Incognito windows (Chrome, Chromium, Brave)",
    r"private browsing": "Private browsing windows (Firefox, Safari)",
    r"inprivate": "InPrivate windows (Edge)",
    r"\(private\)": "Private windows (Brave)",
    r"— private browsing|- private browsing": "Private browsing windows (Firefox title suffix)",
    r"tor browser": "Tor Browser",
})


def _literal(pattern: str) -> str | None:
    """The plain text ``pattern`` matches, when it is an escaped literal (no regex operators)."""
    out: list[str] = []
    i = 0
    while i < len(pattern):
        ch = pattern[i]
        if ch == "\\":
            if i + 1 >= len(pattern) or pattern[i + 1].isalnum():
                return None  # \d, \b, \w … are not literals
            out.append(pattern[i + 1])
            i += 2
            continue
        if ch in ".^$*+?{}[]|()":
            return None
        out.append(ch)
        i += 1
    return "".join(out)


def rule_name(pattern: str) -> str:
    """How the Privacy tab names the rule stored as ``pattern``."""
    if pattern in KNOWN_RULES:
        return KNOWN_RULES[pattern]
    text = _literal(pattern)
    if text is not None:
        return f"Window titles containing “{text}”"
    return f"Window titles matching the pattern {pattern}"


def rule_from_words(words: str) -> str:
    """The stored pattern for a rule typed as words (matched anywhere in a title, any case)."""
    return re.escape(" ".join(words.split()))
