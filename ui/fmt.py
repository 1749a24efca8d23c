"""How items, times and sources read on screen (pure functions, no Qt widgets).

Times are shown in the machine's local zone.  Item fields come from
``core.vault.ItemView``; screenshot context (app, window title, URL) lives in
``meta`` under keys the screen capture writes — several spellings are accepted
so the UI keeps working while that format settles.
"""

from __future__ import annotations

import html
import re
from datetime import date, datetime, time, timedelta
from types import MappingProxyType
from typing import Any

SOURCE_NAMES = MappingProxyType({
    "whatsapp": "WhatsApp", "telegram": "Telegram", "slack": "Slack", "discord": "Discord",
    "chatgpt": "ChatGPT", "messenger": "Messenger", "imessage": "iMessage", "jsonl": "Chat",
    "signal": "Signal", "instagram": "Instagram", "email": "E-mail",
})

KIND_ICONS = MappingProxyType({"message": "chat", "document": "file", "screenshot": "screen", "summary": "summary"})


def local_tz():
    return datetime.now().astimezone().tzinfo


def day_start(day: date) -> datetime:
    """Local midnight of ``day`` as an aware datetime (DST-correct)."""
    return datetime.combine(day, time()).astimezone()


def day_bounds(day: date) -> tuple[datetime, datetime]:
    return day_start(day), day_start(day + timedelta(days=1))


def to_local(moment: datetime) -> datetime:
    return moment.astimezone()


def fmt_time(moment: datetime, seconds: bool = False) -> str:
    return to_local(moment).strftime("%H:%M:%S" if seconds else "%H:%M")


def fmt_day(day: date | datetime, today: date | None = None) -> str:
    """``Today`` / ``Yesterday`` / ``Tuesday 25 November 2026``."""
    if isinstance(day, datetime):
        day = to_local(day).date()
    today = today or date.today()
    if day == today:
        prefix = "Today"
    elif day == today - timedelta(days=1):
        prefix = "Yesterday"
    else:
        prefix = ""
    long = f"{day.strftime('%A')} {day.day} {day.strftime('%B %Y')}"
    return f"{prefix} · {long}" if prefix else long


def fmt_when(moment: datetime, now: datetime | None = None) -> str:
    """Short, relative when recent: ``14:32``, ``Yesterday 09:10``, ``Mon 3 Nov``, ``3 Nov 2025``."""
    now = now or datetime.now().astimezone()
    local = to_local(moment)
    d = local.date()
    if d == now.date():
        return local.strftime("%H:%M")
    if d == now.date() - timedelta(days=1):
        return "Yesterday " + local.strftime("%H:%M")
    if (now.date() - d).days < 7 and d < now.date():
        return local.strftime("%a %H:%M")
    if d.year == now.year:
        return f"{local.strftime('%a')} {d.day} {local.strftime('%b')}"
    return f"{d.day} {local.strftime('%b %Y')}"


def fmt_age(seconds: float | None) -> str:
    """``just now`` / ``12 s ago`` / ``5 min ago`` / ``3 h ago`` / ``never``."""
    if seconds is None:
        return "never"
    if seconds < 2:
        return "just now"
    if seconds < 90:
        return f"{int(seconds)} s ago"
    if seconds < 90 * 60:
        return f"{int(seconds // 60)} min ago"
    if seconds < 48 * 3600:
        return f"{int(seconds // 3600)} h ago"
    return f"{int(seconds // 86400)} days ago"


def source_name(source: str) -> str:
    """``chat:whatsapp`` → ``WhatsApp``; ``file`` → ``Files``; ``screen`` → ``Screen``."""
    base, _, sub = source.partition(":")
    if base == "chat" and sub:
        return SOURCE_NAMES.get(sub, sub.capitalize())
    return {"file": "Files", "screen": "Screen", "summary": "Summary", "chat": "Chat"}.get(base, base.capitalize())


def kind_icon(kind: str) -> str:
    return KIND_ICONS.get(kind, "file")


def meta_str(meta: dict[str, Any] | None, *keys: str) -> str | None:
    if not meta:
        return None
    for key in keys:
        value = meta.get(key)
        if isinstance(value, str) and value.strip():
            return value.strip()
    return None


def app_of(item: Any) -> str | None:
    """The app's display name: ``firefox`` → ``Firefox`` (names with capitals are kept)."""
    direct = getattr(item, "app", None)  # search hits carry the app themselves
    name = direct if isinstance(direct, str) and direct else meta_str(
        getattr(item, "meta", None), "app", "app_name", "application", "wm_class", "process")
    if name:  # one name per app, as the day's paragraph and the graph write it ("gnome-terminal" → "Terminal")
        from core.memory.extraction.apps import app_name

        name = app_name(name)
    return name


