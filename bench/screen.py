"""Screen-capture cost, replayed faster than real time: both scripted sessions side by side, today's pipeline as the baseline.

    .venv/bin/python -m bench.screen [--scale 1.0] [--sessions scripted,mixed] [--legibility 8]

Each session (``bench.screen_script``: the 10-minute scripted one and the
60-minute mixed one) is replayed on a simulated clock through the real
``ScreenDaemon`` (its capture tick, change detection, privacy veto, idle rule,
``FrameProcessor`` with real tesseract, redaction, encoding) into a real
encrypted vault, once per configuration:

- ``today``: the pipeline as it was before issue 16 (``DaemonConfig.baseline()``):
  every stored frame a whole-frame WebP.
- ``new``: today's defaults (keyframes plus changed regions, and the OCR levers).

How CPU % is computed: the process CPU time (user + system, this process and
its children, i.e. tesseract in either backend) spent inside the daemon's
``capture_once`` + ``process_pending`` calls, divided by the simulated session
length.  Drawing the synthetic frames and turning them into the grab's pixel
layout are outside the measured calls, and so is the screen grab itself (mss,
~10-15 ms per 1080p grab, shared/models.md; the daemon takes its bytes as they
are).  ``bench.screen_live`` measures the whole daemon process on Xvfb in real
time, grabs included (its capture thread: ~0.4 % of a core on the scripted session).
OCR runs synchronously on each tick, so "OCR backlog" is the largest OCR work
of one tick in seconds (a backlog forms in the real daemon only when it exceeds
the capture interval).  Storage is media files + database after the session,
per simulated hour.  Legibility: OCR of the stored frame as the timeline
decodes it, over OCR of the original frame (word multiset), on ``--legibility``
stored frames (default 30) evenly spread over the session.  Needs tesseract; ``../shared`` adds real
screenshots to the mixed session.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from bench.screen_script import HEIGHT, WIDTH, Session, ShotApp, mixed_session, scripted_session
from bench.table import print_table

PASSPHRASE = "bench screen replay"
START = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)


@dataclass
class Replay:
    """The platform edges the daemon asks, answered from a ``Session`` (grabber, windows, idle)."""

    session: Session
    name: str = "replay"
    pixels: Any = None
    originals: dict[int, Any] = field(default_factory=dict)  # grab number -> image, for legibility
    keep_every: int = 0
    grabs: int = 0

    # Grabber
    @property
    def monitors(self) -> list[Any]:
        from core.capture.screen.grab import Monitor

        return [Monitor(1, 0, 0, WIDTH, HEIGHT)]

    def grab(self) -> list[Any]:
        from core.capture.screen.grab import Frame

        self.grabs += 1
        return [Frame(self.monitors[0], self.pixels, START + timedelta(seconds=self.session.now))]

    # WindowInfo
    def available(self) -> bool:
        return True

    @property
    def unavailable_reason(self) -> str | None:
        return None

    def visible_windows(self) -> list[Any]:
        from core.capture.screen.window import VisibleWindow

        front = self.session.current
        others = [a for a in self.session.apps if a is not front]
        return [VisibleWindow(a.window_id, a.app, a.title, 0, 0, WIDTH, HEIGHT, focused=a is front)
                for a in (*others, front)]

    def active_window(self) -> Any:
        return self.visible_windows()[-1]

    # IdleSource
    def input_idle_seconds(self) -> float | None:
        return self.session.idle_seconds()

    def screen_locked(self) -> bool | None:
        return False

    def close(self) -> None:
        return None


def _cpu() -> float:
    t = os.times()
    return t.user + t.system + t.children_user + t.children_system


def replay(session: Session, config_name: str, home: Path, interval: float, legibility: int) -> dict[str, Any]:
    from core.capture.screen.daemon import ScreenDaemon
    from core.capture.screen.daemon_config import DaemonConfig
    from core.capture.screen.grab import image_to_pixels
    from core.capture.screen.sink import VaultFrameSink
    from core.paths import VaultPaths
    from core.vault import Vault

    paths = VaultPaths(home)
    Vault.create(paths, PASSPHRASE, use_keyring=False, embedder=None).close()
    empty_db = _db_bytes(paths)  # an empty vault's own size is not a cost per hour
    vault = Vault.open(paths, PASSPHRASE, embedder=None)
    # OCR's time limit is wall-clock: on a loaded machine a whole 1080p frame can take longer than the default 30 s.
    base = DaemonConfig(interval_s=interval, runtime_dir=paths.runtime_dir, switch_settle_s=0.0, ocr_timeout_s=600.0)
    config = base.baseline() if config_name == "today" else base
    if ":" in config_name:  # "new:busy_window_gap_s=12" weighs one setting against the defaults
        key, value = config_name.split(":", 1)[1].split("=")
        kind = type(getattr(config, key))  # bool("false") is True: read booleans by name
        config = replace(config, **{key: (value.lower() in ("1", "true", "yes")) if kind is bool else kind(value)})
    source = Replay(session)
    daemon = ScreenDaemon(VaultFrameSink(vault), config, grabber_factory=lambda: source,
                          window_info_factory=lambda: source, idle_factory=lambda: source,
                          clock=lambda: session.now)
    ticks = int(session.duration_s // interval)
    cpu_total, worst_tick, peak_rss = 0.0, 0.0, 0
    originals: dict[datetime, bytes] = {}  # every stored frame's original, PNG (outside the measured calls)
    stored = 0
    grabbed: set[str] = set()  # drawn words on screen at a grab (a line shown between two grabs is not)
    for tick in range(ticks):
        session.run_until(tick * interval)
        if not isinstance(session.current, ShotApp):
            grabbed.update(session.current.shown_words())
        image = session.current.image()
        source.pixels = image_to_pixels(image)
        started = _cpu()
        daemon.capture_once()
        daemon.process_pending()
        spent = _cpu() - started
        cpu_total += spent
        worst_tick = max(worst_tick, spent)
        if legibility and (now_stored := daemon.health.snapshot().frames_stored) > stored:
            stored = now_stored
            originals[START + timedelta(seconds=session.now)] = _png(image)
    daemon.close_sync()
    peak_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    health = daemon.snapshot().to_dict()
    vault.close()
    return _evaluate(paths, session, grabbed, health, cpu_total, worst_tick, peak_rss, _spread(originals, legibility),
                     empty_db)


def _png(image: Any) -> bytes:
    import io

    buffer = io.BytesIO()
    image.save(buffer, format="PNG", compress_level=1)
    return buffer.getvalue()


def _spread(originals: dict[datetime, bytes], count: int) -> dict[datetime, bytes]:
    """``count`` of the stored frames' originals, evenly spread over the session (all of them when fewer)."""
    keys = sorted(originals)
    if len(keys) <= count:
        return originals
    return {keys[round(i * (len(keys) - 1) / max(1, count - 1))]: originals[keys[round(i * (len(keys) - 1) /
                                                                                         max(1, count - 1))]]
            for i in range(count)}


