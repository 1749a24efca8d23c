"""What the "day at a glance" card says: the day's summary and episodes when consolidation
made them, else counts (messages, screen moments, documents, active hours) from the loaded rows.

``glance_text`` is pure: it takes the loaded ``ItemView`` rows and the theme's
colours and returns the card's title and rich text (links are ``item:<id>``).

Threads: any (pure); the page calls it on the GUI thread.
Errors: none raised; missing ``meta``/titles fall back to the item's text.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any, NamedTuple

from ui import fmt

if TYPE_CHECKING:
    from ui.theme import Colours

MAX_EPISODES = 6
TOP_NAMES = 3  # conversations / apps named after a count


class GlanceText(NamedTuple):
    title: str
    html: str


def summary_level(item: Any) -> str | None:
    """``"day"`` or ``"episode"`` for consolidation summaries (``meta["summary_of"]``)."""
    meta = item.meta or {}
    level = meta.get("summary_of") or meta.get("scope")
    return str(level) if level else None


def glance_text(rows: Sequence[Any], colours: Colours, *, more_loading: bool) -> GlanceText:
    """The card's title and rich text for a day whose loaded rows are ``rows`` (in time order)."""
    c = colours
    summaries = [r for r in rows if r.kind == "summary"]
    day_summary = next((s for s in summaries if summary_level(s) == "day"), None)
    episodes = [s for s in summaries if summary_level(s) == "episode"]
    parts: list[str] = []
    if day_summary is not None:
        parts.append(f"<a href='item:{int(day_summary.id)}' style='color:{c.text}; text-decoration:none'>"
                     f"{fmt.html_escape(fmt.one_line(day_summary.text, 420))}</a>")
    for episode in episodes[:MAX_EPISODES]:
        end = (episode.meta or {}).get("ts_end")
        span = fmt.fmt_time(episode.timestamp)
        if isinstance(end, int | float):
            span += "–" + datetime.fromtimestamp(end).astimezone().strftime("%H:%M")
        title = (episode.title or fmt.one_line(episode.text, 80)).removeprefix("Summary: ")
        parts.append(f"<a href='item:{int(episode.id)}' style='color:{c.accent}; text-decoration:none'>"
                     f"{span}</a> {fmt.html_escape(fmt.one_line(title, 90))}")
    facts = _activity_facts([r for r in rows if r.kind != "summary"])
    more = " <i>(more loading…)</i>" if more_loading else ""
    if facts:
        parts.append(f"<span style='color:{c.muted}'>" + " · ".join(facts) + more + "</span>")
    title = "DAY SUMMARY" if (day_summary or episodes) else "DAY AT A GLANCE"
    html = "<br>".join(parts) if parts else f"<span style='color:{c.muted}'>No memories on this day.</span>"
    return GlanceText(title, html)


def _activity_facts(others: list[Any]) -> list[str]:
    """Count phrases for the non-summary rows: messages, screen moments, documents, active span."""
    kinds = Counter(r.kind for r in others)
    facts: list[str] = []
    if kinds.get("message"):
        convs = Counter(r.conversation or r.speaker or "?" for r in others if r.kind == "message")
        top = ", ".join(name for name, _ in convs.most_common(TOP_NAMES))
        facts.append(f"<b>{kinds['message']}</b> message{'s' if kinds['message'] != 1 else ''} "
                     f"in {len(convs)} conversation{'s' if len(convs) != 1 else ''} ({fmt.html_escape(top)})")
    if kinds.get("screenshot"):
        apps = Counter(fmt.app_of(r) or "unknown app" for r in others if r.kind == "screenshot")
        top = ", ".join(name for name, _ in apps.most_common(TOP_NAMES))
        facts.append(f"<b>{kinds['screenshot']}</b> screen moment{'s' if kinds['screenshot'] != 1 else ''} "
                     f"({fmt.html_escape(top)})")
    if kinds.get("document"):
        facts.append(f"<b>{kinds['document']}</b> document{'s' if kinds['document'] != 1 else ''} touched")
    if others:
        first, last = fmt.fmt_time(others[0].timestamp), fmt.fmt_time(others[-1].timestamp)
        facts.append(f"active from {first} to {last}")
    return facts
