"""What extraction produces: mentions, fact candidates, bindings, and the fact predicate vocabulary.

``Mention``, ``FactCandidate`` and ``Binding`` are immutable values;
``Extraction`` collects them for one text.  ``SINGLE_VALUED`` /
``MULTI_VALUED`` say whether a new value supersedes the old one,
``PREDICATES`` is every predicate extraction may produce and ``SENSITIVE``
the ones never shown or filled without care.

Plain data, no behaviour: safe from any thread, raises nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class Mention:
    """Something named in a text: ``kind`` is an entity kind or a contact kind.

    Kinds: 'person', 'org', 'place', 'name' (a proper name of unknown type),
    'email', 'phone', 'url', 'handle', 'path', 'address', 'date'.
    """

    kind: str
    value: str
    norm: str
    start: int
    end: int
    extractor: str
    confidence: float = 1.0


@dataclass(frozen=True, slots=True)
class FactCandidate:
    """A proposed fact about ``subject`` ('self', 'speaker' or a name), with its evidence span."""

    subject: str
    predicate: str
    value: str
    norm: str
    start: int
    end: int
    confidence: float
    origin: str  # 'pattern' | 'label' | 'model'
    quote: str = ""


@dataclass(frozen=True, slots=True)
class Binding:
    """Two names of one entity seen together ("Priya Sharma <priya@acme.com>")."""

    name: str
    alias_kind: str
    alias: str
    alias_norm: str


@dataclass(slots=True)
class Extraction:
    mentions: list[Mention] = field(default_factory=list)
    facts: list[FactCandidate] = field(default_factory=list)
    bindings: list[Binding] = field(default_factory=list)


# Facts with one current value per subject; a new value supersedes the old one.
SINGLE_VALUED: frozenset[str] = frozenset(
    {"name", "address", "city", "employer", "job_title", "birthday", "passport", "national_id"}
)
MULTI_VALUED: frozenset[str] = frozenset({"email", "phone", "website", "iban"})
PREDICATES: frozenset[str] = SINGLE_VALUED | MULTI_VALUED
SENSITIVE: frozenset[str] = frozenset({"passport", "iban", "national_id"})
