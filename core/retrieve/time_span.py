"""One span of time words → a range: "last Tuesday afternoon", "early March", "2023".

A span is one of the ``time_rules.KINDS``, optionally narrowed by a part
("early", "mid", "the end of"), a time-of-day prefix ("the morning of") or
suffix ("afternoon", "at 3pm").  ``SPAN_RAW`` is the uncompiled regex that
finds candidate spans inside longer phrases (its groups are anonymous, so it
can be embedded twice in one pattern); ``parse_span`` resolves one candidate;
``kind_of`` names the kind a span is, for rules that treat kinds differently.

Pure functions, thread-safe, no I/O.  ``parse_span`` returns ``None`` for
text that is not a span or names an impossible date; it does not raise.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta

from core.retrieve.time_context import Ctx, Resolved
from core.retrieve.time_rules import KINDS
from core.retrieve.time_vocab import CLOCK_RE, TOD_HOURS, TOD_WORDS, clock_to_time

__all__ = ["SPAN_RAW", "kind_of", "parse_span"]

_PART_PREFIX = (
    r"(?:(?P<part>early|mid|late)[\s-]+|the\s+(?P<part2>start|beginning|middle|end)\s+of\s+)"
)
_TOD_PREFIX = rf"the\s+(?P<tod_pre>{TOD_WORDS})\s+of\s+"
_TOD_SUFFIX = (
    rf"(?:,?\s+(?:in\s+the\s+|during\s+the\s+)?(?P<tod>{TOD_WORDS}|lunch)"
    rf"|\s+(?:at|around|about)\s+(?P<clock>{CLOCK_RE}))$"
)


def _strip_groups(pattern: str) -> str:
    """The pattern with named groups made anonymous (for embedding twice)."""
    return re.sub(r"\(\?P<\w+>", "(?:", pattern)


_SPAN_CORE_RAW = "|".join(f"(?:{_strip_groups(p)})" for _, p, _ in KINDS)
SPAN_RAW = (
    rf"(?:{_strip_groups(_PART_PREFIX)})?(?:{_strip_groups(_TOD_PREFIX)})?(?:{_SPAN_CORE_RAW})"
    rf"(?:{_strip_groups(_TOD_SUFFIX)[:-1]})?"
)

_KIND_PATTERNS = tuple(
    (name, re.compile(pattern, re.IGNORECASE), resolver) for name, pattern, resolver in KINDS
)
_PART_RE = re.compile(_PART_PREFIX, re.IGNORECASE)
_TOD_PREFIX_RE = re.compile(_TOD_PREFIX, re.IGNORECASE)
_TOD_SUFFIX_RE = re.compile(_TOD_SUFFIX, re.IGNORECASE)


def parse_span(text: str, ctx: Ctx, ref: datetime) -> Resolved | None:
    """Resolve one span ("last Tuesday afternoon", "early March", "2023")."""
    text = text.strip()
    direct = _resolve_core(text, ctx, ref)
    if direct is not None:
        return direct
    part = tod = clock = None
    if (pm := _PART_RE.match(text)) is not None:
        part = (pm["part"] or pm["part2"]).lower()
        text = text[pm.end():]
    if (tm := _TOD_PREFIX_RE.match(text)) is not None:
        tod = tm["tod_pre"].lower()
        text = text[tm.end():]
    if (sm := _TOD_SUFFIX_RE.search(text)) is not None and sm.start() > 0:
        tod = (sm["tod"] or "").lower() or tod
        clock = sm["clock"]
        text = text[: sm.start()]
    resolved = _resolve_core(text, ctx, ref)
    if resolved is None:
        return None
    if part is not None:
        resolved = _apply_part(resolved, part, ctx)
    if resolved.is_day and (tod or clock):
        day = resolved.span[0].date()
        if clock:
            moment = clock_to_time(clock)
            if moment is None:
                return None
            return Resolved(ctx.clock_window(day, moment), False, resolved.needs_prep)
        start_hour, end_hour = TOD_HOURS[tod or "morning"]
        return Resolved(ctx.hours_span(day, start_hour, end_hour), False, resolved.needs_prep)
    return resolved


def kind_of(span_text: str) -> str | None:
    """The name of the kind ``span_text`` is (ignoring a time-of-day suffix), or ``None``."""
    for name, pattern, _ in _KIND_PATTERNS:
        if pattern.fullmatch(span_text.strip()):
            return name
    stripped = _TOD_SUFFIX_RE.sub("", span_text.strip())
    for name, pattern, _ in _KIND_PATTERNS:
        if pattern.fullmatch(stripped):
            return name
    return None


def _resolve_core(text: str, ctx: Ctx, ref: datetime) -> Resolved | None:
    for _, pattern, resolver in _KIND_PATTERNS:
        m = pattern.fullmatch(text)
        if m is not None and (resolved := resolver(m, ctx, ref)) is not None:
            return resolved
    return None


def _apply_part(resolved: Resolved, part: str, ctx: Ctx) -> Resolved:
    """early/mid/late (or start/middle/end of) a multi-day span: its first/middle/last third."""
    start, end = resolved.span
    days = (end.date() - start.date()).days
    if days < 3:
        return resolved
    # A calendar month splits 1–10, 11–20, 21–end; anything else in thirds.
    is_month = start.day == 1 and 28 <= days <= 31
    cuts = (10, 20) if is_month else (round(days / 3), round(2 * days / 3))
    first = start.date()
    bounds = {
        "early": (0, cuts[0]), "start": (0, cuts[0]), "beginning": (0, cuts[0]),
        "mid": (cuts[0], cuts[1]), "middle": (cuts[0], cuts[1]),
        "late": (cuts[1], days), "end": (cuts[1], days),
    }[part]
    return Resolved(
        (ctx.midnight(first + timedelta(days=bounds[0])), ctx.midnight(first + timedelta(days=bounds[1]))),
        False,
        False,
    )
