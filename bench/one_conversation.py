"""Peak memory of reading an export that holds one conversation with very many normal-sized messages.

    python -m bench.one_conversation [--messages 200000] [--formats chatgpt claude] [--keep DIR]

ChatGPT's ``mapping`` and Claude's ``chat_messages`` are one JSON object per conversation; a legal-looking
export can put hundreds of thousands of messages in one.  For each format a one-conversation export is written
(streamed, so the generator stays small), then read by the real reader in a fresh process that reports its own
peak RSS (``VmHWM``).  Two rows per format: Cairn as shipped (a conversation over ``WHOLE_BYTES`` of JSON is
split, one message at a time) and, as the baseline in the same run, the same reader with the budget lifted
(today's design before the split: every conversation built whole).  Only the reader is measured (no vault).
Not run in CI.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def child(fmt: str, path: str, lift: bool) -> None:
    """Runs in its own process: read everything, print one JSON line of figures."""
    from core.capture.chats import chatgpt, claude
    from core.capture.chats.formats import load_reader
    from core.capture.chats.reader import ImportOptions
    from core.types import Record

    if lift:
        chatgpt.WHOLE_BYTES = claude.WHOLE_BYTES = 10**15
    start = time.perf_counter()
    records = sum(isinstance(r, Record) for r in load_reader(fmt).read(Path(path), ImportOptions(timezone="UTC")))
    with open("/proc/self/status") as status:
        peak_kb = next(int(line.split()[1]) for line in status if line.startswith("VmHWM:"))
    print(json.dumps({"records": records, "seconds": time.perf_counter() - start, "peak_mb": peak_kb / 1024}))


def run(formats: list[str], messages: int, keep: Path | None) -> None:
    sys.path.insert(0, str(ROOT))
    from tests.capture.chats.test_big_conversations import _chatgpt_export, _claude_export

    builders = {"chatgpt": _chatgpt_export, "claude": _claude_export}
    work = keep or Path(tempfile.mkdtemp(prefix="cairn-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    print(f"one conversation of {messages:,} messages, read by the real reader in a fresh process\n")
    print(f"{'format':<9} {'design':<28} {'export MB':>9} {'records':>9} {'seconds':>8} {'peak RSS':>9}")
    print("-" * 77)
    try:
        for fmt in formats:
            path = builders[fmt](work / f"{fmt}-conversations.json", messages)
            size = path.stat().st_size / 1e6
            for lift, label in ((False, "Cairn (split past 8 MB)"), (True, "baseline (built whole)")):
                out = subprocess.run([sys.executable, "-m", "bench.one_conversation", "--child", fmt, str(path),
                                      "1" if lift else "0"], capture_output=True, text=True, cwd=ROOT, check=True)
                row = json.loads(out.stdout)
                print(f"{fmt:<9} {label:<28} {size:>9.0f} {row['records']:>9,} {row['seconds']:>8.1f}"
                      f" {row['peak_mb']:>8.0f}M")
    finally:
        if keep is None:
            shutil.rmtree(work, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--messages", type=int, default=200_000, help="messages in the one conversation")
    parser.add_argument("--formats", nargs="+", choices=["chatgpt", "claude"], default=["chatgpt", "claude"])
    parser.add_argument("--keep", type=Path, help="write the exports under this folder and keep them")
    parser.add_argument("--child", nargs=3, metavar=("FORMAT", "PATH", "LIFT"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child[0], args.child[1], args.child[2] == "1")
    else:
        run(args.formats, args.messages, args.keep)


if __name__ == "__main__":
    main()
