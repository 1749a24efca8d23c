"""Cost of consolidation on a large group chat: import with it versus without it, and what it produces.

    .venv/bin/python -m bench.consolidation [--messages 5000] [--no-embed]

A Telegram group export (``result.json``) of ``--messages`` messages is
generated: a dozen members, conversations in bursts (a few to a few hundred
messages, seconds to minutes apart) separated by quiet hours or days, over
about two years — the shape of a real hobby or family group; one message in
five is a stock reply ("ok", "thanks!") identical to others, the rest carry
details (names, times, numbers) as real messages do, so that the baseline
embeds about as many distinct texts as a real chat (vectors are computed once
per distinct text).  It is imported
twice into fresh encrypted vaults exactly as ``cairn import`` does (embedding
on unless ``--no-embed``): once without consolidation, once followed by
``vault.consolidate(embed_summaries=False)`` as ``cairn import`` runs it
(episodes, entities, facts, extractive summaries; the summaries' vectors are
computed when the machine is idle, timed on their own row).  The table gives both times, the ratio (target ≤ 2×), and the
counts of episodes, episode summaries and day summaries (target: summaries ≤
episodes).  Never run in CI.
"""

from __future__ import annotations

import argparse
import json
import random
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from bench.table import print_table

_MEMBERS = ("Ana", "Ben", "Chidi", "Dana", "Emil", "Fatima", "Goran", "Hana", "Ivo", "Jun", "Kemal", "Lea")
_TOPICS = (
    "the harbour walk on Sunday", "the budget for the club dinner", "who brings the thermos", "the new route past the "
    "lighthouse", "rain tomorrow", "the ferry timetable", "photos from last week", "the membership fees", "the map "
    "of the old dock", "a birthday present for Lea", "the committee vote", "parking near the station",
)
_LINES = (
    "I think {t} needs a decision today", "did anyone check {t}?", "ok, I'll look into {t}", "sounds good to me",
    "can we move {t} to next week", "here is what I found about {t}", "thanks!", "I can't make it, sorry",
    "count me in", "let's talk about {t} at the meeting", "any news on {t}?", "great idea",
)
_STOCK = ("ok", "thanks!", "👍", "count me in", "sounds good to me", "haha", "see you there")
_TAILS = (
    "{who} said {n} people are coming", "I can be there by {h}:{m:02d}", "it was {n} euros last time",
    "{who} has the keys until {day}", "the forecast says {n} mm of rain on {day}", "bus {n} leaves at {h}:{m:02d}",
    "{who} will bring {n} chairs", "meet at gate {n}, {day} at {h}", "I sent {who} the link on {day}",
)
_DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


def _message(rng: random.Random, topic: str) -> str:
    """A stock reply now and then (byte-identical across the chat, as in real ones), else a line with details."""
    if rng.random() < 0.2:
        return rng.choice(_STOCK)
    tail = rng.choice(_TAILS).format(who=rng.choice(_MEMBERS), n=rng.randint(2, 99), h=rng.randint(7, 21),
                                     m=rng.randint(0, 59), day=rng.choice(_DAYS))
    return f"{rng.choice(_LINES).format(t=topic)}; {tail}"


def build_group(path: Path, messages: int, seed: int = 7) -> Path:
    rng = random.Random(seed)
    when = datetime(2023, 1, 5, 18, 0, tzinfo=UTC)
    out: list[dict[str, Any]] = []
    n = 0
    while n < messages:
        # many one- or two-message exchanges ("ok", "thanks"), some long threads: a heavy-tailed burst size
        burst = min(messages - n, int(rng.paretovariate(1.1)))
        topic = rng.choice(_TOPICS)
        for _ in range(max(1, burst)):
            when += timedelta(seconds=rng.randint(5, 600))
            speaker = rng.choice(_MEMBERS)
            n += 1
            out.append({"id": n, "type": "message", "date": when.replace(tzinfo=None).isoformat(),
                        "date_unixtime": str(int(when.timestamp())), "from": speaker, "from_id": f"user{speaker}",
                        "text": _message(rng, topic)})
        when += timedelta(hours=rng.choice([2, 5, 14, 20, 30, 50]))
    path.mkdir(parents=True, exist_ok=True)
    target = path / "result.json"
    target.write_text(json.dumps({"name": "Harbour walkers", "type": "private_supergroup", "id": 5475,
                                  "messages": out}), encoding="utf-8")
    return target


