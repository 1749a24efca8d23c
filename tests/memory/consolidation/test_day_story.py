"""Day summaries on the demo memory: a written paragraph, no ids or fragments, and never counted as activity."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from core.demo import load_demo_memory
from core.memory.consolidation.consolidate import consolidate
from core.memory.consolidation.day_story import day_paragraph
from core.memory.consolidation.episodes import Episode
from core.memory.consolidation.types import ConsolidationOptions

BERLIN = ZoneInfo("Europe/Berlin")
NOW = datetime(2026, 11, 20, 12, 0, tzinfo=BERLIN)


def _episode(id: int, kind: str, title: str, participants: tuple[str, ...] = (), apps: tuple[str, ...] = (),
             conversation: str | None = None) -> Episode:
    return Episode(id, f"k{id}", kind, "s", conversation, 0.0, 1.0, title, participants, apps, 1, 100 + id)


def test_the_paragraph_names_people_apps_and_documents() -> None:
    text = day_paragraph([
        _episode(1, "chat", "Chat with Priya, Me (Priya)", ("Priya", "Me"), conversation="Priya"),
        _episode(2, "screen", "firefox: Boulderhaus Berlin — Google Maps — Mozilla Firefox", apps=("firefox",)),
        _episode(3, "files", "Worked on grandpa-85th-birthday.md"),
        _episode(4, "chat", "Chat with Mum, Jonas (Family)", ("Mum", "Jonas", "Me"), conversation="Family"),
    ], {1: ("climbing", "Leipzig")})
    assert text == ("You talked with Priya (climbing, Leipzig) and with Mum and Jonas in Family; spent time in"
                    " Firefox (Boulderhaus Berlin); and worked on grandpa-85th-birthday.md.")


@pytest.fixture()
def demo_vault(lexical_vault):
    load_demo_memory(lexical_vault, now=NOW, embed=False)
    consolidate(lexical_vault, options=ConsolidationOptions(phone_region="DE", self_names=("Sam Keller",),
                                                            timezone=BERLIN))
    return lexical_vault


def test_demo_days_read_as_paragraphs_and_stay_out_of_the_moment_stream(demo_vault) -> None:
    rows = demo_vault.read().execute(
        "SELECT external_id, text, title FROM items WHERE source = 'summary'").fetchall()
    days = [r for r in rows if r[0].startswith("day:")]
    assert days
    for _, text, _title in rows:
        assert "file:demo" not in text and "screen:demo" not in text and "chat:demo" not in text
    for _day, text, _ in days:
        assert text.startswith("You ") and text.endswith(".") and "\n" not in text, text
        assert not re.search(r"(?m)^\w+: ", text)  # no pasted "Speaker: …" lines
    titles = " ".join(r[2] or "" for r in rows)
    assert "items" not in titles  # no "file:demo: 1 items"
    day = date.fromisoformat(days[0][0].removeprefix("day:"))
    start = datetime(day.year, day.month, day.day, tzinfo=BERLIN)
    assert demo_vault.day_summary(day) is not None
    moments = demo_vault.items_between(start, start + timedelta(days=1), moments_only=True)
    assert moments and all(m.source != "summary" for m in moments)
    assert any(m.source == "summary" for m in demo_vault.items_between(start, start + timedelta(days=1)))
    hours = demo_vault.activity_histogram(start, start + timedelta(days=1), 3600)
    assert sum(n for _, n in hours) == len(moments)  # the summary adds no activity (no bar at midnight)


def test_every_chat_partner_of_a_day_is_named_in_its_summary(demo_vault) -> None:
    """A two-message chat has no episode summary of its own, yet its people took part in the day: on the
    demo's release day Lukas writes at noon and Priya in the evening, and both are named."""
    conn = demo_vault.read()
    days = dict(conn.execute("SELECT external_id, text FROM items WHERE source = 'summary'"
                             " AND external_id LIKE 'day:%'").fetchall())
    checked = 0
    for key, text in days.items():
        day = date.fromisoformat(key.removeprefix("day:"))
        start = datetime(day.year, day.month, day.day, tzinfo=BERLIN)
        speakers = {i.speaker for i in demo_vault.items_between(start, start + timedelta(days=1), moments_only=True)
                    if i.source == "chat:demo" and i.speaker and i.speaker != "Me"}
        for speaker in speakers:
            assert speaker in text, (key, speaker, text)
        checked += len(speakers) > 1
    assert checked >= 1  # a day with more than one chat partner (the release day: Lukas and Priya)
    release = next(i for i in conn.execute("SELECT ts FROM items WHERE text LIKE 'Release went out%'"))
    day = datetime.fromtimestamp(release[0], BERLIN).date()
    assert re.search(r"talked with Lukas and with Priya", days[f"day:{day.isoformat()}"])
