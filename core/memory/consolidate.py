"""Consolidation: raw captures become episodes, entities, facts, relations and summaries.

``consolidate(vault, progress)`` is the resumable, idempotent job behind
``cairn consolidate`` and the daemon's idle work:

1. prune what lost its evidence (``Vault.forget`` cascades rows that point
   at items; facts, episodes and summaries left without sources go here);
2. items not yet consolidated (new, or whose content changed) are processed
   in batches; each batch is ONE write transaction that also marks its items
   done in ``mem_consolidated`` — a kill loses at most the open batch, which
   is redone from scratch next time, so nothing is duplicated;
3. episodes whose membership changed get a summary (model if grounded, else
   extractive), ingested as a ``summary`` item (idempotent by external id
   ``episode:<key>``), then days whose episodes changed get a day summary;
4. new people are compared for merge proposals.

Threads: call from a worker thread (it blocks on the vault's writer and on
the model).  ``should_stop()`` is checked between batches/summaries, so the
daemon can yield to the user; the next call resumes.  Errors: a failing item
is recorded and skipped (never fatal); vault errors propagate.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, tzinfo
from typing import Any

from core.memory import entities as ents
from core.memory import facts as facts_mod
from core.memory.episodes import SegmentParams, resegment, stream_of
from core.memory.extract import (
    FIRST_PERSON_CUE,
    Extraction,
    FactCandidate,
    extract,
    model_facts,
    norm_email,
    norm_handle,
    norm_text,
)
from core.memory.items import SUMMARY_SOURCE, MemItem, load_items
from core.memory.summaries import Summary, summarize, summarize_day

ProgressCallback = Callable[[int, int | None], None]
JOB_NAME = "consolidate"
MAX_MENTIONS_PER_ITEM = 12
ENTITY_KINDS_FROM_MENTIONS = {"person": "person", "org": "org", "place": "place", "name": "topic"}


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
    pruned: dict[str, int] = field(default_factory=dict)
    stopped_early: bool = False
    remaining: int = 0


def default_phone_region() -> str:
    """The phone region from the locale (``de_DE`` -> ``DE``), else US."""
    import locale

    try:
        lang = locale.getlocale()[0] or ""
    except ValueError:
        lang = ""
    match = re.search(r"_([A-Z]{2})", lang)
    return match.group(1) if match else "US"


def options_from_settings(settings: Any) -> ConsolidationOptions:
    """Options from ``Settings.extra`` (``self_names``, ``phone_region``, ``timezone``)."""
    extra = getattr(settings, "extra", {}) or {}
    tz: tzinfo = UTC
    if extra.get("timezone"):
        from zoneinfo import ZoneInfo

        try:
            tz = ZoneInfo(str(extra["timezone"]))
        except Exception:
            tz = UTC
    return ConsolidationOptions(
        self_names=tuple(extra.get("self_names", ()) or ()),
        phone_region=extra.get("phone_region") or default_phone_region(),
        timezone=tz,
    )


def consolidate(
    vault: Any,
    progress: ProgressCallback | None = None,
    *,
    llm: Any | None = None,
    options: ConsolidationOptions | None = None,
    should_stop: Callable[[], bool] | None = None,
) -> ConsolidationReport:
    """Run (or resume) consolidation over everything not yet consolidated.  See the module doc."""
    opts = options or options_from_settings(vault.settings())
    if opts.phone_region is None:
        opts.phone_region = default_phone_region()
    stop = should_stop or (lambda: False)
    report = ConsolidationReport()
    report.pruned = prune(vault)

    reader = vault.read()
    pending = [int(r[0]) for r in reader.execute(
        "SELECT i.id FROM items i LEFT JOIN mem_consolidated m ON m.item_id = i.id"
        " WHERE i.source != ? AND (m.item_id IS NULL OR m.content_hash != i.content_hash) ORDER BY i.id",
        (SUMMARY_SOURCE,),
    )]
    total = len(pending)
    done = 0
    new_people: set[int] = set()
    model_budget = opts.model_fact_budget if llm is not None else 0
    _save_job(vault, {"phase": "items", "pending": total, "started_at": time.time()})
    for start in range(0, total, opts.batch_size):
        if stop():
            report.stopped_early = True
            break
        batch = pending[start : start + opts.batch_size]
        items = load_items(reader, batch)
        proposed: dict[int, list[FactCandidate]] = {}
        if model_budget > 0:
            for it in items:
                if model_budget <= 0:
                    break
                if FIRST_PERSON_CUE.search(it.text) and not extract(it.text, phone_region=opts.phone_region).facts:
                    model_budget -= 1
                    proposed[it.id] = model_facts(
                        it.text, _grammar_complete(llm), reference=datetime.fromtimestamp(it.ts, UTC),
                        phone_region=opts.phone_region,
                    )
        outcome = vault.write(lambda conn, items=items, proposed=proposed: _process_batch(conn, items, proposed, opts))
        report.items_processed += len(items) - len(outcome.failed)
        report.items_failed.extend(outcome.failed)
        report.facts_observed += outcome.facts
        report.episodes_changed += outcome.episodes_changed
        new_people |= outcome.new_people
        if outcome.removed_summary_items:
            vault.forget(item_ids=outcome.removed_summary_items)
        done += len(batch)
        if progress is not None:
            progress(done, total)
    report.remaining = total - done
    if new_people:
        report.merge_proposals = len(vault.write(lambda conn: ents.propose_merges(conn, sorted(new_people))))
    if opts.summaries and not report.stopped_early:
        _write_summaries(vault, llm, opts, report, stop, progress, done, total)
    _save_job(vault, {"phase": "idle", "finished_at": time.time(), "remaining": report.remaining,
                      "stopped_early": report.stopped_early})
    return report


def _grammar_complete(llm: Any) -> Callable[[str, str], str]:
    from core.llm.backend import Grammar

    def complete(prompt: str, gbnf: str) -> str:
        return str(llm.complete(prompt, grammar=Grammar(gbnf=gbnf, name="facts"), max_tokens=160, temperature=0.0))

    return complete


def _save_job(vault: Any, state: dict[str, Any]) -> None:
    payload = json.dumps(state)
    vault.write(lambda conn: conn.execute(
        "INSERT INTO mem_jobs (job, state, updated_at) VALUES (?,?,?)"
        " ON CONFLICT(job) DO UPDATE SET state = excluded.state, updated_at = excluded.updated_at",
        (JOB_NAME, payload, time.time()),
    ))


def job_state(conn: Any) -> dict[str, Any]:
    row = conn.execute("SELECT state FROM mem_jobs WHERE job = ?", (JOB_NAME,)).fetchone()
    return json.loads(row[0]) if row else {}


def pending_count(conn: Any) -> int:
    """Items waiting for consolidation (for status displays)."""
    row = conn.execute(
        "SELECT count(*) FROM items i LEFT JOIN mem_consolidated m ON m.item_id = i.id"
        " WHERE i.source != ? AND (m.item_id IS NULL OR m.content_hash != i.content_hash)", (SUMMARY_SOURCE,),
    ).fetchone()
    return int(row[0])


# -- one batch (inside a write transaction) -----------------------------------------------------------------


@dataclass(slots=True)
class _BatchOutcome:
    failed: list[tuple[int, str]] = field(default_factory=list)
    facts: int = 0
    episodes_changed: int = 0
    new_people: set[int] = field(default_factory=set)
    removed_summary_items: list[int] = field(default_factory=list)


def _process_batch(
    conn: Any, items: Sequence[MemItem], proposed: dict[int, list[FactCandidate]], opts: ConsolidationOptions,
) -> _BatchOutcome:
    out = _BatchOutcome()
    self_id = ents.self_entity(conn, opts.self_names)
    # exports that label the user's own messages "Me" (iMessage, Cairn's demo) mean the user
    self_norms = {norm_text(n) for n in opts.self_names} | {"me"}
    known_people = frozenset(
        r[0] for r in conn.execute(
            "SELECT DISTINCT a.norm FROM mem_aliases a JOIN mem_entities e ON e.id = a.entity_id"
            " WHERE e.kind = 'person' AND a.alias_kind = 'name'"
        )
    ) | frozenset(norm_text(it.speaker) for it in items if it.speaker)
    touched_relations: set[int] = set()
    touched_entities: set[int] = set()
    by_stream: dict[str, list[MemItem]] = {}
    for item in items:
        conn.execute("SAVEPOINT item")
        try:
            _forget_derived(conn, item.id, touched_entities, touched_relations)
            facts_count = _process_item(
                conn, item, proposed.get(item.id, []), opts, self_id, self_norms, known_people,
                touched_entities, touched_relations, out.new_people,
            )
            out.facts += facts_count
        except Exception as exc:  # one bad item must not stop consolidation
            conn.execute("ROLLBACK TO item")
            out.failed.append((item.id, f"{type(exc).__name__}: {exc}"))
        conn.execute("RELEASE item")
        stream = stream_of(item)
        if stream is not None:
            by_stream.setdefault(stream, []).append(item)
        conn.execute(
            "INSERT INTO mem_consolidated (item_id, content_hash, done_at) VALUES (?,?,?)"
            " ON CONFLICT(item_id) DO UPDATE SET content_hash = excluded.content_hash, done_at = excluded.done_at",
            (item.id, item.content_hash, time.time()),
        )
    for stream, stream_items in by_stream.items():
        result = resegment(conn, stream, stream_items, opts.segment)
        out.episodes_changed += len(result.changed)
        out.removed_summary_items.extend(result.removed_summary_items)
        _episode_relations(conn, result.changed, touched_relations)
    refresh_relation_weights(conn, touched_relations)
    ents.refresh_counts(conn, touched_entities)
    return out


def _forget_derived(conn: Any, item_id: int, entities: set[int], relations: set[int]) -> None:
    """Drop what an earlier version of the item produced (its text changed)."""
    entities.update(int(r[0]) for r in conn.execute("SELECT entity_id FROM mem_mentions WHERE item_id = ?", (item_id,)))
    relations.update(int(r[0]) for r in conn.execute(
        "SELECT relation_id FROM mem_relation_items WHERE item_id = ?", (item_id,)))
    conn.execute("DELETE FROM mem_mentions WHERE item_id = ?", (item_id,))
    conn.execute("DELETE FROM mem_relation_items WHERE item_id = ?", (item_id,))
    fact_ids = [int(r[0]) for r in conn.execute("SELECT fact_id FROM mem_fact_sources WHERE item_id = ?", (item_id,))]
    conn.execute("DELETE FROM mem_fact_sources WHERE item_id = ?", (item_id,))
    _drop_unsupported_facts(conn, fact_ids)


def _drop_unsupported_facts(conn: Any, fact_ids: Sequence[int]) -> int:
    """Delete extracted facts left without any evidence (user facts stay)."""
    dropped = 0
    for fact_id in fact_ids:
        row = conn.execute(
            "SELECT subject, predicate, origin, (SELECT count(*) FROM mem_fact_sources WHERE fact_id = f.id)"
            " FROM mem_facts f WHERE id = ?", (fact_id,),
        ).fetchone()
        if row is None or row[2] == "user" or row[3] > 0:
            continue
        conn.execute("UPDATE mem_facts SET superseded_by = NULL WHERE superseded_by = ?", (fact_id,))
        conn.execute("DELETE FROM mem_facts WHERE id = ?", (fact_id,))
        facts_mod.recompute_timeline(conn, int(row[0]), row[1])
        dropped += 1
    return dropped


def _speaker_entity(
    conn: Any, item: MemItem, self_id: int, self_norms: set[str], new_people: set[int],
) -> int | None:
    if not item.speaker:
        return None
    meta = item.meta
    is_me = bool(meta.get("from_me") or meta.get("is_user") or meta.get("outgoing")) or norm_text(item.speaker) in self_norms
    if is_me:
        ents.add_alias(conn, self_id, "name", item.speaker)
        return self_id
    aliases: list[tuple[str, str, str]] = []
    for key in ("email", "sender_email", "author_email"):
        if isinstance(meta.get(key), str) and "@" in meta[key]:
            aliases.append(("email", meta[key], norm_email(meta[key])))
    for key in ("handle", "username", "user_name", "screen_name"):
        if isinstance(meta.get(key), str) and meta[key]:
            aliases.append(("handle", "@" + norm_handle(meta[key]), norm_handle(meta[key])))
    if isinstance(meta.get("phone"), str):
        from core.memory.extract import norm_phone

        e164 = norm_phone(meta["phone"], None)
        if e164:
            aliases.append(("phone", meta["phone"], e164))
    before = conn.execute("SELECT max(id) FROM mem_entities").fetchone()[0] or 0
    entity_id = ents.resolve(conn, "person", item.speaker, aliases, item.ts)
    if entity_id is not None and entity_id > before:
        new_people.add(entity_id)
    return entity_id


def _process_item(
    conn: Any, item: MemItem, proposed: list[FactCandidate], opts: ConsolidationOptions, self_id: int,
    self_norms: set[str], known_people: frozenset[str], touched_entities: set[int], touched_relations: set[int],
    new_people: set[int],
) -> int:
    reference = datetime.fromtimestamp(item.ts, UTC)
    found: Extraction = extract(item.text, reference=reference, phone_region=opts.phone_region,
                                known_people=known_people, labelled=not item.is_chat)
    speaker_id = _speaker_entity(conn, item, self_id, self_norms, new_people)
    linked: list[int] = []

    def mention(entity_id: int | None, role: str, start: int = -1, end: int = -1) -> None:
        if entity_id is None:
            return
        conn.execute(
            "INSERT OR IGNORE INTO mem_mentions (entity_id, item_id, ts, role, start, end) VALUES (?,?,?,?,?,?)",
            (entity_id, item.id, item.ts, role, start, end),
        )
        touched_entities.add(entity_id)
        if role != "speaker" and entity_id not in linked:
            linked.append(entity_id)

    if speaker_id is not None:
        mention(speaker_id, "speaker")
    bound = {b.alias_norm: b for b in found.bindings}
    for binding in found.bindings:
        before = conn.execute("SELECT max(id) FROM mem_entities").fetchone()[0] or 0
        entity_id = ents.resolve(conn, "person", binding.name, [(binding.alias_kind, binding.alias, binding.alias_norm)], item.ts)
        if entity_id is not None and entity_id > before:
            new_people.add(entity_id)
    count = 0
    for m in found.mentions:
        if count >= MAX_MENTIONS_PER_ITEM:
            break
        entity_id: int | None = None
        if m.kind in ENTITY_KINDS_FROM_MENTIONS:
            entity_id = ents.resolve(conn, ENTITY_KINDS_FROM_MENTIONS[m.kind], m.value, (), item.ts)
        elif m.kind in ("email", "handle", "phone"):
            if m.kind == "email" and m.norm in bound:
                entity_id = ents.find_by_alias(conn, "email", m.norm)
            else:
                existing = ents.find_by_alias(conn, m.kind, m.norm)
                if existing is None:
                    display = (ents.display_name_from_email(m.value) if m.kind == "email"
                               else ents.display_name_from_handle(m.value) if m.kind == "handle" else m.value)
                    before = conn.execute("SELECT max(id) FROM mem_entities").fetchone()[0] or 0
                    # the display name is derived, not evidence: only the contact alias is stored
                    entity_id = ents.create_entity(conn, "person", display, item.ts)
                    ents.add_alias(conn, entity_id, m.kind, m.value, m.norm)
                    if entity_id > before:
                        new_people.add(entity_id)
                else:
                    entity_id = existing
        elif m.kind == "url":
            domain = m.norm.split("/", 1)[0]
            entity_id = ents.resolve(conn, "topic", domain, [("url", domain, domain)], item.ts)
        elif m.kind == "path":
            entity_id = ents.resolve(conn, "file", m.value.rsplit("/", 1)[-1], [("path", m.value, m.value)], item.ts)
        elif m.kind == "address":
            entity_id = ents.resolve(conn, "place", m.value, (), item.ts)
        elif m.kind == "date":
            entity_id = ents.resolve(conn, "date", m.norm, (), item.ts)
        if entity_id is None:
            continue
        count += 1
        mention(entity_id, "mention", m.start, m.end)
    if item.app:
        mention(ents.resolve(conn, "app", item.app, (), item.ts), "app")
    if item.source == "file" and item.external_id:
        name = item.title or item.external_id.rsplit("/", 1)[-1]
        mention(ents.resolve(conn, "file", name, [("path", item.external_id, item.external_id)], item.ts), "file")
    # relations: the speaker with what they mention, and what is mentioned together
    people_and_things = [e for e in linked if e != speaker_id][:MAX_MENTIONS_PER_ITEM]
    if speaker_id is not None:
        for other in people_and_things:
            touched_relations.add(_relate(conn, speaker_id, other, "co_occurs", item))
    for n, a in enumerate(people_and_things):
        for b in people_and_things[n + 1 :]:
            touched_relations.add(_relate(conn, a, b, "co_occurs", item))
    # facts
    facts_count = 0
    for candidate in [*found.facts, *proposed]:
        subject, confidence = _fact_subject(item, candidate, speaker_id, self_id)
        if subject is None:
            continue
        fact_id = facts_mod.observe(conn, subject, candidate, item.id, item.ts, confidence)
        if fact_id is None:
            continue
        facts_count += 1
        typed = {"employer": ("works_at", "org"), "city": ("lives_in", "place")}.get(candidate.predicate)
        if typed is not None:
            target = ents.resolve(conn, typed[1], candidate.value, (), item.ts)
            if target is not None:
                touched_relations.add(_relate(conn, subject, target, typed[0], item))
        if candidate.predicate in ("email", "phone") and subject != self_id:
            ents.add_alias(conn, subject, candidate.predicate, candidate.value, candidate.norm)
    return facts_count


def _fact_subject(item: MemItem, candidate: FactCandidate, speaker_id: int | None, self_id: int) -> tuple[int | None, float]:
    """Whose fact: the chat speaker's for first-person statements; the user's (weaker) elsewhere."""
    if candidate.subject == "speaker":
        if speaker_id is not None:
            return speaker_id, candidate.confidence
        # a first-person sentence in the user's own files or screen: probably the user, not certainly
        return self_id, candidate.confidence * 0.7
    return self_id, candidate.confidence


def _relate(conn: Any, a: int, b: int, rel: str, item: MemItem) -> int:
    relation_id = ents.upsert_relation(conn, a, b, rel, 0.0, item.ts, item.ts)
    conn.execute("INSERT OR IGNORE INTO mem_relation_items (relation_id, item_id) VALUES (?,?)", (relation_id, item.id))
    return relation_id


def _episode_relations(conn: Any, episode_ids: Sequence[int], touched: set[int]) -> None:
    """Chat participants of one session talked with each other: a 'talks_with' relation with time."""
    for episode_id in episode_ids:
        speakers = conn.execute(
            "SELECT DISTINCT m.entity_id, min(i.id), min(i.ts) FROM mem_episode_items x JOIN mem_mentions m"
            " ON m.item_id = x.item_id AND m.role = 'speaker' JOIN items i ON i.id = x.item_id"
            " WHERE x.episode_id = ? GROUP BY m.entity_id", (episode_id,),
        ).fetchall()
        for n, (a, item_a, ts_a) in enumerate(speakers):
            for b, item_b, ts_b in speakers[n + 1 :]:
                rel = ents.upsert_relation(conn, min(a, b), max(a, b), "talks_with", 0.0, min(ts_a, ts_b), max(ts_a, ts_b))
                conn.execute("INSERT OR IGNORE INTO mem_relation_items (relation_id, item_id) VALUES (?,?)", (rel, item_a))
                conn.execute("INSERT OR IGNORE INTO mem_relation_items (relation_id, item_id) VALUES (?,?)", (rel, item_b))
                touched.add(rel)


def refresh_relation_weights(conn: Any, relation_ids: set[int]) -> None:
    """A relation's weight is its number of evidence memories; evidence-less relations go."""
    for relation_id in relation_ids:
        n = conn.execute("SELECT count(*) FROM mem_relation_items WHERE relation_id = ?", (relation_id,)).fetchone()[0]
        if n == 0:
            conn.execute("DELETE FROM mem_relations WHERE id = ?", (relation_id,))
        else:
            conn.execute("UPDATE mem_relations SET weight = ? WHERE id = ?", (float(n), relation_id))


