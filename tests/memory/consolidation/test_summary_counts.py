"""A busy group chat gets summaries for its real conversations only: never more summaries than episodes."""

from __future__ import annotations

from core.memory.consolidation.consolidate import consolidate
from core.memory.consolidation.types import ConsolidationOptions
from tests.memory.helpers import at, chat


def _group() -> list:
    records = []
    # day 0: a real conversation (5 messages) and, hours later, a lone "thanks"
    for n in range(5):
        records.append(chat(f"a{n}", f"Shall we move the harbour walk to Sunday? point {n}", "Ann", at(minutes=n)))
    records.append(chat("b0", "thanks!", "Ben", at(minutes=360)))
    # day 1: two short exchanges hours apart, then a longer one
    records.append(chat("c0", "ok", "Ann", at(days=1)))
    records.append(chat("d0", "see you", "Ben", at(minutes=180, days=1)))
    records.append(chat("d1", "bye", "Ann", at(minutes=181, days=1)))
    for n in range(4):
        records.append(chat(f"e{n}", f"The ferry leaves at nine from pier {n}", "Cem", at(minutes=480 + n, days=1)))
    # day 2: one message only
    records.append(chat("f0", "anyone up for a swim?", "Dana", at(days=2)))
    return records


def test_small_episodes_get_no_summary_and_summaries_never_outnumber_episodes(lexical_vault) -> None:
    lexical_vault.ingest(_group(), embed=False)
    report = consolidate(lexical_vault, options=ConsolidationOptions(phone_region="GB"))
    conn = lexical_vault.read()
    sizes = sorted(r[0] for r in conn.execute("SELECT item_count FROM mem_episodes"))
    assert sizes == [1, 1, 1, 2, 4, 5]
    summarised = conn.execute("SELECT count(*) FROM mem_episodes WHERE summary_item_id IS NOT NULL").fetchone()[0]
    assert summarised == 2 == report.summaries_written  # the 5- and 4-message conversations
    days = conn.execute("SELECT count(*) FROM items WHERE external_id LIKE 'day:%'").fetchone()[0]
    assert days == 2  # days 0 and 1 have two or more episodes; day 2 has one
    assert report.summaries_written + days <= len(sizes)
    again = consolidate(lexical_vault, options=ConsolidationOptions(phone_region="GB"))
    assert again.summaries_written == 0 and again.day_summaries_written == 0  # small episodes are settled, not redone
