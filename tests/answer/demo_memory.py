"""The demo memory (the app wizard's "demo") on a real encrypted vault, as written: shared by the answer tests
that ask the demo's own questions (the birthday lunch, the staging link, the p95 notes)."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

BERLIN = ZoneInfo("Europe/Berlin")
NOW = datetime(2026, 11, 16, 12, 0, tzinfo=BERLIN)  # the demo as written (core.demo.demo_shift: 0 weeks)


def with_demo(vault: Any) -> Any:
    """``vault`` with the demo memory loaded at ``NOW`` (no vectors: the lexical side answers)."""
    from core.demo import load_demo_memory

    load_demo_memory(vault, now=NOW, embed=False)
    return vault


def ask(vault: Any, question: str) -> Any:
    """The extractive answer (no model) to ``question`` asked of ``vault`` at ``NOW``."""
    from core.answer import Answerer

    return Answerer(vault, neighbours=vault.neighbours).answer(question, now=NOW, use_model=False)
