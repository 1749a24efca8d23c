"""The memory layer's tables: one step of ``core.schema.MIGRATIONS``.

Every table is prefixed ``mem_``.  Rows that point at a memory (an item) use
``ON DELETE CASCADE``, so ``Vault.forget`` removes what was derived from the
forgotten items with them; what is left without evidence (facts, episodes,
summaries) is pruned by the next consolidation (``pruning.prune``).

Times are UTC epoch seconds (REAL), like the items table.
"""

from __future__ import annotations

MIGRATION_SQL = """
-- Episodes: chat sessions, screen activity blocks, file work sessions.
CREATE TABLE IF NOT EXISTS mem_episodes (
    id INTEGER PRIMARY KEY,
    key TEXT NOT NULL UNIQUE,           -- stream + first item id: stable while the episode only grows
    kind TEXT NOT NULL,                 -- 'chat' | 'screen' | 'files' | 'other'
    stream TEXT NOT NULL,               -- what was segmented: 'chat:whatsapp|<conversation>', 'screen', 'file'
    conversation TEXT,
    start_ts REAL NOT NULL,
    end_ts REAL NOT NULL,
    title TEXT NOT NULL DEFAULT '',
    participants TEXT NOT NULL DEFAULT '[]',  -- JSON list
    apps TEXT NOT NULL DEFAULT '[]',          -- JSON list
    item_count INTEGER NOT NULL DEFAULT 0,
    signature TEXT NOT NULL,            -- hash of the member item ids and hashes: changes mean "summarise again"
    summary_signature TEXT,             -- the signature the current summary was made from
    summary_item_id INTEGER REFERENCES items(id) ON DELETE SET NULL,
    created_at REAL NOT NULL,
    updated_at REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS mem_episodes_stream ON mem_episodes(stream, start_ts);
CREATE INDEX IF NOT EXISTS mem_episodes_time ON mem_episodes(start_ts);
CREATE INDEX IF NOT EXISTS mem_episodes_summary ON mem_episodes(summary_item_id);

CREATE TABLE IF NOT EXISTS mem_episode_items (
    episode_id INTEGER NOT NULL REFERENCES mem_episodes(id) ON DELETE CASCADE,
    item_id INTEGER NOT NULL REFERENCES items(id) ON DELETE CASCADE,
    PRIMARY KEY (episode_id, item_id)
) WITHOUT ROWID;
CREATE UNIQUE INDEX IF NOT EXISTS mem_episode_items_item ON mem_episode_items(item_id);

-- Day summaries (recursive: made from the day's episode summaries).
CREATE TABLE IF NOT EXISTS mem_days (
    day TEXT PRIMARY KEY,               -- 'YYYY-MM-DD' in the consolidation's time zone
    signature TEXT NOT NULL,
    summary_signature TEXT,
    summary_item_id INTEGER REFERENCES items(id) ON DELETE SET NULL,
    updated_at REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS mem_days_summary ON mem_days(summary_item_id);

-- Entities: people, organisations, places, projects, topics, apps, files.
CREATE TABLE IF NOT EXISTS mem_entities (
    id INTEGER PRIMARY KEY,
    kind TEXT NOT NULL,
    name TEXT NOT NULL,
    merged_into INTEGER REFERENCES mem_entities(id) ON DELETE SET NULL,
    is_self INTEGER NOT NULL DEFAULT 0,
    confirmed INTEGER NOT NULL DEFAULT 0,
    user_edited INTEGER NOT NULL DEFAULT 0,
    deleted INTEGER NOT NULL DEFAULT 0,
    first_ts REAL,
    last_ts REAL,
    mention_count INTEGER NOT NULL DEFAULT 0,
    meta TEXT NOT NULL DEFAULT '{}',
    created_at REAL NOT NULL,
    updated_at REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS mem_entities_kind ON mem_entities(kind, name);

-- Every way an entity is named: display names, emails, phones, handles.
CREATE TABLE IF NOT EXISTS mem_aliases (
    entity_id INTEGER NOT NULL REFERENCES mem_entities(id) ON DELETE CASCADE,
    alias_kind TEXT NOT NULL,           -- 'name' | 'email' | 'phone' | 'handle' | 'url' | 'path'
    value TEXT NOT NULL,
    norm TEXT NOT NULL,
    PRIMARY KEY (alias_kind, norm, entity_id)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS mem_aliases_entity ON mem_aliases(entity_id);

-- Entity <-> memory edges.
CREATE TABLE IF NOT EXISTS mem_mentions (
    entity_id INTEGER NOT NULL REFERENCES mem_entities(id) ON DELETE CASCADE,
    item_id INTEGER NOT NULL REFERENCES items(id) ON DELETE CASCADE,
    ts REAL NOT NULL,
    role TEXT NOT NULL,                 -- 'speaker' | 'mention' | 'participant' | 'app' | 'file'
    start INTEGER NOT NULL DEFAULT -1,
    end INTEGER NOT NULL DEFAULT -1,
    PRIMARY KEY (entity_id, item_id, role, start)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS mem_mentions_item ON mem_mentions(item_id);

-- Entity <-> entity relations with time; evidence in mem_relation_items.
CREATE TABLE IF NOT EXISTS mem_relations (
    id INTEGER PRIMARY KEY,
    src INTEGER NOT NULL REFERENCES mem_entities(id) ON DELETE CASCADE,
    dst INTEGER NOT NULL REFERENCES mem_entities(id) ON DELETE CASCADE,
    rel TEXT NOT NULL,                  -- 'co_occurs' or a typed relation ('works_at', 'lives_in', ...)
    weight REAL NOT NULL DEFAULT 0,
    first_ts REAL NOT NULL,
    last_ts REAL NOT NULL,
    UNIQUE (src, dst, rel)
);
CREATE INDEX IF NOT EXISTS mem_relations_dst ON mem_relations(dst);

CREATE TABLE IF NOT EXISTS mem_relation_items (
    relation_id INTEGER NOT NULL REFERENCES mem_relations(id) ON DELETE CASCADE,
    item_id INTEGER NOT NULL REFERENCES items(id) ON DELETE CASCADE,
    PRIMARY KEY (relation_id, item_id)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS mem_relation_items_item ON mem_relation_items(item_id);

-- Merge proposals the user confirms or rejects.
CREATE TABLE IF NOT EXISTS mem_merge_proposals (
    a INTEGER NOT NULL REFERENCES mem_entities(id) ON DELETE CASCADE,
    b INTEGER NOT NULL REFERENCES mem_entities(id) ON DELETE CASCADE,
    score REAL NOT NULL,
    reason TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'pending',   -- 'pending' | 'accepted' | 'rejected'
    created_at REAL NOT NULL,
    PRIMARY KEY (a, b)
) WITHOUT ROWID;

-- Bi-temporal facts: valid time (valid_from/valid_to) and record time (recorded_at/expired_at).
CREATE TABLE IF NOT EXISTS mem_facts (
    id INTEGER PRIMARY KEY,
    subject INTEGER NOT NULL REFERENCES mem_entities(id) ON DELETE CASCADE,
    predicate TEXT NOT NULL,
    value TEXT NOT NULL,
    norm TEXT NOT NULL,
    valid_from REAL,
    valid_to REAL,
    recorded_at REAL NOT NULL,
    expired_at REAL,                    -- when Cairn stopped holding it (user rejected/deleted/edited)
    status TEXT NOT NULL DEFAULT 'active',   -- 'active' | 'superseded' | 'rejected' | 'deleted'
    superseded_by INTEGER REFERENCES mem_facts(id) ON DELETE SET NULL,
    confidence REAL NOT NULL,
    confirmed INTEGER NOT NULL DEFAULT 0,
    origin TEXT NOT NULL,               -- 'pattern' | 'label' | 'model' | 'user'
    sensitive INTEGER NOT NULL DEFAULT 0,
    meta TEXT NOT NULL DEFAULT '{}'
);
CREATE INDEX IF NOT EXISTS mem_facts_subject ON mem_facts(subject, predicate, status);

CREATE TABLE IF NOT EXISTS mem_fact_sources (
    fact_id INTEGER NOT NULL REFERENCES mem_facts(id) ON DELETE CASCADE,
    item_id INTEGER NOT NULL REFERENCES items(id) ON DELETE CASCADE,
    observed_at REAL NOT NULL,
    quote TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (fact_id, item_id)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS mem_fact_sources_item ON mem_fact_sources(item_id);

-- User decisions later extraction must respect (a rejected value is never re-proposed).
CREATE TABLE IF NOT EXISTS mem_user_edits (
    id INTEGER PRIMARY KEY,
    action TEXT NOT NULL,               -- 'reject_fact' | 'delete_entity' | 'merge' | 'reject_merge' | ...
    target TEXT NOT NULL,               -- a stable key: 'fact:<subject>|<predicate>|<norm>', 'entity:<kind>|<norm>'
    detail TEXT NOT NULL DEFAULT '{}',
    created_at REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS mem_user_edits_target ON mem_user_edits(action, target);

-- Resumable consolidation: which item versions are done, and job cursors.
CREATE TABLE IF NOT EXISTS mem_consolidated (
    item_id INTEGER PRIMARY KEY REFERENCES items(id) ON DELETE CASCADE,
    content_hash TEXT NOT NULL,
    done_at REAL NOT NULL
);

CREATE TABLE IF NOT EXISTS mem_jobs (
    job TEXT PRIMARY KEY,
    state TEXT NOT NULL DEFAULT '{}',
    updated_at REAL NOT NULL
);
"""
