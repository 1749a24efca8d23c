"""Every area's migrations, in the order they were first applied: the store runs them, each area owns its SQL.

Step ``i`` is applied once, when the database's ``user_version`` is ``i``; a
new step goes at the end, never in between (a shipped vault has run the ones
before it).  A data step that needs the vault's key cannot be SQL here: the
file indexer's path keys are re-encoded by ``core.capture.files.path_recode``
when the vault opens, tracked by a fingerprint in ``meta`` rather than by
``user_version`` (it must also run again when the rules or the key change).
"""

from __future__ import annotations

from core.capture.files.schema import MIGRATION_SQL as FILES_SQL
from core.capture.screen.ledger_store import LEDGER_SQL
from core.index.cjk import GUARD_SQL as CJK_GUARD_SQL
from core.index.cjk import MIGRATION_SQL as CJK_SQL
from core.memory.schema import MIGRATION_SQL as MEMORY_SQL
from core.store.facet_columns import MIGRATION_SQL as FACETS_LOG_SQL
from core.store.facets import FACETS_SQL
from core.store.fts_contentless import MIGRATION_SQL as FTS_CONTENTLESS_SQL
from core.store.schema import BASE_SQL, FILTER_INDEXES_SQL, VECTOR_LOG_SQL
from core.store.sync_schema import SYNC_AUTHORED_SQL, SYNC_SQL

MIGRATIONS: tuple[str, ...] = (
    BASE_SQL,
    FILES_SQL,
    MEMORY_SQL,
    FILTER_INDEXES_SQL,
    SYNC_SQL,
    VECTOR_LOG_SQL,
    CJK_SQL,
    SYNC_AUTHORED_SQL,
    LEDGER_SQL,
    FACETS_SQL,
    FTS_CONTENTLESS_SQL,
    CJK_GUARD_SQL,
    FACETS_LOG_SQL,
)
