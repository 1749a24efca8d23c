"""Every ``CAIRN_*`` switch the code or the README names is listed, with its help, in ``core.env``."""

from __future__ import annotations

import re
from pathlib import Path

from core.env import SWITCHES

ROOT = Path(__file__).resolve().parents[1]
NAME = re.compile(r"\bCAIRN_[A-Z][A-Z_]*[A-Z]\b")


def test_every_switch_named_anywhere_is_listed() -> None:
    listed = {s.name for s in SWITCHES}
    sources = [p for top in ("core", "ui", "app", "bench", "tools") for p in (ROOT / top).rglob("*.py")]
    named = {name: str(path.relative_to(ROOT)) for path in [*sources, ROOT / "README.md"]
             for name in NAME.findall(path.read_text("utf-8"))}
    assert {name: where for name, where in named.items() if name not in listed} == {}


def test_every_switch_says_what_it_does() -> None:
    assert all(s.help and s.name.startswith("CAIRN_") for s in SWITCHES)
    assert len({s.name for s in SWITCHES}) == len(SWITCHES)