def _db_bytes(paths: Any) -> int:
    return sum(p.stat().st_size for p in paths.home.glob("vault.db*") if p.is_file())


def _evaluate(paths: Any, session: Session, grabbed: set[str], health: dict[str, Any], cpu: float, worst_tick: float,
              peak_rss: int, originals: dict[datetime, bytes], empty_db: int) -> dict[str, Any]:
    from core.normalize.ocr import TesseractOcr, normalise_word
    from core.retrieve.types import SearchRequest
    from core.vault import Vault

    shown = {w for w in map(normalise_word, session.shown) if w}
    shot_words = {w for w in map(normalise_word, session.shown_in_screenshots) if w}
    at_grab = {w for w in map(normalise_word, grabbed) if w}
    vault = Vault.open(paths, PASSPHRASE, embedder=None)
    try:
        rows = vault.read().execute("SELECT text, ts, meta FROM items WHERE source = 'screen' ORDER BY ts").fetchall()
        stored = {normalise_word(w) for row in rows for w in str(row[0]).split()}
        in_text = len(shown & stored) / max(1, len(shown))
        sample = sorted(shown)
        random.Random(1).shuffle(sample)
        sample = [w for w in sample if w.isalnum()][:150]
        missed = [w for w in sample if not vault.search(SearchRequest(w, k=1, parse_time=False)).hits]
        found = len(sample) - len(missed)
        legible = _legibility(vault, rows, originals, TesseractOcr(backend="library"))
        media_bytes = sum(p.stat().st_size for p in paths.media_dir.rglob("*") if p.is_file())
        by_kind = dict(vault.read().execute("SELECT kind, SUM(bytes) FROM media GROUP BY kind").fetchall())
        words_bytes = sum(_words_bytes(json.loads(row[2])) for row in rows)
    finally:
        vault.close()
    db_bytes = _db_bytes(paths) - empty_db
    hours = session.duration_s / 3600
    return {
        "session minutes (simulated)": round(session.duration_s / 60, 1),
        "CPU % of one core": round(100 * cpu / session.duration_s, 2),
        "peak RSS MB (whole bench process)": round(peak_rss / 2**20),
        "frames seen": health["frames_seen"],
        "frames OCR'd": health["frames_ocr"],
        "frames stored": health["frames_stored"],
        "OCR seconds total (wall, in-process)": round(health["ocr_seconds_total"], 1),
        "OCR backlog (max CPU-s of one tick)": round(worst_tick, 2),
        "frames skipped (reason: count)": ", ".join(f"{k}: {v}" for k, v in sorted(health["skipped"].items()) if v),
        "distinct words shown (drawn text)": len(shown),
        "shown words stored": f"{in_text:.3f}",
        "real screenshots' words stored (OCR ceiling ~0.92)": f"{len(shot_words & stored) / len(shot_words):.3f}"
        if shot_words else "n/a",
        "shown words found (sample)": f"{found / max(1, len(sample)):.3f}",
        "shown words stored, of those on screen at a grab": f"{len(shown & at_grab & stored) / max(1, len(shown & at_grab)):.3f}",
        "sampled words not found": " ".join(
            f"{w} ({'stored' if w in stored else 'not stored'}{'' if w in at_grab else ', never on screen at a grab'})"
            for w in missed) or "-",
        "media MB (frames / thumbnails)": f"{media_bytes / 2**20:.2f} ({by_kind.get('screenshot', 0) / 2**20:.2f} / "
                                          f"{by_kind.get('thumbnail', 0) / 2**20:.2f})",
        "database MB (growth; of it OCR word boxes)": f"{db_bytes / 2**20:.2f} ({words_bytes / 2**20:.2f})",
        "storage MB/hour": round((media_bytes + db_bytes) / 2**20 / hours, 1),
        "legibility (stored/original OCR words)": legible,
    }


