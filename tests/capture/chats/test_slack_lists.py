"""Slack's users.json and channels.json are streamed, not loaded whole (#20 item 6).

A workspace's lists grow with its people, not its history: a 50 MB ``users.json`` loaded whole cost a reader
several hundred MB.  The reader runs here in its own process on exports whose lists are 4x apart in size;
its peak resident memory must not follow them.  A list longer than the names Cairn keeps is said so.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from core.capture.chats import slack
from core.capture.chats.formats import load_reader
from core.capture.chats.reader import ImportOptions
from core.types import Record, RecordNote

SMALL, LARGE = 15_000, 60_000
GROWTH_MB = 30  # 45k more names held (~150 bytes each), with slack

_MEASURE = """
import sys
def peak_kb():  # this program's own high-water mark (ru_maxrss would carry the parent's over from the fork)
    with open("/proc/self/status") as status:
        return next(int(line.split()[1]) for line in status if line.startswith("VmHWM:"))
from pathlib import Path
from core.capture.chats.formats import load_reader
from core.capture.chats.reader import ImportOptions
from core.types import Record
records = [r for r in load_reader("slack").read(Path(sys.argv[1]), ImportOptions(timezone="UTC")) if isinstance(r, Record)]
print(len(records), peak_kb(), records[0].speaker, sep="\t")
"""


def _user(n: int) -> dict[str, object]:
    profile = {key: f"{key} of person {n}" for key in ("title", "phone", "skype", "status_text", "status_emoji",
                                                       "avatar_hash", "image_24", "image_32", "image_48", "image_72")}
    return {"id": f"U{n:07d}", "team_id": "T1", "name": f"person{n}", "deleted": False, "tz": "Europe/Lisbon",
            "real_name": f"Person {n}", "profile": {**profile, "real_name": f"Person {n}",
                                                     "display_name": f"person{n}"}, "is_admin": False}


def _export(folder: Path, people: int) -> Path:
    folder.mkdir()
    with (folder / "users.json").open("w", encoding="utf-8") as fh:
        fh.write("[" + ",\n".join(json.dumps(_user(n)) for n in range(people)) + "]")
    with (folder / "channels.json").open("w", encoding="utf-8") as fh:
        channels = [{"id": f"C{n:07d}", "name": "general" if n == 0 else f"room-{n}", "created": 1_700_000_000,
                     "creator": "U0000000", "members": [f"U{m:07d}" for m in range(n % 7, people, people // 5)],
                     "topic": {"value": f"room {n}"}} for n in range(people // 2)]
        fh.write("[" + ",\n".join(json.dumps(c) for c in channels) + "]")
    (folder / "general").mkdir()
    messages = [{"type": "message", "user": f"U{people - 1:07d}", "text": f"msg{n} hello <#C0000001>",
                 "ts": f"{1_700_000_000 + n}.000100"} for n in range(10)]
    (folder / "general" / "2024-03-14.json").write_text(json.dumps(messages), encoding="utf-8")
    return folder


def _peak_rss_mb(path: Path) -> tuple[int, str, float]:
    out = subprocess.run([sys.executable, "-c", _MEASURE, str(path)], capture_output=True, text=True, timeout=600,
                         check=True, cwd=Path(__file__).resolve().parents[3])
    count, peak_kb, speaker = out.stdout.rstrip("\n").split("\t")
    return int(count), speaker, int(peak_kb) / 1024


def test_long_user_and_channel_lists_do_not_grow_memory(tmp_path: Path) -> None:
    small = _export(tmp_path / "small", SMALL)
    large = _export(tmp_path / "large", LARGE)
    assert (large / "users.json").stat().st_size + (large / "channels.json").stat().st_size > 40_000_000
    small_count, small_speaker, small_mb = _peak_rss_mb(small)
    large_count, large_speaker, large_mb = _peak_rss_mb(large)
    assert (small_count, large_count) == (10, 10)
    assert (small_speaker, large_speaker) == (f"Person {SMALL - 1}", f"Person {LARGE - 1}")  # the last user named
    # Loaded whole, the larger lists cost ~200 MB more here.
    assert large_mb - small_mb < GROWTH_MB, f"{small_mb:.0f} MB for {SMALL} people, {large_mb:.0f} MB for {LARGE}"


def test_names_past_the_limit_are_said_and_shown_by_id(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    export = _export(tmp_path / "export", 40)
    monkeypatch.setattr(slack, "NAMES_KEPT", 10)
    results = list(load_reader("slack").read(export, ImportOptions(timezone="UTC")))
    notes = [r.text for r in results if isinstance(r, RecordNote)]
    assert notes == ["users.json lists more than 10 people: 30 are shown by their id",
                     "channels.json lists more than 10 channels: 10 are shown by their id"]
    records = [r for r in results if isinstance(r, Record)]
    assert len(records) == 10 and records[0].speaker == "U0000039" and "#room-1" in records[0].text
