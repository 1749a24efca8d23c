"""Who and what the memory graph holds: words read off the screen start no topic of their own, the user's own
names are the user, and people listed with people are people — on a made-up vault and on the demo."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from core.demo import DEMO_SELF_NAMES, load_demo_memory
from core.memory.consolidation.consolidate import consolidate
from core.memory.consolidation.types import ConsolidationOptions
from core.types import Record
from tests.memory.helpers import at, chat, doc


def _screen(ext: str, text: str, minutes: float, days: float = 0) -> Record:
    return Record(source="screen:x11", external_id=ext, kind="screenshot", timestamp=at(minutes=minutes, days=days),
                  text=text, title="Orbit — Board — Firefox", meta={"app": "Firefox", "window_title": "Orbit — Board"})


def _entities(vault) -> dict[str, tuple[str, bool]]:
    rows = vault.read().execute(
        "SELECT name, kind, is_self FROM mem_entities WHERE merged_into IS NULL AND deleted = 0").fetchall()
    return {name: (kind, bool(is_self)) for name, kind, is_self in rows}


def _options(**kw) -> ConsolidationOptions:
    return ConsolidationOptions(phone_region="DE", summaries=False, **kw)


def test_screen_words_join_topics_from_what_the_user_wrote_but_start_none(lexical_vault) -> None:
    lexical_vault.ingest([
        chat("c1", "The Quillmark migration is done", "Ann", at(minutes=1)),
        _screen("s1", "Backlog Quillmark Insights\nFilters Milestone Overview", 2),
        _screen("s2", "Backlog Quillmark Insights\nFilters Milestone Overview", 3, days=1),
    ], embed=False)
    consolidate(lexical_vault, options=_options())
    found = _entities(lexical_vault)
    assert found.get("Quillmark") == ("topic", False)
    for label in ("Backlog", "Insights", "Filters", "Milestone", "Overview", "Backlog Quillmark Insights"):
        assert label not in found, label
    mentions = lexical_vault.read().execute(
        "SELECT count(*) FROM mem_mentions m JOIN mem_entities e ON e.id = m.entity_id WHERE e.name = 'Quillmark'"
    ).fetchone()[0]
    assert mentions == 1  # the chat; the screens' "Backlog Quillmark Insights" is one run of labels


def test_the_users_own_names_in_documents_are_the_user(lexical_vault) -> None:
    lexical_vault.ingest([
        chat("c1", "See you at the review", "Me", at(minutes=1)),
        doc("/notes/review.md", "Review notes\nPresent: Ines Moreau (chair), Tomasz Wilk, Nora Lindqvist.", at(minutes=5)),
    ], embed=False)
    consolidate(lexical_vault, options=_options(self_names=("Nora Lindqvist",)))
    found = _entities(lexical_vault)
    assert found["Nora Lindqvist"] == ("person", True)
    assert found["Ines Moreau"] == ("person", False) and found["Tomasz Wilk"] == ("person", False)
    assert "Me" not in found  # "Me" in the chat is the same self entity


def test_the_users_own_addresses_are_the_user(lexical_vault) -> None:
    lexical_vault.ingest([
        _screen("s1", "Orbit board\nSigned in with SSO as nl7@orbit.example", 1),
        doc("/mail/a.txt", "From: nora.lindqvist@mailbox.example\nTo: ravi.patel@orbit.example\nHi Ravi", at(minutes=2)),
        doc("/mail/b.txt", "Copy to nlindqvist@orbit.example and to olga@orbit.example", at(minutes=3)),
    ], embed=False)
    consolidate(lexical_vault, options=_options(self_names=("Nora Lindqvist",)))
    found = _entities(lexical_vault)
    people = {name for name, (kind, _) in found.items() if kind == "person"}
    assert people == {"Nora Lindqvist", "Ravi Patel", "Olga"}, people  # no "Nl", "Nora Lindqvist" twice, "Nlindqvist"
    addresses = {r[0] for r in lexical_vault.read().execute(
        "SELECT a.value FROM mem_aliases a JOIN mem_entities e ON e.id = a.entity_id"
        " WHERE a.alias_kind = 'email' AND e.is_self = 1")}
    assert addresses == {"nl7@orbit.example", "nora.lindqvist@mailbox.example", "nlindqvist@orbit.example"}


def test_a_role_mailbox_is_no_person(lexical_vault) -> None:
    lexical_vault.ingest([
        doc("/mail/order.txt", "Your order is confirmed. Questions? Write to orders@lindenhof.example or to "
            "kiosk-help@lindenhof.example. Olga wrote from olga.berg@lindenhof.example", at(minutes=1)),
    ], embed=False)
    consolidate(lexical_vault, options=_options())
    people = {name for name, (kind, _) in _entities(lexical_vault).items() if kind == "person"}
    assert people == {"Olga Berg", "Me"}, people


def test_the_demo_graph_has_its_people_as_people_and_no_screen_labels(lexical_vault) -> None:
    lexical_vault.update_settings(self_names=DEMO_SELF_NAMES)  # a vault of the demo's own, as `make run` makes
    load_demo_memory(lexical_vault, now=datetime(2026, 11, 16, 12, 0, tzinfo=ZoneInfo("Europe/Berlin")), embed=False)
    found = _entities(lexical_vault)
    selves = [name for name, (_kind, is_self) in found.items() if is_self]
    assert selves == ["Sam Keller"]
    for person in ("Richard Powers", "Marta Kowalski", "Priya Raman", "Lukas Brandt"):
        assert found[person] == ("person", False), person
    for label in ("Staging", "Dashboard", "Release", "ChangeLog"):
        assert label not in found, label
    assert "Dataclass" not in found  # "@dataclass" in the editor frames is code, not someone's handle
    assert found["Kepler"][0] == "place"
    assert "Kiez" not in found and "It Help" not in found  # a name's tail and a help desk's mailbox
    # an author after a book's title, and a person a reminder is about (the verb is no part of the name)
    assert found["Martin Kleppmann"] == ("person", False) and found["Susanna Clarke"] == ("person", False)
    assert found["Grandpa"] == ("person", False) and "Ask Grandpa" not in found
    # the address the dashboard is signed in with is the user's: no second "Sam"
    assert "Sam" not in found
    # a site the window titles name is an app; a word cut at an OCR symbol is nothing; books are titles
    assert found["Confluence"][0] == "app"
    assert not [name for name in found if name.startswith("Bergmannstra") and name != "Bergmannstraße 12"]
    for book in ("The Overstory", "The Peregrine", "Designing Data-Intensive Applications", "Piranesi"):
        assert found[book][0] == "work", book
    assert found["Boulderhaus"][0] == "place"  # a map page the user looked at confirms "at Boulderhaus"
