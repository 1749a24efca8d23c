"""Sync figures: upload and apply throughput, bytes on the target, and a new device catching up.

    python -m bench.sync [--messages 10000] [--frames 1200] [--catch-up 100000]

Two real vaults sync through a plain folder on this disk (the transport every
target shares; WebDAV and S3 add their network time on top).  Workloads:

* ``messages``: synthetic chat messages (``bench.store``'s Zipf text), one device
  uploads, a second applies;
* one hour of screen memory: ``--frames`` captured frames (default 1200: a frame
  every 3 s, all changed — the worst case) each with its OCR text, WebP frame and
  thumbnail.  The images are the 1080p screenshots of ``../shared/data/screens``
  (or generated text screens without it) encoded as the capture does; each
  frame's bytes are made unique by a trailer so no two frames share an object;
* catch-up: a new device joins a vault of ``--catch-up`` messages and applies it all
  (vectors are recomputed afterwards; ``bench.embedder`` gives that rate).

Baseline in the same run: what a user does without Cairn sync — copy the whole
encrypted vault (``vault.db`` and ``media/``) into the synced folder after a
change (time and bytes of one such copy).
"""

from __future__ import annotations

import argparse
import shutil
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

SHARED_SCREENS = Path(__file__).resolve().parents[2] / "shared" / "data" / "screens"
PASSPHRASE = "bench passphrase"


def _vault(root: Path, name: str):  # type: ignore[no-untyped-def]
    from core.paths import VaultPaths
    from core.vault import Vault

    return Vault.create(VaultPaths(root / name), PASSPHRASE, use_keyring=False, embedder=None)


def _folder_bytes(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())


def _screens() -> list[tuple[bytes, bytes, str]]:
    """(frame webp, thumbnail webp, OCR text) for each source screenshot."""
    from PIL import Image, ImageDraw

    from core.capture.screen.encode import encode_frame, encode_thumbnail

    out = []
    pngs = sorted(SHARED_SCREENS.glob("*.png"))
    if pngs:
        for png in pngs:
            image = Image.open(png)
            text = png.with_suffix(".txt").read_text(encoding="utf-8") if png.with_suffix(".txt").exists() else ""
            out.append((encode_frame(image).data, encode_thumbnail(image).data, text))
        return out
    for n in range(12):  # no ../shared: text screens drawn here
        image = Image.new("RGB", (1920, 1080), "white")
        draw = ImageDraw.Draw(image)
        lines = [f"line {i} of window {n}: the quarterly report draft, section {i * n}" for i in range(60)]
        for i, line in enumerate(lines):
            draw.text((20, 15 + i * 17), line, fill="black")
        out.append((encode_frame(image).data, encode_thumbnail(image).data, "\n".join(lines)))
    return out


def _screen_hour(vault, frames: int) -> None:  # type: ignore[no-untyped-def]
    from core.types import Record

    screens = _screens()
    start = datetime(2026, 5, 4, 9, 0, tzinfo=UTC)
    for i in range(frames):
        frame, thumb, text = screens[i % len(screens)]
        report = vault.ingest([Record(source="screen", external_id=f"frame-{i}", kind="screen",
                                      timestamp=start + timedelta(seconds=3 * i), text=text or f"frame {i}",
                                      title=f"window {i % 7}", meta={"app": "firefox"})], embed=False)
        item = report.item_ids[0]
        trailer = i.to_bytes(8, "big")
        vault.put_media(frame + trailer, "screenshot", item)
        vault.put_media(thumb + trailer, "thumbnail", item)


def _messages(vault, n: int) -> None:  # type: ignore[no-untyped-def]
    from bench.store import messages

    batch: list[object] = []
    for record in messages(n):
        batch.append(record)
        if len(batch) >= 5000:
            vault.ingest(batch, embed=False)
            batch = []
    if batch:
        vault.ingest(batch, embed=False)


def _plaintext_bytes(vault) -> int:  # type: ignore[no-untyped-def]
    conn = vault.read()
    text = conn.execute("SELECT coalesce(sum(length(CAST(text AS BLOB))), 0) FROM items").fetchone()[0]
    media = conn.execute("SELECT coalesce(sum(bytes), 0) FROM media").fetchone()[0]
    return int(text) + int(media)


def _pair(root: Path) -> tuple[object, object, object, Path]:
    from core.sync import setup
    from core.sync.target import TargetSpec, open_target

    folder = root / "target"
    folder.mkdir()
    spec = TargetSpec("folder", str(folder))
    target = open_target(spec)
    a, b = _vault(root, "a"), _vault(root, "b")
    setup.join(a, spec, target, passphrase=PASSPHRASE, device_name="a")  # type: ignore[arg-type]
    setup.join(b, spec, target, passphrase=PASSPHRASE, device_name="b")  # type: ignore[arg-type]
    return a, b, target, folder


