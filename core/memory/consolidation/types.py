"""What a consolidation run is told and what it reports.

``ConsolidationOptions`` (batch size, summaries, the user's own names, phone
region, time zone, model budget, segmentation), ``options_from_settings``
(from the settings), ``ConsolidationReport`` (the counts a run
returns) and ``ProgressCallback``.

Plain data and pure helpers, safe from any thread.  Errors: an unknown time
zone in the settings falls back to UTC; nothing is raised.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, tzinfo

from core.changes import ENTITIES, FACTS, GRAPH, ITEMS, PROPOSALS, Changes, changes_if
from core.memory.consolidation.episodes import SegmentParams
from core.settings import Settings

ProgressCallback = Callable[[int, int | None], None]


@dataclass(slots=True)
class ConsolidationOptions:
    batch_size: int = 200
    summaries: bool = True
    day_summaries: bool = True
    self_names: tuple[str, ...] = ()
    phone_region: str | None = None
    timezone: tzinfo = UTC
    model_fact_budget: int = 0  # model extraction calls per run (each ~2-3 s on the default model)
    segment: SegmentParams = field(default_factory=SegmentParams)
    embed_summaries: bool = True
    # An episode of one or two messages is its own summary: summarising it only doubles the items to store,
    # embed and search (a 5k-message group chat made more summaries than messages).
    summary_min_items: int = 3


@dataclass(slots=True)
class ConsolidationReport:
    items_processed: int = 0
    items_failed: list[tuple[int, str]] = field(default_factory=list)
    episodes_changed: int = 0
    summaries_written: int = 0
    summaries_by_method: dict[str, int] = field(default_factory=dict)
    day_summaries_written: int = 0
    facts_observed: int = 0
    merge_proposals: int = 0
    auto_merged: int = 0  # first-name-only people folded into their full-named one (undoable)
    pruned: dict[str, int] = field(default_factory=dict)
    stopped_early: bool = False
    remaining: int = 0

    @property
    def changes(self) -> Changes:
        """The graph when items were processed or pruned; items when summaries came or went; new proposals."""
        pruned = any(self.pruned.values())
        return (changes_if(self.items_processed or pruned, ENTITIES, FACTS, GRAPH)
                | changes_if(self.summaries_written or self.day_summaries_written or pruned, ITEMS)
                | changes_if(self.merge_proposals, PROPOSALS))


def default_phone_region() -> str:
    """The phone region from the locale (``de_DE`` -> ``DE``), else US."""
    import locale

    try:
        lang = locale.getlocale()[0] or ""
    except ValueError:
        lang = ""
    match = re.search(r"_([A-Z]{2})", lang)
    return match.group(1) if match else "US"


def options_from_settings(settings: Settings) -> ConsolidationOptions:
    """Options from the settings (``self_names``, ``phone_region``, ``timezone``)."""
    tz: tzinfo = UTC
    if settings.timezone:
        from zoneinfo import ZoneInfo

        try:
            tz = ZoneInfo(settings.timezone)
        except Exception:
            tz = UTC
    return ConsolidationOptions(
        self_names=settings.self_names,
        phone_region=settings.phone_region or default_phone_region(),
        timezone=tz,
    )
