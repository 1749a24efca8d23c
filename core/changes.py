"""What a mutation changed, in one vocabulary, so views refresh from the value a mutation returns (Anki's OpChanges).

A ``Changes`` is a frozen set of these names; ``Outcome`` carries a
mutation's value together with its changes.  Every mutation of the vault
facade and the memory service returns one of three shapes: a bare
``Changes``, an ``Outcome``, or a report with a ``changes`` property
(``ImportReport``, ``ConsolidationReport``); ``changes_of`` reads any of them.
Pure values: any thread.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Generic, Protocol, TypeVar, runtime_checkable

T = TypeVar("T")

Changes = frozenset[str]

ITEMS = "items"  # memories added, changed or forgotten
MEDIA = "media"  # screenshots and their thumbnails
SETTINGS = "settings"
ENTITIES = "entities"  # people, places, organisations… in the memory graph
FACTS = "facts"
GRAPH = "graph"  # the graph's edges (relations, merges)
PROPOSALS = "proposals"  # merge proposals waiting for the user
PROFILE = "profile"  # confirmed facts about the user (autofill)
VOCABULARY: frozenset[str] = frozenset({ITEMS, MEDIA, SETTINGS, ENTITIES, FACTS, GRAPH, PROPOSALS, PROFILE})
NOTHING: Changes = frozenset()  # a mutation no view shows (a re-wrapped key, vectors for stored text)


def changes(*names: str) -> Changes:
    """A ``Changes`` of known names (an unknown one is a programming error)."""
    unknown = set(names) - VOCABULARY
    if unknown:
        raise ValueError(f"not in the change vocabulary: {', '.join(sorted(unknown))}")
    return frozenset(names)


@dataclass(frozen=True, slots=True)
class Outcome(Generic[T]):
    """A mutation's result and what it changed."""

    value: T
    changes: Changes


@runtime_checkable
class Changed(Protocol):
    """A mutation's report that says what it changed (``Outcome``, ``ImportReport``…)."""

    @property
    def changes(self) -> Changes: ...


def changes_if(condition: object, *names: str) -> Changes:
    """``changes(*names)`` when ``condition`` holds (something was written), else ``NOTHING``."""
    return changes(*names) if condition else NOTHING


def changes_of(result: Any) -> Changes:
    """What a mutation's result says it changed: a bare ``Changes`` or anything with ``.changes``."""
    if isinstance(result, frozenset):
        return result
    if isinstance(result, Changed):
        return result.changes
    raise TypeError(f"{type(result).__name__} does not say what it changed")


def value_of(result: Any) -> Any:
    """The value a caller wants from a mutation's result: an ``Outcome``'s value, else the result itself."""
    return result.value if isinstance(result, Outcome) else result
