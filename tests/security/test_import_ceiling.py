"""One monstrous message cannot grow an import's memory (#20 item 6): peak RSS of `cairn import` <= 400 MB.

Each chat reader gets a real-looking export with one hostile message spliced in: tens of thousands of strings
each under the string cap (their sum is not), then millions of tiny values (``{}``).  The export is written
streaming into the temp folder, so the test itself stays small.  The real ``cairn import`` runs in a child
process; the parent reads the child's VmHWM from ``/proc/<pid>/status`` while it runs (and stops it past a hard
limit, so a regression cannot take the machine down), and the child reports its own VmHWM as it exits.

iMessage's database gets hundreds of thousands of tapbacks instead (on one message and on others).
Two sizes 4x apart per reader show that memory does not follow the message (built whole, the larger one costs
hundreds of MB more), one ~500 MB export checks the absolute ceiling, and the report must say what was cut.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import IO

import pytest

from core.paths import VaultPaths
from tests.conftest import TEST_PASSPHRASE
from tests.data.chats.variants import _claude_conversations

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "tests" / "data" / "chats"
CEILING_MB = 400  # #20 item 6: peak RSS of any import
GROWTH_MB = 40  # between the two sizes; built whole, the larger message costs ~200 MB more
KILL_MB = 1500  # the parent stops a child past this (the test fails), so a regression stays harmless
MB = 1024 * 1024
STRING = "w" * 60_000  # under the 100k-character cap of one string: only their sum is large

# The child: `cairn import` itself, with its own high-water mark written to a file as it exits.
_CHILD = """
import atexit, runpy, sys
peak_file = sys.argv.pop(1)
def _peak():
    with open("/proc/self/status") as status, open(peak_file, "w") as out:
        out.write(next(line.split()[1] for line in status if line.startswith("VmHWM:")))
