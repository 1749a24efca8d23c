"""One item into memory: its mentions become entities, its statements facts, its links relations.

``process_item`` runs the deterministic extractors over an item (plus any
facts the model proposed for it), resolves the speaker and every mention to
an entity, records mentions, 'co_occurs' / 'works_at' / 'lives_in'
relations and fact observations, and returns how many facts it observed.

Threads: runs inside the vault's write transaction (``conn`` is the
writer).  Errors: propagate to the caller, which rolls the item back.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from core.memory.consolidation.types import ConsolidationOptions
from core.memory.extraction.apps import app_name, map_page
from core.memory.extraction.contacts import ROLE_MAILBOX, own_address
from core.memory.extraction.names import NameContext
from core.memory.extraction.scan import extract
from core.memory.extraction.types import Extraction, FactCandidate
from core.memory.extraction.value_norms import norm_email, norm_handle, norm_phone, norm_text
from core.memory.items import MemItem
from core.memory.knowledge import entities as ents
from core.memory.knowledge import facts as facts_mod
from core.memory.knowledge.relations import relate

MAX_MENTIONS_PER_ITEM = 16  # a reading list names a dozen books and authors
ENTITY_KINDS_FROM_MENTIONS = {"person": "person", "org": "org", "place": "place", "name": "topic", "app": "app",
                              "work": "work"}


def _speaker_entity(
    conn: Any, item: MemItem, self_id: int, self_norms: set[str], new_people: set[int],
) -> int | None:
    if not item.speaker:
        return None
    meta = item.meta
    is_me = bool(meta.get("from_me") or meta.get("is_user") or meta.get("outgoing")) or norm_text(item.speaker) in self_norms
    if is_me:
        ents.add_alias(conn, self_id, "name", item.speaker)
        return self_id
    aliases: list[tuple[str, str, str]] = []
    for key in ("email", "sender_email", "author_email"):
        if isinstance(meta.get(key), str) and "@" in meta[key]:
            aliases.append(("email", meta[key], norm_email(meta[key])))
    for key in ("handle", "username", "user_name", "screen_name"):
        if isinstance(meta.get(key), str) and meta[key]:
            aliases.append(("handle", "@" + norm_handle(meta[key]), norm_handle(meta[key])))
    if isinstance(meta.get("phone"), str):
        e164 = norm_phone(meta["phone"], None)
        if e164:
            aliases.append(("phone", meta["phone"], e164))
    before = conn.execute("SELECT max(id) FROM mem_entities").fetchone()[0] or 0
    entity_id = ents.resolve(conn, "person", item.speaker, aliases, item.ts)
    if entity_id is not None and entity_id > before:
        new_people.add(entity_id)
    return entity_id


def process_item(
    conn: Any, item: MemItem, proposed: list[FactCandidate], opts: ConsolidationOptions, self_id: int,
    self_norms: set[str], known_people: frozenset[str], touched_entities: set[int], touched_relations: set[int],
    new_people: set[int], text: str | None = None, names: NameContext | None = None,
) -> int:
    """``text``: what to extract from when it is not the stored text (cleaned screen OCR); mention
    offsets then do not point into the stored text and are not kept."""
    reference = datetime.fromtimestamp(item.ts, UTC)
    text = item.text if text is None else text
    offsets = text == item.text
    found: Extraction = extract(text, reference=reference, phone_region=opts.phone_region,
                                known_people=known_people, labelled=not item.is_chat, context=names)
    speaker_id = _speaker_entity(conn, item, self_id, self_norms, new_people)
    linked: list[int] = []

    def mention(entity_id: int | None, role: str, start: int = -1, end: int = -1) -> None:
        if entity_id is None:
            return
        conn.execute(
            "INSERT OR IGNORE INTO mem_mentions (entity_id, item_id, ts, role, start, end) VALUES (?,?,?,?,?,?)",
            (entity_id, item.id, item.ts, role, start, end),
        )
        touched_entities.add(entity_id)
        if role != "speaker" and entity_id not in linked:
            linked.append(entity_id)

    if speaker_id is not None:
        mention(speaker_id, "speaker")
    bound = {b.alias_norm: b for b in found.bindings}
    for binding in found.bindings:
        before = conn.execute("SELECT max(id) FROM mem_entities").fetchone()[0] or 0
        entity_id = ents.resolve(conn, "person", binding.name, [(binding.alias_kind, binding.alias, binding.alias_norm)], item.ts)
        if entity_id is not None and entity_id > before:
            new_people.add(entity_id)
    count = 0
    for m in found.mentions:
        if count >= MAX_MENTIONS_PER_ITEM:
            break
        entity_id: int | None = None
        if m.kind in ENTITY_KINDS_FROM_MENTIONS:
            # An untyped name read off the screen is as often a label or heading of an app ("Dashboard",
            # "Status In") as a name: it joins a topic that something the user wrote or received made, never
            # starts one (a label recurs on screen every day, so recurring there proves nothing).
            # So does a site or a title typed only by what the vault knows (confidence below a known app's).
            create = not (item.source.startswith("screen") and (
                m.kind == "name" or (m.kind in ("app", "work") and m.confidence < 0.8)))
            entity_id = ents.resolve(conn, ENTITY_KINDS_FROM_MENTIONS[m.kind], m.value, (), item.ts, create=create)
        elif m.kind in ("email", "handle", "phone"):
            if m.kind == "email" and m.norm in bound:
                entity_id = ents.find_by_alias(conn, "email", m.norm)
            else:
                existing = ents.find_by_alias(conn, m.kind, m.norm)
                if existing is None and m.kind == "email" and own_address(m.norm, text[: m.start], self_norms):
                    ents.add_alias(conn, self_id, "email", m.value, m.norm)  # the user's own: no new contact
                    existing = self_id
                if existing is None and m.kind == "email" and ROLE_MAILBOX.match(m.norm):
                    continue  # a shop's or a help desk's mailbox is no person to put in the graph
                if existing is None and m.kind == "handle" and item.source.startswith("screen"):
                    continue  # "@dataclass" in an editor: an @word read off the screen starts no person
                if existing is None:
                    display = (ents.display_name_from_email(m.value) if m.kind == "email"
                               else ents.display_name_from_handle(m.value) if m.kind == "handle" else m.value)
                    before = conn.execute("SELECT max(id) FROM mem_entities").fetchone()[0] or 0
                    # the display name is derived, not evidence: only the contact alias is stored
                    entity_id = ents.create_entity(conn, "person", display, item.ts)
                    ents.add_alias(conn, entity_id, m.kind, m.value, m.norm)
                    if entity_id > before:
                        new_people.add(entity_id)
                else:
                    entity_id = existing
        elif m.kind == "url":
            domain = m.norm.split("/", 1)[0]
            entity_id = ents.resolve(conn, "topic", domain, [("url", domain, domain)], item.ts)
        elif m.kind == "path":
            entity_id = ents.resolve(conn, "file", m.value.rsplit("/", 1)[-1], [("path", m.value, m.value)], item.ts)
        elif m.kind == "address":
            entity_id = ents.resolve(conn, "place", m.value, (), item.ts)
        elif m.kind == "date":
            entity_id = ents.resolve(conn, "date", m.norm, (), item.ts)
        if entity_id is None:
            continue
        count += 1
        mention(entity_id, "mention", m.start if offsets else -1, m.end if offsets else -1)
    if item.app:
        mention(ents.resolve(conn, "app", app_name(item.app), (), item.ts), "app")
    if item.source == "file" and item.external_id:
        name = item.title or item.external_id.rsplit("/", 1)[-1]
        mention(ents.resolve(conn, "file", name, [("path", item.external_id, item.external_id)], item.ts), "file")
    # relations: the speaker with what they mention, and what is mentioned together
    people_and_things = [e for e in linked if e != speaker_id][:MAX_MENTIONS_PER_ITEM]
    if speaker_id is not None:
        for other in people_and_things:
            touched_relations.add(relate(conn, speaker_id, other, "co_occurs", item))
    for n, a in enumerate(people_and_things):
        for b in people_and_things[n + 1 :]:
            touched_relations.add(relate(conn, a, b, "co_occurs", item))
    # facts
    facts_count = 0
    for candidate in [*found.facts, *proposed]:
        subject, confidence = _fact_subject(conn, item, candidate, speaker_id, self_id)
        if subject is None:
            continue
        fact_id = facts_mod.observe(conn, subject, candidate, item.id, item.ts, confidence)
        if fact_id is None:
            continue
        facts_count += 1
        typed = {"employer": ("works_at", "org"), "city": ("lives_in", "place")}.get(candidate.predicate)
        if typed is not None:
            target = ents.resolve(conn, typed[1], candidate.value, (), item.ts)
            if target is not None:
                touched_relations.add(relate(conn, subject, target, typed[0], item))
        if candidate.predicate in ("email", "phone") and subject != self_id:
            ents.add_alias(conn, subject, candidate.predicate, candidate.value, candidate.norm)
    return facts_count


def _fact_subject(conn: Any, item: MemItem, candidate: FactCandidate, speaker_id: int | None,
                  self_id: int) -> tuple[int | None, float]:
    """Whose fact: the chat speaker's for first-person statements, the named person's for a statement about
    someone ("Grandpa's birthday is …"); the user's (weaker) elsewhere."""
    if candidate.subject.startswith("person:"):
        return ents.resolve(conn, "person", candidate.subject[7:], (), item.ts), candidate.confidence
    page = map_page(item.window_title or "") if item.source.startswith("screen") else None
    if page and candidate.subject == "self" and candidate.origin == "label":
        # "Address: …" on a map the user looked at is the place's, not the user's (autofill must never offer a
        # climbing gym's address as home): the fact goes to the place the map shows.
        return ents.resolve(conn, "place", page, (), item.ts), candidate.confidence
    if candidate.subject == "speaker":
        if speaker_id is not None:
            return speaker_id, candidate.confidence
        # a first-person sentence in the user's own files or screen: probably the user, not certainly
        return self_id, candidate.confidence * 0.7
    return self_id, candidate.confidence
