"""What a mutation changed, in one vocabulary, so views refresh from the value a mutation returns (Anki's OpChanges).

A ``Changes`` is a frozen set of these names; ``Outcome`` carries a
mutation's value together with its changes.  Pure values: any thread.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Generic, TypeVar

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
