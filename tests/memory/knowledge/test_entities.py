"""One person across a WhatsApp name, an email address and a Slack handle."""

from __future__ import annotations

from core.memory.consolidation.consolidate import consolidate
from core.memory.consolidation.types import ConsolidationOptions
from core.memory.knowledge import entities as ents
from core.memory.knowledge.merge import merge_entities
from tests.memory.helpers import at, chat, doc

OPTS = ConsolidationOptions(phone_region="DE", self_names=("Anna Berg",), summaries=False)


def _data() -> list:
    return [
        chat("w1", "Running late, see you at the station", "Priya Sharma", at(), conversation="Priya"),
        chat("s1", "pushed the staging fix, can you review?", "priya.sharma", at(minutes=30), source="chat:slack",
             conversation="#backend", handle="priya.sharma"),
        doc("/mail/invite.eml", "From: Priya Sharma <priya.sharma@acme.com>\nSubject: Offsite\n\nSee you Friday.", at(days=1)),
        chat("w2", "Ben says hi", "Ben Okafor", at(minutes=5), conversation="Priya"),
    ]


def _person(conn, alias_kind: str, norm: str) -> int:
    found = ents.find_by_alias(conn, alias_kind, norm)
    assert found is not None, (alias_kind, norm)
    return found


def test_exact_binding_links_name_and_email(lexical_vault) -> None:
    vault = lexical_vault
    vault.ingest(_data(), embed=False)
    consolidate(vault, options=OPTS)
    conn = vault.read()
    # "Priya Sharma <priya.sharma@acme.com>" is explicit evidence: the WhatsApp name and the email are one entity
    assert _person(conn, "name", "priya sharma") == _person(conn, "email", "priya.sharma@acme.com")


def test_slack_handle_is_proposed_then_merged_by_the_user(lexical_vault) -> None:
    vault = lexical_vault
    vault.ingest(_data(), embed=False)
    report = consolidate(vault, options=OPTS)
    conn = vault.read()
    priya = _person(conn, "name", "priya sharma")
    slack = _person(conn, "handle", "priya.sharma")
    ben = _person(conn, "name", "ben okafor")
    assert priya != slack  # fuzzy evidence never merges on its own
    pending = {(p.a, p.b) for p in ents.pending_proposals(conn)}
    assert report.merge_proposals >= 1
    assert (min(priya, slack), max(priya, slack)) in pending
    assert not any(ben in pair for pair in pending)

    vault.write(lambda c: merge_entities(c, priya, slack))
    conn = vault.read()
    merged = ents.get_entity(conn, priya)
    assert merged is not None and merged.confirmed
    kinds = {k for k, _ in merged.aliases}
    assert {"name", "email", "handle"} <= kinds
    assert ents.find_by_alias(conn, "handle", "priya.sharma") == priya
    assert ents.canonical(conn, slack) == priya
    # all three sources' memories now point at one person
    sources = {r[0] for r in conn.execute(
        "SELECT DISTINCT i.source FROM mem_mentions m JOIN items i ON i.id = m.item_id WHERE m.entity_id = ?", (priya,))}
    assert sources == {"chat:whatsapp", "chat:slack", "file"}
    # new messages from the handle land on the merged entity
    vault.ingest([chat("s2", "LGTM", "priya.sharma", at(days=2), source="chat:slack", conversation="#backend",
                       handle="priya.sharma")], embed=False)
    consolidate(vault, options=OPTS)
    conn = vault.read()
    new_item = conn.execute("SELECT id FROM items WHERE external_id = 's2'").fetchone()[0]
    assert conn.execute("SELECT entity_id FROM mem_mentions WHERE item_id = ? AND role = 'speaker'",
                        (new_item,)).fetchone()[0] == priya


def test_rejected_merge_is_not_proposed_again(lexical_vault) -> None:
    vault = lexical_vault
    vault.ingest(_data(), embed=False)
    consolidate(vault, options=OPTS)
    conn = vault.read()
    priya = _person(conn, "name", "priya sharma")
    slack = _person(conn, "handle", "priya.sharma")
    vault.write(lambda c: ents.reject_merge(c, priya, slack))
    again = vault.write(lambda c: ents.propose_merges(c))
    assert not any({p.a, p.b} == {priya, slack} for p in again)


def test_deleted_entity_is_not_recreated(lexical_vault) -> None:
    vault = lexical_vault
    vault.ingest([chat("1", "Dinner at Gusto Trattoria tonight?", "Ben Okafor", at())], embed=False)
    consolidate(vault, options=OPTS)
    conn = vault.read()
    gusto = _person(conn, "name", "gusto trattoria")
    vault.write(lambda c: ents.delete_entity(c, gusto))
    vault.ingest([chat("2", "Gusto Trattoria was great", "Ben Okafor", at(days=1))], embed=False)
    consolidate(vault, options=OPTS)
    assert ents.find_by_alias(vault.read(), "name", "gusto trattoria") is None
