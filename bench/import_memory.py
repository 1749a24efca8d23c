"""Peak memory of importing a legal-looking hostile export: one huge chat entry in a small zip.

    python -m bench.import_memory [--size-mb 440] [--format whatsapp|telegram] [--keep DIR]

``--format telegram`` writes the same paste as one JSON string in a Telegram ``result.json`` (read through
``_caps.CappedJson``; the baseline row reads it without the filter).

Writes a zip holding one chat entry of ``--size-mb`` MB (ratio about 15, under every zip-bomb cap) whose
second message is one long paste (continuation lines), then imports it with the real vault in a fresh process
(``Vault.import_path``, no embedding) and reports that process's peak RSS.  Two rows: Cairn as shipped (a
message is cut at ``MESSAGE_CAP`` while it is read) and, as the baseline in the same run, the same reader
with the cap lifted (today's design before the cap: the whole message held in memory).  Not run in CI.
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

LINE = "lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor incididunt ut labore\n"


def build(dest: Path, size_mb: float) -> Path:
    """The zip, written streaming (the generator itself stays small)."""
    path = dest / "WhatsApp Chat with Ana.zip"
    lines = int(size_mb * 1e6 / len(LINE))
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=1) as zf, \
            zf.open("WhatsApp Chat with Ana.txt", "w", force_zip64=True) as fh:
        fh.write(b"25/01/2024, 10:00 - Ana: the paste follows\n25/01/2024, 10:01 - Ana: ")
        # Lines drawn from a pool of 60: deflate finds most of them again (ratio about 15, like real chats).
        rng = random.Random(7)
        words = LINE.split()
        pool = [" ".join(rng.choice(words) + str(rng.randrange(100)) for _ in range(14)) + "\n" for _ in range(60)]
        for _ in range(lines // 1000):
            fh.write("".join(rng.choice(pool) for _ in range(1000)).encode())
        fh.write(b"25/01/2024, 10:02 - Ana: done\n")
    return path


def build_telegram(dest: Path, size_mb: float) -> Path:
    """A Telegram export zip whose second message's text is one ``size_mb`` MB JSON string."""
    path = dest / "Telegram Ana.zip"
    lines = int(size_mb * 1e6 / len(LINE))
    head = {"id": 1, "type": "message", "date": "2024-01-25T10:00:00", "date_unixtime": "1706176800", "from": "Ana",
            "from_id": "user1", "text": "the paste follows", "text_entities": []}
    tail = {**head, "id": 3, "date": "2024-01-25T10:02:00", "date_unixtime": "1706176920", "text": "done"}
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=1) as zf, \
            zf.open("result.json", "w", force_zip64=True) as fh:
        fh.write(b'{"name": "Ana", "type": "personal_chat", "id": 5, "messages": [' + json.dumps(head).encode()
                 + b', {"id": 2, "type": "message", "date": "2024-01-25T10:01:00", "date_unixtime": "1706176860",'
                 b' "from": "Ana", "from_id": "user1", "text_entities": [], "text": "')
        rng = random.Random(7)
        words = LINE.split()
        pool = [" ".join(rng.choice(words) + str(rng.randrange(100)) for _ in range(14)) + "\\n" for _ in range(60)]
        for _ in range(lines // 1000):
            fh.write("".join(rng.choice(pool) for _ in range(1000)).encode())
        fh.write(b'"}, ' + json.dumps(tail).encode() + b"]}")
    return path


BUILDERS = {"whatsapp": build, "telegram": build_telegram}


def child(path: str, home: str, lift_cap: bool) -> None:
    """Runs in its own process: import, print one JSON line of figures."""
    from core.paths import VaultPaths
    from core.vault import Vault

    if lift_cap:
        import core.capture.chats._caps as caps

        caps.MESSAGE_CAP = 10**12  # type: ignore[misc]  # the baseline: no cap while reading
        import core.capture.chats._jsonstream as jsonstream

        jsonstream.capped_json = lambda fh, *args, **kwargs: fh  # type: ignore[assignment]  # JSON read unfiltered
    start = time.perf_counter()
    with Vault.create(VaultPaths(Path(home)), "bench", use_keyring=False, embedder=None) as vault:
        report = vault.import_path(Path(path), embed=False)
    print(json.dumps({"seconds": time.perf_counter() - start, "imported": report.imported, "notes": report.notes,
                      "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))


def run(size_mb: float, keep: Path | None, fmt: str = "whatsapp") -> None:
    folder = keep or Path(tempfile.mkdtemp(prefix="cairn-bench-import-"))
    folder.mkdir(parents=True, exist_ok=True)
    try:
        path = BUILDERS[fmt](folder, size_mb)
        with zipfile.ZipFile(path) as zf:
            entry = zf.infolist()[0]
        print(f"zip {path.stat().st_size / 1e6:.1f} MB, entry {entry.file_size / 1e6:.0f} MB "
              f"(ratio {entry.file_size / max(entry.compress_size, 1):.0f})")
        print(f"{'reader':<28}{'peak RSS MB':>12}{'seconds':>9}  notes")
        for label, lift in (("cut while reading (Cairn)", False), ("whole message (baseline)", True)):
            home = folder / ("vault-" + ("lifted" if lift else "capped"))
            shutil.rmtree(home, ignore_errors=True)
            done = subprocess.run([sys.executable, "-m", "bench.import_memory", "--child", str(path), str(home),
                                   "1" if lift else "0"], capture_output=True, text=True)
            if done.returncode != 0:
                print(f"{label:<28}{'failed':>12}  {done.stderr.strip().splitlines()[-1:]}")
                continue
            figures = json.loads(done.stdout.strip().splitlines()[-1])
            print(f"{label:<28}{figures['rss_mb']:>12.0f}{figures['seconds']:>9.1f}  {'; '.join(figures['notes'])}")
    finally:
        if keep is None:
            shutil.rmtree(folder, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--size-mb", type=float, default=440.0, help="size of the chat entry (default 440)")
    parser.add_argument("--keep", type=Path, help="write the export and vaults under this folder and keep them")
    parser.add_argument("--format", choices=sorted(BUILDERS), default="whatsapp", help="export format (default whatsapp)")
    parser.add_argument("--child", nargs=3, metavar=("ZIP", "HOME", "LIFT"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child[0], args.child[1], args.child[2] == "1")
        return
    run(args.size_mb, args.keep, args.format)


if __name__ == "__main__":
    main()
