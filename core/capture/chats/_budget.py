"""One message's budget while it is parsed: its total text and its number of values, not only each string.

Every JSON string is already cut at the message cap as it streams past (``_caps.CappedJson``), but a message
is many strings and values: thousands of capped blocks, attachments or entities, or millions of tiny values
(a list of reactions).  Built whole, such a message grows without bound.  ``MessageBudget`` watches the parse
events of one message: past ``MEMBER_TEXT`` characters each further long string becomes ``LEFT_OUT``, and
past ``MEMBER_VALUES`` values the rest of the message is dropped unbuilt (containers already open are
closed, so the JSON stays well formed).  ``within_budget`` applies it to every element of an array, and
marks an element that was cut with ``CUT_KEY`` so its reader can note it (``cut_of``).
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from typing import IO, Any

from ._caps import CUT_MARK

# Characters of text one message may hold: past it, each further long string of the message is replaced by
# LEFT_OUT (so a message holds at most this plus one string at its cap).
MEMBER_TEXT = 20_000_000
# Parse events (values, keys, containers) of one message kept: past it the rest of the message is skipped.
# A built value costs up to ~100 bytes (a small dict in a list), so this bounds one message to ~20 MB; a real
# message has at most a few thousand (entities of a long Telegram text, Slack blocks, reactions).
MEMBER_VALUES = 200_000
_LATE_VALUES = 1_000  # values of one top-level field of a message past MEMBER_VALUES
_SHORT = 1_000  # strings this short (ids, names, times) stay past the text budget
LEFT_OUT = f"[left out: this message holds more than {MEMBER_TEXT // 1_000_000} million characters]{CUT_MARK}"
CUT_KEY = "\ue0c7cut"  # added to an element cut by its budget; the value is the note for meta["truncated"]
TEXT_NOTE = f"message holds more than {MEMBER_TEXT} characters: the rest was left out while reading"
VALUES_NOTE = f"message holds more than {MEMBER_VALUES} values: the rest was left out while reading"


class TooLarge(Exception):
    """One element takes more JSON bytes than the budget for building it whole."""


class ByteBudget(io.RawIOBase):
    """A byte stream that raises ``TooLarge`` once more than ``budget`` bytes are read since ``renew``."""

    def __init__(self, source: IO[bytes], budget: int) -> None:
        super().__init__()
        self._source = source
        self._budget = budget
        self._spent = 0

    def readable(self) -> bool:
        return True

    def renew(self) -> None:
        self._spent = 0

    def readinto(self, buffer: bytearray | memoryview) -> int:  # type: ignore[override]
        data = self._source.read(len(buffer))
        self._spent += len(data)
        if self._spent > self._budget:
            raise TooLarge
        buffer[:len(data)] = data
        return len(data)


_STARTS = frozenset(["start_map", "start_array"])
_ENDS = frozenset(["end_map", "end_array"])
_NOT_A_START = frozenset(["map_key", "end_map", "end_array"])
DROPPED = object()  # admit's answer for an event that must not reach the builder


class MessageBudget:
    """The running totals of one message, fed the parse events inside it (not its own start and end).

    Past ``MEMBER_VALUES`` values, each top-level field of the message (a key and its value) may hold at most
    ``_LATE_VALUES`` more, and the rest of a field that passes that is dropped: the monster list goes, the
    message's own time, sender and text after it stay.  Past twice ``MEMBER_VALUES``, everything left is
    dropped.  ``reset`` at each message; ``cut`` is the note once something was left out.
    """

    __slots__ = ("_depth", "_dropped", "_field", "_rest", "cut", "text", "values")

    def __init__(self) -> None:
        self.reset()

    def reset(self) -> None:
        self.text = 0
        self.values = 0
        self._depth = 0  # containers open inside the message, passed on
        self._dropped = 0  # containers open inside the message, dropped
        self._field = 0  # values of the current top-level field
        self._rest = False  # drop the rest of the current top-level field
        self.cut: str | None = None

    def admit(self, event: str, value: Any) -> Any:
        """The value to pass on for this event of the message (a long string past the text budget becomes
        ``LEFT_OUT``), or ``DROPPED`` when the event must not reach the builder.  The ends of the containers
        passed on always pass, so what is built stays well formed."""
        if event in _ENDS:
            if self._dropped:
                self._dropped -= 1
                return DROPPED
            self._depth -= 1
            if self._depth == 0:
                self._rest = False
            return value
        if self._dropped or self._rest or self.values > 2 * MEMBER_VALUES:
            if event in _STARTS:
                self._dropped += 1
            return DROPPED
        if self._depth == 0:
            self._field = 0
        self.values += 1
        self._field += 1
        if self.values > MEMBER_VALUES and (self._field > _LATE_VALUES or self.values > 2 * MEMBER_VALUES):
            self.cut = VALUES_NOTE
            if event in _STARTS:
                self._dropped += 1
            self._rest = self._depth > 0
            return DROPPED
        if event in _STARTS:
            self._depth += 1
        elif event == "string":
            if self.text > MEMBER_TEXT and len(value) > _SHORT:
                self.cut = self.cut or TEXT_NOTE
                value = LEFT_OUT
            self.text += len(value)
        return value


def within_budget(
    events: Iterator[tuple[str, str, Any]], items: str, start: int = 0,
) -> Iterator[tuple[str, str, Any]]:
    """``events`` (ijson parse events) with each element at prefix ``items`` held to one ``MessageBudget``;
    a map element that was cut gains ``CUT_KEY`` with the note.  The elements before ``start`` (already
    read) are dropped."""
    budget = MessageBudget()
    inside = items + "." if items else ""  # "": the top value itself (a JSON Lines line)
    index = -1
    for prefix, event, value in events:
        if prefix == items and event not in _NOT_A_START:
            index += 1
        if index < start and (prefix == items or prefix.startswith(inside)):  # an element read before
            continue
        if prefix == items:
            if event == "map_key":
                value = budget.admit(event, value)
                if value is DROPPED:
                    continue
            elif event in _ENDS:
                if budget.cut is not None and event == "end_map":
                    yield items, "map_key", CUT_KEY
                    yield items + "." + CUT_KEY, "string", budget.cut
            else:  # an element starts
                budget.reset()
        elif prefix.startswith(inside):
            value = budget.admit(event, value)
            if value is DROPPED:
                continue
        yield prefix, event, value


def cut_of(element: Any) -> str | None:
    """The note of an element ``within_budget`` cut, else None."""
    if isinstance(element, dict):
        note = element.get(CUT_KEY)
        return note if isinstance(note, str) else None
    return None
