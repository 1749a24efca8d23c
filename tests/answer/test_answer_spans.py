"""The values an answer takes from one cited memory: the time, date, amount or name its citation backs."""

from __future__ import annotations

from core.answer.spans import answer_values, claim_of


def test_each_citation_backs_the_words_before_it() -> None:
    answer = "Ines moves to Grenoble [1] and starts on 4 March [2]. The flat costs 1.200 € a month [1]."
    assert claim_of(answer, 2) == "and starts on 4 March"
    assert answer_values(answer, 1) == ["Grenoble", "1.200 €"]
    assert answer_values(answer, 2) == ["4 March"]
    assert answer_values(answer, 3) == []


def test_times_dates_amounts_and_names() -> None:
    assert answer_values("09:55 [1]", 1) == ["09:55"]
    assert answer_values("The ferry leaves at 7.40 pm from pier 3 [4].", 4) == ["7.40 pm", "3"]
    # a date with a year the memory may not write: the day and month too
    assert answer_values("14 July 2027 [1]", 1) == ["14 July 2027", "14 July"]
    assert answer_values("Ravi: “Finished the book by Olga Berg at Café Lumen” [2]", 2) == [
        "Café Lumen", "Olga Berg"]  # the speaker before the quote and a first capital are no answer
    assert answer_values("The preview is at https://preview.orbit.example/app [3].", 3) == [
        "https://preview.orbit.example/app"]
