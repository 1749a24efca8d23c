"""Proper names typed by the cues around them: people listed with people, named by a title, a relation, a
label or an author's "by"; list markers and headings start a sentence; a possessive ends a name."""

from __future__ import annotations

from core.memory.extraction.names import find_names


def _kinds(text: str, known: frozenset[str] = frozenset()) -> list[tuple[str, str]]:
    return [(m.kind, m.value) for m in find_names(text, known)]


def test_names_listed_with_a_known_person_are_people() -> None:
    known = frozenset({"ines"})
    assert _kinds("Attendees: Ines Moreau (host), Tomasz Wilk, Olga Berg and Ravi Patel.", known) == [
        ("person", "Ines Moreau"), ("person", "Tomasz Wilk"), ("person", "Olga Berg"), ("person", "Ravi Patel")]
    assert _kinds("lunch with Ines and Olga at noon", known) == [("person", "Ines"), ("person", "Olga")]
    # a first name alone, later in the same text, is the person named in full before
    assert ("person", "Olga") in _kinds("Olga Berg, Ines Moreau were there.\n- Olga: send the slides", known)


def test_a_title_relation_label_or_author_names_a_person() -> None:
    assert _kinds("Dinner at home with my colleague Tomasz Wilk") == [("person", "Tomasz Wilk")]
    assert _kinds("Hi Olga, the draft is attached") == [("person", "Olga")]
    assert _kinds("Appointment with Dr Halvorsen on Friday") == [("person", "Dr Halvorsen")]
    assert _kinds("Finished 'Blue Harbour' by Ravi Patel last night") == [
        ("work", "Blue Harbour"), ("person", "Ravi Patel")]  # a quoted title by someone
    # OCR runs a ticket's labels into the names beside them
    assert _kinds("Assignee Olga Berg Reporter Ravi Patel") == [("person", "Olga Berg"), ("person", "Ravi Patel")]
    # "by" alone does not make a single word a person
    assert _kinds("We need it by Tuesday or by Ravensburg") == [("name", "Ravensburg")]


def test_an_author_after_a_title_on_a_list_line_is_a_person() -> None:
    assert _kinds("- The Left Hand of Darkness — Ursula Le Guin") == [("work", "The Left Hand of Darkness"),
                                                                        ("person", "Ursula Le Guin")]
    assert ("person", "Tove Jansson") in _kinds("* Moominsummer Madness – Tove Jansson (for the kids)")
    assert ("person", "Olga Tokarczuk") in _kinds("2. Flights -- Olga Tokarczuk, lent to Ravi")
    # in a window title the part after a dash is a page or an app, not a person
    assert _kinds("Orbit — Sprint Board") == [("name", "Sprint Board")]
    assert ("person", "Sprint Board") not in _kinds("- Orbit — Sprint Board is slow today")


def test_a_reminder_verb_is_no_part_of_the_name_after_it() -> None:
    assert _kinds("Ask Grandma about the recipe.") == [("person", "Grandma")]
    assert _kinds("- Call Uncle Teodor before Friday") == [("person", "Uncle Teodor")]
    assert _kinds("Remind Ravi Patel of the invoice") == [("person", "Ravi Patel")]
    assert _kinds("Visit Ravensburg in May") == [("place", "Ravensburg")]
    # only where a sentence starts: inside one, a capitalised "Call" is part of a name
    assert ("name", "Call") not in _kinds("The Call Centre in Leeds")


def test_list_items_and_headings_start_a_sentence() -> None:
    text = "# Summary\n## Numbers\n- Throughput went up\n* Latency is fine\n1. Rollout on the 9th"
    assert _kinds(text) == []


def test_a_possessive_ends_a_name_and_rooms_are_places() -> None:
    assert _kinds("Ravi's Kubernetes notes", frozenset({"ravi"})) == [("person", "Ravi"), ("name", "Kubernetes")]
    assert _kinds("Weekly sync in room Galileo, 2nd floor") == [("place", "Galileo")]
    assert _kinds("We drove to Lyon and Grenoble") == [("place", "Lyon"), ("place", "Grenoble")]


def test_a_name_with_a_particle_is_one_name() -> None:
    # one name; "at" alone does not make it a place (a café, a shop or an app may follow "at")
    assert _kinds("Coffee at Haus am See, then home") == [("name", "Haus am See")]
    assert _kinds("Coffee at Haus am See in Ravensburg") == [("name", "Haus am See"), ("place", "Ravensburg")]
    assert _kinds("I am Olga and we meet at 10 am") == [("name", "Olga")]
