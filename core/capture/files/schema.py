"""Schema additions for watched files (one step of ``core.schema.MIGRATIONS``).

The indexer looks up ledger entries by content hash to recognise a file
that moved (``FileSink.ledger_find``); without this index each lookup
scans the whole ledger.
"""

from __future__ import annotations

MIGRATION_SQL = """
CREATE INDEX IF NOT EXISTS ingest_ledger_content_hash ON ingest_ledger(content_hash)
    WHERE content_hash IS NOT NULL;
"""
