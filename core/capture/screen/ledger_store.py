"""The capture ledger in the vault: one encrypted row per minute (``capture_minutes``), written and read back.

The table lives in the SQLCipher database (``LEDGER_SQL`` is one step of
``core.schema.MIGRATIONS``), so the ledger is encrypted like every memory.
A minute written twice (a daemon restarted within it) keeps "captured" if
either write said so, else the later reason.

Threads: ``VaultLedgerSink.record_minutes`` runs on the daemon's supervisor
and goes through the vault's single writer; ``read_spans`` on any reader.
Errors: database errors propagate (the daemon reports them, capture goes on).
"""

from __future__ import annotations

from collections.abc import Sequence

from core.capture.screen.ledger import LedgerMinute, LedgerSpan, minute_of, spans
from core.ports import Connection, Reader, Writer

LEDGER_SQL = """
CREATE TABLE IF NOT EXISTS capture_minutes (
    minute INTEGER PRIMARY KEY,
    state TEXT NOT NULL,
    detail TEXT NOT NULL DEFAULT ''
) WITHOUT ROWID;
"""

_UPSERT = (
    "INSERT INTO capture_minutes (minute, state, detail) VALUES (?, ?, ?)"
    " ON CONFLICT(minute) DO UPDATE SET state = excluded.state, detail = excluded.detail"
    " WHERE capture_minutes.state != 'captured'"
)


class VaultLedgerSink:
    """``LedgerSink`` on the vault's writer."""

    def __init__(self, store: Writer) -> None:
        self._store = store

    def record_minutes(self, minutes: Sequence[LedgerMinute]) -> None:
        if not minutes:
            return
        rows = [(m.minute, m.state, m.detail) for m in minutes]

        def write(conn: Connection) -> None:
            conn.executemany(_UPSERT, rows)

        self._store.write(write)


def read_minutes(reader: Reader, start: float, end: float) -> list[LedgerMinute]:
    rows = reader.read().execute(
        "SELECT minute, state, detail FROM capture_minutes WHERE minute >= ? AND minute < ? ORDER BY minute",
        (minute_of(start), end)).fetchall()
    return [LedgerMinute(int(r[0]), r[1], r[2] or "") for r in rows]


def read_spans(reader: Reader, start: float, end: float) -> list[LedgerSpan]:
    """The ledger over ``[start, end)`` as spans (minutes never recorded are ``off``); ``end`` rounds down."""
    first, last = minute_of(start), minute_of(end)
    return spans(read_minutes(reader, first, last), first, last) if last > first else []


def drop_before(writer: Writer, before: float) -> int:
    """Forget ledger minutes older than ``before`` (retention); how many went."""
    cutoff = minute_of(before)
    return int(writer.write(lambda conn: conn.execute(
        "DELETE FROM capture_minutes WHERE minute < ?", (cutoff,)).rowcount))

