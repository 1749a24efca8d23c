"""A day told as one written paragraph from its episodes: who you talked with, what you worked on, where.

Pasted sentences from a day's chats read like fragments (and screen OCR like
noise); this paragraph is composed from what consolidation knows for sure —
each episode's people, conversation, app, window titles, document names and
summary keywords — so it is readable without a model and never invents.

    You talked with Priya (climbing, Leipzig) and with Mum and Jonas in Family;
    spent time in Firefox (Boulderhaus Berlin, Slow export endpoint) and
    Thunderbird (Release review); and worked on Grandpa's 85th birthday.

Pure functions over ``Episode`` rows and the keywords of their summaries.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from core.memory.extraction.apps import app_name

MAX_PEOPLE = 3
MAX_TITLES = 2
MAX_KEYWORDS = 2
_PROMPT_HOST = re.compile(r"^[\w.-]+@[\w.-]+:\s*")
_TITLE_SUFFIX = re.compile(r"\s+[—–-]\s+[^—–-]+$")  # " — Mozilla Firefox", " — Visual Studio Code"


def day_paragraph(episodes: Sequence[Any], keywords: Mapping[int, Sequence[str]] | None = None,
                  self_names: Sequence[str] = ("Me",)) -> str:
    """One paragraph for a day's episodes (``Episode`` rows, in time order); "" when there are none.

    ``keywords`` maps an episode id to what it was about (``episode_topics``).
    """
    keywords = keywords or {}
    me = {n.casefold() for n in self_names} | {"me"}
    clauses = [c for c in (_chats(episodes, keywords, me), _screens(episodes), _files(episodes)) if c]
    if not clauses:
        return ""
    # Two clauses read as one sentence ("talked with Lukas, and spent time in VS Code"); three need semicolons,
    # since each clause has its own commas.
    body = (clauses[0] if len(clauses) == 1 else ", and ".join(clauses) if len(clauses) == 2
            else "; ".join(clauses[:-1]) + "; and " + clauses[-1])
    return "You " + body + "."


def _chats(episodes: Sequence[Any], keywords: Mapping[int, Sequence[str]], me: set[str]) -> str:
    by_conversation: dict[str, tuple[list[str], list[str]]] = {}
    for ep in episodes:
        if ep.kind != "chat":
            continue
        people, topics = by_conversation.setdefault(ep.conversation or "", ([], []))
        for person in ep.participants:
            if person.casefold() not in me and person not in people:
                people.append(person)
        for word in keywords.get(ep.id, ()):
            if word not in topics and word.casefold() not in {p.casefold() for p in people}:
                topics.append(word)
    parts = []
    for conversation, (people, topics) in by_conversation.items():
        if not people:
            continue
        who = _and(people[:MAX_PEOPLE] + ([f"{len(people) - MAX_PEOPLE} others"] if len(people) > MAX_PEOPLE else []))
        named_for = any(conversation.casefold().startswith(p.casefold()) for p in people)
        where = f" in {conversation}" if conversation and not named_for else ""
        about = f" ({', '.join(topics[:MAX_KEYWORDS])})" if topics else ""
        parts.append(f"with {who}{where}{about}")
    return "talked " + _and(parts) if parts else ""


def _screens(episodes: Sequence[Any]) -> str:
    by_app: dict[str, list[str]] = {}
    for ep in episodes:
        if ep.kind != "screen":
            continue
        app = app_name(ep.apps[0]) if ep.apps else "the screen"
        titles = by_app.setdefault(app, [])
        title = _window_subject(ep.title)
        if title and title not in titles:
            titles.append(title)
    parts = [f"{app} ({', '.join(t[:MAX_TITLES])})" if t else app for app, t in by_app.items()]
    return "spent time in " + _and(parts) if parts else ""


def _files(episodes: Sequence[Any]) -> str:
    names: list[str] = []
    for ep in episodes:
        if ep.kind != "files":
            continue
        name = ep.title.removeprefix("Worked on ").strip()
        if name and name not in names:
            names.append(name)
    return "worked on " + _and(names[:MAX_TITLES + 1]) if names else ""


def _window_subject(title: str) -> str:
    """'firefox: Boulderhaus Berlin — Google Maps — Mozilla Firefox' → 'Boulderhaus Berlin'."""
    text = title.split(": ", 1)[1] if ": " in title else ""
    text = _TITLE_SUFFIX.sub("", text)  # the app's own name
    text = _PROMPT_HOST.sub("", text)  # a terminal's "sam@laptop: "
    return text.split(" — ")[0].split(" - ")[0].strip()


def _and(parts: Sequence[str]) -> str:
    if len(parts) <= 1:
        return "".join(parts)
    return ", ".join(parts[:-1]) + " and " + parts[-1]


def episode_topics(reader: Any, episode_id: int, limit: int = MAX_KEYWORDS) -> tuple[str, ...]:
    """The places, organisations and topics an episode's memories mention most (not people, dates or apps)."""
    rows = reader.execute(
        "SELECT e.name FROM mem_mentions m JOIN mem_entities e ON e.id = m.entity_id"
        " JOIN mem_episode_items x ON x.item_id = m.item_id WHERE x.episode_id = ? AND m.role = 'mention'"
        " AND e.kind IN ('place', 'org', 'project', 'topic') AND e.merged_into IS NULL AND e.deleted = 0"
        " GROUP BY e.id ORDER BY count(*) DESC, min(m.ts) LIMIT ?", (episode_id, limit),
    ).fetchall()
    return tuple(str(r[0]) for r in rows)