# -- pruning ------------------------------------------------------------------------------------------------------


def prune(vault: Any) -> dict[str, int]:
    """Remove derived memory that lost its evidence (after ``forget``); returns counts."""

    def job(conn: Any) -> tuple[dict[str, int], list[int]]:
        counts: dict[str, int] = {}
        orphan_facts = [int(r[0]) for r in conn.execute(
            "SELECT id FROM mem_facts f WHERE origin != 'user'"
            " AND NOT EXISTS (SELECT 1 FROM mem_fact_sources s WHERE s.fact_id = f.id)"
        )]
        counts["facts"] = _drop_unsupported_facts(conn, orphan_facts)
        stale_summaries: list[int] = []
        empty = conn.execute(
            "SELECT id, summary_item_id FROM mem_episodes e"
            " WHERE NOT EXISTS (SELECT 1 FROM mem_episode_items x WHERE x.episode_id = e.id)"
        ).fetchall()
        for episode_id, summary_id in empty:
            if summary_id is not None:
                stale_summaries.append(int(summary_id))
            conn.execute("DELETE FROM mem_episodes WHERE id = ?", (episode_id,))
        counts["episodes"] = len(empty)
        # episodes that lost some items: recount so they are summarised again
        conn.execute(
            "UPDATE mem_episodes SET item_count = (SELECT count(*) FROM mem_episode_items x WHERE x.episode_id = mem_episodes.id),"
            " signature = signature || '~' WHERE item_count != (SELECT count(*) FROM mem_episode_items x"
            " WHERE x.episode_id = mem_episodes.id)"
        )
        # days whose episode summaries are gone (all: drop the day; some: summarise it again)
        live = {r[0] for r in conn.execute("SELECT summary_item_id FROM mem_episodes WHERE summary_item_id IS NOT NULL")}
        for day, day_item in conn.execute("SELECT day, summary_item_id FROM mem_days").fetchall():
            meta_row = conn.execute("SELECT meta FROM items WHERE id = ?", (day_item,)).fetchone() if day_item else None
            parts = set(json.loads(meta_row[0] or "{}").get("episode_summaries", [])) if meta_row else set()
            if not parts & live:
                conn.execute("DELETE FROM mem_days WHERE day = ?", (day,))
            elif not parts <= live:
                conn.execute("UPDATE mem_days SET summary_signature = NULL WHERE day = ?", (day,))
        # summary items whose episode or day is gone
        live |= {r[0] for r in conn.execute("SELECT summary_item_id FROM mem_days WHERE summary_item_id IS NOT NULL")}
        # only the summaries consolidation wrote (meta.summary_of); other "summary" items are not ours
        for (item_id,) in conn.execute(
            "SELECT id FROM items WHERE source = ? AND json_extract(meta, '$.summary_of') IN ('episode', 'day')",
            (SUMMARY_SOURCE,),
        ).fetchall():
            if item_id not in live:
                stale_summaries.append(int(item_id))
        counts["orphan_relations"] = conn.execute(
            "DELETE FROM mem_relations WHERE NOT EXISTS (SELECT 1 FROM mem_relation_items r WHERE r.relation_id = mem_relations.id)"
        ).rowcount or 0
        counts["entities"] = conn.execute(
            "DELETE FROM mem_entities WHERE user_edited = 0 AND is_self = 0 AND confirmed = 0 AND merged_into IS NULL"
            " AND NOT EXISTS (SELECT 1 FROM mem_mentions m WHERE m.entity_id = mem_entities.id)"
            " AND NOT EXISTS (SELECT 1 FROM mem_facts f WHERE f.subject = mem_entities.id)"
            " AND NOT EXISTS (SELECT 1 FROM mem_entities o WHERE o.merged_into = mem_entities.id)"
        ).rowcount or 0
        return counts, sorted(set(stale_summaries))

    counts, stale = vault.write(job)
    counts["summaries"] = vault.forget(item_ids=stale) if stale else 0
    return counts


