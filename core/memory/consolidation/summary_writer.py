"""Episode and day summaries written as ``summary`` items.

``write_summaries`` summarises every episode whose membership changed
(model if grounded, else extractive), ingests it idempotently as external
id ``episode:<key>``, then re-summarises the days whose episodes changed
(``day:<date>``, in the configured time zone).  Signatures make a resumed
run skip what is already current.

Threads: call from a worker thread; blocks on the store's writer and on the
model.  ``stop()`` is checked before each summary; when it says stop the
report is marked ``stopped_early`` and the next run resumes.  Errors: store
errors propagate.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from core.memory.consolidation.summaries import Summary, summarize, summarize_day
from core.memory.consolidation.types import ConsolidationOptions, ConsolidationReport, ProgressCallback
from core.memory.items import SUMMARY_SOURCE, load_items
from core.ports import SummaryStore

_BATCH = 64  # summaries per ingest: one transaction and one embedding call instead of one each


def write_summaries(
    store: SummaryStore, llm: Any | None, opts: ConsolidationOptions, report: ConsolidationReport,
    stop: Callable[[], bool], progress: ProgressCallback | None, done: int, total: int,
) -> None:
    from core.memory.consolidation.episodes import episode_item_ids
    from core.types import Record

    reader = store.read()
    todo = reader.execute(
        "SELECT id, key, signature, conversation, start_ts, end_ts, title, kind, item_count FROM mem_episodes"
        " WHERE summary_signature IS NULL OR summary_signature != signature ORDER BY start_ts"
    ).fetchall()
    grand_total = total + len(todo)
    touched_days: set[str] = set()
    pending: list[tuple[int, str, Record, str]] = []  # (episode id, signature, record, method)
    small: list[tuple[int, str]] = []
    for n, (episode_id, key, signature, conversation, start_ts, end_ts, title, kind, count) in enumerate(todo):
        if stop():
            report.stopped_early = True
            break
        if int(count or 0) < opts.summary_min_items:
            small.append((episode_id, signature))  # settled without a summary: its messages say it all
            continue
        items = load_items(reader, episode_item_ids(reader, episode_id))
        if not items:
            continue
        summary = summarize(items, llm)
        record = Record(
            source=SUMMARY_SOURCE, external_id=f"episode:{key}", kind="summary",
            timestamp=datetime.fromtimestamp(start_ts, UTC), text=summary.text, conversation=conversation,
            title=f"Summary: {title}",
            meta=_summary_meta("episode", summary, end_ts, {"episode_key": key, "episode_kind": kind}),
        )
        pending.append((episode_id, signature, record, summary.method))
        touched_days.add(datetime.fromtimestamp(start_ts, opts.timezone).date().isoformat())
        if len(pending) >= _BATCH:
            _flush_episode_summaries(store, pending, opts, report)
        if progress is not None:
            progress(done + n + 1, grand_total)
    _flush_episode_summaries(store, pending, opts, report)
    if small:
        store.write(lambda conn: conn.executemany(
            "UPDATE mem_episodes SET summary_signature = ? WHERE id = ? AND signature = ?",
            [(s, e, s) for e, s in small]))
    if report.stopped_early:
        return
    if opts.day_summaries:
        touched_days |= {r[0] for r in reader.execute("SELECT day FROM mem_days WHERE summary_signature IS NULL")}
        _write_day_summaries(store, llm, opts, report, stop, touched_days)


def _flush_episode_summaries(store: SummaryStore, pending: list[Any], opts: ConsolidationOptions,
                             report: ConsolidationReport) -> None:
    """Ingest a batch of episode summaries, then point their episodes at them (idempotent by external id)."""
    if not pending:
        return
    ids = _ingest_summaries(store, [record for _, _, record, _ in pending], opts)
    rows = [(signature, ids[i], episode_id, signature) for i, (episode_id, signature, _, _) in enumerate(pending)
            if ids[i] is not None]
    store.write(lambda conn: conn.executemany(
        "UPDATE mem_episodes SET summary_signature = ?, summary_item_id = ? WHERE id = ? AND signature = ?", rows))
    for i, (_, _, _, method) in enumerate(pending):
        if ids[i] is not None:
            report.summaries_written += 1
            report.summaries_by_method[method] = report.summaries_by_method.get(method, 0) + 1
    pending.clear()


def _written_day(reader: Any, start: datetime, end: datetime, episode_summaries: list[Any],
                 opts: ConsolidationOptions) -> Summary | None:
    from core.memory.consolidation.day_story import day_paragraph, episode_topics
    from core.memory.consolidation.episodes import episodes_between

    # Every episode that started this day, with or without a summary of its own: the paragraph is composed
    # from what each episode knows (people, app, titles), and a two-message chat is as much part of the day.
    episodes = [e for e in episodes_between(reader, start.timestamp(), end.timestamp())
                if start.timestamp() <= e.start_ts < end.timestamp()]
    topics = {e.id: episode_topics(reader, e.id) for e in episodes if e.kind == "chat"}
    text = day_paragraph(episodes, topics, self_names=opts.self_names)
    if not text:
        return None
    return Summary(text, "written", (), tuple(dict.fromkeys(t for ts in topics.values() for t in ts)),
                   tuple(it.id for it in episode_summaries))


def _episodes_on(reader: Any, start: datetime, end: datetime) -> int:
    return int(reader.execute("SELECT count(*) FROM mem_episodes WHERE start_ts >= ? AND start_ts < ?",
                              (start.timestamp(), end.timestamp())).fetchone()[0])


def _summary_meta(level: str, summary: Summary, end_ts: float, extra: dict[str, Any]) -> dict[str, Any]:
    return {
        "summary_of": level, "method": summary.method, "source_item_ids": list(summary.source_item_ids),
        "sentence_items": [s.item_id for s in summary.sentences], "keywords": list(summary.keywords),
        "ts_end": end_ts, **extra,
    }


def _ingest_summaries(store: SummaryStore, records: list[Any], opts: ConsolidationOptions) -> list[int | None]:
    """Item ids of ``records`` after ingesting them in one batch (unchanged ones are found by key)."""
    from core.store.items import source_key

    store.ingest(records, embed=opts.embed_summaries)
    keys = [source_key(r) for r in records]
    reader = store.read()
    found: dict[str, int] = {}
    for start in range(0, len(keys), 500):
        part = keys[start:start + 500]
        marks = ",".join("?" * len(part))
        found.update({str(k): int(i) for k, i in reader.execute(
            f"SELECT source_key, id FROM items WHERE source_key IN ({marks})", part)})
    return [found.get(k) for k in keys]


def _write_day_summaries(
    store: SummaryStore, llm: Any | None, opts: ConsolidationOptions, report: ConsolidationReport,
    stop: Callable[[], bool], days: set[str],
) -> None:
    import hashlib
    from datetime import date, timedelta

    from core.types import Record

    reader = store.read()
    # Never more summaries than episodes: a day summary is written only while the total stays within the
    # number of episodes, busiest days first (where a day's story helps most).
    room = int(reader.execute("SELECT count(*) FROM mem_episodes").fetchone()[0]) - int(reader.execute(
        "SELECT count(*) FROM items WHERE source = ? AND deleted = 0", (SUMMARY_SOURCE,)).fetchone()[0])
    spans = []
    for day in days:
        d = date.fromisoformat(day)
        start = datetime(d.year, d.month, d.day, tzinfo=opts.timezone)
        spans.append((day, start, start + timedelta(days=1)))
    counts = {day: _episodes_on(reader, start, end) for day, start, end in spans}
    pending: list[tuple[str, str, Any]] = []
    for day, start, end in sorted(spans, key=lambda s: (-counts[s[0]], s[0])):
        if stop():
            report.stopped_early = True
            break
        every = reader.execute(
            "SELECT e.summary_item_id, e.signature FROM mem_episodes e WHERE e.start_ts >= ? AND e.start_ts < ?"
            " ORDER BY e.start_ts",
            (start.timestamp(), end.timestamp()),
        ).fetchall()
        rows = [r for r in every if r[0] is not None]
        if not rows or counts[day] < 2:
            continue  # a one-episode day: the episode (or its summary) already tells the day
        # Every episode of the day counts, summarised or not: a short chat has no summary of its own but its
        # people belong in the day's paragraph, which changes with it.
        signature = hashlib.sha256("|".join(f"{r[0]}:{r[1]}" for r in every).encode()).hexdigest()[:32]
        known = reader.execute("SELECT summary_signature, summary_item_id FROM mem_days WHERE day = ?",
                               (day,)).fetchone()
        if known is not None and known[0] == signature:
            continue
        is_new = known is None or known[1] is None
        if is_new and room <= 0:
            continue
        episode_summaries = load_items(reader, [int(r[0]) for r in rows])
        summary = summarize_day(episode_summaries, llm)
        if summary.method != "model":  # pasted sentences read as fragments: write the day from what is known
            summary = _written_day(reader, start, end, episode_summaries, opts) or summary
        # the day summary cites the memories, not only the episode summaries
        source_ids: list[int] = []
        for it in episode_summaries:
            source_ids.extend(int(x) for x in it.meta.get("source_item_ids", []))
        summary = Summary(summary.text, summary.method, summary.sentences, summary.keywords, tuple(source_ids))
        record = Record(
            source=SUMMARY_SOURCE, external_id=f"day:{day}", kind="summary", timestamp=start.astimezone(UTC),
            text=summary.text, title=f"Day summary {day}",
            meta=_summary_meta("day", summary, end.timestamp(), {"day": day,
                                                                 "episode_summaries": [it.id for it in episode_summaries]}),
        )
        pending.append((day, signature, record))
        if len(pending) >= _BATCH:
            _flush_day_summaries(store, pending, opts, report)
        room -= is_new
    _flush_day_summaries(store, pending, opts, report)


def _flush_day_summaries(store: SummaryStore, pending: list[Any], opts: ConsolidationOptions,
                         report: ConsolidationReport) -> None:
    if not pending:
        return
    ids = _ingest_summaries(store, [record for _, _, record in pending], opts)
    now = time.time()
    rows = [(day, sig, sig, ids[i], now) for i, (day, sig, _) in enumerate(pending)]
    store.write(lambda conn: conn.executemany(
        "INSERT INTO mem_days (day, signature, summary_signature, summary_item_id, updated_at) VALUES (?,?,?,?,?)"
        " ON CONFLICT(day) DO UPDATE SET signature = excluded.signature,"
        " summary_signature = excluded.summary_signature, summary_item_id = excluded.summary_item_id,"
        " updated_at = excluded.updated_at", rows))
    report.day_summaries_written += len(pending)
    pending.clear()
