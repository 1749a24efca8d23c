"""'Priya' and 'Priya Raman' become one person by themselves; the user can split them again for good."""

from __future__ import annotations

from core.memory.consolidation.consolidate import consolidate
from core.memory.consolidation.types import ConsolidationOptions
from core.memory.knowledge import entities as ents
from core.memory.knowledge.aliases import recent_auto_merges, undo_merge
from tests.memory.helpers import at, chat, doc

OPTS = ConsolidationOptions(phone_region="DE", self_names=("Sam Keller",), summaries=False)


def _people(conn) -> dict[str, int]:
    return {e.name: e.id for e in ents.list_entities(conn, kinds=("person",))}


def _data() -> list:
    return [
        chat("p1", "Climbing on Saturday?", "Priya", at(), conversation="Priya"),
        doc("/notes/sync.md", "Sync v2 architecture. Owner: Priya Raman. Reviewer: Marta Kowalski.", at(days=1)),
        chat("l1", "Priya tuned the Postgres indexes on Friday", "Lukas", at(days=2), conversation="work"),
    ]


def test_first_name_is_folded_into_the_one_full_name_and_can_be_undone(lexical_vault) -> None:
    vault = lexical_vault
    vault.ingest(_data(), embed=False)
    report = consolidate(vault, options=OPTS)
    assert report.auto_merged >= 1
    people = _people(vault.read())
    assert "Priya" not in people and "Priya Raman" in people
    priya = ents.find_by_alias(vault.read(), "name", "priya")
    assert priya == people["Priya Raman"]
    merges = recent_auto_merges(vault.read())
    assert [(m.kept_name, m.folded_name) for m in merges] == [("Priya Raman", "Priya")]

    requeued = vault.write(lambda conn: undo_merge(conn, merges[0].kept, merges[0].folded))
    assert requeued >= 2  # her own message and Lukas's mention
    consolidate(vault, options=OPTS)
    people = _people(vault.read())
    assert {"Priya", "Priya Raman"} <= people.keys()
    assert ents.find_by_alias(vault.read(), "name", "priya") == people["Priya"]
    assert recent_auto_merges(vault.read()) == []
    # the next run (new memories mention her again) keeps them apart
    vault.ingest([chat("p2", "Thanks for the book tip", "Priya", at(days=3), conversation="Priya")], embed=False)
    consolidate(vault, options=OPTS)
    assert {"Priya", "Priya Raman"} <= _people(vault.read()).keys()


def test_an_ambiguous_first_name_is_left_alone(lexical_vault) -> None:
    vault = lexical_vault
    vault.ingest([
        *_data(),
        doc("/notes/team.md", "Team list: Priya Sharma (design), Priya Raman (backend).", at(days=1, minutes=5)),
    ], embed=False)
    consolidate(vault, options=OPTS)
    assert "Priya" in _people(vault.read())  # two full-named Priyas: the user decides
