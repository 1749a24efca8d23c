"""Event segmentation: activity cut into episodes (EM-LLM-style boundaries, rule-based).

* Chats: one stream per (source, conversation); a new session starts after a
  silence longer than ``chat_gap_s`` or when the source's own session id
  (``meta["session"]``) changes; a very long session is cut at its weakest
  lexical link (TextTiling-style) so an episode stays summarisable.
* Screen: one stream; a new episode after an idle gap, when a different app
  takes over for at least ``screen_min_dwell_s`` and was not in use in the
  current episode recently (short alt-tabs and back-and-forth between an
  editor and a browser stay one episode), or when the episode grows past
  ``screen_max_s``.
* Files: one stream; edits closer than ``file_gap_s`` form one work session.
* Anything else: one stream per source, split by ``other_gap_s``.

``segment`` is pure (items in, drafts out).  ``resegment`` applies it to the
database around newly arrived items, keeping episodes whose membership did
not change (so their summaries stay valid) — idempotent by construction.
"""

from __future__ import annotations

import hashlib
import json
import re
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from itertools import pairwise
from typing import Any

from core.memory.extraction.apps import app_name
from core.memory.items import SUMMARY_SOURCE, MemItem, load_stream_items


@dataclass(frozen=True, slots=True)
class SegmentParams:
    chat_gap_s: float = 45 * 60
    screen_gap_s: float = 5 * 60
    screen_min_dwell_s: float = 2 * 60
    screen_recent_s: float = 10 * 60
    screen_max_s: float = 2 * 3600
    file_gap_s: float = 30 * 60
    other_gap_s: float = 60 * 60
    max_items: int = 300


@dataclass(slots=True)
class EpisodeDraft:
    kind: str
    stream: str
    items: list[MemItem] = field(default_factory=list)

    @property
    def start_ts(self) -> float:
        return self.items[0].ts

    @property
    def end_ts(self) -> float:
        return max((it.ts_end or it.ts) for it in self.items)

    @property
    def key(self) -> str:
        return f"{self.stream}#{self.items[0].id}"

    @property
    def conversation(self) -> str | None:
        return self.items[0].conversation

    @property
    def participants(self) -> list[str]:
        counts = Counter(it.speaker for it in self.items if it.speaker)
        return [name for name, _ in counts.most_common()]

    @property
    def apps(self) -> list[str]:
        counts = Counter(it.app for it in self.items if it.app)
        return [name for name, _ in counts.most_common()]

    @property
    def signature(self) -> str:
        h = hashlib.sha256()
        for it in self.items:
            h.update(f"{it.id}:{it.content_hash}\x1f".encode())
        return h.hexdigest()[:32]

    @property
    def title(self) -> str:
        if self.kind == "chat":
            others = [p for p in self.participants if p.casefold() != "me"]  # the user's own label
            who = ", ".join(others[:4]) or "yourself"
            where = self.conversation or ""
            named_for = any(where.casefold().startswith(p.casefold()) for p in others)
            return f"Chat with {who}" + (f" in {where}" if where and not named_for else "")
        if self.kind == "screen":
            titles = Counter(it.window_title for it in self.items if it.window_title)
            app = app_name(self.apps[0]) if self.apps else "Screen"
            top = titles.most_common(1)[0][0] if titles else ""
            for suffix in (f" — {app}", f" - {app}", " — Mozilla Firefox", " - Mozilla Firefox",
                           " — Visual Studio Code", " - Visual Studio Code"):
                top = top.removesuffix(suffix)
            return f"{app}: {top}" if top else app
        if self.kind == "files":
            names = list(dict.fromkeys((it.title or it.external_id or "?").rsplit("/", 1)[-1] for it in self.items))
            more = f" and {len(names) - 3} more" if len(names) > 3 else ""
            return f"Worked on {', '.join(names[:3])}{more}"
        named = [it.title for it in self.items if it.title]
        if named:
            return named[0] if len(named) == 1 else f"{named[0]} and {len(named) - 1} more"
        return f"{len(self.items)} memor{'y' if len(self.items) == 1 else 'ies'}"


def stream_of(item: MemItem) -> str | None:
    """The stream an item is segmented in; None for items that are not activity (summaries)."""
    if item.source == SUMMARY_SOURCE:
        return None
    return f"{item.source}|{item.conversation or ''}"


def split_stream(stream: str) -> tuple[str, str | None]:
    source, _, conversation = stream.partition("|")
    return source, conversation or None


def kind_of(item: MemItem) -> str:
    if item.is_chat or item.kind == "message":
        return "chat"
    if item.source == "screen" or item.source.startswith("screen:") or item.kind == "screenshot":
        return "screen"
    if item.source == "file" or item.source.startswith("file:") or item.kind == "document":
        return "files"
    return "other"


# -- pure segmentation ---------------------------------------------------------------------------------


