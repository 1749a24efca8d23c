"""WhatsApp date order: one day/month order per header style of a chat file, read from its headers first."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from typing import IO

from core.errors import ImportFailed

from ._caps import text_lines
from ._dateorder import Evidence, OrderDetector, guess, guessed_note
from ._jsonstream import ENTRY_READ_ERRORS
from ._whatsapp_header import Header, check_marker, parse_header


@dataclass(slots=True)
class Orders:
    """The date order of each header style of one chat file, and what the user should be told."""

    by_style: dict[str, str]
    notes: list[str]

    def for_header(self, h: Header) -> str:
        if h.fixed_order:
            return h.fixed_order
        # A style first seen after detection stopped: the order of the most similar style.
        return (self.by_style.get(h.style) or next((o for st, o in self.by_style.items() if st[1:] == h.sep), None)
                or next(iter(self.by_style.values()), "DMY"))


_DETECT_MIN_HEADERS = 5_000  # keep looking this long for other header styles once every order is certain


def detect_orders(opener: Callable[[], IO[bytes]], where: str, file_name: str, override: str | None) -> Orders:
    """The order of each header style (``override`` wins); ``ImportFailed`` when the file has no header or an unknown AM/PM marker."""
    detectors: dict[str, OrderDetector] = {}
    markers: Counter[str] = Counter()
    seps: Counter[str] = Counter()
    plain_clock = False
    count = 0
    bad_marker: ImportFailed | None = None
    try:
        for lineno, line, _cut in text_lines(opener):
            h = parse_header(line, lineno)
            if not isinstance(h, Header):
                continue
            count += 1
            bad_marker = check_marker(h, where, line)
            if bad_marker is not None:
                break
            if h.marker_raw:
                markers[h.marker_raw] += 1
            else:
                plain_clock = True
            if h.fixed_order == "DMY" or override:
                continue
            seps[h.sep] += 1
            detector = detectors.get(h.style)
            if detector is None:
                detector = detectors[h.style] = OrderDetector(where)
            detector.feed(h.date, year_first=h.fixed_order == "YMD")
            if count >= _DETECT_MIN_HEADERS and all(d.decided for d in detectors.values()):
                break
    except ENTRY_READ_ERRORS as exc:
        # A damaged tail is reported by the reading pass; only an unreadable start is fatal here.
        if count == 0:
            raise ImportFailed(f"{where}: cannot read: {exc}") from exc
    if bad_marker is not None:
        raise bad_marker
    if count == 0:
        raise ImportFailed(f"{where}: no WhatsApp message header found")
    orders = Orders({}, [])
    for style, detector in detectors.items():
        if override:
            orders.by_style[style] = override
            continue
        order = detector.certain()
        if order is None:
            evidence = Evidence(separator=style[1:], markers=tuple(m for m, _ in markers.most_common()),
                                twenty_four_hour=plain_clock and not markers, file_name=file_name)
            order, reason = guess(evidence)
            if style[1:] != ".":  # dotted dates are day-first everywhere: nothing to tell
                assert detector.first is not None
                orders.notes.append(guessed_note(order, reason, detector.first, detector.count))
        orders.by_style[style] = order
    if override and not orders.by_style:
        orders.by_style["-/"] = override
    return orders
