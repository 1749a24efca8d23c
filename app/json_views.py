"""Answers as JSON for ``cairn ask --json`` and the MCP ``ask`` tool: one shape of a citation and a time range."""

from __future__ import annotations

from typing import Any


def citation_json(snippet: Any) -> dict[str, Any]:
    """A cited memory (``core.answer.Snippet``): number, ids, time, source, speaker, text."""
    return {
        "number": snippet.number,
        "item_id": int(snippet.item_id),
        "external_id": snippet.external_id,
        "timestamp": snippet.timestamp.isoformat(),
        "source": snippet.source,
        "speaker": snippet.speaker,
        "text": snippet.text,
    }


def range_json(time_range: Any) -> dict[str, str | None] | None:
    """A ``TimeRange`` as ISO strings (None for an open side), or None."""
    if time_range is None:
        return None
    return {
        "start": time_range.start.isoformat() if time_range.start else None,
        "end": time_range.end.isoformat() if time_range.end else None,
    }
