"""Consolidation: raw captures become episodes, entities, facts, relations and summaries.

``consolidate(store, progress)`` is the resumable, idempotent job behind
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

Where the pieces live: ``types`` (options, report), ``state`` (pending
items, job state), ``batch`` and ``item`` (step 2), ``knowledge.relations``,
``pruning`` (step 1) and ``summary_writer`` (step 3).  This module runs them
in order.

Threads: call from a worker thread (it blocks on the vault's writer and on
the model).  ``should_stop()`` is checked between batches/summaries, so the
daemon can yield to the user; the next call resumes.  Errors: a failing item
is recorded and skipped (never fatal); store errors propagate.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from core.errors import DiskFull

# imported under its old private name: the driver looks it up here, so tests can patch ``_process_batch``
from core.memory.consolidation.batch import process_batch as _process_batch
from core.memory.consolidation.extraction_text import ExtractionText
from core.memory.consolidation.pruning import prune
from core.memory.consolidation.state import pending_item_ids, save_job_state
from core.memory.consolidation.summary_writer import write_summaries
from core.memory.consolidation.types import (
    ConsolidationOptions,
    ConsolidationReport,
    ProgressCallback,
    default_phone_region,
    options_from_settings,
)
from core.memory.extraction.fact_model import model_facts
from core.memory.extraction.fact_patterns import FIRST_PERSON_CUE
from core.memory.extraction.scan import extract
from core.memory.extraction.types import FactCandidate
from core.memory.items import load_items
from core.memory.knowledge import entities as ents
from core.memory.knowledge.aliases import merge_first_names
from core.ports import ConsolidationStore
from core.store.disk_full import is_disk_full


def consolidate(
    store: ConsolidationStore,
    progress: ProgressCallback | None = None,
    *,
    llm: Any | None = None,
    options: ConsolidationOptions | None = None,
    should_stop: Callable[[], bool] | None = None,
) -> ConsolidationReport:
    """Run (or resume) consolidation over everything not yet consolidated.  See the module doc.

    A full disk raises ``DiskFull`` saying how many memories were consolidated (they stay; the next run
    resumes with the rest)."""
    opts = options or options_from_settings(store.settings())
    if opts.phone_region is None:
        opts.phone_region = default_phone_region()
    report = ConsolidationReport()
    pending: list[int] = []
    try:
        return _consolidate(store, progress, llm, opts, should_stop or (lambda: False), report, pending)
    except Exception as exc:
        if not (isinstance(exc, DiskFull) or is_disk_full(exc)):
            raise
        cause = exc.__cause__ if isinstance(exc, DiskFull) else exc
        raise DiskFull(report.items_processed, len(pending) or None, "memories", verb="consolidated") from cause


def _consolidate(store: ConsolidationStore, progress: ProgressCallback | None, llm: Any | None,
                 opts: ConsolidationOptions, stop: Callable[[], bool], report: ConsolidationReport,
                 pending: list[int]) -> ConsolidationReport:
    """``consolidate``'s work; ``report`` and ``pending`` (the items to do) fill as it goes."""
    report.pruned = prune(store)

    reader = store.read()
    pending.extend(pending_item_ids(reader))
    total = len(pending)
    done = 0
    new_people: set[int] = set()
    model_budget = opts.model_fact_budget if llm is not None else 0
    texts = ExtractionText(reader)
    save_job_state(store, {"phase": "items", "pending": total, "started_at": time.time()})
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
                text = texts(it)
                if FIRST_PERSON_CUE.search(text) and not extract(text, phone_region=opts.phone_region).facts:
                    model_budget -= 1
                    proposed[it.id] = model_facts(
                        text, _grammar_complete(llm), reference=datetime.fromtimestamp(it.ts, UTC),
                        phone_region=opts.phone_region,
                    )
        outcome = store.write(lambda conn, items=items, proposed=proposed: _process_batch(conn, items, proposed, opts, texts,
                                                                                        texts.names()))
        report.items_processed += len(items) - len(outcome.failed)
        report.items_failed.extend(outcome.failed)
        report.facts_observed += outcome.facts
        report.episodes_changed += outcome.episodes_changed
        new_people |= outcome.new_people
        if outcome.removed_summary_items:
            store.forget(item_ids=outcome.removed_summary_items)
        done += len(batch)
        if progress is not None:
            progress(done, total)
    report.remaining = total - done
    if done:  # not only after new people: a run resumed after a kill meets the people the lost run made
        report.auto_merged = len(store.write(merge_first_names))
    if new_people:
        report.merge_proposals = len(store.write(lambda conn: ents.propose_merges(conn, sorted(new_people))))
    if opts.summaries and not report.stopped_early:
        write_summaries(store, llm, opts, report, stop, progress, done, total)
    save_job_state(store, {"phase": "idle", "finished_at": time.time(), "remaining": report.remaining,
                           "stopped_early": report.stopped_early})
    return report


def _grammar_complete(llm: Any) -> Callable[[str, str], str]:
    from core.llm.backend import Grammar

    def complete(prompt: str, gbnf: str) -> str:
        return str(llm.complete(prompt, grammar=Grammar(gbnf=gbnf, name="facts"), max_tokens=160, temperature=0.0))

    return complete
