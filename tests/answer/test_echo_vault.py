"""On a real encrypted vault: the named person cheering the other's story on is not their own story."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from core.answer import Answerer
from core.answer.abstain import Abstention
from core.types import Record

START = datetime(2023, 5, 8, 18, 0, tzinfo=ZoneInfo("Europe/Berlin"))
TURNS = [
    ("John", "Hey Maria, how was your week?"),
    ("Maria", "Just yesterday I joined a nearby church. I wanted to feel closer to a community and my faith."),
    ("John", "Joining a nearby church can be really encouraging. I'm thrilled for you!"),
    ("Maria", "Thanks! What about you, still busy with the campaign?"),
    ("John", "Yes, I'm knocking on doors every evening to talk about the new school."),
]


def _answerer(vault, policy: Abstention) -> Answerer:  # type: ignore[no-untyped-def]
    return Answerer(vault, neighbours=vault.neighbours, abstention=policy)


def test_a_question_that_swaps_in_the_person_who_only_cheered_is_not_answered(lexical_vault) -> None:  # type: ignore[no-untyped-def]
    lexical_vault.ingest([
        Record(source="chat:jsonl", external_id=f"t{i}", kind="message", conversation="evening chat",
               timestamp=START + timedelta(minutes=3 * i), text=text, speaker=speaker)
        for i, (speaker, text) in enumerate(TURNS, 1)
    ], embed=False)
    now = START + timedelta(days=2)
    on = _answerer(lexical_vault, Abstention(echoes=True))
    swapped = on.answer("Why did John join a nearby church?", now=now, use_model=False)
    assert swapped.mode == "not_found", swapped.text
    right = on.answer("Why did Maria join a nearby church?", now=now, use_model=False)
    assert right.mode == "extractive" and right.citations[0].external_id == "t2", right.text
    own = on.answer("What is John doing every evening?", now=now, use_model=False)
    assert own.mode == "extractive" and own.citations[0].external_id == "t5", own.text
    # the default policy abstains too
    default = Answerer(lexical_vault, neighbours=lexical_vault.neighbours)
    assert default.answer("Why did John join a nearby church?", now=now, use_model=False).mode == "not_found"
    # without the rule John's cheer answers the swapped question (the rule is what abstains)
    off = _answerer(lexical_vault, Abstention(echoes=False))
    assert off.answer("Why did John join a nearby church?", now=now, use_model=False).mode == "extractive"
