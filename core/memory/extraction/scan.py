"""Entity and fact extraction: deterministic extractors first, the model second.

Deterministic extractors (regexes, ``phonenumbers``) find emails, phones,
URLs, dates, @handles, file paths, postal addresses, "Name <email>" pairs,
proper names, labelled form values ("E-mail: ...") and first-person
statements ("my name is", "I live in", "I work at", "my birthday is").

The model pass (``model_facts``) only runs where a first-person cue exists
and the patterns found nothing; it is grammar-constrained to JSON, and every
value it returns must occur verbatim in the source text or it is dropped:
a small model may propose, never invent.

This module holds ``extract`` (all deterministic extractors over one text)
and is the public face of extraction: the pieces live in
``extraction_types`` (values, predicate vocabulary), ``normalize``
(canonical forms), ``dates``, ``contacts``, ``names``, ``fact_patterns`` and
``fact_model``, and are re-exported here so callers import from one place.

Everything here is pure: text in, values out; no database, no threads.
Errors: invalid values are dropped, nothing is raised.
"""

from __future__ import annotations

from datetime import datetime

from core.memory.extraction.contacts import (
    EMAIL,
    EU_ADDRESS,
    FR_STYLE_ADDRESS,
    HANDLE,
    NAME_EMAIL,
    UNIX_PATH,
    URL,
    US_UK_ADDRESS,
    WIN_PATH,
    find_addresses,
    find_contacts,
    find_phones,
)
from core.memory.extraction.dates import find_dates
from core.memory.extraction.fact_model import FACT_GRAMMAR, FACT_PROMPT, ModelComplete, model_facts
from core.memory.extraction.fact_patterns import FIRST_PERSON_CUE, FIRST_PERSON_PATTERNS, find_facts
from core.memory.extraction.names import find_names
from core.memory.extraction.types import (
    MULTI_VALUED,
    PREDICATES,
    SENSITIVE,
    SINGLE_VALUED,
    Binding,
    Extraction,
    FactCandidate,
    Mention,
)
from core.memory.extraction.value_norms import (
    iban_valid,
    norm_email,
    norm_handle,
    norm_phone,
    norm_text,
    norm_url,
    occurs_in,
)

__all__ = [
    "EMAIL",
    "EU_ADDRESS",
    "FACT_GRAMMAR",
    "FACT_PROMPT",
    "FIRST_PERSON_CUE",
    "FIRST_PERSON_PATTERNS",
    "FR_STYLE_ADDRESS",
    "HANDLE",
    "MULTI_VALUED",
    "NAME_EMAIL",
    "PREDICATES",
    "SENSITIVE",
    "SINGLE_VALUED",
    "UNIX_PATH",
    "URL",
    "US_UK_ADDRESS",
    "WIN_PATH",
    "Binding",
    "Extraction",
    "FactCandidate",
    "Mention",
    "ModelComplete",
    "extract",
    "find_addresses",
    "find_contacts",
    "find_dates",
    "find_facts",
    "find_names",
    "find_phones",
    "iban_valid",
    "model_facts",
    "norm_email",
    "norm_handle",
    "norm_phone",
    "norm_text",
    "norm_url",
    "occurs_in",
]


def extract(
    text: str, *, reference: datetime | None = None, phone_region: str | None = "US",
    known_people: frozenset[str] = frozenset(), labelled: bool = True,
) -> Extraction:
    """All deterministic extractors over one text."""
    result = Extraction()
    if not text:
        return result
    result.mentions.extend(find_contacts(text, phone_region))
    result.mentions.extend(find_dates(text, reference))
    contact_spans = [(m.start, m.end) for m in result.mentions]
    for name in find_names(text, known_people):
        if any(s < name.end and name.start < e for s, e in contact_spans):
            continue
        result.mentions.append(name)
    for m in NAME_EMAIL.finditer(text):
        email = m["email"]
        result.bindings.append(Binding(m["name"].strip(), "email", email, norm_email(email)))
    result.facts.extend(find_facts(text, reference=reference, phone_region=phone_region, labelled=labelled))
    result.mentions.sort(key=lambda x: (x.start, x.kind))
    return result