# -- summaries ----------------------------------------------------------------------------------------------------


def _write_summaries(
    vault: Any, llm: Any | None, opts: ConsolidationOptions, report: ConsolidationReport,
    stop: Callable[[], bool], progress: ProgressCallback | None, done: int, total: int,
) -> None:
    from core.memory.episodes import episode_item_ids
    from core.types import Record

    reader = vault.read()
    todo = reader.execute(
        "SELECT id, key, signature, conversation, start_ts, end_ts, title, kind FROM mem_episodes"
        " WHERE summary_signature IS NULL OR summary_signature != signature ORDER BY start_ts"
    ).fetchall()
    grand_total = total + len(todo)
    touched_days: set[str] = set()
    for n, (episode_id, key, signature, conversation, start_ts, end_ts, title, kind) in enumerate(todo):
        if stop():
            report.stopped_early = True
            return
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
        item_id = _ingest_summary(vault, record, opts)
        if item_id is not None:
            vault.write(lambda conn, e=episode_id, s=signature, i=item_id: conn.execute(
                "UPDATE mem_episodes SET summary_signature = ?, summary_item_id = ? WHERE id = ? AND signature = ?",
                (s, i, e, s),
            ))
            report.summaries_written += 1
            report.summaries_by_method[summary.method] = report.summaries_by_method.get(summary.method, 0) + 1
        touched_days.add(datetime.fromtimestamp(start_ts, opts.timezone).date().isoformat())
        if progress is not None:
            progress(done + n + 1, grand_total)
    if opts.day_summaries:
        touched_days |= {r[0] for r in reader.execute("SELECT day FROM mem_days WHERE summary_signature IS NULL")}
        _write_day_summaries(vault, llm, opts, report, stop, touched_days)