atexit.register(_peak)
sys.argv[0] = "cairn"
runpy.run_module("app.cli", run_name="__main__")
"""


def _monster(out: IO[str], string_bytes: int, values: int) -> None:
    """Writes ``"cairn_monster": [<strings>, <values>],`` — a key no reader uses, built whole by the old code."""
    out.write('"cairn_monster": [')
    for _ in range(string_bytes // len(STRING)):
        out.write(f'"{STRING}",')
    chunk = "{}," * 100_000
    for _ in range(values // 100_000):
        out.write(chunk)
    out.write("0],")


def _spliced(source: str, anchor: str, dest: Path, string_bytes: int, values: int) -> None:
    """``source`` with the monster written right after the first ``anchor`` (which ends a key or opens a map)."""
    at = source.index(anchor) + len(anchor)
    with dest.open("w", encoding="utf-8") as out:
        out.write(source[:at])
        _monster(out, string_bytes, values)
        out.write(source[at:])


def _copy(src: Path, dest: Path) -> Path:
    shutil.copytree(src, dest)
    return dest


def _slack(tmp: Path, string_bytes: int, values: int) -> Path:
    root = _copy(DATA / "slack" / "acme-export", tmp / "slack")
    day = next(p for p in sorted((root / "general").glob("*.json"))
               if "77592124-aaaa-bbbb-cccc-000000000000" in p.read_text(encoding="utf-8"))
    _spliced(day.read_text(encoding="utf-8"), '"client_msg_id": "77592124-aaaa-bbbb-cccc-000000000000",', day,
             string_bytes, values)
    return root


def _telegram(tmp: Path, string_bytes: int, values: int) -> Path:
    src = DATA / "telegram" / "ChatExport_2023-11-20" / "result.json"
    (tmp / "tg").mkdir()
    _spliced(src.read_text(encoding="utf-8"), '"id": 102,', tmp / "tg" / "result.json", string_bytes, values)
    return tmp / "tg" / "result.json"


def _discord(tmp: Path, string_bytes: int, values: int) -> Path:
    src = DATA / "discord" / "Direct Messages - tomdev [990000000000000077].json"
    dest = tmp / src.name
    _spliced(src.read_text(encoding="utf-8"), '"id": "1188000000000000001",', dest, string_bytes, values)
    return dest


def _messenger(tmp: Path, string_bytes: int, values: int) -> Path:
    root = _copy(DATA / "messenger" / "facebook-mira", tmp / "facebook-mira")
    page = next(root.rglob("climbingcrew_*/message_1.json"))
    _spliced(page.read_text(encoding="utf-8"), '"sender_name": "Zo\\u00c3\\u00ab \\u00c3\\u0085ngstr\\u00c3\\u00b6m",',
             page, string_bytes, values)
    return root


def _chatgpt(tmp: Path, string_bytes: int, values: int) -> Path:
    src = DATA / "chatgpt" / "export" / "conversations.json"
    dest = tmp / "conversations.json"
    _spliced(src.read_text(encoding="utf-8"), '"c1-user": {', dest, string_bytes, values)
    return dest


def _claude(tmp: Path, string_bytes: int, values: int) -> Path:
    dest = tmp / "conversations.json"
    _spliced(json.dumps(_claude_conversations()), '{"uuid": "m-0001", ', dest, string_bytes, values)
    return dest


def _jsonl(tmp: Path, string_bytes: int, values: int) -> Path:
    dest = tmp / "chat.jsonl"
    line = {"conversation": "c", "timestamp": "2024-03-14T18:00:00+00:00", "speaker": "Ana", "id": "m2",
            "text": "the monster"}
    with dest.open("w", encoding="utf-8") as out:
        out.write(json.dumps({**line, "id": "m1", "text": "before it"}) + "\n{")
        _monster(out, string_bytes, values)
        out.write(json.dumps(line)[1:] + "\n")
        out.write(json.dumps({**line, "id": "m3", "text": "after it"}) + "\n")
    return dest


def _whatsapp(tmp: Path, string_bytes: int, values: int) -> Path:
    """One message of many long lines, then one line of ``values`` characters: both are cut at the cap."""
    dest = tmp / "WhatsApp Chat with Ana.txt"
    with dest.open("w", encoding="utf-8") as out:
        out.write("[14.03.24, 18:00:00] Ana: before it\n[14.03.24, 18:01:00] Ana: the monster\n")
        for _ in range(string_bytes // len(STRING)):
            out.write(STRING + "\n")
        for _ in range(values // 100_000):
            out.write("{}" * 100_000)
        out.write("\n[14.03.24, 18:02:00] Ana: after it\n")
    return dest


def _telegram_html(tmp: Path, string_bytes: int, values: int) -> Path:
    """A message with a tag as long as the strings (HTMLParser holds an unfinished tag whole) and ``values``
    attachment links."""
    folder = tmp / "ChatExport_html"
    folder.mkdir()
    with (folder / "messages.html").open("w", encoding="utf-8") as out:
        out.write('<!DOCTYPE html><html><head><meta charset="utf-8"/></head><body><div class="page_wrap">'
                  '<div class="page_header"><div class="content"><div class="text bold">Walkers</div></div></div>'
                  '<div class="page_body chat_page"><div class="history">'
                  '<div class="message default clearfix" id="message7"><div class="body">'
                  '<div class="pull_right date details" title="14.03.2024 18:00:00 UTC+00:00">18:00</div>'
                  '<div class="from_name">Ana</div><div class="text">the monster</div>'
                  '<div class="media_wrap clearfix"><a title="')
        for _ in range(string_bytes // len(STRING)):
            out.write(STRING)
        out.write('">x</a>')
        link = '<a href="photos/p.jpg">p</a>' * 10_000
        for _ in range(values // 40_000):  # a quarter: the standard library's HTML parser reads ~100k tags/s
            out.write(link)
        out.write('</div></div></div>'
                  '<div class="message default clearfix" id="message8"><div class="body">'
                  '<div class="pull_right date details" title="14.03.2024 18:02:00 UTC+00:00">18:02</div>'
                  '<div class="from_name">Ben</div><div class="text">after it</div></div></div>'
                  '</div></div></div></body></html>')
    return folder


def _imessage(tmp: Path, string_bytes: int, values: int) -> Path:
    """A chat.db whose tapbacks are ``values * 3 // 5`` rows: a tenth on one message, the rest on other targets,
    more than the reactions index holds while the messages stream (250k) in both sizes.  A text is cut by
    SQLite, so ``string_bytes`` is unused."""
    import sqlite3

    from tests.capture.chats.imessage_fixture import build_sample

    path = tmp / "chat.db"
    guids = build_sample(path)
    taps = values * 3 // 5
    conn = sqlite3.connect(path)
    conn.executemany(
        "INSERT INTO message (guid, handle_id, date, associated_message_type, associated_message_guid, is_from_me) "
        "VALUES (?, 1, 1, 2000, ?, 0)",
        ((f"tap-{n}", f"p:0/{guids['q'] if n < taps // 10 else f'other-{n}'}") for n in range(taps)))
    conn.commit()
    conn.close()
    return path


READERS: dict[str, Callable[[Path, int, int], Path]] = {
    "slack": _slack, "telegram": _telegram, "discord": _discord, "messenger": _messenger, "chatgpt": _chatgpt,
    "claude": _claude, "jsonl": _jsonl, "whatsapp": _whatsapp, "telegram_html": _telegram_html,
    "imessage": _imessage,
}
FORMAT = {"telegram_html": "telegram"}


def _vault(tmp: Path) -> dict[str, str]:
    from core.vault import Vault

    home = tmp / "home"
    Vault.create(VaultPaths(home), TEST_PASSPHRASE, use_keyring=False, embedder=None).close()
    return {**os.environ, "CAIRN_HOME": str(home), "CAIRN_PASSPHRASE": TEST_PASSPHRASE, "CAIRN_EMBEDDER": "none"}


def _status_kb(pid: int, field: str) -> int | None:
    try:
        with open(f"/proc/{pid}/status") as status:
            return next(int(line.split()[1]) for line in status if line.startswith(field + ":"))
    except (OSError, StopIteration):  # the child has just exited
        return None


def _import(env: dict[str, str], export: Path, fmt: str, peak_file: Path) -> tuple[float, str]:
    """(peak RSS in MB, report) of `cairn import` of ``export`` in a child process."""
    child = subprocess.Popen(
        [sys.executable, "-c", _CHILD, str(peak_file), "import", str(export), "--format", fmt, "--no-embed",
         "--no-consolidate"], env=env, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    seen = 0
    try:
        while child.poll() is None:  # read the child's high-water mark while it runs, until it exits
            seen = max(seen, _status_kb(child.pid, "VmHWM") or 0)
            if seen > KILL_MB * 1024:
                child.kill()
                pytest.fail(f"cairn import of {export.name} passed {KILL_MB} MB of RSS: stopped")
            with contextlib.suppress(subprocess.TimeoutExpired):
                child.wait(timeout=0.05)
        report = child.stdout.read() if child.stdout else ""
    finally:
        if child.poll() is None:
            child.kill()
        child.wait(timeout=60)
    assert child.returncode == 0, report
    own = int(peak_file.read_text()) if peak_file.exists() else 0
    return max(seen, own) / 1024, report


def _run(tmp: Path, reader: str, string_bytes: int, values: int) -> tuple[float, str]:
    folder = tmp / f"{reader}-{string_bytes}"
    folder.mkdir()
    export = READERS[reader](folder, string_bytes, values)
    return _import(_vault(folder), export, FORMAT.get(reader, reader), folder / "peak")


def _says_cut(report: str) -> None:
    assert re.search(r"\b1 message\(s\) or document\(s\) too long: cut", report), report


@pytest.mark.parametrize("reader", list(READERS))
def test_one_monstrous_message_does_not_grow_memory(reader: str, tmp_path: Path) -> None:
    small_mb, small_report = _run(tmp_path, reader, 10 * MB, 500_000)
    large_mb, large_report = _run(tmp_path, reader, 40 * MB, 2_000_000)
    _says_cut(small_report)
    _says_cut(large_report)
    assert "imported" in large_report.lower(), large_report
    assert max(small_mb, large_mb) <= CEILING_MB, f"{small_mb:.0f} MB, {large_mb:.0f} MB"
    assert large_mb - small_mb < GROWTH_MB, f"{reader}: {small_mb:.0f} MB for the small message, {large_mb:.0f} MB for 4x"


def test_a_500_mb_message_stays_under_the_ceiling(tmp_path: Path) -> None:
    peak_mb, report = _run(tmp_path, "slack", 480 * MB, 8_000_000)
    _says_cut(report)
    assert peak_mb <= CEILING_MB, f"{peak_mb:.0f} MB"
