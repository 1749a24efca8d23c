"""Question → what to search for: time range, source/app/person filters, answer type.

Rules, not a model: they are fast, predictable and testable, and a wrong
guess here only narrows a search the answerer widens again when it finds
nothing.  Pure functions, thread-safe.
"""

from __future__ import annotations

import re
from datetime import datetime

from core.answer.types import Understanding
from core.retrieve.timeparse import parse_time_expression

# Messaging apps: a memory "in Slack" is an imported Slack chat *or* a screen
# capture of the Slack app; the answerer searches both.
_CHAT_APPS = {
    "slack": "slack",
    "whatsapp": "whatsapp",
    "telegram": "telegram",
    "signal": "signal",
    "discord": "discord",
    "messenger": "messenger",
    "imessage": "imessage",
    "teams": "teams",
    "matrix": "matrix",
    "element": "matrix",
}
# Desktop apps seen on screen.
_SCREEN_APPS = {
    "firefox": "firefox",
    "chrome": "chrome",
    "chromium": "chromium",
    "thunderbird": "thunderbird",
    "vs code": "code",
    "vscode": "code",
    "terminal": "terminal",
    "libreoffice": "libreoffice",
}
_DET = r"(?:my\s+|the\s+|a\s+|an\s+|our\s+)?"
_CHAT_APP_RE = re.compile(
    rf"\b(?:in|on|via|over|through|from)\s+{_DET}(?P<app>{'|'.join(_CHAT_APPS)})"
    r"(?:\s+(?:chats?|messages?|conversations?|threads?|channels?|dms?|app))?\b",
    re.IGNORECASE,
)
_SCREEN_APP_RE = re.compile(
    rf"\b(?:in|on|using)\s+{_DET}(?P<app>{'|'.join(_SCREEN_APPS)})\b", re.IGNORECASE
)
_SCREEN_RE = re.compile(r"\b(?:on|in)\s+(?:my\s+|the\s+)?screen\b|\bon-screen\b", re.IGNORECASE)
_FILE_RE = re.compile(
    rf"\b(?:in|from)\s+{_DET}(?:files?|documents?|docs|pdfs?|spreadsheets?)\b", re.IGNORECASE
)
_CHAT_RE = re.compile(rf"\b(?:in|from)\s+{_DET}(?:chats?|messages?|texts)\b", re.IGNORECASE)
_FROM_PERSON_RE = re.compile(
    r"\b(?:from|by)\s+(?P<name>[A-Z][\w'’-]+(?:\s+[A-Z][\w'’-]+)?)", re.UNICODE
)

_NOT_NAMES = {
    "I", "I'm", "I've", "I'd", "Did", "Do", "Does", "What", "When", "Where", "Who", "Whom", "Whose", "Why",
    "How", "Which", "Is", "Are", "Was", "Were", "Have", "Has", "Had", "Can", "Could", "Will", "Would",
    "Should", "The", "A", "An", "In", "On", "At", "My", "Our", "Me", "And", "Or", "But", "If", "To", "For",
    "Tell", "Show", "List", "Find", "Give", "Name", "Any", "Some", "All", "Yes", "No", "OK",
    "January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
    "November", "December", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday",
    "Christmas", "Easter", "Halloween", "LGBTQ", "AI", "TV", "PDF", "USA", "UK", "EU",
}
_NAME_RE = re.compile(r"(?<![\w'’])([A-Z][a-z][\w-]*)(?:['’]s)?\b")

_CLOCK_RE = re.compile(r"^\s*(?:(?:at|by)\s+)?what\s+time\b|^\s*how\s+late\b", re.IGNORECASE)
_WHEN_RE = re.compile(
    r"^\s*(?:when|what\s+(?:time|date|day|year|month)|which\s+(?:day|date|year|month)|since\s+when|"
    r"how\s+long\s+ago|at\s+what\s+time|on\s+what\s+(?:day|date))\b",
    re.IGNORECASE,
)
_WHERE_RE = re.compile(r"^\s*(?:where|from\s+where|in\s+which\s+(?:city|country|town|place))\b", re.IGNORECASE)
_WHO_RE = re.compile(r"^\s*(?:who|whom|whose|which\s+(?:person|people|friend|colleague))\b", re.IGNORECASE)
_YES_NO_RE = re.compile(
    r"^\s*(?:is|are|was|were|do|does|did|have|has|had|can|could|will|would|should|am)\b", re.IGNORECASE
)
_LIST_RE = re.compile(
    r"^\s*(?:list|name\s+(?:all|the)|what\s+(?:are|were)\s+(?:all\s+)?|which\s+\w+s\b|what\s+\w+s\s+(?:has|have|did|does|do)\b|"
    r"how\s+many\b)",
    re.IGNORECASE,
)


