"""Streaming JSON for exports too large to load: bounded memory, errors as values.

Built on ``ijson`` (C backend when available), read through ``_caps.capped_json``: a string longer
than the cap is cut as it streams past (``_caps.CUT_MARK`` where it was cut).  A truncated or corrupt file
yields everything complete before the damage, then raises ``JsonBroken``
carrying a one-line reason, so a reader can report it as a ``RecordError``.
"""

from __future__ import annotations

import zipfile
import zlib
from collections import deque
from collections.abc import Callable, Generator, Iterator
from typing import IO, Any

from core.errors import ImportFailed

from ._budget import ByteBudget, TooLarge, within_budget
from ._caps import DOCUMENT_STRING_CAP_BYTES, capped_json
from ._common import short_error

# What reading one export entry may raise besides JSON errors: a zip entry
# lying about its size (ImportFailed from SafeZip), CRC/zlib damage, I/O.
ENTRY_READ_ERRORS: tuple[type[BaseException], ...] = (
    ImportFailed,
    OSError,
    zipfile.BadZipFile,
    zlib.error,
    EOFError,
    UnicodeDecodeError,
)


_NOT_A_START = frozenset(["map_key", "end_map", "end_array"])
_CONTAINER_EVENTS = frozenset(["start_map", "start_array", "map_key", "end_map", "end_array"])