def _summary_meta(level: str, summary: Summary, end_ts: float, extra: dict[str, Any]) -> dict[str, Any]:
    return {
        "summary_of": level, "method": summary.method, "source_item_ids": list(summary.source_item_ids),
        "sentence_items": [s.item_id for s in summary.sentences], "keywords": list(summary.keywords),
        "ts_end": end_ts, **extra,
    }


def _ingest_summary(vault: Any, record: Any, opts: ConsolidationOptions) -> int | None:
    from core.store.items import source_key

    report = vault.ingest([record], embed=opts.embed_summaries)
    if report.item_ids:
        return int(report.item_ids[0])
    # unchanged text (a resumed run): the item is already there
    row = vault.read().execute("SELECT id FROM items WHERE source_key = ?", (source_key(record),)).fetchone()
    return int(row[0]) if row else None


def _write_day_summaries(
    vault: Any, llm: Any | None, opts: ConsolidationOptions, report: ConsolidationReport,
    stop: Callable[[], bool], days: set[str],
) -> None:
    import hashlib
    from datetime import date, timedelta

    from core.types import Record

    reader = vault.read()
    for day in sorted(days):
        if stop():
            report.stopped_early = True
            return
        d = date.fromisoformat(day)
        start = datetime(d.year, d.month, d.day, tzinfo=opts.timezone)
        end = start + timedelta(days=1)
        rows = reader.execute(
            "SELECT e.summary_item_id, e.signature FROM mem_episodes e WHERE e.start_ts >= ? AND e.start_ts < ?"
            " AND e.summary_item_id IS NOT NULL ORDER BY e.start_ts",
            (start.timestamp(), end.timestamp()),
        ).fetchall()
        if not rows:
            continue
        signature = hashlib.sha256("|".join(f"{r[0]}:{r[1]}" for r in rows).encode()).hexdigest()[:32]
        known = reader.execute("SELECT summary_signature FROM mem_days WHERE day = ?", (day,)).fetchone()
        if known is not None and known[0] == signature:
            continue
        episode_summaries = load_items(reader, [int(r[0]) for r in rows])
        summary = summarize_day(episode_summaries, llm)
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
        item_id = _ingest_summary(vault, record, opts)
        vault.write(lambda conn, day=day, sig=signature, i=item_id: conn.execute(
            "INSERT INTO mem_days (day, signature, summary_signature, summary_item_id, updated_at) VALUES (?,?,?,?,?)"
            " ON CONFLICT(day) DO UPDATE SET signature = excluded.signature,"
            " summary_signature = excluded.summary_signature, summary_item_id = excluded.summary_item_id,"
            " updated_at = excluded.updated_at", (day, sig, sig, i, time.time()),
        ))
        report.day_summaries_written += 1