def _baseline_copy(vault, folder: Path) -> tuple[float, int]:  # type: ignore[no-untyped-def]
    """Copy the whole encrypted vault into a synced folder, as a user without sync would."""
    vault._db.execute_outside_transaction("PRAGMA wal_checkpoint(TRUNCATE)")
    dest = folder / "whole-vault-copy"
    t0 = time.perf_counter()
    shutil.copytree(vault.paths.home, dest, ignore=shutil.ignore_patterns("models", "run"))
    seconds = time.perf_counter() - t0
    size = _folder_bytes(dest)
    shutil.rmtree(dest)
    return seconds, size


def _row(name: str, items: int, plain: int, up_s: float, apply_s: float, target_bytes: int,
         baseline: tuple[float, int]) -> str:
    return (f"{name:<22}{items:>8,}{plain / 1e6:>9.1f}{items / up_s:>10,.0f}{plain / 1e6 / up_s:>8.1f}"
            f"{items / apply_s:>10,.0f}{plain / 1e6 / apply_s:>8.1f}{target_bytes / 1e6:>10.1f}"
            f"{baseline[1] / 1e6:>10.1f}{baseline[0]:>8.2f}")


def _measure(root: Path, name: str, fill) -> str:  # type: ignore[no-untyped-def]
    from core.sync.engine import SyncEngine

    a, b, target, folder = _pair(root)
    try:
        fill(a)
        items = a.read().execute("SELECT count(*) FROM items").fetchone()[0]
        plain = _plaintext_bytes(a)
        before = _folder_bytes(folder)
        t0 = time.perf_counter()
        SyncEngine(a, target).sync()  # type: ignore[arg-type]
        up = time.perf_counter() - t0
        on_target = _folder_bytes(folder) - before
        t0 = time.perf_counter()
        SyncEngine(b, target).sync()  # type: ignore[arg-type]
        applied = time.perf_counter() - t0
        assert b.read().execute("SELECT count(*) FROM items").fetchone()[0] == items  # type: ignore[attr-defined]
        baseline = _baseline_copy(a, folder)
        return _row(name, items, plain, up, applied, on_target, baseline)
    finally:
        a.close()  # type: ignore[attr-defined]
        b.close()  # type: ignore[attr-defined]


def _catch_up(root: Path, n: int) -> str:
    from core.sync.engine import SyncEngine

    a, b, target, folder = _pair(root)
    try:
        _messages(a, n)
        SyncEngine(a, target).sync()  # type: ignore[arg-type]
        t0 = time.perf_counter()
        SyncEngine(b, target).sync()  # type: ignore[arg-type]
        seconds = time.perf_counter() - t0
        got = b.read().execute("SELECT count(*) FROM items").fetchone()[0]  # type: ignore[attr-defined]
        baseline = _baseline_copy(a, folder)
        return (f"new device catches up on {got:,} items: {seconds:.1f} s ({got / seconds:,.0f} items/s); "
                f"target {_folder_bytes(folder) / 1e6:.1f} MB; baseline whole-vault copy {baseline[1] / 1e6:.1f} MB "
                f"in {baseline[0]:.2f} s (and the vault is then only readable, never merged)")
    finally:
        a.close()  # type: ignore[attr-defined]
        b.close()  # type: ignore[attr-defined]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=10_000)
    parser.add_argument("--frames", type=int, default=1200, help="frames in one hour of screen memory")
    parser.add_argument("--catch-up", type=int, default=100_000)
    args = parser.parse_args(argv)
    print(f"{'workload':<22}{'items':>8}{'MB':>9}{'up it/s':>10}{'up MB/s':>8}{'apply/s':>10}{'ap MB/s':>8}"
          f"{'target MB':>10}{'copy MB':>10}{'copy s':>8}")
    with tempfile.TemporaryDirectory(prefix="cairn-bench-sync-") as tmp:
        root = Path(tmp)
        (root / "m").mkdir()
        print(_measure(root / "m", f"{args.messages:,} messages", lambda v: _messages(v, args.messages)), flush=True)
        (root / "s").mkdir()
        print(_measure(root / "s", f"1 h screen ({args.frames} fr)", lambda v: _screen_hour(v, args.frames)), flush=True)
        if args.catch_up:
            (root / "c").mkdir()
            print(_catch_up(root / "c", args.catch_up), flush=True)
    print("MB = plaintext (text + media) synced; up = export+seal+upload on one device; apply = download+verify+"
          "apply on the other; target MB = bytes the sync added to the target; copy = baseline whole-vault copy")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
