from __future__ import annotations

import json
from datetime import UTC, datetime

from core.memory.extraction.contacts import find_addresses, find_contacts
from core.memory.extraction.dates import find_dates
from core.memory.extraction.fact_model import model_facts
from core.memory.extraction.fact_patterns import find_facts
from core.memory.extraction.scan import extract
from core.memory.extraction.value_norms import iban_valid

REF = datetime(2026, 3, 2, tzinfo=UTC)


def test_contacts_emails_phones_urls_handles_paths() -> None:
    text = ("Mail anna.berg@example.com or call +49 30 1234567; docs at https://wiki.example.org/page. "
            "Ping @priya.s, file is in /home/anna/notes/plan.md")
    found = {(m.kind, m.norm) for m in find_contacts(text, "DE")}
    assert ("email", "anna.berg@example.com") in found
    assert ("phone", "+49301234567") in found
    assert ("url", "wiki.example.org/page") in found
    assert ("handle", "priya.s") in found
    assert ("path", "/home/anna/notes/plan.md") in found
    # the email's domain is not a handle, the URL's path is not a file path
    assert not any(k == "handle" and n.startswith("example") for k, n in found)


def test_invalid_phone_numbers_are_not_phones() -> None:
    assert not [m for m in find_contacts("Order 1234567 of 2024 costs 12.50", "US") if m.kind == "phone"]


def test_addresses_us_uk_de() -> None:
    values = [m.value for m in find_addresses(
        "Send it to 1600 Pennsylvania Avenue NW, Washington, DC 20500. Or 221B Baker Street, London NW1 6XE.\n"
        "Neu: Hauptstraße 5, 10115 Berlin"
    )]
    assert "1600 Pennsylvania Avenue NW, Washington, DC 20500" in values
    assert "221B Baker Street, London NW1 6XE" in values
    assert "Hauptstraße 5, 10115 Berlin" in values


def test_dates_are_normalised_with_the_reference_year() -> None:
    norms = [m.norm for m in find_dates("on 8 May 2023, then March 12th and 2024-01-05", REF)]
    assert norms == ["2023-05-08", "2026-03-12", "2024-01-05"]


def test_first_person_facts() -> None:
    text = ("Hi, my name is Anna Berg. I live in Berlin and I work at Acme GmbH. "
            "My birthday is 12 March 1990. My new address is 42 Baker Street, London NW1 6XE.")
    facts = {(f.predicate, f.norm) for f in find_facts(text, reference=REF)}
    assert ("name", "anna berg") in facts
    assert ("city", "berlin") in facts
    assert ("employer", "acme gmbh") in facts
    assert ("birthday", "1990-03-12") in facts
    assert ("address", "42 baker street, london nw1 6xe") in facts


def test_labelled_values_are_weak_self_facts_and_iban_is_checked() -> None:
    good = find_facts("Name: Anna Berg\nIBAN: DE89 3704 0044 0532 0130 00\n", reference=REF)
    assert {(f.subject, f.predicate) for f in good} == {("self", "name"), ("self", "iban")}
    assert all(f.confidence < 0.6 for f in good)
    assert iban_valid("DE89 3704 0044 0532 0130 00")
    assert not iban_valid("DE89 3704 0044 0532 0130 01")
    assert not [f for f in find_facts("IBAN: DE89 3704 0044 0532 0130 01\n") if f.predicate == "iban"]


def test_name_email_binding() -> None:
    found = extract("From: Priya Sharma <priya.sharma@acme.com>", reference=REF)
    assert [(b.name, b.alias_norm) for b in found.bindings] == [("Priya Sharma", "priya.sharma@acme.com")]
    # a name with a particle is not bound by its tail ("Haus am See" is not "See")
    assert extract("Sent From: Haus am See <orders@hausamsee.example>", reference=REF).bindings == []


def test_model_values_must_occur_in_the_source() -> None:
    text = "Hey, I finally moved! I live in Lisbon now and started at Blue Fern Studio."

    def fake(prompt: str, grammar: str) -> str:
        assert "Lisbon" in prompt and "root" in grammar
        return json.dumps({"facts": [
            {"predicate": "city", "value": "Lisbon"},
            {"predicate": "employer", "value": "Blue Fern Studio"},
            {"predicate": "employer", "value": "Google"},  # invented
            {"predicate": "phone", "value": "555"},  # not in the text and invalid
            {"predicate": "password", "value": "Lisbon"},  # not a predicate
        ]})

    facts = {(f.predicate, f.value) for f in model_facts(text, fake, reference=REF)}
    assert facts == {("city", "Lisbon"), ("employer", "Blue Fern Studio")}


def test_model_failures_are_empty_not_errors() -> None:
    def broken(prompt: str, grammar: str) -> str:
        raise RuntimeError("model crashed")

    assert model_facts("I live in Lisbon", broken) == []
    assert model_facts("I live in Lisbon", lambda p, g: "not json") == []