def segment(items: Sequence[MemItem], params: SegmentParams = SegmentParams()) -> list[EpisodeDraft]:
    """Cut one stream's items (any order) into episodes, in time order."""
    if not items:
        return []
    ordered = sorted(items, key=lambda it: (it.ts, it.id))
    kind = kind_of(ordered[0])
    stream = stream_of(ordered[0]) or ordered[0].source
    if kind == "chat":
        groups = _split_chat(ordered, params)
    elif kind == "screen":
        groups = _split_screen(ordered, params)
    elif kind == "files":
        groups = _split_gaps(ordered, params.file_gap_s)
    else:
        groups = _split_gaps(ordered, params.other_gap_s)
    out: list[EpisodeDraft] = []
    for group in groups:
        for part in _cap_length(group, params.max_items):
            out.append(EpisodeDraft(kind, stream, part))
    return out


def _split_gaps(items: list[MemItem], gap: float) -> list[list[MemItem]]:
    groups: list[list[MemItem]] = [[items[0]]]
    for prev, cur in pairwise(items):
        if cur.ts - (prev.ts_end or prev.ts) > gap:
            groups.append([cur])
        else:
            groups[-1].append(cur)
    return groups


def _split_chat(items: list[MemItem], params: SegmentParams) -> list[list[MemItem]]:
    groups: list[list[MemItem]] = [[items[0]]]
    for prev, cur in pairwise(items):
        session_changed = (
            "session" in cur.meta and "session" in prev.meta and cur.meta["session"] != prev.meta["session"]
        )
        if session_changed or cur.ts - prev.ts > params.chat_gap_s:
            groups.append([cur])
        else:
            groups[-1].append(cur)
    return groups


def _split_screen(items: list[MemItem], params: SegmentParams) -> list[list[MemItem]]:
    out: list[list[MemItem]] = []
    for block in _split_gaps(items, params.screen_gap_s):
        runs = _app_runs(block)
        current: list[MemItem] = []
        last_seen: dict[str, float] = {}
        for run in runs:
            app = run[0].app or ""
            duration = (run[-1].ts_end or run[-1].ts) - run[0].ts
            dwell = duration >= params.screen_min_dwell_s
            recently_used = app in last_seen and run[0].ts - last_seen[app] <= params.screen_recent_s
            too_long = bool(current) and run[0].ts - current[0].ts > params.screen_max_s
            if current and ((dwell and not recently_used) or too_long):
                out.append(current)
                current = []
                last_seen = {}
            current.extend(run)
            last_seen[app] = run[-1].ts_end or run[-1].ts
        if current:
            out.append(current)
    return out


def _app_runs(items: list[MemItem]) -> list[list[MemItem]]:
    runs: list[list[MemItem]] = [[items[0]]]
    for cur in items[1:]:
        if (cur.app or "") == (runs[-1][-1].app or ""):
            runs[-1].append(cur)
        else:
            runs.append([cur])
    return runs


_WORD = re.compile(r"[a-zA-Z]{3,}")


def _bag(items: Sequence[MemItem]) -> Counter[str]:
    bag: Counter[str] = Counter()
    for it in items:
        bag.update(w.lower() for w in _WORD.findall(it.text))
    return bag


def _cosine(a: Counter[str], b: Counter[str]) -> float:
    if not a or not b:
        return 0.0
    dot = sum(v * b.get(k, 0) for k, v in a.items())
    na = sum(v * v for v in a.values()) ** 0.5
    nb = sum(v * v for v in b.values()) ** 0.5
    return dot / (na * nb)


def _cap_length(group: list[MemItem], max_items: int, window: int = 6) -> list[list[MemItem]]:
    """Cut groups longer than ``max_items`` at their weakest lexical link (TextTiling-style)."""
    if len(group) <= max_items:
        return [group]
    lo, hi = max_items // 3, len(group) - max_items // 3
    best, best_at = 2.0, len(group) // 2
    for cut in range(max(lo, 1), max(hi, lo + 1)):
        score = _cosine(_bag(group[max(0, cut - window) : cut]), _bag(group[cut : cut + window]))
        if score < best:
            best, best_at = score, cut
    return _cap_length(group[:best_at], max_items, window) + _cap_length(group[best_at:], max_items, window)


# -- persisting around new items ---------------------------------------------------------------------------


def _gap_for(kind: str, params: SegmentParams) -> float:
    return {
        "chat": params.chat_gap_s, "screen": max(params.screen_gap_s, params.screen_max_s),
        "files": params.file_gap_s,
    }.get(kind, params.other_gap_s)


@dataclass(slots=True)
class ResegmentResult:
    changed: list[int] = field(default_factory=list)  # episode ids created or whose membership changed
    removed_summary_items: list[int] = field(default_factory=list)  # summaries of episodes that no longer exist


