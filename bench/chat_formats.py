"""Chat-export readers: the share of export variants imported correctly, then messages/s and peak memory.

    python -m bench.chat_formats [--variants] [--size-mb 300] [--formats whatsapp telegram ...] [--keep DIR]

First every variant of ``tests/data/chats/variants.py`` (WhatsApp header styles and
locales, Telegram JSON and HTML, Claude, ChatGPT schemas, Messenger with a BOM,
iMessage schemas …) is imported as ``cairn import FILE`` does — auto-detected, no
options — and judged (format, message count, a phrase, the first date): a table and
the share imported correctly.  ``--variants`` stops there.

For each format a synthetic export of about ``--size-mb`` megabytes (uncompressed)
is written to a temporary folder by ``tests/capture/chats/builders.py`` (streamed,
so generation itself stays small), then read by the real reader in a *fresh
process*, which reports its own peak RSS (``ru_maxrss``): the figure shows
whether memory stays bounded while the export is hundreds of MB.  Only the
readers are measured (no vault, no embedding).  Not run in CI.
"""

from __future__ import annotations

import argparse
import json
import resource
import shutil
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

ALL = ("whatsapp", "telegram", "slack", "discord", "chatgpt", "messenger", "imessage")
_PROBE = 2_000


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: KiB


def _size(path: Path) -> int:
    if zipfile.is_zipfile(path):
        with zipfile.ZipFile(path) as zf:
            return sum(i.file_size for i in zf.infolist())
    files = [path] if path.is_file() else [p for p in path.rglob("*") if p.is_file()]
    return sum(p.stat().st_size for p in files)


def child(fmt: str, path: str) -> None:
    """Runs in its own process: read everything, print one JSON line of figures."""
    from core.capture.chats.formats import detect_format, load_reader
    from core.capture.chats.reader import ImportOptions
    from core.types import Record, RecordError, RecordSkip

    reader = load_reader(fmt)
    assert detect_format(Path(path)).name == fmt
    baseline = _rss_mb()
    counts = {"records": 0, "skips": 0, "errors": 0}
    start = time.perf_counter()
    for result in reader.read(Path(path), ImportOptions(timezone="UTC")):
        if isinstance(result, Record):
            counts["records"] += 1
        elif isinstance(result, RecordSkip):
            counts["skips"] += 1
        elif isinstance(result, RecordError):
            counts["errors"] += 1
    seconds = time.perf_counter() - start
    print(json.dumps({**counts, "seconds": seconds, "baseline_mb": baseline, "peak_mb": _rss_mb()}))


def run(size_mb: float, formats: list[str], keep: Path | None) -> None:
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    from tests.capture.chats.builders import generate

    print(f"chat readers on ~{size_mb:g} MB exports (uncompressed), one fresh process per format\n")
    header = f"{'format':<10} {'export MB':>9} {'messages':>10} {'seconds':>8} {'msg/s':>9} {'MB/s':>6} {'RSS base':>9} {'RSS peak':>9}"
    print(header)
    print("-" * len(header))
    for fmt in formats:
        root = Path(tempfile.mkdtemp(prefix=f"cairn-bench-{fmt}-", dir=keep))
        try:
            probe = generate(fmt, root / "probe", _PROBE)
            per_message = _size(probe) / _PROBE
            n = max(_PROBE, int(size_mb * 1_000_000 / per_message))
            t0 = time.perf_counter()
            path = generate(fmt, root / "export", n)
            made = time.perf_counter() - t0
            megabytes = _size(path) / 1_000_000
            out = subprocess.run(
                [sys.executable, "-m", "bench.chat_formats", "--child", fmt, str(path)],
                check=True, capture_output=True, text=True, cwd=Path(__file__).resolve().parents[1],
            )
            fig = json.loads(out.stdout.strip().splitlines()[-1])
            rate = fig["records"] / fig["seconds"]
            print(
                f"{fmt:<10} {megabytes:>9.0f} {fig['records']:>10,} {fig['seconds']:>8.1f} {rate:>9,.0f} "
                f"{megabytes / fig['seconds']:>6.1f} {fig['baseline_mb']:>8.0f}M {fig['peak_mb']:>8.0f}M"
                f"   (generated in {made:.0f} s; skips {fig['skips']}, errors {fig['errors']})",
                flush=True,
            )
        finally:
            if keep is None:
                shutil.rmtree(root, ignore_errors=True)


def variants_table() -> tuple[int, int]:
    """Import every variant of ``tests/data/chats/variants.py`` as ``cairn import FILE`` would; print a table."""
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    from tests.data.chats.variants import import_variant, variants

    print("export variants, auto-detected, no options (the share imported correctly)\n")
    header = f"{'variant':<62} {'result':<8} detail"
    print(header)
    print("-" * len(header))
    good = 0
    all_variants = variants()
    with tempfile.TemporaryDirectory(prefix="cairn-bench-variants-") as tmp:
        for n, variant in enumerate(all_variants):
            problem = import_variant(variant, Path(tmp) / f"v{n}")
            good += problem is None
            print(f"{variant.name:<62} {'ok' if problem is None else 'WRONG':<8} {problem or ''}", flush=True)
    print(f"\nimported correctly: {good}/{len(all_variants)} ({good / len(all_variants):.0%})\n")
    return good, len(all_variants)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--size-mb", type=float, default=300.0, help="export size per format (default 300)")
    parser.add_argument("--formats", nargs="+", choices=ALL, default=list(ALL))
    parser.add_argument("--keep", type=Path, help="write exports under this folder and keep them")
    parser.add_argument("--child", nargs=2, metavar=("FORMAT", "PATH"), help=argparse.SUPPRESS)
    parser.add_argument("--variants", action="store_true", help="only the variants table (seconds), no throughput")
    args = parser.parse_args()
    if args.child:
        child(*args.child)
        return
    variants_table()
    if not args.variants:
        run(args.size_mb, args.formats, args.keep)


if __name__ == "__main__":
    main()
