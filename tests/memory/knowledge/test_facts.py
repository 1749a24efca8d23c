"""Facts with time: superseding instead of deleting, user edits respected by later extraction."""

from __future__ import annotations

from core.memory.consolidation.consolidate import consolidate
from core.memory.consolidation.types import ConsolidationOptions
from core.memory.knowledge import facts
from core.memory.knowledge.entities import find_by_alias
from tests.memory.helpers import at, chat, doc

OPTS = ConsolidationOptions(phone_region="DE", self_names=("Anna Berg",), summaries=False)


def _address_facts(vault, who: str) -> list[facts.Fact]:
    conn = vault.read()
    subject = find_by_alias(conn, "name", who)
    assert subject is not None
    return facts.facts_about(conn, subject, predicate="address")


def test_moving_house_supersedes_the_old_address(lexical_vault) -> None:
    vault = lexical_vault
    vault.ingest([
        chat("1", "My address is Hauptstraße 5, 10115 Berlin if you want to send the book", "Anna Berg", at(days=0)),
        chat("2", "We moved! My new address is 42 Baker Street, London NW1 6XE", "Anna Berg", at(days=200)),
    ], embed=False)
    consolidate(vault, options=OPTS)
    old, new = _address_facts(vault, "anna berg")
    assert old.value == "Hauptstraße 5, 10115 Berlin"
    assert old.status == "superseded" and old.valid_to == new.valid_from == at(days=200).timestamp()
    assert old.superseded_by == new.id and old.expired_at is None  # history, not deleted
    assert new.current and new.valid_to is None
    assert [p.item_id for p in old.provenance] and [p.item_id for p in new.provenance]


def test_an_old_export_imported_late_lands_in_history(lexical_vault) -> None:
    vault = lexical_vault
    vault.ingest([chat("2", "My new address is 42 Baker Street, London NW1 6XE", "Anna Berg", at(days=200))], embed=False)
    consolidate(vault, options=OPTS)
    vault.ingest([chat("1", "My address is Hauptstraße 5, 10115 Berlin", "Anna Berg", at(days=0))], embed=False)
    consolidate(vault, options=OPTS)
    old, new = _address_facts(vault, "anna berg")
    assert old.value.startswith("Hauptstraße") and old.status == "superseded"
    assert new.value.startswith("42 Baker") and new.current


def test_facts_of_other_people_are_theirs(lexical_vault) -> None:
    vault = lexical_vault
    vault.ingest([chat("1", "I live in Lisbon now", "Priya Sharma", at())], embed=False)
    consolidate(vault, options=OPTS)
    conn = vault.read()
    priya = find_by_alias(conn, "name", "priya sharma")
    me = find_by_alias(conn, "name", "anna berg")
    assert [f.value for f in facts.facts_about(conn, priya, predicate="city")] == ["Lisbon"]
    assert me is None or not facts.facts_about(conn, me, predicate="city")


def test_rejected_value_is_not_re_extracted(lexical_vault) -> None:
    vault = lexical_vault
    vault.ingest([chat("1", "I work at Initech", "Anna Berg", at())], embed=False)
    consolidate(vault, options=OPTS)
    conn = vault.read()
    me = find_by_alias(conn, "name", "anna berg")
    (wrong,) = facts.facts_about(conn, me, predicate="employer")
    vault.write(lambda c: facts.reject_fact(c, wrong.id))
    # the same claim again, in a new message: extraction must respect the user's decision
    vault.ingest([chat("2", "Busy day, I work at Initech after all", "Anna Berg", at(days=1))], embed=False)
    consolidate(vault, options=OPTS)
    rows = facts.facts_about(vault.read(), me, predicate="employer")
    assert [(f.value, f.status) for f in rows] == [("Initech", "rejected")]


def test_user_edit_replaces_value_and_keeps_history(lexical_vault) -> None:
    vault = lexical_vault
    vault.ingest([chat("1", "My phone number is 030 1234567", "Anna Berg", at())], embed=False)
    consolidate(vault, options=OPTS)
    conn = vault.read()
    me = find_by_alias(conn, "name", "anna berg")
    (phone,) = facts.facts_about(conn, me, predicate="phone")
    assert phone.norm == "+49301234567"
    new_id = vault.write(lambda c: facts.edit_fact(c, phone.id, "+49 30 7654321"))
    rows = {f.id: f for f in facts.facts_about(vault.read(), me, predicate="phone")}
    assert rows[phone.id].status == "rejected" and rows[phone.id].expired_at is not None
    assert rows[new_id].confirmed and rows[new_id].origin == "user" and rows[new_id].current


def test_weak_label_values_do_not_supersede_confirmed_facts(lexical_vault) -> None:
    vault = lexical_vault
    vault.ingest([chat("1", "My address is Hauptstraße 5, 10115 Berlin", "Anna Berg", at())], embed=False)
    consolidate(vault, options=OPTS)
    conn = vault.read()
    me = find_by_alias(conn, "name", "anna berg")
    (addr,) = facts.facts_about(conn, me, predicate="address")
    vault.write(lambda c: facts.confirm_fact(c, addr.id))
    # a form someone else filled in, seen later on screen: a labelled value, weak evidence
    vault.ingest([doc("/docs/form.txt", "Address: 9 Elm Road, Leeds LS1 4AB\n", at(days=3))], embed=False)
    consolidate(vault, options=OPTS)
    rows = {f.value: f for f in facts.facts_about(vault.read(), me, predicate="address")}
    assert rows["Hauptstraße 5, 10115 Berlin"].current
    assert not rows["9 Elm Road, Leeds LS1 4AB"].confirmed
