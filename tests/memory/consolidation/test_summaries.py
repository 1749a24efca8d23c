from __future__ import annotations

from core.memory.consolidation.summaries import extractive_summary, grounded, summarize
from tests.memory.helpers import item

TALK = [
    ("Ann", "Did you book the train to Lyon for the conference next Thursday?"),
    ("Ben", "Yes, the train leaves at 7:42 from Gare de Lyon and arrives before ten."),
    ("Ann", "Great. I will bring the poster about glacier retreat and the printed handouts."),
    ("Ben", "ok"),
    ("Ann", "The hotel near the venue is booked for two nights, confirmation code HX-4471."),
]


def _items() -> list:
    return [item(i + 1, text, 1000.0 + i, speaker=who) for i, (who, text) in enumerate(TALK)]


def test_extractive_summary_is_never_empty_and_only_source_sentences() -> None:
    items = _items()
    summary = extractive_summary(items)
    assert summary.method == "extractive"
    assert summary.text.strip()
    by_id = {it.id: it for it in items}
    assert summary.sentences
    for sentence in summary.sentences:
        assert sentence.text in by_id[sentence.item_id].text
    # the rendered text is exactly the chosen sentences with their speakers
    assert summary.text.splitlines() == [f"{s.speaker}: {s.text}" for s in summary.sentences]


def test_extractive_summary_prefers_content_over_filler() -> None:
    summary = extractive_summary(_items(), max_sentences=2)
    assert "ok" not in summary.text.splitlines()


def test_summary_of_items_without_text_uses_metadata() -> None:
    frames = [item(i, "", 1000.0 + i, source="screen", speaker=None, conversation=None, kind="screenshot",
                   app="firefox", window_title="Bank statement") for i in range(3)]
    summary = summarize(frames)
    assert summary.method == "metadata"
    assert "firefox" in summary.text and "Bank statement" in summary.text


def test_invented_model_summary_falls_back_to_extractive() -> None:
    class Liar:
        def complete(self, prompt: str, **kw: object) -> str:
            return "Ann and Carla flew to Paris on Friday to meet the Mayor."

    summary = summarize(_items(), Liar())
    assert summary.method == "extractive"


def test_grounded_model_summary_is_kept() -> None:
    class Honest:
        def complete(self, prompt: str, **kw: object) -> str:
            return "Ann and Ben booked the train to Lyon and the hotel for the conference."

    summary = summarize(_items(), Honest())
    assert summary.method == "model"
    assert summary.text.startswith("Ann and Ben")


def test_grounded_rejects_empty_and_rambling() -> None:
    source = "Ann: the train leaves at 7:42"
    assert not grounded("", source)
    assert not grounded("Summary: " + "x " * 400, source)
    assert not grounded("The train leaves at 9:15", source)  # a number not in the source


def test_transcript_echo_is_not_a_summary() -> None:
    class Parrot:
        def complete(self, prompt: str, **kw: object) -> str:
            return "\nAnn: Did you book the train to Lyon?\nBen: Yes, the train leaves at 7:42"

    assert summarize(_items(), Parrot()).method == "extractive"
