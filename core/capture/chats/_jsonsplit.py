"""A JSON list of big objects read one member of their big field at a time (a conversation's messages).

``whole_or_split`` builds elements whole with ijson's C builder (fast) as long as each takes less than a
budget of JSON bytes; from the first that does not, it reads the rest of the list with ``split_items``.

``iter_items`` builds each element of an export's top list whole; a ChatGPT conversation's ``mapping`` or a
Claude conversation's ``chat_messages`` can hold hundreds of thousands of normal-sized messages, and one
element built whole is then gigabytes.  ``split_items`` builds instead, for each element, every member of
its *spread* fields (``Member``, one at a time) and then the element itself (``Element``) holding only the
keys asked for, with each spread field an empty ``{}``/``[]`` of its kind.  Other keys are skipped unbuilt.
Memory is bounded by the largest single member and the kept keys; strings are capped as in ``iter_items``.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import IO, Any

from ._budget import CUT_KEY, DROPPED, MessageBudget
from ._caps import DOCUMENT_STRING_CAP_BYTES, capped_json
from ._jsonstream import ENTRY_READ_ERRORS, broken, whole_values, without_bom

_STARTS = frozenset(["start_map", "start_array"])
_ENDS = frozenset(["end_map", "end_array"])
_BEGINS = frozenset(["start_map", "start_array", "null", "boolean", "integer", "double", "number", "string"])
MEMBER_OVERHEAD = 200  # bytes a built member costs beyond its strings (dicts, small values), about
# One member (a message) is held to a ``_budget.MessageBudget``: every string is capped, and so are their sum
# (a message with dozens of attached documents) and its number of values.


@dataclass(frozen=True, slots=True)
class Member:
    """One member of element ``index``'s spread ``field``: its key (a map) or position (a list), and value.

    ``context`` holds the kept keys of the element read so far; ``size`` is about what the value costs
    (its strings' lengths plus ``MEMBER_OVERHEAD``), for a reader's memory budget."""

    index: int
    field: str
    key: str | int
    value: Any
    size: int
    context: dict[str, Any]


@dataclass(frozen=True, slots=True)
class Element:
    """Element ``index`` of the top list, complete.  ``whole``: its value as it is; otherwise a dict of its
    kept keys (spread fields empty, their members came before), or the non-object it was (a list is ``[]``)."""

    index: int
    value: Any
    whole: bool = False


def whole_or_split(
    fh: IO[bytes], reopen: Callable[[], IO[bytes]], *, budget: int, spread: frozenset[str], keep: frozenset[str],
    documents: frozenset[bytes] = frozenset(),
) -> Iterator[Member | Element]:
    """Whole ``Element``s while each takes under ``budget`` bytes of JSON (ijson's C builder: fast), then,
    from the first that does not, the rest of the list as ``split_items`` of ``reopen()`` yields it."""
    done = yield from whole_values(fh, "item", documents, budget, lambda index, value: Element(index, value, whole=True))
    if done is None:
        return
    with reopen() as again:
        yield from split_items(again, spread=spread, keep=keep, documents=documents, start=done)


def split_items(
    fh: IO[bytes], *, spread: frozenset[str], keep: frozenset[str], documents: frozenset[bytes] = frozenset(),
    start: int = 0,
) -> Iterator[Member | Element]:
    """``Member``s then the ``Element`` of each element of the top-level list from ``start``, in order.

    Raises ``JsonBroken`` (after yielding everything complete before the damage) like ``iter_items``.
    """
    import ijson

    capped = capped_json(without_bom(fh), wide_keys=documents, wide_cap=DOCUMENT_STRING_CAP_BYTES)
    split = _Split(spread, keep, start)
    try:
        # Members are built by ijson's C builder from the renamed events of ``split.tap``; each built value
        # is matched, in order, with the note the tap queued for it (an element's end comes as a null).
        for value in ijson.items(split.tap(ijson.parse(capped, use_float=True)), _MEMBER):
            note = split.notes.popleft()
            if isinstance(note, Element):
                yield note
            else:
                index, field, key, size, context = note
                yield Member(index, field, key, value, size[0], context)
    except (ijson.JSONError, *ENTRY_READ_ERRORS) as exc:
        raise broken(exc) from exc


_MEMBER = "_member"
_ELEMENT_END = (_MEMBER, "null", None)  # makes the builder yield, so an element's end is not held back


class _Split:
    """The event filter of ``split_items``: a member's events pass renamed to ``_MEMBER``, the rest is
    read here (element bounds, kept keys) and dropped.  One per stream."""

    def __init__(self, spread: frozenset[str], keep: frozenset[str], start: int) -> None:
        self._start = start
        self._spread = {f"item.{field}": field for field in spread}
        self._keep = {f"item.{key}": key for key in keep}
        self.notes: deque[Element | tuple[int, str, str | int, list[int], dict[str, Any]]] = deque()

    def tap(self, events: Iterator[tuple[str, str, Any]]) -> Iterator[tuple[str, str, Any]]:
        from ijson.common import ObjectBuilder

        notes = self.notes
        budget = MessageBudget()
        index = -1
        in_list = False  # the top-level value is a list: its elements are "item"
        element_is_map = False
        context: dict[str, Any] = {}  # replaced, never mutated: members hold snapshots
        container = ""  # the prefix of the spread field being read ("" outside one)
        field = ""
        head = ""  # the prefix of the current member's own value
        cut = 0
        listing = False  # the spread field being read is a list (its members' keys are their positions)
        key: str | int = 0
        position = 0
        size = [0]
        kept: tuple[str, str, Any] | None = None  # (prefix, key, builder) of a kept key's container value
        for prefix, event, value in events:
            if container:
                if prefix != container:  # inside a member
                    if prefix == head and event in _BEGINS:
                        if listing:
                            key, position = position, position + 1
                        size = [MEMBER_OVERHEAD]
                        notes.append((index, field, key, size, context))
                        budget.reset()
                    elif prefix == head and event in _ENDS:  # the member's own end
                        if event == "end_map" and budget.cut is not None:  # say why it was cut
                            yield _MEMBER, "map_key", CUT_KEY
                            yield f"{_MEMBER}.{CUT_KEY}", "string", budget.cut
                    else:
                        value = budget.admit(event, value)
                        if value is DROPPED:
                            continue
                    if event == "string":
                        size[0] += len(value)
                    yield _MEMBER + prefix[cut:], event, value
                elif event == "map_key":
                    key, head = value, f"{container}.{value}"
                    cut = len(head)
                elif event in _ENDS:
                    container = ""
                continue
            if kept is not None:
                kept[2].event(event, value)
                if prefix == kept[0] and event in _ENDS:
                    context = {**context, kept[1]: kept[2].value}
                    kept = None
                continue
            if prefix == "item":
                if not in_list:
                    continue
                if event == "map_key":
                    continue
                if event in _ENDS:
                    if index >= self._start:
                        notes.append(Element(index, context if element_is_map else []))
                        yield _ELEMENT_END
                    continue
                index += 1
                element_is_map, context = event == "start_map" and index >= self._start, {}
                if index < self._start:  # read past, unbuilt
                    continue
                if event not in _STARTS:  # a scalar element
                    element_is_map = False
                    notes.append(Element(index, value))
                    yield _ELEMENT_END
                continue
            if prefix == "":
                in_list = event == "start_array"
                continue
            if not element_is_map:
                continue
            if prefix in self._spread:
                field = self._spread[prefix]
                if event in _STARTS:
                    container, position, listing = prefix, 0, event == "start_array"
                    context = {**context, field: {} if event == "start_map" else []}
                    if event == "start_array":  # list members are "<field>.item": fixed head, positions as keys
                        head = f"{prefix}.item"
                        cut = len(head)
                else:
                    context = {**context, field: value}
                continue
            if prefix in self._keep:
                name = self._keep[prefix]
                if event in _STARTS:
                    builder = ObjectBuilder()
                    builder.event(event, value)
                    kept = (prefix, name, builder)
                else:
                    context = {**context, name: value}
