"""Desktop app benchmark: start-to-interactive time, idle memory, responsiveness while indexing.

    .venv/bin/python -m bench.ui [--home DIR] [--days 30] [--shots-per-day 200] [--rebuild]

A vault holding a month of demo-like memory (screenshots with their images
and OCR words, chat messages, documents) is built once and cached in
``--home`` (default ``$TMPDIR/cairn-bench-ui``).  Then, each in a fresh
process (offscreen Qt):

* start-up: process start → window shown → vault unlocked → timeline
  interactive (first page shown and a moment selected), the same code path
  as ``python -m app.main``;
* idle RSS after the timeline, a search and the month view have been used
  and the app has idled for a few seconds;
* responsiveness while another process indexes into the same vault (as the
  capture daemon does): the worst event-loop stall measured with a 10 ms
  timer while the user steps through moments and searches, and how long
  searches take to show results.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

PASSPHRASE = "bench ui passphrase"
DEMO = Path(__file__).resolve().parents[1] / "assets" / "demo"


# -- building the month ---------------------------------------------------------------------------
def build_month(home: Path, days: int, shots_per_day: int) -> dict[str, Any]:
    from core.paths import VaultPaths
    from core.types import Record
    from core.vault import Vault

    paths = VaultPaths(home)
    vault = Vault.create(paths, PASSPHRASE, use_keyring=False)
    rng = random.Random(7)
    screens = json.loads((DEMO / "screens" / "manifest.json").read_text("utf-8"))
    images = {s["file"]: (DEMO / "screens" / s["file"]).read_bytes() for s in screens}
    chats = [json.loads(line) for f in sorted((DEMO / "chats").glob("*.jsonl"))
             for line in f.read_text("utf-8").splitlines() if line.strip()]
    docs = [(f, f.read_text("utf-8")) for f in sorted((DEMO / "docs").glob("*.md"))]
    words = sorted({w.strip(".,:;()'\"") for c in chats for w in c["text"].split() if len(w) > 3})
    now = datetime.now().astimezone().replace(microsecond=0)
    started = time.perf_counter()
    counts = {"screenshots": 0, "messages": 0, "documents": 0}
    for day in range(days, 0, -1):
        base = (now - timedelta(days=day)).replace(hour=8, minute=30, second=0)
        records: list[tuple[Any, bytes | None]] = []
        for i in range(shots_per_day):
            screen = screens[(day * 7 + i) % len(screens)]
            extra = " ".join(rng.sample(words, 12))  # every frame's text differs a little, as on a real screen
            when = base + timedelta(seconds=int(i * 9.5 * 3600 / shots_per_day) + rng.randint(0, 20))
            meta = {k: screen[k] for k in ("app", "window_title", "url", "width", "height", "words") if screen.get(k)}
            records.append((Record(source="screen", external_id=f"bench-{day}-{i}", kind="screenshot",
                                   timestamp=when, text=f"{screen['text']}\n{extra}", title=screen["window_title"],
                                   conversation=screen["app"], meta=meta), images[screen["file"]]))
        for i in range(80):
            msg = chats[(day * 13 + i) % len(chats)]
            when = base + timedelta(minutes=rng.randint(0, 13 * 60))
            records.append((Record(source="chat:bench", external_id=f"bench-msg-{day}-{i}", kind="message",
                                   timestamp=when, text=f"{msg['text']} {rng.choice(words)}",
                                   conversation=msg["conversation"], speaker=msg["speaker"]), None))
        for i in range(5):
            path, text = docs[(day + i) % len(docs)]
            when = base + timedelta(minutes=rng.randint(0, 12 * 60))
            records.append((Record(source="file", external_id=f"/bench/{day}/{i}/{path.name}", kind="document",
                                   timestamp=when, text=text, title=path.stem,
                                   meta={"path": f"/bench/{day}/{path.name}"}), None))
        plain = [r for r, img in records if img is None]
        vault.ingest(plain, embed=False)
        counts["messages"] += sum(1 for r in plain if r.kind == "message")
        counts["documents"] += sum(1 for r in plain if r.kind == "document")
        for record, image in records:
            if image is None:
                continue
            media_id = vault.put_media(image, "screen-frame").value
            record.meta["media_id"] = int(media_id)
            report = vault.ingest([record], embed=False)
            if report.item_ids:
                vault.attach_media(media_id, report.item_ids[0])
            counts["screenshots"] += 1
        print(f"  day -{day}: {len(records)} memories", flush=True)
    embedded = vault.embed_pending().value
    stats = vault.stats()
    vault.close()
    return {**counts, "items": stats.items, "vectors": embedded, "media_mb": stats.media_bytes / 1e6,
            "db_mb": stats.database_bytes / 1e6, "build_s": time.perf_counter() - started}


# -- child processes ------------------------------------------------------------------------------
def child_app(home: Path, writer: bool) -> None:
    """Runs in a fresh process: start the app like ``app.main`` does and measure it."""
    import psutil

    proc = psutil.Process()
    t0 = proc.create_time()
    os.environ["CAIRN_PASSPHRASE"] = PASSPHRASE
    from PySide6.QtCore import QElapsedTimer, QEventLoop, QTimer

    from app.main import make_application, open_window
    from core.paths import VaultPaths

    app = make_application()
    window, session = open_window(VaultPaths(home), passphrase_env=True, run_capture=False)
    t_shown = time.time()
    marks: dict[str, float] = {"window_shown_s": t_shown - t0}
    session.unlocked.connect(lambda: marks.setdefault("unlocked_s", time.time() - t0))

    loop = QEventLoop()  # not the static QApplication.processEvents(): see tools/screenshots.py

    def wait(cond: Any, timeout: float = 60.0) -> bool:
        deadline = time.time() + timeout
        while time.time() < deadline:
            loop.processEvents()
            if cond():
                return True
            time.sleep(0.002)
        return False

    timeline = window.timeline() if session.is_unlocked else None
    wait(lambda: session.is_unlocked)
    timeline = window.timeline()
    wait(lambda: timeline.model.rowCount() > 0 and timeline.current_item() is not None)
    marks["interactive_s"] = time.time() - t0
    marks["rss_at_interactive_mb"] = proc.memory_info().rss / 2**20

    # use it: step through a day, search, open the month
    stall = {"max_ms": 0.0}
    clock = QElapsedTimer()
    clock.start()
    last = {"t": clock.elapsed()}

    def tick() -> None:
        now_ms = clock.elapsed()
        stall["max_ms"] = max(stall["max_ms"], now_ms - last["t"] - 10)
        last["t"] = now_ms

    ticker = QTimer()
    ticker.setInterval(10)
    ticker.timeout.connect(tick)
    writer_proc = None
    if writer:
        writer_proc = subprocess.Popen([sys.executable, "-m", "bench.ui", "--child", "writer", "--home", str(home)])
        time.sleep(1.0)
    ticker.start()
    last["t"] = clock.elapsed()
    search_ms: list[float] = []
    busiest = _busiest_day(session.vault)
    timeline.show_day(busiest)
    wait(lambda: timeline.model.rowCount() > 0 and timeline.current_item() is not None)
    for _ in range(60):  # arrow-key stepping through moments (screenshots decrypt as they show)
        timeline.step(1)
        wait(lambda: False, 0.03)
    marks["rss_after_stepping_mb"] = proc.memory_info().rss / 2**20
    search = window.show_page("search")
    shown: list[Any] = []
    search.results_shown.connect(shown.append)
    for query in ("staging dashboard", "binoculars", "release review kepler", "red cabbage recipe",
                  "vpn certificate", "climbing gym saturday"):
        started = time.time()
        count = len(shown)
        search.set_query(query)
        wait(lambda n=count: len(shown) > n, 30)
        search_ms.append((time.time() - started) * 1000)
        wait(lambda: False, 0.2)
    marks["rss_after_search_mb"] = proc.memory_info().rss / 2**20
    window.show_page("timeline")
    timeline.set_zoom("month")
    wait(lambda: timeline.density._counts != {} and session.tasks.running == 0, 30)
    timeline.set_zoom("day")
    wait(lambda: session.tasks.running == 0, 30)
    ticker.stop()
    if writer_proc is not None:
        writer_proc.wait(60)
    window.idle.last_input = time.monotonic()  # the user's last touch: from here on the app is idle
    wait(lambda: False, 66.0)  # idle: screenshots go after 5 s without input, the embedder after 60 s
    marks["idle_rss_mb"] = proc.memory_info().rss / 2**20
    marks["max_stall_ms"] = stall["max_ms"]
    marks["search_ms_median"] = sorted(search_ms)[len(search_ms) // 2]
    marks["search_ms_max"] = max(search_ms)
    window._quitting = True
    session.close_now()
    print("RESULT " + json.dumps(marks), flush=True)
    app.quit()


def child_writer(home: Path, seconds: float = 20.0) -> None:
    """Another process indexing into the same vault, like the capture daemon (one frame every 0.5 s)."""
    from core.paths import VaultPaths
    from core.types import Record
    from core.vault import Vault

    vault = Vault.open(VaultPaths(home), PASSPHRASE)
    screens = json.loads((DEMO / "screens" / "manifest.json").read_text("utf-8"))
    image = (DEMO / "screens" / screens[0]["file"]).read_bytes()
    deadline = time.time() + seconds
    i = 0
    while time.time() < deadline:
        screen = screens[i % len(screens)]
        media = vault.put_media(image, "screen-frame").value
        report = vault.ingest([Record(source="screen", external_id=f"writer-{time.time_ns()}", kind="screenshot",
                                      timestamp=datetime.now().astimezone(), text=f"{screen['text']} {i}",
                                      title=screen["window_title"], meta={"app": screen["app"],
                                                                          "media_id": int(media)})], embed=True)
        if report.item_ids:
            vault.attach_media(media, report.item_ids[0])
        i += 1
        time.sleep(0.5)
    vault.close()


def _busiest_day(vault: Any) -> Any:
    now = datetime.now().astimezone()
    hist = vault.activity_histogram(now - timedelta(days=40), now, 86400)
    moment, _count = max(hist, key=lambda pair: pair[1])
    return (moment + timedelta(hours=12)).astimezone().date()


def run_child(home: Path, writer: bool) -> dict[str, float]:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    out = subprocess.run([sys.executable, "-m", "bench.ui", "--child", "app", "--home", str(home)]
                         + (["--writer"] if writer else []), env=env, capture_output=True, text=True, timeout=900)
    for line in out.stdout.splitlines():
        if line.startswith("RESULT "):
            return dict(json.loads(line[7:]))
    raise RuntimeError(f"benchmark child failed:\n{out.stdout[-2000:]}\n{out.stderr[-4000:]}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--home", type=Path, default=Path(tempfile.gettempdir()) / "cairn-bench-ui")
    parser.add_argument("--days", type=int, default=30)
    parser.add_argument("--shots-per-day", type=int, default=200)
    parser.add_argument("--rebuild", action="store_true")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--child", choices=("app", "writer"), default=None)
    parser.add_argument("--writer", action="store_true")
    args = parser.parse_args(argv)
    if args.child == "app":
        child_app(args.home, args.writer)
        return 0
    if args.child == "writer":
        child_writer(args.home)
        return 0
    built: dict[str, Any] | None = None
    if args.rebuild and args.home.exists():
        import shutil

        shutil.rmtree(args.home)
    if not (args.home / "keys.json").exists():
        print(f"Building a month of memory in {args.home} …", flush=True)
        built = build_month(args.home, args.days, args.shots_per_day)
    runs = [run_child(args.home, writer=False) for _ in range(args.runs)]
    busy = run_child(args.home, writer=True)
    print()
    if built:
        print(f"vault: {built['items']:,} memories ({built['screenshots']:,} screenshots, {built['messages']:,} "
              f"messages, {built['documents']:,} documents), media {built['media_mb']:.0f} MB, "
              f"database {built['db_mb']:.0f} MB, built in {built['build_s']:.0f} s")
    rows = [
        ("window shown (s after process start)", "window_shown_s", "{:.2f}"),
        ("unlocked (s)", "unlocked_s", "{:.2f}"),
        ("timeline interactive (s)", "interactive_s", "{:.2f}"),
        ("RSS at interactive (MB)", "rss_at_interactive_mb", "{:.0f}"),
        ("RSS after stepping 60 moments (MB)", "rss_after_stepping_mb", "{:.0f}"),
        ("RSS after 6 searches (MB)", "rss_after_search_mb", "{:.0f}"),
        ("idle RSS after use (MB)", "idle_rss_mb", "{:.0f}"),
        ("search → results, median (ms)", "search_ms_median", "{:.0f}"),
        ("search → results, max (ms)", "search_ms_max", "{:.0f}"),
        ("worst event-loop stall (ms)", "max_stall_ms", "{:.0f}"),
    ]
    print(f"{'figure':<40} {'idle vault (median of ' + str(len(runs)) + ')':>26} {'while indexing':>16}")
    for label, key, f in rows:
        values = sorted(r[key] for r in runs)
        median = values[len(values) // 2]
        print(f"{label:<40} {f.format(median):>26} {f.format(busy[key]):>16}")
    return 0



if __name__ == "__main__":
    sys.exit(main())