class JsonBroken(Exception):
    """The JSON stream ended early or is invalid; ``reason`` is one line for users."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def broken(exc: BaseException) -> JsonBroken:
    import ijson

    if isinstance(exc, ijson.IncompleteJSONError) and "premature EOF" in str(exc):
        return JsonBroken(f"JSON ends early (truncated file?): {short_error(exc)}")
    if isinstance(exc, ImportFailed):
        return JsonBroken(str(exc))
    if isinstance(exc, ijson.JSONError):
        return JsonBroken(f"invalid JSON: {short_error(exc)}")
    return JsonBroken(f"damaged or unreadable data: {short_error(exc)}")


class _WithoutBom:
    """A binary stream minus a leading UTF-8 BOM (Windows tools write one; JSON parsers refuse it)."""

    def __init__(self, fh: IO[bytes]) -> None:
        self._fh = fh
        self._first = True

    def read(self, size: int = -1) -> bytes:
        data = self._fh.read(size)
        if self._first and data:  # ijson probes with read(0) first
            self._first = False
            if data.startswith(b"\xef\xbb\xbf"):
                data = data[3:] or self._fh.read(size)
        return data


def without_bom(fh: IO[bytes]) -> IO[bytes]:
    return _WithoutBom(fh)  # type: ignore[return-value]


WHOLE_ITEM_BYTES = 4 * 1024 * 1024  # JSON bytes of one element built whole by ijson's C builder (fast)


def iter_items(
    fh: IO[bytes], prefix: str, documents: frozenset[bytes] = frozenset(),
    reopen: Callable[[], IO[bytes]] | None = None,
) -> Iterator[Any]:
    """Each complete value under ``prefix`` (ijson prefix syntax, e.g. ``"item"``).

    Strings are cut at the message cap; the values of the keys in ``documents`` (a document's text) at the
    document cap.  Each value is held to a ``_budget.MessageBudget`` (``_budget.cut_of`` says if it was cut).
    With ``reopen`` (to read the file again), values are built whole by ijson's C builder while each takes
    under ``WHOLE_ITEM_BYTES`` of JSON (the budget cannot be passed then), and from the first that does not,
    through the budget's event filter (about 3x slower).
    """

    if reopen is not None and prefix == "item":
        done = yield from whole_values(fh, prefix, documents, WHOLE_ITEM_BYTES)
        if done is None:
            return
        with reopen() as again:
            yield from _budgeted_items(again, prefix, documents, done)
        return
    yield from _budgeted_items(fh, prefix, documents, 0)


def whole_values(fh: IO[bytes], prefix: str, documents: frozenset[bytes], budget: int,
                 wrap: Callable[[int, Any], Any] = lambda _index, value: value) -> Generator[Any, None, int | None]:
    """``wrap(index, value)`` of each value under ``prefix``, built whole by ijson's C builder (fast) while each takes
    under ``budget`` bytes of JSON.  Returns None at the end, or how many came whole when the next one did not fit:
    the caller reads on from there in a reopened file, through a slower path that can cut it."""
    import ijson

    whole = ByteBudget(capped_json(without_bom(fh), wide_keys=documents, wide_cap=DOCUMENT_STRING_CAP_BYTES), budget)
    done = 0
    try:
        for value in ijson.items(whole, prefix, use_float=True):
            yield wrap(done, value)
            whole.renew()
            done += 1
    except TooLarge:
        return done
    except (ijson.JSONError, *ENTRY_READ_ERRORS) as exc:
        raise broken(exc) from exc
    return None


def _budgeted_items(fh: IO[bytes], prefix: str, documents: frozenset[bytes], start: int) -> Iterator[Any]:
    import ijson

    capped = capped_json(without_bom(fh), wide_keys=documents, wide_cap=DOCUMENT_STRING_CAP_BYTES)
    try:
        yield from ijson.items(within_budget(ijson.parse(capped, use_float=True), prefix, start), prefix)
    except (ijson.JSONError, *ENTRY_READ_ERRORS) as exc:
        raise broken(exc) from exc


def walk(
    fh: IO[bytes],
    *,
    arrays: tuple[str, ...],
    scalars: frozenset[str] = frozenset(),
    markers: frozenset[str] = frozenset(),
    reopen: Callable[[], IO[bytes]] | None = None,
) -> Iterator[tuple[dict[str, Any], Any]]:
    """Each element of the arrays at ``arrays`` (ijson prefixes), with its context.

    Yields ``(context, item)`` in document order.  ``context`` maps each prefix
    in ``scalars`` seen so far to its value, plus ``"_array"`` (which array the
    item is in), ``"_marker"`` (how many maps/arrays at a ``markers`` prefix
    have opened, e.g. chats in a multi-chat export; scalars are forgotten at
    each marker) and ``"_index"`` (the position of the current marker among
    those at the same prefix, e.g. the chat's index in its list).  Items are built by ijson (C backend) from one pass of parse
    events; no string in an item is longer than the message cap, and each item is held to a
    ``_budget.MessageBudget`` (``_budget.cut_of`` says if it was cut), so memory is bounded whatever the export.
    With ``reopen`` (to read the file again), items are built without the budget's filter (about 2x faster)
    while each takes under ``WHOLE_ITEM_BYTES`` of JSON, and from the first that does not, with it.
    """
    if reopen is None:
        yield from _walk(capped_json(without_bom(fh)), arrays, scalars, markers, 0)
        return
    whole = ByteBudget(capped_json(without_bom(fh)), WHOLE_ITEM_BYTES)
    done = 0  # items yielded whole
    try:
        for pair in _walk(whole, arrays, scalars, markers, None):
            yield pair
            whole.renew()
            done += 1
        return
    except TooLarge:
        pass
    with reopen() as again:
        yield from _walk(capped_json(without_bom(again)), arrays, scalars, markers, done)


def _walk(
    stream: IO[bytes], arrays: tuple[str, ...], scalars: frozenset[str], markers: frozenset[str], start: int | None
) -> Iterator[tuple[dict[str, Any], Any]]:
    """``walk`` over ``stream`` (capped), from item ``start`` on, each item held to its budget; ``start``
    None: all items, without a budget."""
    import ijson

    snapshots: deque[dict[str, Any]] = deque()
    state: dict[str, Any] = {"_marker": 0, "_index": 0, "_array": arrays[0]}  # replaced, never mutated
    opened: dict[str, int] = {}
    unseen = [start or 0]  # items still to pass over unbuilt: they get no snapshot

    def note(prefix: str, event: str, value: Any) -> None:
        nonlocal state
        if prefix in scalars and event not in _CONTAINER_EVENTS:
            state = {**state, prefix: value}
        elif prefix in markers and event in ("start_map", "start_array"):
            opened[prefix] = opened.get(prefix, 0) + 1
            state = {"_marker": state["_marker"] + 1, "_index": opened[prefix] - 1, "_array": state["_array"]}

    def snapshot(context: dict[str, Any]) -> None:
        if unseen[0]:
            unseen[0] -= 1
        else:
            snapshots.append(context)

    if len(arrays) == 1:
        # Fast path: the events pass through untouched; only element starts are noted.
        items_prefix = arrays[0] + ".item"

        def tap(events: Iterator[tuple[str, str, Any]]) -> Iterator[tuple[str, str, Any]]:
            for ev in events:
                prefix = ev[0]
                if prefix == items_prefix:
                    if ev[1] not in _NOT_A_START:
                        snapshot(state)
                elif prefix in scalars or prefix in markers:
                    note(*ev)
                yield ev

    else:
        # Several arrays (e.g. chats and left chats): rename their prefixes to one.
        canonical = "_walk_items"
        items_prefix = canonical + ".item"
        heads = tuple((a, a + ".", len(a)) for a in arrays)

        def tap(events: Iterator[tuple[str, str, Any]]) -> Iterator[tuple[str, str, Any]]:
            for prefix, event, value in events:
                for array, dotted, size in heads:
                    if prefix == array or prefix.startswith(dotted):
                        prefix = canonical + prefix[size:]
                        # One snapshot per array element: its first event at the element's prefix.
                        if prefix == items_prefix and event not in _NOT_A_START:
                            snapshot({**state, "_array": array})
                        break
                else:
                    if prefix in scalars or prefix in markers:
                        note(prefix, event, value)
                yield prefix, event, value

    try:
        events = tap(ijson.parse(stream, use_float=True))
        if start is not None:
            events = within_budget(events, items_prefix, start)
        for item in ijson.items(events, items_prefix):
            yield snapshots.popleft(), item
    except (ijson.JSONError, *ENTRY_READ_ERRORS) as exc:
        raise broken(exc) from exc
