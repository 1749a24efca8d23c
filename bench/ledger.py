"""``python -m bench.ledger``: what the capture ledger costs over a year, in a real encrypted vault.

Writes ``--days`` days of ``--hours`` hours of daemon time (one row per minute, the mix of states of a
working day: mostly captured, some idle, paused, vetoed, a few errors), as the daemon does (one write
per closed minute batch), then reads one day's coverage as `cairn status` and the timeline do.
"""

from __future__ import annotations

import argparse
import random
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bench.table import print_table

STATES = (("captured", "", 0.85), ("idle", "", 0.08), ("paused", "", 0.04),
          ("excluded", "a private window is in front", 0.025),
          ("error", "capture stalled: no frame and no reason for 61 s; restarted", 0.005))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--hours", type=float, default=10.0)
    args = parser.parse_args()
    from core.capture.screen.ledger import LedgerMinute
    from core.capture.screen.ledger_store import VaultLedgerSink
    from core.paths import VaultPaths
    from core.vault import Vault

    home = Path(tempfile.mkdtemp(prefix="cairn-bench-ledger-")) / "vault"
    vault = Vault.create(VaultPaths(home), "bench", use_keyring=False, embedder=None)

    def size() -> int:
        vault._db.execute_outside_transaction("PRAGMA wal_checkpoint(TRUNCATE)")
        return sum(p.stat().st_size for p in home.glob("vault.db*"))

    rng = random.Random(1)
    start = int(datetime(2025, 1, 1, tzinfo=UTC).timestamp())
    per_day = int(args.hours * 60)
    before = size()
    sink = VaultLedgerSink(vault)
    began = time.perf_counter()
    for day in range(args.days):
        base = start + day * 86400 + 8 * 3600
        rows = []
        for minute in range(per_day):
            state, detail, _ = rng.choices(STATES, weights=[w for *_, w in STATES])[0]
            rows.append(LedgerMinute(base + 60 * minute, state, detail))  # type: ignore[arg-type]
        for batch in range(0, len(rows), 60):  # the daemon writes about a minute at a time; batched by the hour here
            sink.record_minutes(rows[batch:batch + 60])
    write_s = time.perf_counter() - began
    grown = size() - before
    reads = []
    for day in range(0, args.days, max(1, args.days // 12)):
        first = datetime.fromtimestamp(start + day * 86400, UTC)
        t0 = time.perf_counter()
        cover = vault.capture_coverage(first, first + timedelta(days=1))
        reads.append(time.perf_counter() - t0)
    vault.close()
    rows_total = args.days * per_day
    print_table(("figure", "value"), [
        ("ledger rows (minutes)", f"{rows_total:,}"),
        ("database growth", f"{grown / 1e6:.2f} MB ({grown / args.days / 1e3:.1f} kB a day)"),
        ("write time per row", f"{write_s / rows_total * 1e6:.0f} µs"),
        ("one day's coverage read", f"{sorted(reads)[len(reads) // 2] * 1e3:.1f} ms (median)"),
        ("a day, as status says it", cover.summary()),
    ])


if __name__ == "__main__":
    main()