def resegment(conn: Any, stream: str, new_items: Sequence[MemItem], params: SegmentParams = SegmentParams()) -> ResegmentResult:
    """Re-cut the part of ``stream`` around ``new_items`` and store the episodes.

    Runs inside the caller's transaction.  Episodes whose membership did not
    change keep their id and summary; ones that vanished are deleted and their
    summary items returned for the caller to forget.
    """
    result = ResegmentResult()
    if not new_items:
        return result
    source, conversation = split_stream(stream)
    kind = kind_of(new_items[0])
    pad = _gap_for(kind, params)
    lo = min(it.ts for it in new_items) - pad
    hi = max((it.ts_end or it.ts) for it in new_items) + pad
    affected = conn.execute(
        "SELECT id, key, start_ts, end_ts, signature, summary_item_id FROM mem_episodes"
        " WHERE stream = ? AND end_ts >= ? AND start_ts <= ?", (stream, lo, hi),
    ).fetchall()
    if affected:
        lo = min(lo, *(float(r[2]) for r in affected))
        hi = max(hi, *(float(r[3]) for r in affected))
    pool = load_stream_items(conn, source, conversation, lo, hi)
    drafts = segment(pool, params)
    old_by_key = {r[1]: r for r in affected}
    now = time.time()
    kept_keys: set[str] = set()
    for draft in drafts:
        kept_keys.add(draft.key)
        old = old_by_key.get(draft.key)
        if old is None:
            old_row = conn.execute("SELECT id, signature FROM mem_episodes WHERE key = ?", (draft.key,)).fetchone()
            old = (old_row[0], draft.key, None, None, old_row[1], None) if old_row else None
        if old is not None and old[4] == draft.signature:
            continue
        episode_id = _store(conn, draft, old[0] if old is not None else None, now)
        result.changed.append(episode_id)
    for key, row in old_by_key.items():
        if key in kept_keys:
            continue
        if row[5] is not None:
            result.removed_summary_items.append(int(row[5]))
        conn.execute("DELETE FROM mem_episodes WHERE id = ?", (row[0],))
    return result


def _store(conn: Any, draft: EpisodeDraft, episode_id: int | None, now: float) -> int:
    values = (
        draft.kind, draft.stream, draft.conversation, draft.start_ts, draft.end_ts, draft.title,
        json.dumps(draft.participants, ensure_ascii=False), json.dumps(draft.apps, ensure_ascii=False),
        len(draft.items), draft.signature, now,
    )
    if episode_id is None:
        cur = conn.execute(
            "INSERT INTO mem_episodes (kind, stream, conversation, start_ts, end_ts, title, participants, apps,"
            " item_count, signature, updated_at, key, created_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)",
            (*values, draft.key, now),
        )
        episode_id = int(cur.lastrowid)
    else:
        conn.execute(
            "UPDATE mem_episodes SET kind=?, stream=?, conversation=?, start_ts=?, end_ts=?, title=?, participants=?,"
            " apps=?, item_count=?, signature=?, updated_at=? WHERE id = ?", (*values, episode_id),
        )
        conn.execute("DELETE FROM mem_episode_items WHERE episode_id = ?", (episode_id,))
    ids = [it.id for it in draft.items]
    # an item belongs to one episode: take it from any other episode first
    for start in range(0, len(ids), 500):
        part = ids[start : start + 500]
        conn.execute(f"DELETE FROM mem_episode_items WHERE item_id IN ({','.join('?' * len(part))})", part)
    conn.executemany("INSERT INTO mem_episode_items (episode_id, item_id) VALUES (?, ?)", [(episode_id, i) for i in ids])
    return episode_id


# -- reading -------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Episode:
    id: int
    key: str
    kind: str
    stream: str
    conversation: str | None
    start_ts: float
    end_ts: float
    title: str
    participants: tuple[str, ...]
    apps: tuple[str, ...]
    item_count: int
    summary_item_id: int | None


_EP_COLUMNS = "id, key, kind, stream, conversation, start_ts, end_ts, title, participants, apps, item_count, summary_item_id"


def _episode(row: Sequence[Any]) -> Episode:
    return Episode(
        int(row[0]), row[1], row[2], row[3], row[4], float(row[5]), float(row[6]), row[7],
        tuple(json.loads(row[8] or "[]")), tuple(json.loads(row[9] or "[]")), int(row[10]), row[11],
    )


def episodes_between(conn: Any, start: float, end: float, limit: int = 500) -> list[Episode]:
    rows = conn.execute(
        f"SELECT {_EP_COLUMNS} FROM mem_episodes WHERE end_ts >= ? AND start_ts < ? ORDER BY start_ts LIMIT ?",
        (start, end, limit),
    ).fetchall()
    return [_episode(r) for r in rows]


def episode_of_item(conn: Any, item_id: int) -> Episode | None:
    row = conn.execute(
        f"SELECT {', '.join('e.' + c.strip() for c in _EP_COLUMNS.split(','))} FROM mem_episodes e"
        " JOIN mem_episode_items x ON x.episode_id = e.id WHERE x.item_id = ?", (item_id,),
    ).fetchone()
    return _episode(row) if row else None


def episode_item_ids(conn: Any, episode_id: int) -> list[int]:
    return [int(r[0]) for r in conn.execute(
        "SELECT x.item_id FROM mem_episode_items x JOIN items i ON i.id = x.item_id WHERE x.episode_id = ?"
        " ORDER BY i.ts, i.id", (episode_id,),
    )]
