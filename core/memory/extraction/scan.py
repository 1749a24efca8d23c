"""Entity and fact extraction: deterministic extractors first, the model second.

Deterministic extractors (regexes, ``phonenumbers``) find emails, phones,
URLs, dates, @handles, file paths, postal addresses, "Name <email>" pairs,
proper names, labelled form values ("E-mail: ...") and first-person
statements ("my name is", "I live in", "I work at", "my birthday is").

The model pass (``model_facts``) only runs where a first-person cue exists
and the patterns found nothing; it is grammar-constrained to JSON, and every
value it returns must occur verbatim in the source text or it is dropped:
a small model may propose, never invent.

This module holds ``extract`` (all deterministic extractors over one text);
the pieces live beside it: ``types`` (values, predicate vocabulary),
``value_norms`` (canonical forms), ``dates``, ``contacts``, ``names``,
``fact_patterns`` and ``fact_model`` (the model pass).

Everything here is pure: text in, values out; no database, no threads.
Errors: invalid values are dropped, nothing is raised.
"""

from __future__ import annotations

from datetime import datetime

from core.memory.extraction.contacts import CUT_NAME, NAME_EMAIL, find_contacts
from core.memory.extraction.dates import find_dates
from core.memory.extraction.fact_patterns import find_facts
from core.memory.extraction.names import NameContext, find_names
from core.memory.extraction.types import Binding, Extraction
from core.memory.extraction.value_norms import norm_email


def extract(
    text: str, *, reference: datetime | None = None, phone_region: str | None = "US",
    known_people: frozenset[str] = frozenset(), labelled: bool = True, context: NameContext | None = None,
) -> Extraction:
    """All deterministic extractors over one text (``context``: the vault's apps and places, for names)."""
    result = Extraction()
    if not text:
        return result
    result.mentions.extend(find_contacts(text, phone_region))
    result.mentions.extend(find_dates(text, reference))
    contact_spans = [(m.start, m.end) for m in result.mentions]
    for name in find_names(text, known_people, context):
        if any(s < name.end and name.start < e for s, e in contact_spans):
            continue
        result.mentions.append(name)
    for m in NAME_EMAIL.finditer(text):
        if CUT_NAME.search(text, 0, m.start("name")):
            continue  # "Buchhandlung am Kiez <…>": the match holds only the name's tail ("Kiez")
        email = m["email"]
        result.bindings.append(Binding(m["name"].strip(), "email", email, norm_email(email)))
    result.facts.extend(find_facts(text, reference=reference, phone_region=phone_region, labelled=labelled))
    result.mentions.sort(key=lambda x: (x.start, x.kind))
    return result