def window_of(item: Any) -> str | None:
    return meta_str(getattr(item, "meta", None), "window_title", "window", "title") or item.title


def url_of(item: Any) -> str | None:
    return meta_str(getattr(item, "meta", None), "url")


def path_of(item: Any) -> str | None:
    return meta_str(getattr(item, "meta", None), "path", "file_path") or (
        item.external_id if item.kind == "document" else None)


def headline(item: Any) -> str:
    """The one line that names an item in lists and citations."""
    kind = item.kind
    if kind == "screenshot":
        app = app_of(item)
        window = window_of(item)
        if app and window and app.lower() not in window.lower():
            return f"{app} — {window}"
        return window or app or "Screen"
    if kind == "message":
        return item.speaker or item.conversation or "Someone"
    if kind == "document":
        title = item.title
        path = path_of(item)
        return title or (path.rsplit("/", 1)[-1] if path else "Document")
    if kind == "summary":
        return item.title or "Summary"
    return item.title or kind.capitalize() or "Memory"


def html_escape(text: str) -> str:
    return html.escape(text)


def secondary(item: Any) -> str:
    """The muted words after a headline: where it came from (conversation, source)."""
    source = source_name(item.source)
    if item.kind == "message":
        conv = item.conversation
        if conv and conv != item.speaker:
            return f"{conv} · {source}"
    if item.kind == "screenshot":
        return ""
    return source


def one_line(text: str, limit: int = 160) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1].rstrip() + "…"


_WORD = re.compile(r"[\w@.+-]{2,}", re.UNICODE)
STOP_WORDS = frozenset(["the", "a", "an", "and", "or", "of", "to", "in", "on", "at", "for", "is", "was", "were", "be", "what", "when", "who", "where", "why", "how", "did", "do", "does", "i", "me", "my", "we", "you", "your", "it", "this", "that", "with", "from", "about"])


def query_terms(query: str) -> list[str]:
    """Words worth highlighting: no stop words, longest first so overlaps prefer them."""
    terms = {w.lower().strip(".-") for w in _WORD.findall(query)}
    return sorted((t for t in terms if t and t not in STOP_WORDS), key=len, reverse=True)


def highlight_html(text: str, terms: list[str], colour: str, limit: int | None = None) -> str:
    """HTML-escape ``text`` and mark the words that start with a query term (cheap stemming).

    A term that is more than one plain word — a time, an amount, a date, a full name ("17:40", "14,00 €",
    "3 December", "Richard Powers": an answer's values) — is marked only where it stands exactly.
    """
    if limit is not None:
        text = one_line(text, limit)
    if not terms:
        return html.escape(text)
    exact = [re.escape(t) + r"(?![\w])" for t in terms if not t.isalpha()]
    # a short word is marked only as itself: "go" of "did the release go out?" is not the start of "Good"
    stems = [re.escape(t[: max(3, len(t) - 2)]) + r"[\w]*" if len(t) > 4
             else re.escape(t) + (r"[\w]*" if len(t) > 3 else r"(?![\w])") for t in terms if t.isalpha()]
    pattern = re.compile(r"(?<![\w])(?:" + "|".join(exact + stems) + r")", re.IGNORECASE | re.UNICODE)
    out: list[str] = []
    last = 0
    for match in pattern.finditer(text):
        out.append(html.escape(text[last:match.start()]))
        out.append(f'<span style="background:{colour}; border-radius:2px;">{html.escape(match.group(0))}</span>')
        last = match.end()
    out.append(html.escape(text[last:]))
    return "".join(out)


def body_text(item: Any) -> str:
    """The text a list row shows under the headline: a search hit's snippet, else what one reads of the
    memory (``core.retrieve.snippets.readable_text``: a screenshot without the screen's chrome and side rail,
    a note without its Markdown marks)."""
    snippet = getattr(item, "snippet", None)
    if snippet:
        return snippet
    from core.retrieve.snippets import readable_text  # late: only rows need it

    return readable_text(item.text or "", item.kind, title=item.title,
                         external_id=getattr(item, "external_id", None), meta=getattr(item, "meta", None))


def describe_range(time_range: Any) -> str:
    """A time filter as people say it: ``14 Nov – 20 Nov 2026``, ``since 3 Mar 2025`` (the end is exclusive)."""
    start, end = time_range.start, time_range.end
    if start and end:
        last = to_local(end - timedelta(seconds=1))
        first = to_local(start)
        if first.date() == last.date():
            return f"{first.day} {first.strftime('%b %Y')}"
        return f"{first.day} {first.strftime('%b')} – {last.day} {last.strftime('%b %Y')}"
    if start:
        first = to_local(start)
        return f"since {first.day} {first.strftime('%b %Y')}"
    if end:
        last = to_local(end)
        return f"before {last.day} {last.strftime('%b %Y')}"
    return "any time"
