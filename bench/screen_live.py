"""Screen-capture benchmark: a scripted desktop session on Xvfb, the daemon in its own process.

    .venv/bin/python -m bench.screen_live [--minutes 10] [--interval 3] [--widget plain|rich] [--accessible]
                                          [--configs today,new]

Each configuration (``today``: ``DaemonConfig.baseline()``, the pipeline before issue 16;
``new``: the defaults; ``new:SETTING=VALUE``) runs the same session once, one after another.

Session (issue 5): two full-screen Qt windows under openbox on a 1920x1080 Xvfb:
a chat that gains a line every 5 s and an article the user scrolls (3 lines every
4 s while it is in front), with an app switch every 30 s.  The daemon runs in a
child process with a real encrypted vault (no embedder: vectors are
``embed_pending``'s job) and is measured from outside with psutil.

Reports: average CPU % of one core (daemon + its tesseract children), peak RSS,
frames seen / OCR'd / stored, OCR backlog max, the share of words shown on
screen that are in the stored text and found by a real vault search, and
storage per hour.  Needs Xvfb, openbox, xdotool, tesseract and PySide6.

``--widget rich`` shows the text in QTextEdit windows instead of QPlainTextEdit;
``--accessible`` runs a private session bus with the AT-SPI launcher and starts the
windows with Qt's accessibility on, so the daemon reads their text over AT-SPI
(Qt gives a QTextEdit's line places but not a QPlainTextEdit's: with ``plain``
the daemon still OCRs).  The CPU the windows and the accessibility buses spend
answering is reported beside the daemon's: it is work the machine does for Cairn.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.screen_script import NAMES, sentence
from bench.table import print_table

PASSPHRASE = "bench screen passphrase"


# -- daemon side -------------------------------------------------------------------


def run_daemon(args: argparse.Namespace) -> None:
    from core.capture.screen.daemon import ScreenDaemon
    from core.capture.screen.daemon_config import DaemonConfig
    from core.capture.screen.sink import VaultFrameSink
    from core.paths import VaultPaths
    from core.vault import Vault

    if args.verbose:
        import logging

        logging.basicConfig(level=logging.DEBUG, format="%(relativeCreated)8.0f %(name)s %(message)s")
    paths = VaultPaths(Path(args.home))
    vault = Vault.create(paths, PASSPHRASE, use_keyring=False, embedder=None)
    config = configured(DaemonConfig(interval_s=args.interval, display=args.display, runtime_dir=paths.runtime_dir,
                                     accessible_text=not args.no_read), args.config)
    daemon = ScreenDaemon(VaultFrameSink(vault), config)
    daemon.start()
    print("ready", flush=True)
    for line in sys.stdin:
        if line.strip() == "stop":
            break
    daemon.stop()
    print(json.dumps(daemon.snapshot().to_dict()), flush=True)
    vault.close()


def configured(base: Any, name: str) -> Any:
    """``today`` (the pipeline before issue 16), ``new`` (the defaults) or ``new:SETTING=VALUE``."""
    from dataclasses import replace

    config = base.baseline() if name == "today" else base
    if ":" in name:
        key, value = name.split(":", 1)[1].split("=")
        kind = type(getattr(config, key))
        config = replace(config, **{key: (value.lower() in ("1", "true", "yes")) if kind is bool else kind(value)})
    return config


# -- driver side ---------------------------------------------------------------------


def run_session(args: argparse.Namespace) -> dict[str, Any]:
    import psutil

    from core.capture.screen.health import read_status, status_path
    from core.paths import VaultPaths
    from tests.capture.screen.xserver import QtWindow, accessibility_bus, xserver

    rng = random.Random(5)
    duration = args.minutes * 60
    home = Path(tempfile.mkdtemp(prefix="cairn-bench-screen-"))
    paths = VaultPaths(home / "vault")
    shown: set[str] = set()
    with xserver("1920x1080x24") as server, contextlib.ExitStack() as stack:
        helpers: list[Any] = []  # processes that work for the daemon: the windows (answering AT-SPI), the buses
        if args.accessible:
            bus = stack.enter_context(accessibility_bus(server, home / "run"))
            helpers = [psutil.Process(pid) for pid in bus.pids]
        article_lines = [sentence(rng, rng.randint(6, 12)) for _ in range(900)]
        chat_lines = [f"{rng.choice(NAMES)}: {sentence(rng, rng.randint(4, 10))}" for _ in range(8)]
        chat = QtWindow(server, "cairn-chat", "#design - Chat", chat_lines, (0, 0, 1920, 1080), font_px=16,
                        widget=args.widget)
        article = QtWindow(server, "cairn-reader", "The quiet return of local-first software - Reader",
                           article_lines, (0, 0, 1920, 1080), font_px=16, widget=args.widget)
        windows = [chat, article]
        daemon = subprocess.Popen(
            [sys.executable, "-m", "bench.screen_live", "--daemon", "--display", server.display,
             "--home", str(paths.home), "--interval", str(args.interval), *(["--verbose"] if args.verbose else []),
             *(["--no-read"] if args.no_read else []), "--config", args.config],
            env=server.env(), stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
        )
        try:
            assert daemon.stdout is not None and daemon.stdin is not None
            if daemon.stdout.readline().strip() != "ready":
                raise RuntimeError("the daemon did not start")
            proc = psutil.Process(daemon.pid)
            cpu_start = _cpu(proc)
            helpers += [psutil.Process(w.pid) for w in windows]
            helpers_start = _helpers_cpu(helpers)
            threads_start = {t.id: t.user_time + t.system_time for t in proc.threads()}
            started = time.monotonic()
            peak_rss = proc.memory_info().rss
            active = 1  # the article was opened last: it is in front
            next_chat, next_scroll, next_switch = 5.0, 4.0, 30.0
            shown.update(_words(article.visible_lines()))
            while (now := time.monotonic() - started) < duration:
                if now >= next_chat:
                    chat.command("append " + f"{rng.choice(NAMES)}: {sentence(rng, rng.randint(4, 10))}")
                    next_chat += 5
                    if active == 0:
                        shown.update(_words(chat.visible_lines()))
                if now >= next_scroll:
                    if active == 1:
                        article.command("scroll 3")
                        shown.update(_words(article.visible_lines()))
                    next_scroll += 4
                if now >= next_switch:
                    active = 1 - active
                    server.xdotool("windowactivate", "--sync", str(windows[active].window_id))
                    shown.update(_words(windows[active].visible_lines()))
                    next_switch += 30
                peak_rss = max(peak_rss, proc.memory_info().rss)
                time.sleep(0.2)
            # Let the OCR backlog drain (counted in the CPU figure: it is the daemon's work).
            drain_deadline = time.monotonic() + 120
            time.sleep(args.interval * 2)
            while time.monotonic() < drain_deadline:
                status = read_status(status_path(paths.runtime_dir))
                if status is not None and status.backlog == 0:
                    break
                time.sleep(1)
            wall = time.monotonic() - started
            cpu = _cpu(proc) - cpu_start
            helpers_cpu = _helpers_cpu(helpers) - helpers_start
            times = proc.cpu_times()
            by_thread = sorted(
                (t.user_time + t.system_time - threads_start.get(t.id, 0.0) for t in proc.threads()), reverse=True
            )
            split = {
                "busiest threads CPU-s (OCR worker, capture, ...)": " / ".join(f"{x:.1f}" for x in by_thread[:4]),
                "child processes CPU-s": round(times.children_user + times.children_system, 1),
                "windows' and buses' CPU % (rendering; answering AT-SPI)": round(100 * helpers_cpu / wall, 2),
            }
            peak_rss = max(peak_rss, proc.memory_info().rss)
            daemon.stdin.write("stop\n")
            daemon.stdin.flush()
            health = json.loads(daemon.stdout.readline())
            daemon.wait(30)
        finally:
            if daemon.poll() is None:
                daemon.kill()
            for window in windows:
                window.close()
    return {**_evaluate(paths, shown, health, cpu, wall, peak_rss, duration), **split}


def _cpu(proc: Any) -> float:
    times = proc.cpu_times()
    return float(times.user + times.system + times.children_user + times.children_system)


def _helpers_cpu(processes: list[Any]) -> float:
    """CPU seconds of ``processes`` and all their descendants (those still running)."""
    import psutil

    total = 0.0
    seen: set[int] = set()
    for process in processes:
        try:
            family = [process, *process.children(recursive=True)]
        except psutil.Error:
            continue
        for member in family:
            if member.pid in seen:
                continue
            seen.add(member.pid)
            try:
                times = member.cpu_times()
            except psutil.Error:
                continue
            total += times.user + times.system
    return total


def _words(lines: list[str]) -> set[str]:
    from core.normalize.ocr import normalise_word

    return {w for line in lines for w in map(normalise_word, line.split()) if w}


def _db_bytes(home: Path) -> int:
    return sum(p.stat().st_size for p in home.glob("vault.db*") if p.is_file())


def _empty_db_bytes() -> int:
    from core.paths import VaultPaths
    from core.vault import Vault

    with tempfile.TemporaryDirectory(prefix="cairn-bench-empty-") as tmp:
        paths = VaultPaths(Path(tmp) / "vault")
        Vault.create(paths, PASSPHRASE, use_keyring=False, embedder=None).close()
        return _db_bytes(paths.home)


def _evaluate(paths: Any, shown: set[str], health: dict[str, Any], cpu: float, wall: float, peak_rss: int,
              duration: float) -> dict[str, Any]:
    from core.normalize.ocr import normalise_word
    from core.retrieve.types import SearchRequest
    from core.vault import Vault

    vault = Vault.open(paths, PASSPHRASE, embedder=None)
    try:
        texts = [r[0] for r in vault.read().execute("SELECT text FROM items WHERE source = 'screen'")]
        stored = {normalise_word(w) for text in texts for w in text.split()}
        in_text = len(shown & stored) / max(1, len(shown))
        sample = sorted(shown)
        random.Random(1).shuffle(sample)
        sample = [w for w in sample if w.isalnum()][:150]
        found = sum(1 for w in sample if vault.search(SearchRequest(w, k=1, parse_time=False)).hits)
        media_bytes = sum(p.stat().st_size for p in paths.media_dir.rglob("*") if p.is_file())
    finally:
        vault.close()
    # Measured closed (a write-ahead log is folded in on close), less an empty vault's own size (not a cost per hour).
    db_bytes = _db_bytes(paths.home) - _empty_db_bytes()
    hours = duration / 3600
    return {
        "session minutes": round(duration / 60, 1),
        "daemon CPU % of one core (incl. tesseract)": round(100 * cpu / wall, 2),
        "daemon peak RSS MB": round(peak_rss / 2**20, 1),
        "frames seen": health["frames_seen"],
        "frames OCR'd": health["frames_ocr"],
        "frames stored": health["frames_stored"],
        "OCR seconds total": health["ocr_seconds_total"],
        "OCR area (frames' worth)": health["ocr_pixels_fraction_total"],
        "OCR backlog max": health["backlog_max"],
        "skipped": json.dumps(health["skipped"], sort_keys=True),
        "distinct words shown": len(shown),
        "shown words in stored text": f"{in_text:.3f}",
        "shown words not stored (first 12)": " ".join(sorted(shown - stored)[:12]),
        "shown words found by vault.search (sample)": f"{found}/{len(sample)} = {found / max(1, len(sample)):.3f}",
        "media MB": round(media_bytes / 2**20, 2),
        "database MB (growth)": round(db_bytes / 2**20, 2),
        "storage MB/hour": round((media_bytes + db_bytes) / 2**20 / hours, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--minutes", type=float, default=10.0, help="session length (default 10)")
    parser.add_argument("--interval", type=float, default=3.0, help="capture interval in seconds (default 3)")
    parser.add_argument("--widget", choices=("plain", "rich"), default="plain",
                        help="QPlainTextEdit (default) or QTextEdit windows")
    parser.add_argument("--accessible", action="store_true",
                        help="an AT-SPI bus, and the windows' Qt accessibility on (the daemon reads their text)")
    parser.add_argument("--no-read", action="store_true",
                        help="the daemon does not read the accessibility tree (what accessibility on costs the apps)")
    parser.add_argument("--verbose", action="store_true", help="the daemon logs what it OCRs (geometry only)")
    parser.add_argument("--configs", default="today,new",
                        help="today, new, or new:SETTING=VALUE (a DaemonConfig field), comma-separated; one session each")
    parser.add_argument("--config", default="new", help=argparse.SUPPRESS)
    parser.add_argument("--daemon", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--display", help=argparse.SUPPRESS)
    parser.add_argument("--home", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.daemon:
        run_daemon(args)
        return
    columns = []
    for config in args.configs.split(","):
        args.config = config
        columns.append((config, run_session(args)))
    keys = list(columns[0][1])
    print_table(("figure", *(label for label, _ in columns)), [(k, *(str(c[k]) for _, c in columns)) for k in keys])


if __name__ == "__main__":
    main()