def _import(export: Path, home: Path, consolidate: bool, embed: bool) -> dict[str, Any]:
    from core.capture.chats.reader import ImportOptions
    from core.paths import VaultPaths
    from core.vault import Vault

    vault = Vault.create(VaultPaths(home), "bench", use_keyring=False, embedder="default" if embed else None)
    try:
        t = time.perf_counter()
        report = vault.import_path(export, options=ImportOptions(timezone="UTC"), embed=embed)
        imported = time.perf_counter() - t
        figures: dict[str, Any] = {"imported": report.imported, "import_s": imported}
        if consolidate:
            t = time.perf_counter()
            vault.consolidate(embed_summaries=False)  # as `cairn import` does
            figures["consolidate_s"] = time.perf_counter() - t
            t = time.perf_counter()
            vault.embed_pending()  # the summaries' vectors, which the capture host computes when idle
            figures["deferred_s"] = time.perf_counter() - t
            reader = vault.read()
            figures["episodes"] = reader.execute("SELECT count(*) FROM mem_episodes").fetchone()[0]
            figures["episode_summaries"] = reader.execute(
                "SELECT count(*) FROM items WHERE kind = 'summary' AND external_id LIKE 'episode:%'").fetchone()[0]
            figures["day_summaries"] = reader.execute(
                "SELECT count(*) FROM items WHERE kind = 'summary' AND external_id LIKE 'day:%'").fetchone()[0]
        return figures
    finally:
        vault.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=5000)
    parser.add_argument("--no-embed", action="store_true", help="import without vectors (faster, lexical only)")
    args = parser.parse_args()
    embed = not args.no_embed
    with tempfile.TemporaryDirectory(prefix="cairn-bench-consolidation-") as tmp:
        export = build_group(Path(tmp) / "export", args.messages)
        # untimed warm-up: the first vault pays for reading the model files from disk, which would favour the second
        _import(build_group(Path(tmp) / "warm-up", 50), Path(tmp) / "warm", consolidate=False, embed=embed)
        plain = _import(export, Path(tmp) / "plain", consolidate=False, embed=embed)
        full = _import(export, Path(tmp) / "full", consolidate=True, embed=embed)
    with_consolidation = full["import_s"] + full["consolidate_s"]
    ratio = with_consolidation / plain["import_s"]
    summaries = full["episode_summaries"] + full["day_summaries"]
    rows = [
        ("messages imported", f"{plain['imported']:,}", f"embedding {'on' if embed else 'off'}"),
        ("import without consolidation", f"{plain['import_s']:.1f} s", "baseline"),
        ("import + consolidation", f"{with_consolidation:.1f} s",
         f"import {full['import_s']:.1f} s + consolidate {full['consolidate_s']:.1f} s"),
        ("cost ratio", f"{ratio:.2f}x", "target <= 2x"),
        ("summary vectors, deferred to idle", f"{full['deferred_s']:.1f} s",
         f"with them: {(with_consolidation + full['deferred_s']) / plain['import_s']:.2f}x"),
        ("episodes", f"{full['episodes']:,}", ""),
        ("summaries (episode + day)", f"{summaries:,}",
         f"{full['episode_summaries']:,} + {full['day_summaries']:,}; target <= episodes"),
    ]
    print_table(("measure", "result", "detail"), rows)


if __name__ == "__main__":
    main()
