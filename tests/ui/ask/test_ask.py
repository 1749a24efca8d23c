"""Ask: a cited answer arrives without blocking the UI; a citation opens the exact memory."""

from __future__ import annotations

from typing import Any

import pytest
from PySide6.QtCore import Qt, QUrl


def _ask(window: Any, qtbot: Any, question: str, *, use_model: bool) -> Any:
    qtbot.keyClick(window, Qt.Key.Key_J, Qt.KeyboardModifier.ControlModifier)
    ask = window.ask()
    assert window.current_page() == "ask" and ask.input.hasFocus()
    ask.use_model = use_model
    finished: list[Any] = []
    tokens: list[str] = []
    ask.answer_finished.connect(finished.append)
    ask.token_received.connect(tokens.append)
    qtbot.keyClicks(ask.input, question)
    qtbot.keyClick(ask.input, Qt.Key.Key_Return)
    assert ask.busy() and ask.stop_button.isEnabled()
    qtbot.waitUntil(lambda: bool(finished), timeout=180000)
    return ask, finished[0], tokens


def _open_first_citation(window: Any, qtbot: Any, ask: Any, final: Any) -> None:
    cited = ask.exchanges()[-1].citations[0]  # as shown: renumbered from 1
    ask.transcript.anchorClicked.emit(QUrl(f"cite:0:{cited.number}"))
    timeline = window.timeline()
    assert window.current_page() == "timeline"
    qtbot.waitUntil(lambda: timeline.current_item() is not None and int(timeline.current_item().id) == cited.item_id,
                    timeout=15000)


def test_extractive_answer_cites_a_memory_that_opens_in_the_timeline(unlocked: Any, qtbot: Any) -> None:
    ask, final, _tokens = _ask(unlocked, qtbot, "When is Grandpa's birthday?", use_model=False)
    assert final is not None and final.found and final.citations
    html = ask.transcript.toHtml()
    shown = ask.exchanges()[-1].citations
    assert [c.number for c in shown] == list(range(1, len(shown) + 1))  # numbered from 1, in order
    assert "cite:0:1" in html  # citations are links
    cited = unlocked.session.vault.get_item(final.citations[0].item_id)
    assert "birthday" in cited.text.lower()
    assert not ask.stop_button.isEnabled()
    _open_first_citation(unlocked, qtbot, ask, final)
    text = ask.transcript.toPlainText()
    assert "# " not in text and "**" not in text  # Markdown rendered, in the answer and in its sources
    assert "Files ·" not in text and "Demo ·" not in text  # sources named by file / conversation / app
    assert "model's answer" not in ask.meta.text()


def test_a_question_with_no_answer_in_memory_says_so(unlocked: Any, qtbot: Any) -> None:
    ask, final, _tokens = _ask(unlocked, qtbot, "What is the airspeed velocity of an unladen swallow?",
                               use_model=False)
    assert final is not None
    text = ask.transcript.toPlainText()
    if final.found:  # whatever is shown must be cited
        assert final.citations and "SOURCES" in text
    else:
        assert "don't find" in text
        assert not final.best_matches or "CLOSEST MEMORIES" in text


@pytest.mark.slow
def test_the_local_model_streams_tokens_then_a_cited_answer(unlocked: Any, qtbot: Any) -> None:
    ask, final, tokens = _ask(unlocked, qtbot, "What was the staging URL Lukas sent?", use_model=True)
    assert final is not None and final.citations
    engine = ask.engine()
    assert engine is not None and engine.model_loaded
    # Streamed text arrived piece by piece before the final answer (model draft tokens).
    assert len(tokens) > 1
    # Every citation number shown refers to a memory the answer cites.
    ids = {c.item_id for c in final.citations}
    assert all(unlocked.session.vault.get_item(i) for i in ids)
    _open_first_citation(unlocked, qtbot, ask, final)


def test_stop_ends_the_answer_and_keeps_the_ui_usable(unlocked: Any, qtbot: Any) -> None:
    window = unlocked
    ask = window.show_page("ask")
    ask.use_model = False
    ask.ask("Where is Priya moving?")
    ask.stop()
    assert not ask.busy() or ask._handle.cancelled
    assert not ask.stop_button.isEnabled()
    assert ask.exchanges()[-1].stopped
    qtbot.waitUntil(lambda: window.session.tasks.running == 0, timeout=15000)
    ask.ask("Where is Priya moving?")
    # The end state the user sees: the answer in the transcript (the exchange list fills in asynchronously).
    qtbot.waitUntil(lambda: "Leipzig" in ask.transcript.toPlainText(), timeout=60000)
    assert ask.exchanges()[-1].final is not None and not ask.exchanges()[-1].stopped


def _marked(browser: Any) -> list[str]:
    """The stretches of a text view drawn on a highlight background."""
    from PySide6.QtCore import Qt as _Qt

    marked: list[str] = []
    block = browser.document().begin()
    while block.isValid():
        it = block.begin()
        while not it.atEnd():
            fragment = it.fragment()
            if fragment.isValid() and fragment.charFormat().background().style() != _Qt.BrushStyle.NoBrush:
                marked.append(fragment.text())
            it += 1
        block = block.next()
    return marked


def test_an_opened_citation_marks_the_value_the_answer_took_from_it(unlocked: Any, qtbot: Any) -> None:
    ask, final, _tokens = _ask(unlocked, qtbot, "What time did the release go out?", use_model=False)
    assert final is not None and final.found and final.citations
    answer = ask.exchanges()[-1].text
    assert "17:40" in answer, answer
    _open_first_citation(unlocked, qtbot, ask, final)
    moment = unlocked.timeline().moment
    qtbot.waitUntil(lambda: "17:40" in moment._text.toPlainText(), timeout=15000)
    marked = _marked(moment._text)
    assert "17:40" in marked, marked  # the answer's value, not only the question's words ("release")


def test_a_source_row_shows_and_marks_the_line_the_answer_took_its_value_from(unlocked: Any, qtbot: Any) -> None:
    ask, final, _tokens = _ask(unlocked, qtbot, "When is Grandpa's birthday lunch?", use_model=False)
    assert final is not None and final.found and final.citations
    answer = ask.exchanges()[-1].text
    assert "13:00 at Mum's" in answer, answer
    marked = " ".join(_marked(ask.transcript))
    assert "Lunch at Mum's at 13:00" in marked, marked  # not the note's beginning, its title
    assert "Grandpa's 85th birthday" not in marked, marked


def test_the_staging_link_is_answered_from_lukass_message_with_sentence_vectors(unlocked: Any, qtbot: Any) -> None:
    """With the vault's sentence vectors (as the app asks): a screen's single line ("#1187 release/2.4 Lukas",
    "https://staging…/app") does not outrank the message that answers, and no quote holds a side rail."""
    ask, final, _tokens = _ask(unlocked, qtbot, "What was the staging URL Lukas sent?", use_model=False)
    assert final is not None and final.found
    answer = ask.exchanges()[-1].text
    assert answer.startswith("Lukas: “") and "https://staging.tidepool.dev/app" in answer, answer
    assert not any(c.source.startswith("screen") for c in final.citations), final.citations