def _words_bytes(meta: dict[str, Any]) -> int:
    """Bytes of a screen item's OCR word boxes as stored (packed column or row wise, or plain)."""
    return len(meta.get("words_c", "")) + len(meta.get("words_z", "")) + len(json.dumps(meta.get("words", [])))


def _legibility(vault: Any, rows: list[Any], originals: dict[datetime, bytes], ocr: Any) -> str:
    """OCR of each sampled stored frame (decoded as the timeline shows it) over OCR of the original."""
    from core.capture.screen.encode import decode
    from core.normalize.ocr import normalise_word
    from core.store import frame_codec
    from core.store.items import to_epoch

    by_ts = {to_epoch(ts): png for ts, png in originals.items()}
    kept = recovered = 0
    frames = keyframes = 0
    for _text, ts, meta in rows:
        png = by_ts.get(ts)
        if png is None:
            continue
        image = decode(png)
        media_id = json.loads(meta)["media_id"]
        keyframes += int(not frame_codec.is_delta(vault.get_media(media_id)))
        stored = decode(vault.get_frame(media_id))
        before = Counter(w for w in (normalise_word(x.text) for x in ocr.recognize(image).words) if w)
        after = Counter(w for w in (normalise_word(x.text) for x in ocr.recognize(stored).words) if w)
        kept += sum(before.values())
        recovered += sum((before & after).values())
        frames += 1
    return (f"{recovered / max(1, kept):.3f} ({frames} frames, {keyframes} of them keyframes)" if frames
            else "n/a (no sampled frame stored)")


SESSIONS = {"scripted": scripted_session, "mixed": mixed_session}
DEFAULT_MINUTES = {"scripted": 10.0, "mixed": 60.0}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scale", type=float, default=1.0, help="session length factor (0.2 = a fifth, for a quick look)")
    parser.add_argument("--sessions", default="scripted,mixed")
    parser.add_argument("--configs", default="today,new",
                        help="today, new, or new:SETTING=VALUE (a DaemonConfig field), comma-separated")
    parser.add_argument("--interval", type=float, default=3.0)
    parser.add_argument("--legibility", type=int, default=30,
                        help="stored frames per run (evenly spread) whose stored copy is OCR'd again")
    args = parser.parse_args()
    columns: list[tuple[str, dict[str, Any]]] = []
    wall = time.monotonic()
    for name in args.sessions.split(","):
        for config in args.configs.split(","):
            session = SESSIONS[name](DEFAULT_MINUTES[name] * args.scale)
            with tempfile.TemporaryDirectory(prefix="cairn-bench-replay-") as tmp:
                columns.append((f"{name}/{config}", replay(session, config, Path(tmp) / "vault", args.interval,
                                                           args.legibility)))
    keys = list(columns[0][1])
    print_table(("figure", *(label for label, _ in columns)), [(k, *(str(c[k]) for _, c in columns)) for k in keys])
    print(f"(replayed in {time.monotonic() - wall:.0f} s wall)")


if __name__ == "__main__":
    main()