def classify_answer_type(question: str) -> str:
    """``"clock"``, ``"when"``, ``"where"``, ``"who"``, ``"list"``, ``"yes_no"`` or ``"what"`` (the default).

    ``"clock"`` asks for a time of day ("what time does the flight land?"):
    the answer is a clock time from the evidence, not the message's date.
    """
    if _CLOCK_RE.search(question):
        return "clock"
    if _WHEN_RE.search(question):
        return "when"
    if _WHERE_RE.search(question):
        return "where"
    if _WHO_RE.search(question):
        return "who"
    if _LIST_RE.search(question):
        return "list"
    if _YES_NO_RE.search(question):
        return "yes_no"
    return "what"


def find_names(text: str) -> tuple[str, ...]:
    """Capitalised words that look like people's names ("Caroline", "Priya's")."""
    names: list[str] = []
    for m in _NAME_RE.finditer(text):
        word = m.group(1)
        if word in _NOT_NAMES or word.lower() in _CHAT_APPS or word.lower() in _SCREEN_APPS:
            continue
        if word not in names:
            names.append(word)
    return tuple(names)


def understand(question: str, now: datetime) -> Understanding:
    """Parse ``question`` relative to ``now`` (timezone-aware)."""
    parsed = parse_time_expression(question, now)
    rest = parsed.remainder
    sources: list[str] = []
    apps: list[str] = []
    kinds: list[str] = []
    speakers: list[str] = []
    phrases: list[str] = []

    def cut(match: re.Match[str]) -> str:
        phrases.append(match.group(0).strip())
        return " "

    for m in _CHAT_APP_RE.finditer(rest):
        app = _CHAT_APPS[m["app"].lower()]
        sources.append(f"chat:{app}")
        apps.append(app)
    rest = _CHAT_APP_RE.sub(cut, rest)
    for m in _SCREEN_APP_RE.finditer(rest):
        apps.append(_SCREEN_APPS[m["app"].lower()])
        sources.append("screen")
    rest = _SCREEN_APP_RE.sub(cut, rest)
    if _SCREEN_RE.search(rest):
        sources.append("screen")
        rest = _SCREEN_RE.sub(cut, rest)
    if _FILE_RE.search(rest):
        sources.append("file")
        rest = _FILE_RE.sub(cut, rest)
    if _CHAT_RE.search(rest):
        sources.append("chat")
        rest = _CHAT_RE.sub(cut, rest)
    for m in _FROM_PERSON_RE.finditer(rest):
        name = m["name"]
        if name.split()[0] in _NOT_NAMES:
            continue
        speakers.append(name)
        phrases.append(m.group(0))
    for phrase in phrases:
        if phrase.lower().startswith(("from ", "by ")) and phrase.split(" ", 1)[1] in speakers:
            rest = rest.replace(phrase, " ")
    persons = tuple(dict.fromkeys([*speakers, *find_names(parsed.remainder)]))
    query = re.sub(r"\s+", " ", rest).strip(" ,")
    query = re.sub(r"\s+([?!.,])", r"\1", query)
    return Understanding(
        question=question,
        query=query or question,
        answer_type=classify_answer_type(question),
        time_range=parsed.range,
        time_phrase=parsed.phrase,
        event_anchor=parsed.anchor,
        sources=tuple(dict.fromkeys(sources)),
        apps=tuple(dict.fromkeys(apps)),
        kinds=tuple(kinds),
        speakers=tuple(dict.fromkeys(speakers)),
        persons=persons,
        filter_phrases=tuple(phrases),
    )
