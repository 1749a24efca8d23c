"""How answers read: citations renumbered in reading order, Markdown rendered, sources named, no machinery."""

from __future__ import annotations

from dataclasses import dataclass

from ui.ask.present import answer_html, cited_preview, renumber, source_label, user_notes


@dataclass(frozen=True)
class Cite:
    number: int
    item_id: int


def test_citations_are_renumbered_by_first_use_and_uncited_follow() -> None:
    text, cites = renumber("Lunch is at 13:00 [5] at Mum's [2][5]; Jonas brings cake [8].",
                           [Cite(2, 20), Cite(5, 50), Cite(8, 80), Cite(9, 90)])
    assert text == "Lunch is at 13:00 [1] at Mum's [2][1]; Jonas brings cake [3]."
    assert [(c.number, c.item_id) for c in cites] == [(1, 50), (2, 20), (3, 80), (4, 90)]


def test_markdown_is_rendered_and_only_valid_citations_link() -> None:
    html = answer_html("## Plan\n- **Lunch** at 13:00 [1]\n- cake [7]", "#07f", "cite:0:{n}", {1})
    assert "<h2>Plan</h2>" in html and "<strong>Lunch</strong>" in html and "<li>" in html
    assert "href='cite:0:1'" in html and "cite:0:7" not in html and "[7]" in html
    assert "<script>" not in answer_html("<script>x</script>", "#07f", "cite:0:{n}", set())


def test_a_source_shows_the_line_the_answer_took_its_value_from() -> None:
    note = ("Aunt Ilse's 70th — 12 May.\nPresent: a pear tree for the garden.\n"
            "Plan: Dinner at Klara's at 19:30; Ben brings the wine.\nAsk about the allotment.")
    before, cited, after = cited_preview(note, "12 May 2027, 19:30 at Klara's [1]", 1, "When is Ilse's dinner?")
    assert cited == "Plan: Dinner at Klara's at 19:30; Ben brings the wine."
    assert before == "… " and after.strip().startswith("Ask about")
    # the value of another citation does not move this one's preview
    assert cited_preview(note, "19:30 [2]; a pear tree [1]", 1)[1] == "Present: a pear tree for the garden."
    # nothing of the answer in the memory (a paraphrase): its beginning, as before
    assert cited_preview(note, "Sometime in spring [1]", 1) == ("", "", " ".join(note.split()))


def test_sources_are_named_as_the_user_knows_them() -> None:
    assert source_label("chat:demo", conversation="Priya", speaker="Priya") == "Priya"
    assert source_label("chat:whatsapp", conversation="Family") == "Family (WhatsApp)"
    assert source_label("file:demo", title="grandpa-85th-birthday.md") == "grandpa-85th-birthday.md"
    assert source_label("screen:demo", title="Boulderhaus Berlin — Google Maps — Mozilla Firefox",
                        app="firefox") == "Firefox — Boulderhaus Berlin"


def test_notes_keep_what_concerns_the_question_and_drop_the_machinery() -> None:
    notes = ["the model's answer had no valid, supported citation; quoting the memories instead",
             "took 'my trip' to be 03 Mar 2026 (item 42)", "nothing found 'in April'; searched all time"]
    assert user_notes(notes) == ["took 'my trip' to be 03 Mar 2026", "nothing found 'in April'; searched all time"]
